// AccountingOnOffSender over loopback: a fake accounting server (a UDP socket
// of the test) answers, stays silent or is absent (ICMP port unreachable);
// the sender tries each server in order, `tries` times, and reports the one
// that answered.
#include "daemon/accounting_onoff_sender.h"
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
	AccountingOnOffSender s(*loop, {silent.server(), answering.server()}, std::string(kAccountingSecret),
	                        request(true), 50ms, 2, [&](std::optional<RadiusServer> a) { result = a; });
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
	AccountingOnOffSender s(*loop, {closed, wrongSecret.server()}, std::string(kAccountingSecret), request(false),
	                        50ms, 2, [&](std::optional<RadiusServer> a) { result = a; });
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
