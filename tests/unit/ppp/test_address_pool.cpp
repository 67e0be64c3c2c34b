#include "ppp/address_pool.h"

#include <doctest.h>

#include <set>

using l2tpsec::IpAddress;
using l2tpsec::ppp::AddressPool;

namespace {
IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}
} // namespace

TEST_CASE("the pool hands out each address once, round-robin, and refuses when exhausted")
{
	AddressPool pool(ip("10.99.0.10"), ip("10.99.0.12"));
	CHECK(pool.size() == 3);
	CHECK(pool.allocate() == ip("10.99.0.10"));
	CHECK(pool.allocate() == ip("10.99.0.11"));
	CHECK(pool.allocate() == ip("10.99.0.12"));
	CHECK(pool.leased() == 3);
	CHECK(pool.available() == 0);
	CHECK_FALSE(pool.allocate().has_value());

	// A released address comes back, but only after the others: round-robin.
	CHECK(pool.release(ip("10.99.0.11")));
	CHECK_FALSE(pool.release(ip("10.99.0.11"))); // not leased any more
	CHECK(pool.allocate() == ip("10.99.0.11"));
	CHECK(pool.release(ip("10.99.0.10")));
	CHECK(pool.release(ip("10.99.0.12")));
	CHECK(pool.allocate() == ip("10.99.0.12"));
	CHECK(pool.allocate() == ip("10.99.0.10"));
	CHECK_FALSE(pool.allocate().has_value());
}

TEST_CASE("addresses outside the pool are neither claimed nor released")
{
	AddressPool pool(ip("192.0.2.100"), ip("192.0.2.101"));
	CHECK_FALSE(pool.contains(ip("192.0.2.99")));
	CHECK_FALSE(pool.contains(ip("192.0.2.102")));
	CHECK_FALSE(pool.contains(ip("2001:db8::1")));
	CHECK_FALSE(pool.release(ip("192.0.2.99")));
	CHECK_FALSE(pool.claim(ip("192.0.2.102")));
	CHECK(pool.claim(ip("192.0.2.101")));
	CHECK_FALSE(pool.claim(ip("192.0.2.101")));
	CHECK(pool.isLeased(ip("192.0.2.101")));
	CHECK(pool.allocate() == ip("192.0.2.100"));
	CHECK_FALSE(pool.allocate().has_value());
}

TEST_CASE("a full 65536-address pool is exhausted exactly at its size, with no duplicates")
{
	AddressPool pool(ip("10.0.0.0"), ip("10.0.255.255"));
	REQUIRE(pool.size() == 65536);
	std::set<uint32_t> seen;
	uint32_t handedOut = 0;
	for (uint32_t i = 0; i < 65536; ++i) {
		if (auto a = pool.allocate()) {
			++handedOut;
			seen.insert(a->v4HostOrder());
		}
	}
	CHECK(handedOut == 65536);
	CHECK(seen.size() == 65536);
	CHECK_FALSE(pool.allocate().has_value());
	// The range end wraps around to the start.
	CHECK(pool.release(ip("10.0.0.5")));
	CHECK(pool.allocate() == ip("10.0.0.5"));
}

TEST_CASE("a reversed or oversized range is clamped, never trusted")
{
	AddressPool empty(ip("10.0.0.9"), ip("10.0.0.1"));
	CHECK(empty.size() == 0);
	CHECK_FALSE(empty.allocate().has_value());
	AddressPool big(ip("10.0.0.0"), ip("10.255.255.255"));
	CHECK(big.size() == 65536);
}
