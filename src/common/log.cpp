#include "common/log.h"

#include "common/iso_time.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace l2tpsec {

std::string_view logLevelName(LogLevel level)
{
	switch (level) {
	case LogLevel::Debug: return "debug";
	case LogLevel::Info: return "info";
	case LogLevel::Warn: return "warn";
	case LogLevel::Error: return "error";
	}
	return "?";
}

std::optional<LogLevel> parseLogLevel(std::string_view name)
{
	for (LogLevel l : {LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error})
		if (logLevelName(l) == name)
			return l;
	return std::nullopt;
}

namespace log {
namespace {
LogLevel gLevel = LogLevel::Info;
Sink gSink;

// syslog priorities, which journald reads from a "<N>" line prefix.
int syslogPriority(LogLevel level)
{
	switch (level) {
	case LogLevel::Debug: return 7;
	case LogLevel::Info: return 6;
	case LogLevel::Warn: return 4;
	case LogLevel::Error: return 3;
	}
	return 6;
}

// Peer-supplied text (user names, vendor strings) ends up in messages; a
// newline or escape sequence in it must not forge or corrupt log lines.
std::string sanitize(std::string_view message)
{
	std::string out;
	out.reserve(message.size());
	for (unsigned char c : message) {
		if (c < 0x20 || c == 0x7f)
			out += fmt::format("\\x{:02x}", c);
		else
			out += static_cast<char>(c);
	}
	return out;
}

void writeStderr(LogLevel level, std::string_view component, std::string_view raw)
{
	std::string message = sanitize(raw);
	// Under systemd stderr is the journal, which stamps time itself and
	// takes the level from the prefix.
	static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
	std::string line;
	if (journal) {
		line = fmt::format("<{}>{}: {}\n", syslogPriority(level), component, message);
	} else {
		line = fmt::format("{} {} {}: {}\n", isoTimeUtcMillis(std::chrono::system_clock::now()),
		                   logLevelName(level), component, message);
	}
	// One write() per line keeps lines whole when pppd children share stderr.
	ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
	(void)ignored;
}
} // namespace

void setLevel(LogLevel level)
{
	gLevel = level;
}
LogLevel level()
{
	return gLevel;
}
void setSink(Sink sink)
{
	gSink = std::move(sink);
}

void write(LogLevel level, std::string_view component, std::string_view message)
{
	if (level < gLevel)
		return;
	if (gSink)
		gSink(level, component, message);
	else
		writeStderr(level, component, message);
}

} // namespace log
} // namespace l2tpsec
