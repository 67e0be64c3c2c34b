#include "common/ip_address.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("IpAddress parses and prints IPv4 and IPv6")
{
	auto a = IpAddress::parse("192.0.2.1");
	REQUIRE(a);
	CHECK(a->isV4());
	CHECK(a->v4HostOrder() == 0xc0000201u);
	CHECK(a->str() == "192.0.2.1");
	auto b = IpAddress::parse("2001:db8::1");
	REQUIRE(b);
	CHECK(!b->isV4());
	CHECK(b->str() == "2001:db8::1");
	CHECK(IpAddress::v4(0xc0000201u) == *a);
	CHECK(IpAddress::parse("0.0.0.0")->isUnspecified());
}

TEST_CASE("IpAddress rejects malformed text")
{
	for (const char *bad : {"", "192.0.2", "192.0.2.256", "host.example", "1.2.3.4 ", "::g",
	                        "1111111111111111111111111111111111111111111111111111111111"})
		CHECK_MESSAGE(!IpAddress::parse(bad), bad);
}
