#include "common/iso_time.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace std::chrono;

TEST_CASE("ISO 8601 times in UTC, to the second and to the millisecond")
{
	const system_clock::time_point t = system_clock::from_time_t(1796581217) + milliseconds(991);
	CHECK(isoTimeUtc(t) == "2026-12-06T18:20:17Z");
	CHECK(isoTimeUtcMillis(t) == "2026-12-06T18:20:17.991Z");
	CHECK(isoTimeUtcMillis(system_clock::from_time_t(0)) == "1970-01-01T00:00:00.000Z");
	CHECK(isoTimeUtcMillis(system_clock::from_time_t(59) + microseconds(999999)) == "1970-01-01T00:00:59.999Z");
}
