// AccountingSender over loopback: a fake accounting server (a UDP socket
// of the test) answers, stays silent or is absent (ICMP port unreachable);
// the sender tries each server in order, `tries` times, each try with its
// own Identifier and delay, and reports the one that answered. And
// SessionAccountant over it: a session's Start, Interim-Update and Stop.
#include "daemon/accounting_sender.h"
#include "daemon/session_accountant.h"
#include "daemon/udp_io.h"
#include "radius/radius_authenticator.h"

#include <doctest.h>
#include <sys/socket.h>

using namespace l2tpsec;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kAccountingSecret = "testing123";

/// A bound UDP socket on 127.0.0.1 (kernel's port).
struct FakeServer {
	UniqueFd fd;
	uint16_t port = 0;
	FakeServer()
	{
		fd = udp::socket("fake server").value();
		REQUIRE(udp::bind(fd.get(), *IpAddress::parse("127.0.0.1"), 0, "bind"));
		sockaddr_in sa{};
		socklen_t len = sizeof sa;
		REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr *>(&sa), &len) == 0);
		port = udp::portOf(sa);
	}
	RadiusServer server() const { return {*IpAddress::parse("127.0.0.1"), port}; }
	/// The requests waiting, each answered with a signed Accounting-Response
	/// when `answer` (with the secret `secret`).
	std::vector<radius::Packet> serve(bool answer, std::string_view secret = kAccountingSecret)
	{
		std::vector<radius::Packet> got;
		std::vector<uint8_t> buf(4096);
		for (;;) {
			auto r = udp::receive(fd.get(), buf);
			if (!r)
				return got;
			auto p = radius::parsePacket(std::span(buf).first(r->size));
			REQUIRE(p);
			CHECK(radius::requestAuthenticatorValid(std::span(buf).first(r->size), kAccountingSecret));
			got.push_back(*p);
			if (answer) {
				radius::Packet ack;
				ack.code = radius::code::kAccountingResponse;
				ack.identifier = p->identifier;
				auto bytes = radius::signResponse(ack, p->authenticator, secret, false);
				REQUIRE(udp::sendTo(fd.get(), udp::addressOf(r->from), udp::portOf(r->from), bytes,
				                    std::nullopt, "answer"));
			}
		}
	}
};

radius::OnOffRequest request(bool on)
{
	RadiusConfig r;
	r.nasIdentifier = "vpn-a";
	r.nasIpAddress = IpAddress::parse("192.0.2.1");
	return onOffRequestOf(r, on, std::chrono::system_clock::time_point(std::chrono::seconds(1796650000)));
}

} // namespace

TEST_CASE("onOffRequestOf: NAS identity, Event-Timestamp, an Acct-Session-Id per event")
{
	radius::OnOffRequest on = request(true), off = request(false);
	CHECK(on.on);
	CHECK_FALSE(off.on);
	CHECK(on.nasIdentifier == "vpn-a");
	CHECK(on.nasIpAddress == IpAddress::parse("192.0.2.1"));
	CHECK(on.eventTimestamp == 1796650000);
	CHECK(on.sessionId == "l2tpsec-on-1796650000");
	CHECK(off.sessionId == "l2tpsec-off-1796650000");
}

TEST_CASE("Accounting-On: a silent server is tried `tries` times, then the next one answers")
{
	auto loop = EventLoop::create().value();
	FakeServer silent, answering;
	std::optional<std::optional<RadiusServer>> result;
	AccountingSender s(*loop, {silent.server(), answering.server()}, std::string(kAccountingSecret),
	                   onOffSpec(request(true), std::string(kAccountingSecret)), 50ms, 2,
	                   [&](std::optional<RadiusServer> a) { result = a; });
	s.start();
	std::vector<radius::Packet> toSilent, toAnswering;
	for (int i = 0; i < 100 && !result; i++) {
		REQUIRE(loop->runOnce(20ms));
		for (auto &p : silent.serve(false))
			toSilent.push_back(p);
		for (auto &p : answering.serve(true))
			toAnswering.push_back(p);
	}
	REQUIRE(result);
	REQUIRE(*result);
	CHECK((*result)->port == answering.port);
	CHECK(s.finished());
	CHECK(toSilent.size() == 2);
	REQUIRE(toAnswering.size() >= 1);
	const radius::Packet &p = toAnswering[0];
	CHECK(p.code == radius::code::kAccountingRequest);
	CHECK(radius::integerOf(*p.find(radius::attr::kAcctStatusType)) == radius::kAccountingOn);
	CHECK(radius::textOf(*p.find(radius::attr::kNasIdentifier)) == "vpn-a");
	// Each server its own Identifier.
	CHECK(toSilent[0].identifier != p.identifier);
}

