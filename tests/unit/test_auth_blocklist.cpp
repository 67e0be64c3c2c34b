#include "daemon/auth_blocklist.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace std::chrono_literals;
using Clock = AuthBlocklist::Clock;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

BlockingConfig settings(uint32_t failures, std::chrono::seconds window, std::chrono::seconds blockTime)
{
	BlockingConfig c;
	c.failures = failures;
	c.window = window;
	c.blockTime = blockTime;
	return c;
}

const Clock::time_point t0 = Clock::time_point{} + 1000h;

} // namespace

TEST_CASE("AuthBlocklist blocks on the Nth failure within the window, for blockTime")
{
	AuthBlocklist b(settings(5, 60s, 600s));
	IpAddress a = ip("192.0.2.2");
	for (int i = 0; i < 4; i++) {
		CHECK_FALSE(b.failure(a, t0 + std::chrono::seconds(i)));
		CHECK_FALSE(b.blocked(a, t0 + std::chrono::seconds(i)));
	}
	REQUIRE(b.counting(t0 + 4s).size() == 1);
	CHECK(b.counting(t0 + 4s)[0].failures == 4);
	auto started = b.failure(a, t0 + 4s);
	REQUIRE(started);
	CHECK(started->source == a);
	CHECK(started->failures == 5);
	CHECK(started->duration == 600s);
	CHECK(b.blocked(a, t0 + 5s));
	CHECK_FALSE(b.blocked(ip("192.0.2.3"), t0 + 5s));
	CHECK(b.counting(t0 + 5s).empty());
	CHECK(b.nextExpiry() == t0 + 604s);
	// Failures of exchanges begun before the block are counted, the block not extended.
	CHECK_FALSE(b.failure(a, t0 + 10s));
	CHECK(b.nextExpiry() == t0 + 604s);
	REQUIRE(b.blocks().size() == 1);
	CHECK(b.blocks()[0].failures == 6);
	CHECK(b.expire(t0 + 603s).empty());
	CHECK(b.blocked(a, t0 + 603s));
	auto ended = b.expire(t0 + 604s);
	REQUIRE(ended.size() == 1);
	CHECK(ended[0].source == a);
	CHECK(ended[0].failures == 6);
	CHECK(ended[0].lasted == 600s);
	CHECK(ended[0].reason == AuthBlocklist::EndReason::Expired);
	CHECK_FALSE(b.blocked(a, t0 + 604s));
	CHECK_FALSE(b.nextExpiry());
	// It starts from zero again.
	CHECK_FALSE(b.failure(a, t0 + 605s));
	CHECK(b.counting(t0 + 605s)[0].failures == 1);
}

TEST_CASE("AuthBlocklist forgets failures older than the window")
{
	AuthBlocklist b(settings(3, 60s, 600s));
	IpAddress a = ip("198.51.100.7");
	CHECK_FALSE(b.failure(a, t0));
	CHECK_FALSE(b.failure(a, t0 + 30s));
	// The first one is 60 s old: out of the window, so this is the second.
	CHECK_FALSE(b.failure(a, t0 + 60s));
	CHECK(b.counting(t0 + 60s)[0].failures == 2);
	CHECK(b.counting(t0 + 90s)[0].failures == 1);
	CHECK(b.counting(t0 + 120s).empty());
	CHECK(b.failure(a, t0 + 89s));
	CHECK(b.blocked(a, t0 + 89s));
}

TEST_CASE("AuthBlocklist counts each source on its own")
{
	AuthBlocklist b(settings(2, 60s, 60s));
	CHECK_FALSE(b.failure(ip("192.0.2.2"), t0));
	CHECK_FALSE(b.failure(ip("192.0.2.3"), t0));
	CHECK_FALSE(b.failure(ip("2001:db8::2"), t0));
	CHECK(b.failure(ip("192.0.2.3"), t0 + 1s));
	CHECK(b.blocked(ip("192.0.2.3"), t0 + 1s));
	CHECK_FALSE(b.blocked(ip("192.0.2.2"), t0 + 1s));
	CHECK_FALSE(b.blocked(ip("2001:db8::2"), t0 + 1s));
	CHECK(b.counting(t0 + 1s).size() == 2);
}

TEST_CASE("AuthBlocklist unblock lifts one block and its count")
{
	AuthBlocklist b(settings(1, 60s, 600s));
	IpAddress a = ip("192.0.2.2");
	CHECK_FALSE(b.unblock(a, t0));
	REQUIRE(b.failure(a, t0));
	REQUIRE(b.failure(ip("192.0.2.9"), t0));
	auto e = b.unblock(a, t0 + 42s);
	REQUIRE(e);
	CHECK(e->reason == AuthBlocklist::EndReason::Unblocked);
	CHECK(e->lasted == 42s);
	CHECK(e->failures == 1);
	CHECK_FALSE(b.blocked(a, t0 + 42s));
	CHECK(b.blocked(ip("192.0.2.9"), t0 + 42s));
	CHECK_FALSE(b.unblock(a, t0 + 43s));
}

