// A LAC and an LNS of this code in one process, over an in-memory network,
// with fake kernels and fake pppd launchers: RFC 2661 exchanges from SCCRQ
// to teardown, asserted by the messages on the wire, the kernel calls and the
// pppd starts and stops.
#include "common/log.h"
#include "exchange_lab.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec;
using namespace l2tpsec::l2tp;
using namespace l2tpsec::l2tp::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::vector<std::string> &v, const std::string &s)
{
	return std::find(v.begin(), v.end(), s) != v.end();
}

/// The wire log without the acknowledgements, for readable sequences.
std::vector<std::string> messages(const Lab &lab)
{
	std::vector<std::string> v;
	for (const std::string &w : lab.wire)
		if (w.find(" ZLB") == std::string::npos)
			v.push_back(w);
	return v;
}

struct Pair {
	Lab lab;
	std::unique_ptr<Host> lns, lac;
	explicit Pair(EngineConfig lnsCfg = lnsConfig(), EngineConfig lacCfg = lacConfig())
	{
		lns = lab.host("192.0.2.1", lnsCfg);
		lac = lab.host("192.0.2.2", lacCfg);
	}
	uint16_t connect()
	{
		auto tid = lac->engine.connect(lacRequest(), lab.now);
		REQUIRE(tid);
		lab.settle();
		return tid.value();
	}
};

/// Log lines at warn or above, collected while it lives.
struct LogCapture {
	std::vector<std::string> lines;
	LogCapture()
	{
		log::setSink([this](LogLevel lvl, std::string_view, std::string_view msg) {
			if (lvl >= LogLevel::Warn)
				lines.emplace_back(msg);
		});
	}
	~LogCapture() { log::setSink(nullptr); }
	bool has(const std::string &part) const
	{
		return std::any_of(lines.begin(), lines.end(),
		                   [&](const std::string &l) { return l.find(part) != std::string::npos; });
	}
};

} // namespace

TEST_CASE("LAC to LNS: tunnel and session come up, in the kernel and with pppd on both ends")
{
	Pair p;
	uint16_t lacTid = p.connect();

	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 SCCRQ", "192.0.2.1>192.0.2.2 SCCRP",
	                                                  "192.0.2.2>192.0.2.1 SCCCN", "192.0.2.2>192.0.2.1 ICRQ",
	                                                  "192.0.2.1>192.0.2.2 ICRP", "192.0.2.2>192.0.2.1 ICCN"});

	auto lnsTunnels = p.lns->engine.tunnels();
	auto lacTunnels = p.lac->engine.tunnels();
	REQUIRE(lnsTunnels.size() == 1);
	REQUIRE(lacTunnels.size() == 1);
	const TunnelInfo &lt = lnsTunnels[0];
	CHECK(lt.state == TunnelStateName::Established);
	CHECK(lacTunnels[0].state == TunnelStateName::Established);
	CHECK(lt.peerTunnelId == lacTid);
	CHECK(lacTunnels[0].peerTunnelId == lt.tunnelId);
	CHECK(lt.peerHostName == "lac");
	CHECK(lacTunnels[0].peerHostName == "lns");
	CHECK(lt.peer == Endpoint{ip("192.0.2.2"), 1701});
	CHECK(kernel::OwnedTunnelIds{}.contains(lt.tunnelId));

	auto lnsSessions = p.lns->engine.sessions();
	auto lacSessions = p.lac->engine.sessions();
	REQUIRE(lnsSessions.size() == 1);
	REQUIRE(lacSessions.size() == 1);
	CHECK(lnsSessions[0].state == SessionStateName::Established);
	CHECK(lacSessions[0].state == SessionStateName::Established);
	CHECK(lnsSessions[0].peerSessionId == lacSessions[0].sessionId);
	CHECK(lacSessions[0].peerSessionId == lnsSessions[0].sessionId);
	CHECK(lnsSessions[0].address == ip("10.99.0.10"));
	CHECK(lacSessions[0].lacProfile == "office");

	// Kernel: a managed tunnel and a session on each end, LNS mode on the LNS.
	uint16_t lnsTid = lt.tunnelId, lnsSid = lnsSessions[0].sessionId, lacSid = lacSessions[0].sessionId;
	CHECK(p.lns->kernel.hasTunnel(lnsTid));
	CHECK(p.lns->kernel.tunnelParams(lnsTid)->peerTunnelId == lacTid);
	CHECK(p.lns->kernel.tunnelParams(lnsTid)->udpFd >= 0);
	CHECK(p.lns->kernel.hasSession(lnsTid, lnsSid));
	CHECK(p.lac->kernel.hasTunnel(lacTid));
	CHECK(p.lac->kernel.hasSession(lacTid, lacSid));
	CHECK(p.lns->kernel.callLog() ==
	      std::vector<std::string>{"createTunnel " + std::to_string(lnsTid),
	                               "createSession " + std::to_string(lnsTid) + "/" + std::to_string(lnsSid),
	                               "openPppSocket " + std::to_string(lnsTid) + "/" + std::to_string(lnsSid)});
	// pppd: LNS mode with the pool address; LAC mode with the profile.
	REQUIRE(p.lns->ppp.starts().size() == 1);
	CHECK(p.lns->ppp.starts()[0].lns);
	CHECK(p.lns->ppp.starts()[0].remoteAddress == ip("10.99.0.10"));
	CHECK(p.lns->ppp.starts()[0].peerSessionId == lacSid);
	REQUIRE(p.lac->ppp.starts().size() == 1);
	CHECK_FALSE(p.lac->ppp.starts()[0].lns);
	CHECK(p.lac->ppp.starts()[0].lacProfile == "office");
	CHECK(p.lns->observer.events ==
	      std::vector<std::string>{"tunnel-up " + std::to_string(lnsTid),
	                               "session-up " + std::to_string(lnsTid) + "/" + std::to_string(lnsSid)});
	CHECK(p.lns->engine.pool()->leased() == 1);
}

