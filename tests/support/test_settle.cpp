// The labs' settle loop: it stops at the first quiet step and fails a lab
// that never quiets down.

#include "settle.h"

#include <doctest.h>

TEST_CASE("settle stops at the first step where nothing happened")
{
	int steps = 0;
	l2tpsec::test::settle("a lab", [&steps] { return ++steps < 3; });
	CHECK(steps == 3);
}

TEST_CASE("settle takes at most its limit of steps" * doctest::should_fail())
{
	int steps = 0;
	l2tpsec::test::settle(
	        "a lab that never settles", [&steps] { return ++steps > 0; }, 10);
}
