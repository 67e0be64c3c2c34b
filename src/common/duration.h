#pragma once
// Durations as admins write them in the config: "30s", "5m", "8h", "1d", "1h30m".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace l2tpsec {

/// Parses a sequence of <number><unit> with units s, m, h, d. Returns nullopt
/// on anything else, including an empty string, a missing unit or overflow
/// past ten years (no lifetime in this protocol family is that long).
std::optional<std::chrono::seconds> parseDuration(std::string_view text);

/// The shortest exact spelling: 90 -> "1m30s", 0 -> "0s".
std::string formatDuration(std::chrono::seconds d);

} // namespace l2tpsec
