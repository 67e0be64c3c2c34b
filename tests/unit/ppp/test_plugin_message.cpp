// The decoder of what l2tpsec's pppd plugin sends (ppp/plugin_message.h),
// on the exact bytes the plugin's C encoder writes (l2tpsec_pppd_wire.h).

#include "l2tpsec_pppd_wire.h"
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

// The PEER_OPTIONS of a client as Windows negotiates: MRU 1400, magic
// number, PFC, ACFC (flags 0x5d with CCP), MS-CHAPv2; it asked for callback
// in LCP, for DNS and WINS in IPCP and for MPPE in CCP.
const std::vector<uint8_t> kWindowsOptions =
        bytes({8, 0x5d, 0x05, 0x78, 0, 0, 0, 0, 4, 5, 1, 5, 7, 8, 13, 5, 3, 129, 130, 131, 132, 1, 18});

} // namespace

TEST_CASE("plugin messages: every type from its bytes")
{
	auto hello = decodePluginMessage(bytes({1, 0, 5, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(hello);
	CHECK(std::get<PluginHello>(*hello) == PluginHello{5, "2.4.9"});

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

	auto options = decodePluginMessage(kWindowsOptions);
	REQUIRE(options);
	const PluginPeerOptions &o = std::get<PluginPeerOptions>(*options);
	CHECK(o.mru == 1400);
	CHECK(o.accm == std::nullopt);
	CHECK(o.magicNumber);
	CHECK(o.protocolCompression);
	CHECK(o.addressCompression);
	CHECK_FALSE(o.vjCompression);
	CHECK(o.auth == PeerAuth::MsChapV2);
	CHECK(o.lcpRequest == bytes({1, 5, 7, 8, 13}));
	CHECK(o.ipcpRequest == bytes({3, 129, 130, 131, 132}));
	CHECK(o.ccpRequest == bytes({18}));
	CHECK(describePluginMessage(*options) ==
	      "the peer's PPP options: MRU 1400, authentication ms-chap-v2, magic number, PFC, ACFC; its LCP request "
	      "1 5 7 8 13, IPCP request 3 129 130 131 132, CCP request 18");
	// pppd's defaults: no MRU, an ACCM of 0, VJ, PAP, no CCP at all.
	auto plain = decodePluginMessage(bytes({8, 0x26, 0, 0, 0, 0, 0, 0, 1, 2, 2, 5, 2, 2, 3, 0}));
	REQUIRE(plain);
	const PluginPeerOptions &p = std::get<PluginPeerOptions>(*plain);
	CHECK(p.mru == std::nullopt);
	CHECK(p.accm == 0u);
	CHECK(p.magicNumber);
	CHECK(p.vjCompression);
	CHECK(p.auth == PeerAuth::Pap);
	CHECK(p.ccpRequest == std::nullopt);
	CHECK(describePluginMessage(*plain) == "the peer's PPP options: MRU default, authentication pap, ACCM "
	                                       "0x00000000, magic number, VJ; its LCP request 2 5, IPCP request 2 3");
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
	        PluginPeerOptions{},
	        PluginPeerOptions{1400,
	                          0xffffffff,
	                          true,
	                          true,
	                          true,
	                          true,
	                          PeerAuth::Eap,
	                          {1, 2, 3},
	                          {0, 255},
	                          std::vector<uint8_t>{}},
	        PluginPeerOptions{std::nullopt, 0, false, false, false, false, PeerAuth::ChapMd5,
	                          std::vector<uint8_t>(32, 1), std::vector<uint8_t>(32, 2),
	                          std::vector<uint8_t>(32, 3)},
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
	// An option list holds the first 32 types, as the plugin keeps them.
	PluginPeerOptions many;
	many.lcpRequest.assign(40, 1);
	auto cutOptions = decodePluginMessage(encodePluginMessage(many));
	REQUIRE(cutOptions);
	CHECK(std::get<PluginPeerOptions>(*cutOptions).lcpRequest == std::vector<uint8_t>(32, 1));
	CHECK(encodePluginMessage(std::get<PluginPeerOptions>(*decodePluginMessage(kWindowsOptions))) ==
	      kWindowsOptions);
}

TEST_CASE("plugin messages: a hello of another protocol version is recognised as that")
{
	// Version 6 may lay out the rest differently: only its version is read.
	// So is version 1's, which had no RADIUS routes, version 2's, which had
	// no auth-failed message, version 3's, which had no peer options, and
	// version 4's, which had no SESSION message.
	auto v6 = decodePluginMessage(bytes({1, 0, 6, 0xff}));
	REQUIRE(v6);
	CHECK(std::get<PluginHello>(*v6) == PluginHello{6, ""});
	auto v4 = decodePluginMessage(bytes({1, 0, 4, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v4);
	CHECK(std::get<PluginHello>(*v4) == PluginHello{4, ""});
	auto v3 = decodePluginMessage(bytes({1, 0, 3, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v3);
	CHECK(std::get<PluginHello>(*v3) == PluginHello{3, ""});
	auto v1 = decodePluginMessage(bytes({1, 0, 1, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v1);
	CHECK(std::get<PluginHello>(*v1) == PluginHello{1, ""});
	auto v2 = decodePluginMessage(bytes({1, 0, 2, 0, 5, '2', '.', '4', '.', '9'}));
	REQUIRE(v2);
	CHECK(std::get<PluginHello>(*v2) == PluginHello{2, ""});
	CHECK(errorOf(bytes({1, 0})) == "pppd plugin hello message: ends inside the protocol version (2 bytes)");
	CHECK(errorOf(bytes({1, 0, 5, 0, 0})) ==
	      "pppd plugin hello message: the pppd version is 0 bytes long, not 1-31");
	CHECK(errorOf(bytes({1, 0, 5, 0, 3, '2', ' ', '4'})) ==
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

	// Peer options: every cut of a valid one is an error, and each field
	// that cannot be what the plugin sends says so.
	for (size_t n = 1; n < kWindowsOptions.size(); ++n) {
		std::vector<uint8_t> cut(kWindowsOptions.begin(), kWindowsOptions.begin() + static_cast<long>(n));
		CHECK_FALSE(decodePluginMessage(cut));
	}
	CHECK(errorOf(bytes({8, 0x5d, 0x05})) == "pppd plugin peer-options message: ends inside the MRU (3 bytes)");
	std::vector<uint8_t> bad = kWindowsOptions;
	bad.push_back(0);
	CHECK(errorOf(bad) == "pppd plugin peer-options message: 1 trailing byte(s)");
	bad = kWindowsOptions;
	bad[1] |= 0x80;
	CHECK(errorOf(bad) == "pppd plugin peer-options message: unknown flags 0x80");
	bad = kWindowsOptions;
	bad[1] &= ~0x01; // the MRU without its flag
	CHECK(errorOf(bad) == "pppd plugin peer-options message: the MRU is 1400 with the MRU flag clear");
	bad = kWindowsOptions;
	bad[2] = bad[3] = 0; // the flag without an MRU
	CHECK(errorOf(bad) == "pppd plugin peer-options message: the MRU is 0 with the MRU flag set");
	bad = kWindowsOptions;
	bad[7] = 1;
	CHECK(errorOf(bad) == "pppd plugin peer-options message: an ACCM without the ACCM flag");
	bad = kWindowsOptions;
	bad[8] = 6;
	CHECK(errorOf(bad) == "pppd plugin peer-options message: unknown authentication 6");
	bad = kWindowsOptions;
	bad[1] &= ~0x40; // a CCP request without its flag
	CHECK(errorOf(bad) == "pppd plugin peer-options message: a CCP request without the CCP flag");
	bad = kWindowsOptions;
	bad[9] = 33;
	CHECK(errorOf(bad) == "pppd plugin peer-options message: the LCP request has 33 entries, more than 32");
	bad = kWindowsOptions;
	bad[15] = 6; // the IPCP request is one longer than there is
	CHECK(errorOf(bad) == "pppd plugin peer-options message: ends inside the CCP request (23 bytes)");
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

TEST_CASE("SESSION to a prestarted pppd: words from bytes built by hand, and what is refused")
{
	auto m = encodePluginSession({"pppol2tp", "@pppol2tp", "mtu", "1400"});
	REQUIRE(m);
	CHECK(*m == bytes({9,   0,   4,   0,   8,   'p', 'p', 'p', 'o', 'l', '2', 't', 'p', 0,   9,   '@', 'p', 'p',
	                   'p', 'o', 'l', '2', 't', 'p', 0,   3,   'm', 't', 'u', 0,   4,   '1', '4', '0', '0'}));
	auto words = decodePluginSession(*m);
	REQUIRE(words);
	CHECK(*words == std::vector<std::string>{"pppol2tp", "@pppol2tp", "mtu", "1400"});
	CHECK(decodePluginSession(bytes({9, 0, 0})).value().empty());
	// A word with a NUL, one too long, a message too long: not sent.
	CHECK_FALSE(encodePluginSession({std::string("a\0b", 3)}));
	CHECK_FALSE(encodePluginSession({std::string(L2TPSEC_PPPD_MAX_WORD + 1, 'x')}));
	CHECK_FALSE(encodePluginSession(std::vector<std::string>(8, std::string(L2TPSEC_PPPD_MAX_WORD, 'x'))));
	// Cut short, bytes left over, a NUL inside, another type.
	CHECK_FALSE(decodePluginSession(bytes({9, 0, 1, 0, 3, 'a'})));
	CHECK_FALSE(decodePluginSession(bytes({9, 0, 1, 0, 1, 'a', 'b'})));
	CHECK_FALSE(decodePluginSession(bytes({9, 0, 1, 0, 1, 0})));
	CHECK_FALSE(decodePluginSession(bytes({9, 0})));
	CHECK_FALSE(decodePluginSession(bytes({1, 0, 0})));
}
