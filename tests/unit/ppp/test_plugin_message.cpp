// The decoder of what l2tpsec's pppd plugin sends (ppp/plugin_message.h),
// on the exact bytes the plugin's C encoder writes (l2tpsec_pppd_wire.h).

#include "ppp/framed_route.h"
#include "ppp/plugin_message.h"

#include <doctest.h>

#include <cerrno>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ppp;

namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> b)
{
	std::vector<uint8_t> v;
	for (int x : b)
		v.push_back(static_cast<uint8_t>(x));
	return v;
}

std::string errorOf(const std::vector<uint8_t> &d)
{
	auto r = decodePluginMessage(d);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EBADMSG);
	return r.error().message;
}

// The IP_UP of a typical LNS session: 10.99.0.1 - 10.99.0.10 on ppp0.
const std::vector<uint8_t> kIpUp = bytes({3, 10, 99, 0, 1, 10, 99, 0, 10, 0, 4, 'p', 'p', 'p', '0'});

} // namespace

TEST_CASE("plugin messages: every type from its bytes")
{
	auto hello = decodePluginMessage(bytes({1, 0, 3, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(hello);
	CHECK(std::get<PluginHello>(*hello) == PluginHello{3, "2.4.9"});

	auto auth = decodePluginMessage(bytes({2, 0, 5, 'a', 'l', 'i', 'c', 'e'}));
	REQUIRE(auth);
	CHECK(std::get<PluginAuthUp>(*auth).peerName == "alice");

	auto up = decodePluginMessage(kIpUp);
	REQUIRE(up);
	const PluginIpUp &u = std::get<PluginIpUp>(*up);
	CHECK(u.link.local.str() == "10.99.0.1");
	CHECK(u.link.peer.str() == "10.99.0.10");
	CHECK(u.link.interface == "ppp0");

	auto down = decodePluginMessage(
	        bytes({4, 10, 99, 0,  1, 10, 99, 0, 10, 0, 4, 'p', 'p', 'p', '0', 1, 0, 0, 0x4e, 0x20, // bytes in 20000
	               0, 1,  0,  0,     // bytes out 65536
	               0, 0,  0,  20,    // packets in
	               0, 0,  0,  21,    // packets out
	               0, 0,  0,  42})); // seconds
	REQUIRE(down);
	const PluginIpDown &d = std::get<PluginIpDown>(*down);
	CHECK(d.link == u.link);
	REQUIRE(d.stats);
	CHECK(*d.stats == PluginLinkStats{20000, 65536, 20, 21, 42});
	CHECK(describePluginMessage(*down) ==
	      "IP down on ppp0: local 10.99.0.1, peer 10.99.0.10; 42 s up, 20000 bytes (20 packets) in, 65536 "
	      "bytes (21 packets) out");

	auto noStats = decodePluginMessage(bytes({4, 10, 99, 0, 1, 10, 99, 0, 10, 0, 4, 'p', 'p', 'p', '0', 0, 0, 0,
	                                          0, 0,  0,  0, 0, 0,  0,  0, 0,  0, 0, 0,   0,   0,   0,   0, 0, 0}));
	REQUIRE(noStats);
	CHECK_FALSE(std::get<PluginIpDown>(*noStats).stats);

	auto exit = decodePluginMessage(bytes({5, 0, 0, 0, 11}));
	REQUIRE(exit);
	CHECK(std::get<PluginExit>(*exit).status == 11);

	auto routes = decodePluginMessage(bytes({6,   2,   0,   12, '1', '0', '.', '2', '0', '.', '0', '.', '0',
	                                         '/', '2', '4', 0,  8,   '1', '0', '.', '3', '0', '.', '0', '.'}));
	REQUIRE(routes);
	CHECK(std::get<PluginRadiusRoutes>(*routes).routes == std::vector<std::string>{"10.20.0.0/24", "10.30.0."});
	CHECK(describePluginMessage(*routes) == "the RADIUS Access-Accept has 2 Framed-Route(s)");
	auto none = decodePluginMessage(bytes({6, 0}));
	REQUIRE(none);
	CHECK(std::get<PluginRadiusRoutes>(*none).routes.empty());
	auto refused = decodePluginMessage(
	        bytes({7,   0,   5,   'a', 'l', 'i', 'c', 'e', 0,   20,  'l', '2', 't', 'p', 's',
	               'e', 'c', '-', 's', 't', 'a', 'g', 'e', ':', ' ', 'c', 'o', 'd', 'e', '\n'}));
	REQUIRE(refused);
	CHECK(std::get<PluginAuthFailed>(*refused) == PluginAuthFailed{"alice", "l2tpsec-stage: code\n"});
	CHECK(describePluginMessage(*refused) == "the PAP password of 'alice' was refused: \"l2tpsec-stage: code\"");
	auto silent = decodePluginMessage(bytes({7, 0, 3, 'b', 'o', 'b', 0, 0}));
	REQUIRE(silent);
	CHECK(describePluginMessage(*silent) == "the PAP password of 'bob' was refused");
}

TEST_CASE("plugin messages: encode and decode agree, names are cut as the plugin cuts them")
{
	std::vector<PluginMessage> all{
	        PluginHello{kPluginProtocol, "2.4.9"},
	        PluginAuthUp{"CORP\\bob \"x\"\t\001"}, // any byte but NUL: it is the peer's choice
	        PluginAuthUp{""},
	        PluginIpUp{{IpAddress::v4(0xc0000201), IpAddress::v4(0xc6336402), "ppp15"}},
	        PluginIpDown{{IpAddress::v4(1), IpAddress::v4(2), "l2tp-office"}, PluginLinkStats{1, 2, 3, 4, 5}},
	        PluginIpDown{{IpAddress::v4(1), IpAddress::v4(2), "ppp0"}, std::nullopt},
	        PluginExit{0},
	        PluginExit{255},
	        PluginRadiusRoutes{},
	        PluginRadiusRoutes{{"10.20.0.0/24 0.0.0.0 1", "192.0.2.7", "x\ty\001", std::string(253, 'r')}},
	        PluginAuthFailed{"alice", "Reply one\nl2tpsec-stage: password\n"},
	        PluginAuthFailed{"", ""},
	};
	for (const PluginMessage &m : all) {
		auto again = decodePluginMessage(encodePluginMessage(m));
		REQUIRE_MESSAGE(again, describePluginMessage(m));
		CHECK(*again == m);
	}
	CHECK(encodePluginMessage(PluginIpUp{{IpAddress::v4(0x0a630001), IpAddress::v4(0x0a63000a), "ppp0"}}) == kIpUp);
	// pppd's names are at most 255 bytes; the plugin sends no more.
	std::string longName(300, 'n');
	auto cut = decodePluginMessage(encodePluginMessage(PluginAuthUp{longName}));
	REQUIRE(cut);
	CHECK(std::get<PluginAuthUp>(*cut).peerName == std::string(255, 'n'));
	// RADIUS strings are at most 253 bytes, and one message has at most 255.
	auto cutRoutes = decodePluginMessage(
	        encodePluginMessage(PluginRadiusRoutes{std::vector<std::string>(300, std::string(300, 'r'))}));
	REQUIRE(cutRoutes);
	CHECK(std::get<PluginRadiusRoutes>(*cutRoutes).routes == std::vector<std::string>(255, std::string(253, 'r')));
	// A RADIUS server may say more than the plugin passes on.
	auto saidCut = decodePluginMessage(encodePluginMessage(PluginAuthFailed{longName, std::string(300, 's')}));
	REQUIRE(saidCut);
	CHECK(std::get<PluginAuthFailed>(*saidCut) == PluginAuthFailed{std::string(255, 'n'), std::string(200, 's')});
}

TEST_CASE("plugin messages: a hello of another protocol version is recognised as that")
{
	// Version 4 may lay out the rest differently: only its version is read.
	// So is version 1's, which had no RADIUS routes, and version 2's, which
	// had no auth-failed message.
	auto v4 = decodePluginMessage(bytes({1, 0, 4, 0xff}));
	REQUIRE(v4);
	CHECK(std::get<PluginHello>(*v4) == PluginHello{4, ""});
	auto v1 = decodePluginMessage(bytes({1, 0, 1, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v1);
	CHECK(std::get<PluginHello>(*v1) == PluginHello{1, ""});
	auto v2 = decodePluginMessage(bytes({1, 0, 2, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v2);
	CHECK(std::get<PluginHello>(*v2) == PluginHello{2, ""});
	CHECK(errorOf(bytes({1, 0})) == "pppd plugin hello message: ends inside the protocol version (2 bytes)");
	CHECK(errorOf(bytes({1, 0, 3, 0, 0})) ==
	      "pppd plugin hello message: the pppd version is 0 bytes long, not 1-31");
	CHECK(errorOf(bytes({1, 0, 3, 0, 3, '2', ' ', '4'})) ==
	      "pppd plugin hello message: the pppd version has a byte that is not allowed there");
}

TEST_CASE("plugin messages: truncated, trailing bytes, unknown types and bad fields are errors that say which")
{
	CHECK(errorOf({}) == "pppd plugin message: empty");
	CHECK(errorOf(bytes({9})) == "pppd plugin message: unknown type 9");
	CHECK(errorOf(bytes({0})) == "pppd plugin message: unknown type 0");
	CHECK(errorOf(bytes({2, 0, 5, 'a', 'l'})) ==
	      "pppd plugin auth-up message: ends inside the peer name (5 bytes)");
	CHECK(errorOf(bytes({2, 0, 1, 'a', 'b'})) == "pppd plugin auth-up message: 1 trailing byte(s)");
	CHECK(errorOf(bytes({7, 0, 1, 'a'})) ==
	      "pppd plugin auth-failed message: ends inside the server's message (4 bytes)");
	CHECK(errorOf(bytes({7, 0, 0, 0, 201})) ==
	      "pppd plugin auth-failed message: the server's message is 201 bytes long, not 0-200");
	CHECK(errorOf(bytes({2, 0, 3, 'a', 0, 'b'})) ==
	      "pppd plugin auth-up message: the peer name has a byte that is not allowed there");
	std::vector<uint8_t> tooLong{2, 1, 0};
	tooLong.resize(3 + 256, 'x');
	CHECK(errorOf(tooLong) == "pppd plugin auth-up message: the peer name is 256 bytes long, not 0-255");

	for (size_t n = 1; n < kIpUp.size(); ++n) {
		std::vector<uint8_t> cut(kIpUp.begin(), kIpUp.begin() + static_cast<long>(n));
		CHECK_FALSE(decodePluginMessage(cut));
	}
	CHECK(errorOf(bytes({3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0})) ==
	      "pppd plugin ip-up message: the interface name is 0 bytes long, not 1-15");
	CHECK(errorOf(bytes({3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 'a', '/', 'b'})) ==
	      "pppd plugin ip-up message: the interface name has a '/'");
	CHECK(errorOf(bytes({3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 'a', '\n', 'b'})) ==
	      "pppd plugin ip-up message: the interface name has a byte that is not allowed there");

	std::vector<uint8_t> down = encodePluginMessage(PluginIpDown{{}, PluginLinkStats{1, 2, 3, 4, 5}});
	size_t flag = 1 + 4 + 4 + 2; // after an empty interface name... which is not allowed:
	CHECK(errorOf(down) == "pppd plugin ip-down message: the interface name is 0 bytes long, not 1-15");
	down = encodePluginMessage(PluginIpDown{{IpAddress::v4(1), IpAddress::v4(2), "ppp0"}, PluginLinkStats{}});
	flag += 4;
	REQUIRE(down[flag] == 1);
	down[flag] = 2;
	CHECK(errorOf(down) == "pppd plugin ip-down message: the statistics flag is 2, not 0 or 1");
	down[flag] = 0;
	down.back() = 7; // seconds, though the statistics are not valid
	CHECK(errorOf(down) == "pppd plugin ip-down message: statistics that are not valid are not all 0");
	down.pop_back();
	CHECK(errorOf(down) == "pppd plugin ip-down message: ends inside the connect time (35 bytes)");

	CHECK(errorOf(bytes({5, 0, 0, 1, 0})) == "pppd plugin exit message: exit status 256 is more than 255");
	CHECK(errorOf(bytes({5, 0, 0, 0})) == "pppd plugin exit message: ends inside the exit status (4 bytes)");

	CHECK(errorOf(bytes({6})) == "pppd plugin radius-routes message: ends inside the route count (1 bytes)");
	CHECK(errorOf(bytes({6, 2, 0, 1, 'a'})) ==
	      "pppd plugin radius-routes message: ends inside a Framed-Route (5 bytes)");
	CHECK(errorOf(bytes({6, 1, 0, 0})) ==
	      "pppd plugin radius-routes message: a Framed-Route is 0 bytes long, not 1-253");
	CHECK(errorOf(bytes({6, 1, 0, 2, 'a', 0})) ==
	      "pppd plugin radius-routes message: a Framed-Route has a byte that is not allowed there");
	CHECK(errorOf(bytes({6, 1, 0, 1, 'a', 'b'})) == "pppd plugin radius-routes message: 1 trailing byte(s)");
	std::vector<uint8_t> longRoute{6, 1, 0, 254};
	longRoute.resize(4 + 254, 'r');
	CHECK(errorOf(longRoute) == "pppd plugin radius-routes message: a Framed-Route is 254 bytes long, not 1-253");
}

TEST_CASE("Framed-Route: the destination is the subnet; a bare address is a host; what does not parse says why")
{
	CHECK(framedRouteSubnet("10.20.0.0/24 0.0.0.0 1")->str() == "10.20.0.0/24");
	CHECK(framedRouteSubnet("  10.20.0.0/16")->str() == "10.20.0.0/16");
	CHECK(*framedRouteSubnet("192.0.2.7 10.99.0.1 2") == *IpPrefix::parse("192.0.2.7/32"));
	CHECK(framedRouteSubnet("0.0.0.0/0 0.0.0.0 1")->str() == "0.0.0.0/0");
	for (const char *bad : {"10.1.2.3/8 0.0.0.0 1", "2001:db8::/32 :: 1", "10.0.0.0/33", "corp 0.0.0.0 1"}) {
		CAPTURE(bad);
		auto r = framedRouteSubnet(bad);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == EINVAL);
		CHECK(r.error().message.starts_with("Framed-Route destination \""));
	}
	CHECK(framedRouteSubnet("   ").error().message == "Framed-Route is empty");
	CHECK(framedRouteSubnet("10.0.0.0\x01/8 x").error().message ==
	      "Framed-Route destination \"10.0.0.0?/8\" is not an IPv4 subnet such as 10.20.0.0/24 or an IPv4 address");
}