TEST_CASE("Accounting-Off: an answer with the wrong secret is no answer; a closed port is passed over at once")
{
	auto loop = EventLoop::create().value();
	RadiusServer closed;
	{
		FakeServer gone; // bound, then closed: its port answers with ICMP
		closed = gone.server();
	}
	FakeServer wrongSecret;
	std::optional<std::optional<RadiusServer>> result;
	AccountingSender s(*loop, {closed, wrongSecret.server()}, std::string(kAccountingSecret),
	                   onOffSpec(request(false), std::string(kAccountingSecret)), 50ms, 2,
	                   [&](std::optional<RadiusServer> a) { result = a; });
	s.start();
	size_t requests = 0;
	for (int i = 0; i < 100 && !result; i++) {
		REQUIRE(loop->runOnce(20ms));
		requests += wrongSecret.serve(true, "not-the-secret").size();
	}
	REQUIRE(result);
	CHECK_FALSE(*result);
	CHECK(requests == 2);
}

TEST_CASE("each try is built anew: a new Identifier, and the seconds waited for Acct-Delay-Time")
{
	auto loop = EventLoop::create().value();
	FakeServer silent;
	std::vector<std::pair<uint8_t, uint32_t>> built;
	AccountingRequestSpec spec = onOffSpec(request(false), std::string(kAccountingSecret));
	auto onOff = spec.build;
	spec.identifier = 200;
	spec.build = [&](uint8_t identifier, uint32_t delay) {
		built.emplace_back(identifier, delay);
		return onOff(identifier, delay);
	};
	bool done = false;
	AccountingSender s(*loop, {silent.server()}, std::string(kAccountingSecret), std::move(spec), 600ms, 3,
	                   [&](std::optional<RadiusServer>) { done = true; });
	s.start();
	for (int i = 0; i < 200 && !done; i++)
		REQUIRE(loop->runOnce(20ms));
	REQUIRE(done);
	REQUIRE(built.size() == 3);
	CHECK(built[0] == std::pair<uint8_t, uint32_t>{200, 0});
	CHECK(built[1] == std::pair<uint8_t, uint32_t>{201, 0});
	CHECK(built[2] == std::pair<uint8_t, uint32_t>{202, 1}); // 1.2 s after the first
	CHECK(silent.serve(false).size() == 3);
}

TEST_CASE("terminateCauseOf: each way a session ends, its Acct-Terminate-Cause")
{
	CHECK(terminateCauseOf(l2tp::EndCause::PeerRequest) == radius::kTerminateUserRequest);
	CHECK(terminateCauseOf(l2tp::EndCause::PeerLost) == radius::kTerminateLostCarrier);
	CHECK(terminateCauseOf(l2tp::EndCause::Admin) == radius::kTerminateAdminReset);
	CHECK(terminateCauseOf(l2tp::EndCause::SessionTimeout) == radius::kTerminateSessionTimeout);
	CHECK(terminateCauseOf(l2tp::EndCause::IdleTimeout) == radius::kTerminateIdleTimeout);
	CHECK(terminateCauseOf(l2tp::EndCause::Shutdown) == radius::kTerminateAdminReboot);
	CHECK(terminateCauseOf(l2tp::EndCause::Error) == radius::kTerminateNasError);
}

namespace {

std::optional<uint32_t> numberIn(const radius::Packet &p, uint8_t type)
{
	const radius::Attribute *a = p.find(type);
	return a ? radius::integerOf(*a) : std::nullopt;
}

std::string textIn(const radius::Packet &p, uint8_t type)
{
	const radius::Attribute *a = p.find(type);
	return a ? radius::textOf(*a) : std::string();
}

} // namespace

