// RFC 3442 route encoding: the RFC's own examples, both ways, and what the
// decoder refuses.
#include "../../support/hex.h"
#include "dhcp/classless_routes.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::dhcp;
using l2tpsec::test::hex;

namespace {

constexpr uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return uint32_t{a} << 24 | uint32_t{b} << 16 | uint32_t{c} << 8 | d;
}

struct Example {
	ClasslessRoute route;
	const char *bytes;
};

} // namespace

TEST_CASE("classless routes: RFC 3442 section 5's destination descriptors")
{
	const uint32_t router = ip(10, 0, 0, 1);
	const Example examples[] = {
	        {{0, 0, router}, "00 0a000001"},
	        {{ip(10, 0, 0, 0), 8, router}, "08 0a 0a000001"},
	        {{ip(10, 0, 0, 0), 24, router}, "18 0a0000 0a000001"},
	        {{ip(10, 17, 0, 0), 16, router}, "10 0a11 0a000001"},
	        {{ip(10, 27, 129, 0), 24, router}, "18 0a1b81 0a000001"},
	        {{ip(10, 229, 0, 128), 25, router}, "19 0ae50080 0a000001"},
	        {{ip(10, 198, 122, 47), 32, router}, "20 0ac67a2f 0a000001"},
	};
	std::vector<ClasslessRoute> all;
	std::vector<uint8_t> allBytes;
	for (const Example &e : examples) {
		CAPTURE(e.bytes);
		std::vector<ClasslessRoute> one{e.route};
		CHECK(encodeClasslessRoutes(one) == hex(e.bytes));
		auto decoded = decodeClasslessRoutes(hex(e.bytes));
		REQUIRE(decoded.ok());
		CHECK(*decoded == one);
		all.push_back(e.route);
		std::vector<uint8_t> b = hex(e.bytes);
		allBytes.insert(allBytes.end(), b.begin(), b.end());
	}
	CHECK(encodeClasslessRoutes(all) == allBytes);
	auto decoded = decodeClasslessRoutes(allBytes);
	REQUIRE(decoded.ok());
	CHECK(*decoded == all);
}

TEST_CASE("classless routes: no routes is an empty value, and decodes to none")
{
	CHECK(encodeClasslessRoutes({}).empty());
	auto decoded = decodeClasslessRoutes({});
	REQUIRE(decoded.ok());
	CHECK(decoded->empty());
}

TEST_CASE("classless routes: the encoder clears bits past the length")
{
	std::vector<ClasslessRoute> r{{ip(192, 0, 2, 77), 24, ip(198, 51, 100, 1)}};
	CHECK(encodeClasslessRoutes(r) == hex("18 c00002 c6336401"));
}

TEST_CASE("classless routes: the decoder refuses what it cannot read whole")
{
	auto routesRefused = [](const char *bytes, const char *message) {
		CAPTURE(bytes);
		auto r = decodeClasslessRoutes(hex(bytes));
		REQUIRE_FALSE(r.ok());
		CHECK(r.error().code == EBADMSG);
		CHECK(r.error().message == message);
	};
	routesRefused("21 0a000000 0a000001", "DHCP classless routes: prefix length 33 at octet 0");
	routesRefused("18 0a00", "DHCP classless routes: route at octet 0 needs 8 octets, 3 left");
	routesRefused("18 0a0000 0a0000", "DHCP classless routes: route at octet 0 needs 8 octets, 7 left");
	routesRefused("08 0a 0a000001 10", "DHCP classless routes: route at octet 6 needs 7 octets, 1 left");
	routesRefused("14 0a000f 0a000001", "DHCP classless routes: route at octet 0 has bits set past /20");
}