TEST_CASE("a CDN from the LAC clears the LNS session: pppd stopped, kernel session gone, address back, audited")
{
	Pair p;
	uint16_t lacTid = p.connect();
	auto lnsS = p.lns->engine.sessions().at(0);
	auto lacS = p.lac->engine.sessions().at(0);
	p.lab.advance(5min);
	p.lab.wire.clear();
	REQUIRE(p.lac->engine.disconnectSession(lacTid, lacS.sessionId, "user request", p.lab.now));
	p.lab.settle();

	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 CDN"});
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lac->engine.sessions().empty());
	CHECK_FALSE(p.lns->ppp.running(lnsS.tunnelId, lnsS.sessionId));
	CHECK_FALSE(p.lac->ppp.running(lacTid, lacS.sessionId));
	CHECK_FALSE(p.lns->kernel.hasSession(lnsS.tunnelId, lnsS.sessionId));
	CHECK_FALSE(p.lac->kernel.hasSession(lacTid, lacS.sessionId));
	CHECK(p.lns->engine.pool()->leased() == 0);
	// The tunnel stays.
	CHECK(p.lns->engine.tunnels().at(0).state == TunnelStateName::Established);
	REQUIRE(p.lns->observer.ends.size() == 1);
	const SessionEnd &end = p.lns->observer.ends[0];
	CHECK(end.reason == "peer sent CDN (result 3)");
	CHECK(end.cause == EndCause::PeerRequest);
	CHECK(end.session.address == ip("10.99.0.10"));
	CHECK(end.stats.has_value());
	CHECK(end.ended - end.session.started == 5min);
	REQUIRE(p.lac->observer.ends.size() == 1);
	CHECK(p.lac->observer.ends[0].reason == "user request");
	CHECK(p.lac->observer.ends[0].cause == EndCause::Admin);
}

TEST_CASE("StopCCN clears the tunnel on both ends; the tunnel lingers to acknowledge, then goes")
{
	EngineConfig lns = lnsConfig();
	lns.stopLinger = 10s;
	Pair p(lns);
	uint16_t lacTid = p.connect();
	uint16_t lnsTid = p.lns->engine.tunnels().at(0).tunnelId;
	p.lab.wire.clear();
	REQUIRE(p.lac->engine.closeTunnel(lacTid, "admin", p.lab.now));
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 StopCCN"});
	// The LAC got its ack and is gone; the LNS lingers.
	CHECK(p.lac->engine.tunnelCount() == 0);
	CHECK(p.lac->sockets.openSockets() == 0);
	CHECK_FALSE(p.lac->kernel.hasTunnel(lacTid));
	REQUIRE(p.lns->engine.tunnelCount() == 1);
	CHECK(p.lns->engine.tunnels().at(0).state == TunnelStateName::Closing);
	CHECK_FALSE(p.lns->kernel.hasTunnel(lnsTid));
	CHECK(p.lns->ppp.runningCount() == 0);
	CHECK(p.lns->engine.pool()->leased() == 0);
	CHECK(contains(p.lns->observer.events,
	               "tunnel-down " + std::to_string(lnsTid) + ": peer sent StopCCN (result 1)"));
	// Its session's end: the peer's request here, the administrator's there.
	REQUIRE(p.lns->observer.ends.size() == 1);
	CHECK(p.lns->observer.ends[0].cause == EndCause::PeerRequest);
	REQUIRE(p.lac->observer.ends.size() == 1);
	CHECK(p.lac->observer.ends[0].cause == EndCause::Admin);
	p.lab.advance(10s);
	CHECK(p.lns->engine.tunnelCount() == 0);
	CHECK(p.lns->sockets.openSockets() == 0);
}

TEST_CASE("shutdown does not wait for a tunnel that lingers after the peer's StopCCN")
{
	Pair p;
	uint16_t lacTid = p.connect();
	REQUIRE(p.lac->engine.closeTunnel(lacTid, "admin", p.lab.now));
	p.lab.settle();
	REQUIRE(p.lns->engine.tunnelCount() == 1);
	REQUIRE(p.lns->engine.tunnels().at(0).state == TunnelStateName::Closing);
	p.lab.wire.clear();
	p.lns->engine.shutdown(p.lab.now);
	// Nothing to tell the peer, nothing to wait for: done at once, not after
	// the 31 s linger (the daemon gave it 3 s and warned of an unacknowledged StopCCN).
	CHECK(p.lns->engine.done());
	CHECK(p.lns->sockets.openSockets() == 0);
	p.lab.settle();
	CHECK(messages(p.lab).empty());
}