TEST_CASE("SessionAccountant: Start, an Interim-Update with the kernel's counters, Stop; idle once answered")
{
	auto loop = EventLoop::create().value();
	FakeServer server;
	RadiusConfig r;
	r.accountingServers = {server.server()};
	r.secret = Secret{{}, std::string(kAccountingSecret)};
	r.nasIdentifier = "vpn-a";
	r.nasIpAddress = IpAddress::parse("192.0.2.1");
	r.interimInterval = 1s;
	r.timeout = 1s;
	r.retries = 2;
	radius::SessionCounters now{(uint64_t{2} << 32) + 5, 7000, 30, 40};
	SessionAccountant acct(*loop, 0xfeedface00000001,
	                       [&](uint16_t t, uint16_t s) -> std::optional<radius::SessionCounters> {
		                       if (t == 7 && s == 9)
			                       return now;
		                       return std::nullopt;
	                       });
	acct.configure(r);
	SessionAccountant::Facts facts{"alice", "l2tpsec-7-9", IpAddress::parse("10.99.1.10"), "198.51.100.7",
	                               "192.0.2.1"};
	acct.start(7, 9, facts);
	acct.start(7, 9, facts); // once
	REQUIRE(acct.sessionIdOf(7, 9) == "feedface00000001-00000000");
	std::vector<radius::Packet> got;
	for (int i = 0; i < 150 && got.size() < 2; i++) {
		REQUIRE(loop->runOnce(20ms));
		for (auto &p : server.serve(true))
			got.push_back(p);
	}
	REQUIRE(got.size() == 2);
	CHECK(numberIn(got[0], radius::attr::kAcctStatusType) == radius::kAcctStart);
	CHECK(textIn(got[0], radius::attr::kUserName) == "alice");
	CHECK(textIn(got[0], radius::attr::kNasPortId) == "l2tpsec-7-9");
	CHECK(textIn(got[0], radius::attr::kCallingStationId) == "198.51.100.7");
	CHECK(textIn(got[0], radius::attr::kAcctSessionId) == "feedface00000001-00000000");
	CHECK(numberIn(got[0], radius::attr::kFramedIpAddress) == IpAddress::parse("10.99.1.10")->v4HostOrder());
	CHECK(numberIn(got[1], radius::attr::kAcctStatusType) == radius::kAcctInterimUpdate);
	CHECK(numberIn(got[1], radius::attr::kAcctInputOctets) == 5u);
	CHECK(numberIn(got[1], radius::attr::kAcctInputGigawords) == 2u);
	CHECK(numberIn(got[1], radius::attr::kAcctOutputOctets) == 7000u);
	CHECK(textIn(got[1], radius::attr::kAcctSessionId) == "feedface00000001-00000000");

	acct.stop(7, 9, {100, 200, 3, 4}, radius::kTerminateAdminReset);
	CHECK_FALSE(acct.sessionIdOf(7, 9));
	CHECK(acct.pending() >= 1); // the Stop (and perhaps the Interim-Update's answer unread)
	bool idle = false;
	acct.whenIdle([&] { idle = true; });
	for (int i = 0; i < 80 && !idle; i++) {
		REQUIRE(loop->runOnce(20ms));
		for (auto &p : server.serve(true))
			got.push_back(p);
	}
	CHECK(idle);
	REQUIRE(got.size() == 3);
	CHECK(numberIn(got[2], radius::attr::kAcctStatusType) == radius::kAcctStop);
	CHECK(numberIn(got[2], radius::attr::kAcctTerminateCause) == radius::kTerminateAdminReset);
	CHECK(numberIn(got[2], radius::attr::kAcctOutputOctets) == 200u);
	// No Stop for a session without a Start; no more Interim-Updates.
	acct.stop(7, 10, {}, radius::kTerminateUserRequest);
	for (int i = 0; i < 60; i++)
		REQUIRE(loop->runOnce(20ms));
	CHECK(server.serve(true).empty());
	bool again = false;
	acct.whenIdle([&] { again = true; });
	CHECK(again);
}

TEST_CASE("SessionAccountant without accounting servers sends nothing")
{
	auto loop = EventLoop::create().value();
	SessionAccountant acct(*loop, 1, [](uint16_t, uint16_t) { return std::optional<radius::SessionCounters>(); });
	acct.configure(std::nullopt);
	acct.start(1, 2, {});
	CHECK_FALSE(acct.sessionIdOf(1, 2));
	CHECK(acct.pending() == 0);
}
