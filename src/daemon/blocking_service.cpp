#include "daemon/blocking_service.h"

#include "common/duration.h"
#include "common/log.h"
#include "daemon/audit_log.h"

namespace l2tpsec {

using nlohmann::json;

namespace {

constexpr std::string_view kBlockLog = "blocking";

// Rounded up: a block with 0.4 s left still shows 1 s.
int64_t secondsUpTo(AuthBlocklist::TimePoint from, AuthBlocklist::TimePoint to)
{
	return std::chrono::ceil<std::chrono::seconds>(to - from).count();
}

} // namespace

BlockingService::BlockingService(EventLoop &loop, const BlockingConfig &config) : loop_(loop), list_(config)
{
}

void BlockingService::reconfigure(const BlockingConfig &config)
{
	for (const AuthBlocklist::Ended &e : list_.reconfigure(config, AuthBlocklist::Clock::now()))
		ended(e);
	arm();
}

void BlockingService::failure(const IpAddress &source, std::string_view what)
{
	auto started = list_.failure(source, AuthBlocklist::Clock::now());
	if (!started) {
		logDebug(kBlockLog, "{}: failed authentication counted ({})", source.str(), what);
		return;
	}
	const BlockingConfig &s = list_.settings();
	logWarn(kBlockLog, "{} blocked for {}: {} failed authentications within {} (last: {})", source.str(),
	        formatDuration(started->duration), started->failures, formatDuration(s.window), what);
	if (audit_)
		audit_(json{{"event", "blocked"},
		            {"time", isoTimeUtc(std::chrono::system_clock::now())},
		            {"source", source.str()},
		            {"failures", started->failures},
		            {"window_seconds", s.window.count()},
		            {"block_seconds", started->duration.count()},
		            {"last", std::string(what)}});
	arm();
}

bool BlockingService::blocked(const IpAddress &source) const
{
	return list_.blocked(source, AuthBlocklist::Clock::now());
}

void BlockingService::ended(const AuthBlocklist::Ended &e)
{
	const char *why = "";
	switch (e.reason) {
	case AuthBlocklist::EndReason::Expired: why = "its time is up"; break;
	case AuthBlocklist::EndReason::Unblocked: why = "lifted by l2tpctl unblock"; break;
	case AuthBlocklist::EndReason::Exempted: why = "now exempt ([blocking] exempt)"; break;
	case AuthBlocklist::EndReason::Disabled: why = "blocking turned off ([blocking] enabled)"; break;
	}
	logInfo(kBlockLog, "{} unblocked after {} ({}); {} failed authentications", e.source.str(),
	        formatDuration(e.lasted), why, e.failures);
	if (audit_)
		audit_(json{{"event", "unblocked"},
		            {"time", isoTimeUtc(std::chrono::system_clock::now())},
		            {"source", e.source.str()},
		            {"failures", e.failures},
		            {"blocked_seconds", e.lasted.count()},
		            {"reason", endReasonName(e.reason)}});
}

void BlockingService::arm()
{
	timer_.arm(list_.nextExpiry(), [this] {
		for (const AuthBlocklist::Ended &e : list_.expire(AuthBlocklist::Clock::now()))
			ended(e);
		arm();
	});
}

control::BlockedView BlockingService::view() const
{
	auto now = AuthBlocklist::Clock::now();
	control::BlockedView v;
	for (const AuthBlocklist::Block &b : list_.blocks()) {
		if (now >= b.until)
			continue; // ends at the timer's next turn
		v.blocked.push_back({b.source.str(), b.failures, secondsUpTo(b.since, now), secondsUpTo(now, b.until)});
	}
	for (const AuthBlocklist::Counting &c : list_.counting(now))
		v.counting.push_back({c.source.str(), c.failures});
	const BlockingConfig &s = list_.settings();
	v.settings.enabled = s.enabled;
	v.settings.failures = s.failures;
	v.settings.windowSeconds = s.window.count();
	v.settings.blockSeconds = s.blockTime.count();
	for (const IpPrefix &p : s.exempt)
		v.settings.exempt.push_back(p.str());
	v.droppedTunnels = droppedTunnels_;
	return v;
}

Result<control::UnblockView> BlockingService::unblock(const std::string &address)
{
	auto a = IpAddress::parse(address);
	if (!a)
		return Error{EINVAL, "'" + address + "' is not an IP address"};
	auto e = list_.unblock(*a, AuthBlocklist::Clock::now());
	if (!e)
		return Error{ENOENT, a->str() + " is not blocked"};
	ended(*e);
	arm();
	return control::UnblockView{e->source.str(), e->failures, e->lasted.count()};
}

} // namespace l2tpsec
