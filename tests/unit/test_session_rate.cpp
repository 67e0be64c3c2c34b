// A session's current rate from sampled kernel counters (daemon/session_rate.h).

#include "daemon/session_rate.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace std::chrono_literals;

TEST_CASE("a session's rate: none from one sample, bytes per second from two")
{
	SessionRate r;
	auto t0 = SessionRate::Clock::time_point{} + 100s;
	CHECK_FALSE(r.rx());
	r.sample(1000, 5000, t0);
	CHECK_FALSE(r.rx());
	CHECK_FALSE(r.tx());
	r.sample(11000, 5000, t0 + 5s);
	CHECK(r.rx() == 2000);
	CHECK(r.tx() == 0);
	// Sub-second intervals count by the millisecond.
	r.sample(11500, 6000, t0 + 5500ms);
	CHECK(r.rx() == 1000);
	CHECK(r.tx() == 2000);
}

TEST_CASE("a session's rate: a counter that went down gives no rate, never a negative one")
{
	SessionRate r;
	auto t0 = SessionRate::Clock::time_point{} + 100s;
	r.sample(1'000'000, 1'000'000, t0);
	// The kernel's session was recreated (or the counter wrapped): rx says nothing.
	r.sample(400, 1'005'000, t0 + 5s);
	CHECK_FALSE(r.rx());
	CHECK(r.tx() == 1000);
	// The next interval starts from the new counter.
	r.sample(5400, 1'005'000, t0 + 10s);
	CHECK(r.rx() == 1000);
	CHECK(r.tx() == 0);
	// A wrap from near the top of 64 bits is a decrease too.
	r.sample(UINT64_MAX - 10, 0, t0 + 15s);
	r.sample(5, 0, t0 + 20s);
	CHECK_FALSE(r.rx());
}

TEST_CASE("a session's rate: no time passed keeps the last rate")
{
	SessionRate r;
	auto t0 = SessionRate::Clock::time_point{} + 100s;
	r.sample(0, 0, t0);
	r.sample(5000, 0, t0 + 5s);
	r.sample(9000, 0, t0 + 5s);
	CHECK(r.rx() == 1000);
	// And the baseline stays the earlier sample.
	r.sample(10000, 0, t0 + 10s);
	CHECK(r.rx() == 1000);
}
