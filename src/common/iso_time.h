#pragma once
// The one way times are written for people and parsers: ISO 8601 in UTC.

#include <chrono>
#include <string>

namespace l2tpsec {

/// "2026-12-06T18:20:17Z": to the second (status replies, audit records).
std::string isoTimeUtc(std::chrono::system_clock::time_point t);

/// "2026-12-06T18:20:17.991Z": to the millisecond (log lines).
std::string isoTimeUtcMillis(std::chrono::system_clock::time_point t);

} // namespace l2tpsec