TEST_CASE("lost SCCRP and ICCN are retransmitted and the session still comes up")
{
	Pair p;
	int sccrpDrops = 1, iccnDrops = 1;
	p.lab.drop = [&](const FakeNetwork::Datagram &d) {
		std::string t = typeOf(d.bytes);
		if (t == "SCCRP" && sccrpDrops > 0)
			return sccrpDrops-- > 0;
		if (t == "ICCN" && iccnDrops > 0)
			return iccnDrops-- > 0;
		return false;
	};
	(void)p.connect();
	CHECK(p.lac->engine.sessions().empty()); // still waiting for the SCCRP
	p.lab.advance(5s);
	REQUIRE(p.lns->engine.sessions().size() == 1);
	CHECK(p.lns->engine.sessions()[0].state == SessionStateName::Established);
	CHECK(p.lac->engine.sessions().at(0).state == SessionStateName::Established);
	CHECK(p.lns->engine.tunnels().at(0).transport.retransmitted >= 1);
	CHECK(p.lac->engine.tunnels().at(0).transport.retransmitted >= 1);
	CHECK(p.lab.net.dropped() == 2);
}

TEST_CASE("a duplicated SCCRQ makes one tunnel, not two")
{
	Pair p;
	bool duplicated = false;
	p.lab.drop = [&](const FakeNetwork::Datagram &d) {
		if (!duplicated && typeOf(d.bytes) == "SCCRQ") {
			duplicated = true;
			p.lab.net.queue().push_back(d); // deliver it twice
		}
		return false;
	};
	(void)p.connect();
	CHECK(duplicated);
	CHECK(p.lns->engine.tunnelCount() == 1);
	CHECK(p.lns->engine.sessions().size() == 1);
	CHECK(p.lns->engine.tunnels().at(0).transport.duplicates == 1);
}

TEST_CASE("reordered datagrams are put back in order")
{
	Pair p;
	uint16_t lacTid = p.connect();
	// Two more calls in one burst, delivered in reverse order.
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.net.reorder();
	p.lab.advance(3s);
	CHECK(p.lns->engine.sessions().size() == 3);
	CHECK(p.lac->engine.sessions().size() == 3);
	for (const SessionInfo &s : p.lns->engine.sessions())
		CHECK(s.state == SessionStateName::Established);
}

TEST_CASE("an LNS that never answers: the LAC gives up after the retry limit and cleans up")
{
	EngineConfig lac = lacConfig();
	lac.retries = 3;
	Pair p(lnsConfig(), lac);
	p.lab.net.detach(ip("192.0.2.1"));
	(void)p.connect();
	REQUIRE(p.lac->engine.tunnelCount() == 1);
	// 1 + 2 + 4 s of retransmissions, then 8 s waiting for the last.
	p.lab.advance(14s);
	CHECK(p.lac->engine.tunnelCount() == 1);
	p.lab.advance(2s);
	CHECK(p.lac->engine.tunnelCount() == 0);
	CHECK(p.lac->sockets.openSockets() == 0);
	CHECK(p.lac->sockets.sentDatagrams() == 4); // SCCRQ and 3 retransmissions
}

TEST_CASE("a peer that dies is noticed by HELLO: tunnel, session, kernel state and pppd go within the timeout")
{
	EngineConfig lns = lnsConfig();
	lns.helloInterval = 30s;
	Pair p(lns);
	(void)p.connect();
	REQUIRE(p.lns->engine.sessions().size() == 1);
	auto s = p.lns->engine.sessions()[0];
	p.lab.advance(1s); // everything acknowledged
	TimePoint died = p.lab.now;
	p.lab.kill(*p.lac); // the LAC is gone, silently
	// HELLO after 30 s of silence, then 1+2+4+8+8 s of retransmissions and
	// 8 s for the last: gone by 30 + 31 s.
	p.lab.advance(59s);
	CHECK(p.lns->engine.tunnelCount() == 1);
	p.lab.advance(2s);
	CHECK(p.lab.now - died <= 61s);
	CHECK(p.lns->engine.tunnelCount() == 0);
	CHECK_FALSE(p.lns->ppp.running(s.tunnelId, s.sessionId));
	CHECK_FALSE(p.lns->kernel.hasTunnel(s.tunnelId));
	CHECK(p.lns->engine.pool()->leased() == 0);
	REQUIRE(p.lns->observer.ends.size() == 1);
	CHECK(p.lns->observer.ends[0].reason == "the peer stopped answering (5 retransmissions)");
	CHECK(p.lns->observer.ends[0].cause == EndCause::PeerLost);
}

TEST_CASE("HELLO keeps a quiet but live tunnel up")
{
	EngineConfig lns = lnsConfig();
	lns.helloInterval = 30s;
	Pair p(lns);
	(void)p.connect();
	p.lab.wire.clear();
	p.lab.advance(10min);
	CHECK(p.lns->engine.tunnels().at(0).state == TunnelStateName::Established);
	CHECK(p.lns->engine.sessions().size() == 1);
	auto hellos = std::count(p.lab.wire.begin(), p.lab.wire.end(), "192.0.2.1>192.0.2.2 HELLO");
	CHECK(hellos >= 10);
}

TEST_CASE("hello_interval 0s sends no HELLO at all")
{
	EngineConfig lns = lnsConfig(), lac = lacConfig();
	lns.helloInterval = lac.helloInterval = 0s;
	Pair p(lns, lac);
	(void)p.connect();
	p.lab.advance(1s);
	p.lab.wire.clear();
	p.lab.advance(2h);
	CHECK(p.lab.wire.empty());
	CHECK_FALSE(p.lns->engine.nextDeadline().has_value());
	CHECK(p.lns->engine.sessions().size() == 1);
}