TEST_CASE("AuthBlocklist never counts or blocks exempt sources, nor anyone when off")
{
	BlockingConfig c = settings(1, 60s, 600s);
	c.exempt = {*IpPrefix::parse("10.0.0.0/8"), *IpPrefix::parse("192.0.2.7")};
	AuthBlocklist b(c);
	CHECK_FALSE(b.failure(ip("10.200.1.1"), t0));
	CHECK_FALSE(b.blocked(ip("10.200.1.1"), t0));
	CHECK_FALSE(b.failure(ip("192.0.2.7"), t0));
	CHECK(b.counting(t0).empty());
	CHECK(b.failure(ip("192.0.2.8"), t0));
	CHECK(b.failure(ip("11.0.0.1"), t0));

	BlockingConfig off = settings(1, 60s, 600s);
	off.enabled = false;
	AuthBlocklist none(off);
	CHECK_FALSE(none.failure(ip("192.0.2.8"), t0));
	CHECK_FALSE(none.blocked(ip("192.0.2.8"), t0));
	CHECK(none.counting(t0).empty());
}

TEST_CASE("AuthBlocklist reload keeps the blocks in force, ends exempt ones, or all when off")
{
	AuthBlocklist b(settings(2, 60s, 600s));
	IpAddress a = ip("192.0.2.2"), c = ip("10.1.2.3"), d = ip("192.0.2.4");
	b.failure(a, t0);
	REQUIRE(b.failure(a, t0));
	b.failure(c, t0);
	REQUIRE(b.failure(c, t0));
	CHECK_FALSE(b.failure(d, t0));

	// A longer block time, a higher threshold, 10/8 exempt.
	BlockingConfig next = settings(5, 60s, 3600s);
	next.exempt = {*IpPrefix::parse("10.0.0.0/8")};
	auto ended = b.reconfigure(next, t0 + 10s);
	REQUIRE(ended.size() == 1);
	CHECK(ended[0].source == c);
	CHECK(ended[0].reason == AuthBlocklist::EndReason::Exempted);
	CHECK(b.blocked(a, t0 + 10s));
	CHECK(b.nextExpiry() == t0 + 600s); // keeps its end
	CHECK_FALSE(b.blocked(c, t0 + 10s));
	// d's one failure is still counted, under the new threshold.
	CHECK(b.counting(t0 + 10s).size() == 1);
	for (int i = 0; i < 3; i++)
		CHECK_FALSE(b.failure(d, t0 + 11s));
	auto started = b.failure(d, t0 + 12s);
	REQUIRE(started);
	CHECK(started->failures == 5);
	CHECK(started->duration == 3600s);

	// A lower threshold: a source above it needs one more failure, not none.
	BlockingConfig lower = settings(2, 60s, 600s);
	AuthBlocklist l(settings(5, 60s, 600s));
	for (int i = 0; i < 4; i++)
		l.failure(a, t0);
	CHECK(l.reconfigure(lower, t0).empty());
	CHECK_FALSE(l.blocked(a, t0));
	CHECK(l.failure(a, t0 + 1s));

	BlockingConfig off = next;
	off.enabled = false;
	ended = b.reconfigure(off, t0 + 20s);
	CHECK(ended.size() == 2);
	for (auto &e : ended)
		CHECK(e.reason == AuthBlocklist::EndReason::Disabled);
	CHECK(b.blocks().empty());
	CHECK(b.counting(t0 + 20s).empty());
}

TEST_CASE("AuthBlocklist tracks a bounded number of sources")
{
	AuthBlocklist b(settings(3, 600s, 600s));
	for (uint32_t i = 0; i < AuthBlocklist::kMaxSources + 10; i++)
		b.failure(IpAddress::v4(0x0a000000 + i), t0 + std::chrono::milliseconds(i));
	CHECK(b.counting(t0 + 20s).size() == AuthBlocklist::kMaxSources);
	// The oldest went first.
	auto counted = b.counting(t0 + 20s);
	CHECK(counted.front().source == IpAddress::v4(0x0a000000 + 10));
}

TEST_CASE("IpPrefix parses subnets and bare addresses and matches addresses")
{
	auto p = IpPrefix::parse("10.0.0.0/8");
	REQUIRE(p);
	CHECK(p->length == 8);
	CHECK(p->str() == "10.0.0.0/8");
	CHECK(p->contains(*IpAddress::parse("10.255.0.1")));
	CHECK_FALSE(p->contains(*IpAddress::parse("11.0.0.1")));
	CHECK_FALSE(p->contains(*IpAddress::parse("::a00:1")));
	auto one = IpPrefix::parse("192.0.2.7");
	REQUIRE(one);
	CHECK(one->length == 32);
	CHECK(one->str() == "192.0.2.7");
	CHECK(one->contains(*IpAddress::parse("192.0.2.7")));
	CHECK_FALSE(one->contains(*IpAddress::parse("192.0.2.6")));
	auto all = IpPrefix::parse("0.0.0.0/0");
	REQUIRE(all);
	CHECK(all->contains(*IpAddress::parse("203.0.113.9")));
	auto v6 = IpPrefix::parse("2001:db8::/33");
	REQUIRE(v6);
	CHECK(v6->contains(*IpAddress::parse("2001:db8:7fff::1")));
	CHECK_FALSE(v6->contains(*IpAddress::parse("2001:db8:8000::1")));
	CHECK(IpPrefix::parse("192.0.2.0/25")->contains(*IpAddress::parse("192.0.2.127")));
	CHECK_FALSE(IpPrefix::parse("192.0.2.0/25")->contains(*IpAddress::parse("192.0.2.128")));
	for (const char *bad : {"", "10.0.0.0/", "10.0.0.0/33", "10.1.2.3/8", "10.0.0.0/8x", "/8", "10.0.0.0/-1",
	                        "2001:db8::1/64", "::/129", "host/8"})
		CHECK_MESSAGE(!IpPrefix::parse(bad), bad);
}
