// `l2tpctl tunnels`, `sessions`, `show` and `disconnect` (daemon/l2tp_views.h):
// pure functions of the L2TP engine's reports and what the service adds.

#include "daemon/l2tp_views.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

l2tp::Endpoint endpoint(const char *address, uint16_t port)
{
	return l2tp::Endpoint{*IpAddress::parse(address), port};
}

l2tp::TunnelInfo tunnel(uint16_t id, l2tp::TimePoint now)
{
	l2tp::TunnelInfo t;
	t.tunnelId = id;
	t.peerTunnelId = 900;
	t.lns = true;
	t.local = endpoint("192.0.2.1", 1701);
	t.peer = endpoint("198.51.100.7", 1701);
	t.state = l2tp::TunnelStateName::Established;
	t.peerHostName = "client";
	t.sessions = 1;
	t.created = now - 90s;
	t.transport.sent = 4;
	t.transport.retransmitted = 1;
	t.transport.received = 5;
	return t;
}

l2tp::SessionInfo session(uint16_t tunnelId, uint16_t id, l2tp::TimePoint now)
{
	l2tp::SessionInfo s;
	s.tunnelId = tunnelId;
	s.sessionId = id;
	s.peerTunnelId = 900;
	s.peerSessionId = 77;
	s.lns = true;
	s.peer = endpoint("198.51.100.7", 1701);
	s.state = l2tp::SessionStateName::Established;
	s.address = *IpAddress::parse("10.99.0.10");
	s.started = now - 30s;
	return s;
}

} // namespace

TEST_CASE("a tunnel's view")
{
	auto now = l2tp::TransportClock::now();
	control::TunnelView v = tunnelView(tunnel(5, now), now);
	CHECK(v.tunnel == 5);
	CHECK(v.peerTunnel == 900);
	CHECK(v.role == "lns");
	CHECK(v.local == "192.0.2.1:1701");
	CHECK(v.peer == "198.51.100.7:1701");
	CHECK(v.state == "established");
	CHECK(v.peerHost == "client");
	CHECK(v.profile == "");
	CHECK(v.uptimeSeconds == 90);
	CHECK(v.controlSent == 4);
	CHECK(v.controlRetransmitted == 1);
	CHECK(v.controlReceived == 5);
	CHECK(tunnelsView({tunnel(5, now), tunnel(6, now)}, now).tunnels.size() == 2);
}

TEST_CASE("a session's view: address, profile, uptime and counters only when there are some")
{
	auto now = l2tp::TransportClock::now();
	SessionExtras x;
	x.user = "alice";
	x.stats = kernel::L2tpStats{};
	x.stats->rxBytes = 100;
	x.stats->txPackets = 3;
	control::SessionView v = sessionView(session(5, 2, now), x, now);
	CHECK(v.user == "alice");
	CHECK(v.role == "lns");
	CHECK(v.state == "established");
	CHECK(v.address == "10.99.0.10");
	CHECK_FALSE(v.profile);
	CHECK(v.uptimeSeconds == 30);
	CHECK(v.rxBytes == 100);
	CHECK(v.txPackets == 3);

	// A LAC's session: the address pppd reported, the profile; not yet
	// established, not in the kernel.
	auto lac = session(5, 2, now);
	lac.lns = false;
	lac.address.reset();
	lac.lacProfile = "office";
	lac.state = l2tp::SessionStateName::WaitConnect;
	SessionExtras linked;
	linked.linkAddress = "10.99.0.11";
	control::SessionView l = sessionView(lac, linked, now);
	CHECK(l.role == "lac");
	CHECK(l.address == "10.99.0.11");
	CHECK(l.profile == "office");
	CHECK_FALSE(l.uptimeSeconds);
	CHECK_FALSE(l.rxBytes);
	CHECK(l.user == "");
	// Neither: null.
	CHECK_FALSE(sessionView(lac, SessionExtras{}, now).address);
	CHECK(json(sessionView(lac, SessionExtras{}, now))["address"].is_null());
}