TEST_CASE("tunnel authentication: matching secrets connect; a wrong secret is refused with StopCCN")
{
	EngineConfig lns = lnsConfig(), lac = lacConfig();
	lns.secret = lac.secret = "tunnel-secret";
	{
		Pair p(lns, lac);
		(void)p.connect();
		CHECK(p.lns->engine.sessions().size() == 1);
		CHECK(p.lac->engine.sessions().size() == 1);
	}
	lac.secret = "wrong";
	LogCapture logs;
	Pair p(lns, lac);
	(void)p.connect();
	// The LAC finds the LNS's Challenge Response wrong and stops.
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lac->engine.tunnelCount() == 0);
	CHECK(contains(messages(p.lab), "192.0.2.2>192.0.2.1 StopCCN"));
	CHECK(logs.has("tunnel authentication failed: wrong or missing Challenge Response in SCCRP"));
	CHECK(p.lns->kernel.callLog().empty());
}

TEST_CASE("an LNS without a secret refuses a LAC that challenges it")
{
	EngineConfig lac = lacConfig();
	lac.secret = "s";
	LogCapture logs;
	Pair p(lnsConfig(), lac);
	(void)p.connect();
	CHECK(contains(messages(p.lab), "192.0.2.1>192.0.2.2 StopCCN"));
	CHECK(logs.has("no [l2tp] secret is configured"));
	// The LAC acknowledged the StopCCN and lingers for its retransmissions.
	REQUIRE(p.lac->engine.tunnelCount() == 1);
	CHECK(p.lac->engine.tunnels()[0].state == TunnelStateName::Closing);
	CHECK(p.lac->engine.sessions().empty());
	p.lab.advance(31s);
	CHECK(p.lac->engine.tunnelCount() == 0);
	CHECK(p.lns->engine.tunnelCount() == 0);
}

TEST_CASE("an SCCRQ with an unknown mandatory AVP is answered with StopCCN, error 8")
{
	Lab lab;
	auto lns = lab.host("192.0.2.1", lnsConfig());
	ControlMessage m;
	m.type = MessageType::Sccrq;
	m.protocolVersion = ProtocolVersion{1, 0};
	m.hostName = "odd";
	m.framingCapabilities = 3;
	m.assignedTunnelId = 77;
	m.unknownAvps.push_back(UnknownAvp{0, 200, true, false, {1, 2}});
	auto bytes = encodeControlMessage(m, ControlEnvelope{0, 0, 0, 0});
	REQUIRE(bytes);
	// Unknown mandatory AVPs make the SCCRQ undecodable before a tunnel
	// exists: it is dropped with a warning (nothing to answer with).
	LogCapture logs;
	lns->engine.onDatagram(0, Endpoint{ip("192.0.2.1"), 1701}, Endpoint{ip("192.0.2.9"), 1701}, bytes.value(),
	                       lab.now);
	CHECK(lns->engine.tunnelCount() == 0);
	CHECK(logs.has("bad SCCRQ from 192.0.2.9:1701"));

	// In an established tunnel, an unknown mandatory AVP in a tunnel message
	// clears the tunnel with StopCCN result 2, error 8 (§4.1).
	Pair p;
	(void)p.connect();
	uint16_t lnsTid = p.lns->engine.tunnels().at(0).tunnelId;
	uint16_t lacTid = p.lac->engine.tunnels().at(0).tunnelId;
	ControlMessage hello;
	hello.type = MessageType::Hello;
	hello.unknownAvps.push_back(UnknownAvp{0, 200, true, false, {1}});
	// Ns 3: the LAC has sent SCCRQ, SCCCN, ICRQ, ICCN (0-3) -> next is 4.
	auto raw = encodeControlMessage(hello, ControlEnvelope{lnsTid, 0, 4, 2});
	REQUIRE(raw);
	p.lab.wire.clear();
	p.lns->engine.onDatagram(1, Endpoint{ip("192.0.2.1"), 1701}, Endpoint{ip("192.0.2.2"), 1701}, raw.value(),
	                         p.lab.now);
	REQUIRE_FALSE(p.lab.net.queue().empty());
	bool sawStop = false;
	for (const auto &d : p.lab.net.queue()) {
		auto pkt = parsePacket(d.bytes);
		REQUIRE(pkt);
		auto msg = decodeControlMessage(*pkt);
		if (msg && msg->type == MessageType::StopCcn) {
			sawStop = true;
			REQUIRE(msg->resultCode.has_value());
			CHECK(msg->resultCode->result == 2);
			CHECK(msg->resultCode->error == 8);
			CHECK(pkt->header.tunnelId == lacTid);
		}
	}
	CHECK(sawStop);
	p.lab.settle();
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lac->engine.tunnels().at(0).state == TunnelStateName::Closing);
	p.lab.advance(31s);
	CHECK(p.lac->engine.tunnelCount() == 0);
	CHECK(p.lns->engine.tunnelCount() == 0);
}

TEST_CASE("pool exhausted: the extra call is refused with CDN result 4 and a clear log line")
{
	EngineConfig lns = lnsConfig();
	lns.pool = std::make_pair(ip("10.99.0.10"), ip("10.99.0.11"));
	Pair p(lns);
	uint16_t lacTid = p.connect();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	CHECK(p.lns->engine.sessions().size() == 2);
	LogCapture logs;
	p.lab.wire.clear();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 ICRQ", "192.0.2.1>192.0.2.2 CDN"});
	CHECK(logs.has("address pool exhausted (2 addresses leased): call refused"));
	CHECK(p.lns->engine.sessions().size() == 2);
	CHECK(p.lac->engine.sessions().size() == 2);
	CHECK(p.lns->ppp.starts().size() == 2);
	// The LAC saw result 4 (temporary lack of facilities).
	bool found = false;
	for (const std::string &e : p.lac->observer.events)
		found = found || e.find("session-down") != std::string::npos;
	CHECK_FALSE(found); // it never came up, so there is nothing to audit
}

