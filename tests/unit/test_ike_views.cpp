// What [l2tp] ipsec = "required" admits on (childProtects) and the views of
// `l2tpctl sas` (checked as the JSON they go out as): pure functions of the
// IKE engine's reports.

#include "daemon/ike_views.h"

#include <doctest.h>

using namespace l2tpsec;
using nlohmann::json;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

ike::ChildSaInfo child(const char *peer, uint16_t peerL2tpPort)
{
	ike::ChildSaInfo c;
	c.ikeSaId = 3;
	c.local = {ip("192.0.2.1"), 500};
	c.peer = {ip(peer), 500};
	c.inboundSpi = 0xc0010203;
	c.outboundSpi = 0xabc;
	c.reqid = 0x4c320001;
	c.suite = "aes256-sha1";
	c.flow = kernel::Selector{ip("192.0.2.1"), ip(peer), 32, 32, 17, 1701, peerL2tpPort};
	c.lifetime = std::chrono::seconds(3600);
	return c;
}

} // namespace

TEST_CASE("a child SA protects its peer's L2TP flow, by address and (when both know it) port")
{
	auto c = child("198.51.100.7", 1701);
	CHECK(childProtects(c, ip("198.51.100.7"), 1701));
	CHECK(childProtects(c, ip("198.51.100.7"), 0)); // port not known yet
	CHECK_FALSE(childProtects(c, ip("198.51.100.7"), 40000));
	CHECK_FALSE(childProtects(c, ip("198.51.100.8"), 1701));
	// Any port (Windows and macOS ask for it, the NAT picks one).
	auto any = child("198.51.100.7", 0);
	CHECK(childProtects(any, ip("198.51.100.7"), 40000));
	// Behind a NAT the flow names the client's own address (NAT-OA); the
	// decapsulated L2TP comes from the NAT's, which is the IKE peer.
	auto natted = child("10.0.0.5", 1701);
	natted.peer = {ip("203.0.113.9"), 4500};
	natted.natT = true;
	CHECK(childProtects(natted, ip("203.0.113.9"), 1701));
	CHECK(childProtects(natted, ip("10.0.0.5"), 1701));
	CHECK_FALSE(childProtects(natted, ip("203.0.113.10"), 1701));
}

TEST_CASE("sas JSON: SPIs as ip xfrm shows them, counters null when the dataplane cannot tell")
{
	auto now = ike::IkeClock::now();
	auto c = child("198.51.100.7", 1701);
	c.established = now - std::chrono::seconds(600);
	kernel::SaState in;
	in.bytes = 1234;
	in.packets = 5;
	auto j = json(childSaView(c, now, in, std::nullopt));
	CHECK(j["in_spi"] == "0xc0010203");
	CHECK(j["out_spi"] == "0x00000abc");
	CHECK(j["isakmp"] == 3);
	CHECK(j["in_bytes"] == 1234);
	CHECK(j["in_packets"] == 5);
	CHECK(j["out_bytes"].is_null());
	CHECK(j["expires_in_seconds"] == 3000);
	CHECK(j["flow"] == "192.0.2.1:1701 <-> 198.51.100.7:1701 udp");
	CHECK(j["nat_oa"].is_null());
	CHECK(j["mode"] == "transport");
	c.mode = kernel::IpsecMode::Tunnel;
	CHECK(json(childSaView(c, now, in, std::nullopt))["mode"] == "tunnel");

	ike::IkeSaInfo sa;
	sa.id = 3;
	sa.initiator = false;
	sa.established = true;
	sa.peer = {ip("198.51.100.7"), 4500};
	sa.natPeer = true;
	sa.suite = "aes256-sha1-modp2048";
	sa.lifetime = std::chrono::seconds(28800);
	sa.created = now - std::chrono::seconds(10);
	sa.establishedAt = now - std::chrono::seconds(8);
	auto k = json(ikeSaView(sa, now));
	CHECK(k["role"] == "responder");
	CHECK(k["state"] == "established");
	CHECK(k["peer"] == "198.51.100.7:4500");
	CHECK(k["nat_peer"] == true);
	CHECK(k["exchange"] == "main");
	sa.aggressive = true;
	CHECK(json(ikeSaView(sa, now))["exchange"] == "aggressive");
	sa.aggressive = false;
	CHECK(k["age_seconds"] == 10);
	CHECK(k["expires_in_seconds"] == 28792);
	sa.established = false;
	CHECK_FALSE(json(ikeSaView(sa, now)).contains("expires_in_seconds"));
}
