#include "common/iso_time.h"

#include <fmt/format.h>

#include <ctime>

namespace l2tpsec {

namespace {

std::string secondsUtc(std::chrono::system_clock::time_point t)
{
	time_t secs = std::chrono::system_clock::to_time_t(t);
	tm utc{};
	gmtime_r(&secs, &utc);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
	return buf;
}

} // namespace

std::string isoTimeUtc(std::chrono::system_clock::time_point t)
{
	return secondsUtc(t) + "Z";
}

std::string isoTimeUtcMillis(std::chrono::system_clock::time_point t)
{
	// to_time_t truncates toward the second the millisecond count is taken from.
	auto sinceEpoch = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
	auto secondStart = std::chrono::system_clock::time_point(std::chrono::floor<std::chrono::seconds>(sinceEpoch));
	int millis = static_cast<int>((sinceEpoch - std::chrono::floor<std::chrono::seconds>(sinceEpoch)).count());
	return fmt::format("{}.{:03d}Z", secondsUtc(secondStart), millis);
}

} // namespace l2tpsec
