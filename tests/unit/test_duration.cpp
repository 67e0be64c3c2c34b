#include "common/duration.h"

#include <doctest.h>

using namespace l2tpsec;
using std::chrono::seconds;

TEST_CASE("parseDuration accepts each unit and combinations")
{
	CHECK(parseDuration("30s") == seconds(30));
	CHECK(parseDuration("5m") == seconds(300));
	CHECK(parseDuration("8h") == seconds(28800));
	CHECK(parseDuration("1d") == seconds(86400));
	CHECK(parseDuration("1h30m") == seconds(5400));
	CHECK(parseDuration("0s") == seconds(0));
}

TEST_CASE("parseDuration rejects what is not a duration")
{
	for (const char *bad : {"", "30", "s", "5x", "1h30", "-5s", "1.5h", " 5s", "5s ", "99999999999d"})
		CHECK_MESSAGE(!parseDuration(bad), bad);
}

TEST_CASE("formatDuration is the inverse for exact values")
{
	CHECK(formatDuration(seconds(0)) == "0s");
	CHECK(formatDuration(seconds(90)) == "1m30s");
	CHECK(formatDuration(seconds(28800)) == "8h");
	CHECK(formatDuration(seconds(90061)) == "1d1h1m1s");
	for (int s : {1, 59, 61, 3599, 3601, 86399, 86401})
		CHECK(parseDuration(formatDuration(seconds(s))) == seconds(s));
}