TEST_CASE("RADIUS's Framed-IP-Address: the pool's offer goes back, an address inside the pool is leased")
{
	EngineConfig lns = lnsConfig();
	lns.pool = std::make_pair(ip("10.99.0.10"), ip("10.99.0.12"));
	Pair p(lns);
	uint16_t lacTid = p.connect();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	REQUIRE(p.lns->engine.sessions().size() == 2);
	// a holds 10.99.0.10, b 10.99.0.11 (sessions() is in session-id order).
	SessionInfo a = p.lns->engine.sessions().at(0), b = p.lns->engine.sessions().at(1);
	if (a.address != ip("10.99.0.10"))
		std::swap(a, b);
	REQUIRE(a.address == ip("10.99.0.10"));
	REQUIRE(b.address == ip("10.99.0.11"));

	// Outside the pool (a shared SQL pool): the offer is free again, nothing
	// of the pool is leased for the session.
	REQUIRE(p.lns->engine.adoptAddress(a.tunnelId, a.sessionId, ip("10.50.0.7")));
	CHECK(p.lns->engine.findSession(a.tunnelId, a.sessionId)->address == ip("10.50.0.7"));
	CHECK(p.lns->engine.pool()->leased() == 1);
	CHECK_FALSE(p.lns->engine.pool()->isLeased(ip("10.99.0.10")));
	// The same address again changes nothing.
	REQUIRE(p.lns->engine.adoptAddress(a.tunnelId, a.sessionId, ip("10.50.0.7")));
	CHECK(p.lns->engine.pool()->leased() == 1);

	// Inside the pool and held by another session: an error, and the
	// session holds no lease.
	auto taken = p.lns->engine.adoptAddress(a.tunnelId, a.sessionId, ip("10.99.0.11"));
	REQUIRE_FALSE(taken);
	CHECK(taken.error().message ==
	      "the client's address 10.99.0.11 (RADIUS Framed-IP-Address) is in [ppp] pool and leased to another "
	      "session");
	CHECK_FALSE(p.lns->engine.findSession(a.tunnelId, a.sessionId)->address);
	CHECK(p.lns->engine.pool()->leased() == 1);

	// Inside the pool and free: leased to this session, released at its end.
	REQUIRE(p.lns->engine.adoptAddress(b.tunnelId, b.sessionId, ip("10.99.0.12")));
	CHECK(p.lns->engine.pool()->isLeased(ip("10.99.0.12")));
	CHECK_FALSE(p.lns->engine.pool()->isLeased(ip("10.99.0.11")));
	REQUIRE(p.lns->engine.disconnectSession(b.tunnelId, b.sessionId, "test", p.lab.now));
	p.lab.settle();
	CHECK(p.lns->engine.pool()->leased() == 0);
	CHECK_FALSE(p.lns->engine.adoptAddress(b.tunnelId, b.sessionId, ip("10.99.0.12")));
}

TEST_CASE("max_sessions: the call past it is refused with CDN result 4; a cleared one makes room")
{
	EngineConfig lns = lnsConfig();
	lns.maxSessions = 2;
	Pair p(lns);
	uint16_t lacTid = p.connect();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	REQUIRE(p.lns->engine.sessions().size() == 2);
	LogCapture logs;
	p.lab.wire.clear();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 ICRQ", "192.0.2.1>192.0.2.2 CDN"});
	CHECK(logs.has("2 sessions ([l2tp] max_sessions): call refused"));
	CHECK(p.lns->engine.sessions().size() == 2);
	CHECK(p.lns->engine.pool()->leased() == 2); // the refused call took no address
	// One session goes: the next call is answered.
	const SessionInfo first = p.lns->engine.sessions().at(0);
	REQUIRE(p.lns->engine.disconnectSession(first.tunnelId, first.sessionId, "test", p.lab.now));
	p.lab.settle();
	REQUIRE(p.lns->engine.sessions().size() == 1);
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	CHECK(p.lns->engine.sessions().size() == 2);
	// A reload that lowers the limit refuses the next call (the established
	// ones stay).
	lns.maxSessions = 1;
	p.lns->engine.reconfigure(lns);
	p.lab.wire.clear();
	REQUIRE(p.lac->engine.placeCall(lacTid, p.lab.now));
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 ICRQ", "192.0.2.1>192.0.2.2 CDN"});
	CHECK(p.lns->engine.sessions().size() == 2);
}

TEST_CASE("max_tunnels: the SCCRQ past it is dropped and logged; an ended tunnel makes room")
{
	EngineConfig lns = lnsConfig();
	lns.maxTunnels = 2;
	Pair p(lns);
	for (uint16_t port : {1701, 1702})
		REQUIRE(p.lac->engine.connect(lacRequest("192.0.2.1", port), p.lab.now));
	p.lab.settle();
	REQUIRE(p.lns->engine.lnsTunnelCount() == 2);
	LogCapture logs;
	p.lab.wire.clear();
	auto third = p.lac->engine.connect(lacRequest("192.0.2.1", 1703), p.lab.now);
	REQUIRE(third);
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.2>192.0.2.1 SCCRQ"}); // no answer
	CHECK(logs.has("SCCRQ from 192.0.2.2:1703 dropped: 2 tunnels ([l2tp] max_tunnels)"));
	CHECK(p.lns->engine.lnsTunnelCount() == 2);
	// One tunnel ends: the third LAC's retransmitted SCCRQ gets its tunnel.
	const TunnelInfo first = p.lns->engine.tunnels().at(0);
	REQUIRE(p.lns->engine.closeTunnel(first.tunnelId, "test", p.lab.now));
	p.lab.advance(20s); // the LAC retransmits its SCCRQ meanwhile
	CHECK(p.lns->engine.lnsTunnelCount() == 2);
	const std::vector<TunnelInfo> lacTunnels = p.lac->engine.tunnels();
	CHECK(std::any_of(lacTunnels.begin(), lacTunnels.end(), [&](const TunnelInfo &t) {
		return t.tunnelId == third.value() && t.state == TunnelStateName::Established;
	}));
}