TEST_CASE("show: a tunnel with its own sessions, or one session")
{
	auto now = l2tp::TransportClock::now();
	std::vector<l2tp::TunnelInfo> tunnels{tunnel(5, now), tunnel(6, now)};
	control::SessionsView all;
	for (auto [t, s] : {std::pair<uint16_t, uint16_t>{5, 1}, {6, 1}, {5, 2}})
		all.sessions.push_back(sessionView(session(t, s, now), SessionExtras{}, now));

	auto t = showView("5", tunnels, all, now);
	REQUIRE(t);
	REQUIRE(t->tunnel);
	CHECK(t->tunnel->tunnel == 5);
	REQUIRE(t->sessions);
	CHECK(t->sessions->size() == 2);
	CHECK_FALSE(t->session);
	CHECK(json(*t).size() == 2);

	auto s = showView("5/2", tunnels, all, now);
	REQUIRE(s);
	REQUIRE(s->session);
	CHECK(s->session->session == 2);
	CHECK(s->session->tunnel == 5);
	CHECK_FALSE(s->tunnel);
	CHECK_FALSE(s->sessions);

	CHECK(showView("x", tunnels, all, now).error().message == "'x' is not a tunnel id or TUNNEL/SESSION");
	CHECK(showView("70000", tunnels, all, now).error().message == "'70000' is not a tunnel id or TUNNEL/SESSION");
	CHECK(showView("7", tunnels, all, now).error().message == "no tunnel 7");
	CHECK(showView("6/2", tunnels, all, now).error().message == "no session 6/2");
	CHECK(showView("5/x", tunnels, all, now).error().message == "no session 5/x");
}

TEST_CASE("a session's view: interface, rates, IKE peer, client kind and Acct-Session-Id as the service found "
          "them")
{
	auto now = l2tp::TransportClock::now();
	SessionExtras x;
	x.interface = "ppp3";
	x.rxRate = 1200;
	x.txRate = 0;
	x.ikePeer = "198.51.100.7:4500";
	x.client = "Windows 10/11";
	x.acctSessionId = "0123456789abcdef-0000002a";
	control::SessionView v = sessionView(session(5, 1, now), x, now);
	CHECK(v.interface == "ppp3");
	CHECK(v.rxRate == 1200);
	CHECK(v.txRate == 0);
	CHECK(v.ikePeer == "198.51.100.7:4500");
	CHECK(v.client == "Windows 10/11");
	CHECK(v.acctSessionId == "0123456789abcdef-0000002a");
	CHECK(json(v)["acct_session_id"] == "0123456789abcdef-0000002a");
	// Not known yet (or no accounting): left out, and the client "unknown".
	json bare = sessionView(session(5, 1, now), SessionExtras{}, now);
	CHECK_FALSE(bare.contains("interface"));
	CHECK_FALSE(bare.contains("rx_rate"));
	CHECK_FALSE(bare.contains("ike_peer"));
	CHECK_FALSE(bare.contains("acct_session_id"));
	CHECK(bare["client"] == "unknown");
}

TEST_CASE("show USER: the chains of the user's sessions, or an error without any")
{
	auto now = l2tp::TransportClock::now();
	control::SessionChainView c;
	c.session = sessionView(session(5, 1, now), SessionExtras{}, now);
	auto v = userShowView("alice", {c});
	REQUIRE(v);
	CHECK(v->user == "alice");
	REQUIRE(v->chains);
	CHECK(v->chains->size() == 1);
	CHECK(json(*v).size() == 2);
	auto none = userShowView("bob", {});
	CHECK(none.error().code == ENOENT);
	CHECK(none.error().message == "no tunnel, session or user 'bob'");
}

TEST_CASE("disconnect's replies")
{
	CHECK(json(disconnectedProfile("office")) == json{{"profile", "office"}, {"disconnected", true}});
	CHECK(json(disconnectedSessions({"5/2", "6/1"})) == json{{"sessions", json::array({"5/2", "6/1"})}});
	CHECK(json(disconnectedTunnel(5)) == json{{"tunnels", json::array({5})}});
}
