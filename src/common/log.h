#pragma once
// One line per event, to stderr (and so to the journal under systemd).
//
// Levels by meaning: error = fatal to one tunnel, session or SA (or to the
// daemon at start-up); warn = unexpected but survivable; info = sparse
// lifecycle lines; debug = protocol detail. Every line names its component
// and, where there is one, the tunnel, session or SA id.

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace l2tpsec {

enum class LogLevel { Debug, Info, Warn, Error };

std::string_view logLevelName(LogLevel level);
std::optional<LogLevel> parseLogLevel(std::string_view name);

namespace log {

/// Lines below this level are dropped.
void setLevel(LogLevel level);
LogLevel level();

/// Replaces the stderr writer, for tests. The sink gets the level, the
/// component and the formatted message; nullptr restores stderr.
using Sink = std::function<void(LogLevel, std::string_view component, std::string_view message)>;
void setSink(Sink sink);

void write(LogLevel level, std::string_view component, std::string_view message);

} // namespace log

template <typename... Args>
void logAt(LogLevel level, std::string_view component, fmt::format_string<Args...> f, Args &&...args)
{
	if (level < log::level())
		return;
	log::write(level, component, fmt::format(f, std::forward<Args>(args)...));
}

#define L2S_LOG_FN(name, lvl)                                                                                          \
	template <typename... Args>                                                                                    \
	void name(std::string_view component, fmt::format_string<Args...> f, Args &&...args)                           \
	{                                                                                                              \
		logAt(LogLevel::lvl, component, f, std::forward<Args>(args)...);                                       \
	}
L2S_LOG_FN(logDebug, Debug)
L2S_LOG_FN(logInfo, Info)
L2S_LOG_FN(logWarn, Warn)
L2S_LOG_FN(logError, Error)
#undef L2S_LOG_FN

} // namespace l2tpsec