TEST_CASE("a kernel that refuses the session: CDN, and nothing is left behind")
{
	Pair p;
	p.lns->kernel.failNext(Error{ENOMEM, "L2TP_CMD_SESSION_CREATE: Cannot allocate memory"},
	                       kernel::FakeL2tpDataplane::Op::CreateSession);
	LogCapture logs;
	(void)p.connect();
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lns->engine.pool()->leased() == 0);
	CHECK(p.lns->ppp.starts().empty());
	CHECK(contains(messages(p.lab), "192.0.2.1>192.0.2.2 CDN"));
	// The tunnel itself stays up for the next call.
	CHECK(p.lns->engine.tunnels().at(0).state == TunnelStateName::Established);

	// pppd failing to start: the kernel session is rolled back too.
	p.lns->ppp.failNext(Error{ENOENT, "exec /usr/sbin/pppd: No such file or directory"});
	REQUIRE(p.lac->engine.placeCall(p.lac->engine.tunnels().at(0).tunnelId, p.lab.now));
	p.lab.settle();
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lns->kernel.listSessions()->empty());
	CHECK(p.lns->engine.pool()->leased() == 0);
}

TEST_CASE("pppd ending clears the session with a CDN to the peer")
{
	Pair p;
	(void)p.connect();
	auto s = p.lns->engine.sessions().at(0);
	p.lab.wire.clear();
	p.lns->engine.pppEnded(s.tunnelId, s.sessionId,
	                       "the peer failed or refused to authenticate itself (pppd exit 11)", p.lab.now,
	                       EndCause::Error);
	p.lab.settle();
	CHECK(messages(p.lab) == std::vector<std::string>{"192.0.2.1>192.0.2.2 CDN"});
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lns->ppp.stops() == 0); // it had ended already: nothing to stop
	REQUIRE(p.lns->observer.ends.size() == 1);
	CHECK(p.lns->observer.ends[0].reason == "the peer failed or refused to authenticate itself (pppd exit 11)");
	CHECK(p.lns->observer.ends[0].cause == EndCause::Error);
	CHECK(p.lac->ppp.stops() == 1);
}

TEST_CASE("a LAC that restarts and reuses its port replaces its old tunnel")
{
	Lab lab;
	auto lns = lab.host("192.0.2.1", lnsConfig());
	auto lac = lab.host("192.0.2.2", lacConfig());
	REQUIRE(lac->engine.connect(lacRequest(), lab.now));
	lab.settle();
	uint16_t oldTid = lns->engine.tunnels().at(0).tunnelId;
	// Crash: the LAC's state is gone without a word to the LNS.
	lab.net.detach(ip("192.0.2.2"));
	lab.hosts.pop_back();
	lac.reset();
	EngineConfig again = lacConfig();
	again.seed = 99;
	auto lac2 = lab.host("192.0.2.2", again);
	LogCapture logs;
	REQUIRE(lac2->engine.connect(lacRequest(), lab.now));
	lab.settle();
	REQUIRE(lns->engine.tunnelCount() == 1);
	CHECK(lns->engine.tunnels().at(0).tunnelId != oldTid);
	CHECK(lns->engine.sessions().size() == 1);
	CHECK_FALSE(lns->kernel.hasTunnel(oldTid));
	CHECK(lns->engine.pool()->leased() == 1);
	CHECK(logs.has("192.0.2.2:1701 started a new tunnel from the same port"));
}

TEST_CASE("SLI and WEN on an established session are accepted and ignored")
{
	Pair p;
	(void)p.connect();
	auto lnsS = p.lns->engine.sessions().at(0);
	auto lacT = p.lac->engine.tunnels().at(0);
	for (MessageType t : {MessageType::Sli, MessageType::Wen}) {
		ControlMessage m;
		m.type = t;
		if (t == MessageType::Sli)
			m.accm = Accm{0, 0};
		else
			m.callErrors = CallErrors{};
		auto raw = encodeControlMessage(m, ControlEnvelope{lacT.peerTunnelId, lnsS.sessionId, 0, 0});
		REQUIRE(raw);
		// Sent through the LAC's reliable transport by hand would need its
		// internals; instead feed it with the next Ns the LNS expects.
		auto pkt = parsePacket(raw.value());
		REQUIRE(pkt);
		uint16_t ns = static_cast<uint16_t>(4 + (t == MessageType::Wen ? 1 : 0));
		std::vector<uint8_t> bytes = raw.value();
		bytes[8] = static_cast<uint8_t>(ns >> 8);
		bytes[9] = static_cast<uint8_t>(ns);
		p.lns->engine.onDatagram(1, Endpoint{ip("192.0.2.1"), 1701}, lacT.local, bytes, p.lab.now);
	}
	p.lab.settle();
	REQUIRE(p.lns->engine.sessions().size() == 1);
	CHECK(p.lns->engine.sessions()[0].state == SessionStateName::Established);
}

TEST_CASE("20 sessions over 5 tunnels between two engines of this code, then shutdown clears all")
{
	EngineConfig lns = lnsConfig();
	lns.pool = std::make_pair(ip("10.99.0.10"), ip("10.99.0.200"));
	Pair p(lns);
	std::vector<uint16_t> tids;
	for (uint16_t i = 0; i < 5; ++i) {
		auto tid = p.lac->engine.connect(lacRequest("192.0.2.1", static_cast<uint16_t>(1701 + i)), p.lab.now);
		REQUIRE(tid);
		tids.push_back(tid.value());
	}
	p.lab.settle();
	for (uint16_t tid : tids)
		for (int i = 0; i < 3; ++i)
			REQUIRE(p.lac->engine.placeCall(tid, p.lab.now));
	p.lab.settle();
	CHECK(p.lns->engine.tunnelCount() == 5);
	CHECK(p.lns->engine.sessions().size() == 20);
	CHECK(p.lac->engine.sessions().size() == 20);
	CHECK(p.lns->ppp.runningCount() == 20);
	CHECK(p.lac->ppp.runningCount() == 20);
	CHECK(p.lns->kernel.listSessions()->size() == 20);
	CHECK(p.lns->engine.pool()->leased() == 20);
	for (const TunnelInfo &t : p.lns->engine.tunnels())
		CHECK(t.sessions == 4);

	p.lns->engine.shutdown(p.lab.now);
	p.lab.settle();
	CHECK(p.lns->engine.done());
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lns->ppp.runningCount() == 0);
	CHECK(p.lac->ppp.runningCount() == 0);
	CHECK(p.lns->kernel.listTunnels()->empty());
	CHECK(p.lac->kernel.listTunnels()->empty());
	CHECK(p.lns->engine.pool()->leased() == 0);
	CHECK(p.lns->observer.ends.size() == 20);
	for (const SessionEnd &e : p.lns->observer.ends)
		CHECK(e.cause == EndCause::Shutdown);
	p.lab.advance(31s); // the LAC's tunnels linger to acknowledge
	CHECK(p.lac->engine.tunnelCount() == 0);
	// New SCCRQs are refused while shutting down.
	REQUIRE(p.lac->engine.connect(lacRequest(), p.lab.now));
	p.lab.settle();
	CHECK(contains(messages(p.lab), "192.0.2.1>192.0.2.2 StopCCN"));
	CHECK(p.lac->engine.sessions().empty());
	CHECK(p.lns->engine.sessions().empty());
}

TEST_CASE("vendor AVPs without the M bit (Windows sends Microsoft's) are accepted and ignored")
{
	Lab lab;
	auto lns = lab.host("192.0.2.1", lnsConfig());
	ControlMessage m;
	m.type = MessageType::Sccrq;
	m.protocolVersion = ProtocolVersion{1, 0};
	m.hostName = "windows-client";
	m.framingCapabilities = 3;
	m.assignedTunnelId = 5;
	m.receiveWindowSize = 8;
	m.unknownAvps.push_back(UnknownAvp{kMicrosoftVendorId, 5, false, false, {0x00, 0x01}});
	auto bytes = encodeControlMessage(m, ControlEnvelope{0, 0, 0, 0});
	REQUIRE(bytes);
	lns->engine.onDatagram(0, Endpoint{ip("192.0.2.1"), 1701}, Endpoint{ip("192.0.2.50"), 1701}, bytes.value(),
	                       lab.now);
	REQUIRE(lns->engine.tunnelCount() == 1);
	auto t = lns->engine.tunnels()[0];
	CHECK(t.state == TunnelStateName::WaitCtlConn);
	CHECK(t.peerHostName == "windows-client");
	REQUIRE(lab.net.queue().size() == 1);
	CHECK(typeOf(lab.net.queue().front().bytes) == "SCCRP");
}

namespace {

/// A minimal SCCRQ from a client that numbers its tunnel peerTid.
std::vector<uint8_t> sccrq(uint16_t peerTid, const char *host)
{
	ControlMessage m;
	m.type = MessageType::Sccrq;
	m.protocolVersion = ProtocolVersion{1, 0};
	m.hostName = host;
	m.framingCapabilities = 3;
	m.assignedTunnelId = peerTid;
	auto bytes = encodeControlMessage(m, ControlEnvelope{0, 0, 0, 0});
	REQUIRE(bytes);
	return bytes.value();
}

} // namespace

TEST_CASE("clients behind one NAT (same address and port 1701) are told apart by their SA pair's mark")
{
	Lab lab;
	auto lns = lab.host("192.0.2.1", lnsConfig());
	const Endpoint local{ip("192.0.2.1"), 1701};
	Endpoint first{ip("203.0.113.9"), 1701}, second = first;
	second.mark = 0x4c320001;
	LogCapture logs;
	lns->engine.onDatagram(0, local, first, sccrq(1, "alice-pc"), lab.now);
	// Both Windows clients number their first tunnel 1: the mark alone
	// says this is another client, not alice's restart.
	lns->engine.onDatagram(7, local, second, sccrq(1, "bob-pc"), lab.now);
	REQUIRE(lns->engine.tunnelCount() == 2);
	CHECK_FALSE(logs.has("started a new tunnel from the same port"));
	auto tunnels = lns->engine.tunnels();
	const TunnelInfo &a = tunnels[0].peerHostName == "alice-pc" ? tunnels[0] : tunnels[1];
	const TunnelInfo &b = tunnels[0].peerHostName == "alice-pc" ? tunnels[1] : tunnels[0];
	CHECK(a.peer.mark == 0);
	CHECK(b.peer.mark == 0x4c320001);
	CHECK(b.peer.str() == "203.0.113.9:1701 mark 0x4c320001");

	// A message for bob's tunnel that came through alice's SA pair is not
	// bob's: dropped, bob's tunnel unmoved.
	ControlMessage scccn;
	scccn.type = MessageType::Scccn;
	auto raw = encodeControlMessage(scccn, ControlEnvelope{b.tunnelId, 0, 1, 1});
	REQUIRE(raw);
	lns->engine.onDatagram(7, local, first, raw.value(), lab.now);
	for (const TunnelInfo &t : lns->engine.tunnels())
		CHECK(t.state == TunnelStateName::WaitCtlConn);
	// Through bob's own pair it is his.
	lns->engine.onDatagram(7, local, second, raw.value(), lab.now);
	for (const TunnelInfo &t : lns->engine.tunnels())
		CHECK(t.state ==
		      (t.tunnelId == b.tunnelId ? TunnelStateName::Established : TunnelStateName::WaitCtlConn));
}

TEST_CASE("a client that closed its tunnel and reconnects at once with the same tunnel id gets a new tunnel")
{
	Pair p;
	(void)p.connect();
	const TunnelInfo lacT = p.lac->engine.tunnels().at(0);
	// Connected to its peer while the kernel tunnel over it exists.
	CHECK(p.lns->sockets.attached().size() == 1);
	REQUIRE(p.lac->engine.closeTunnel(lacT.tunnelId, "test", p.lab.now));
	p.lab.settle();
	// The LNS lingers on the closed tunnel (31 s) to answer a retransmitted
	// StopCCN, its kernel tunnel gone and its socket no longer connected.
	REQUIRE(p.lns->engine.tunnelCount() == 1);
	CHECK(p.lns->engine.tunnels().at(0).state == TunnelStateName::Closing);
	CHECK(p.lns->sockets.attached().empty());
	// Windows numbers its tunnels from 1 again and sends from port 1701.
	p.lab.wire.clear();
	p.lns->engine.onDatagram(0, Endpoint{ip("192.0.2.1"), 1701}, lacT.local, sccrq(lacT.tunnelId, "again"),
	                         p.lab.now);
	bool fresh = false;
	for (const TunnelInfo &t : p.lns->engine.tunnels())
		fresh |= t.state == TunnelStateName::WaitCtlConn && t.peerHostName == "again";
	CHECK(fresh);
}

TEST_CASE("the LNS starts pppd at the ICRQ, before the ICCN arrives")
{
	Pair p;
	// Hold every ICCN back: the LNS has only seen the ICRQ.
	p.lab.drop = [&](const FakeNetwork::Datagram &d) { return typeOf(d.bytes) == "ICCN"; };
	(void)p.connect();
	REQUIRE(p.lns->engine.sessions().size() == 1);
	const SessionInfo s = p.lns->engine.sessions()[0];
	CHECK(s.state == SessionStateName::WaitConnect);
	// Its kernel session and pppd (with the pool address) are there already.
	CHECK(p.lns->kernel.hasSession(s.tunnelId, s.sessionId));
	REQUIRE(p.lns->ppp.starts().size() == 1);
	CHECK(p.lns->ppp.starts()[0].lns);
	CHECK(p.lns->ppp.starts()[0].remoteAddress == ip("10.99.0.10"));
	CHECK_FALSE(contains(p.lns->observer.events,
	                     "session-up " + std::to_string(s.tunnelId) + "/" + std::to_string(s.sessionId)));

	// The ICCN gets through: the session is up with the same pppd.
	p.lab.drop = nullptr;
	p.lab.advance(5s);
	REQUIRE(p.lns->engine.sessions().size() == 1);
	CHECK(p.lns->engine.sessions()[0].state == SessionStateName::Established);
	CHECK(p.lns->ppp.starts().size() == 1);
	CHECK(p.lns->ppp.stops() == 0);
	CHECK(contains(p.lns->observer.events,
	               "session-up " + std::to_string(s.tunnelId) + "/" + std::to_string(s.sessionId)));
	CHECK(p.lns->kernel.sessionParams(s.tunnelId, s.sessionId)->sendSeq == false);
}

TEST_CASE("a call whose ICCN never comes stops the pppd started at the ICRQ")
{
	Pair p;
	p.lab.drop = [&](const FakeNetwork::Datagram &d) { return typeOf(d.bytes) == "ICCN"; };
	(void)p.connect();
	REQUIRE(p.lns->engine.sessions().size() == 1);
	const SessionInfo s = p.lns->engine.sessions()[0];
	REQUIRE(p.lns->ppp.starts().size() == 1);
	// The call setup timer clears the call (or the tunnel goes with the
	// unacknowledged ICCN): either way pppd, the kernel session and the
	// address go with it.
	p.lab.advance(lnsConfig().callSetupTimeout + 5s);
	CHECK(p.lns->engine.sessions().empty());
	CHECK(p.lns->ppp.stops() == 1);
	CHECK_FALSE(p.lns->kernel.hasSession(s.tunnelId, s.sessionId));
	CHECK(p.lns->engine.pool()->leased() == 0);
}
