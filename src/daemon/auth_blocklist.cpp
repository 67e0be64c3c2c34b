#include "daemon/auth_blocklist.h"

#include <algorithm>

namespace l2tpsec {

std::string_view endReasonName(AuthBlocklist::EndReason r)
{
	switch (r) {
	case AuthBlocklist::EndReason::Expired: return "expired";
	case AuthBlocklist::EndReason::Unblocked: return "unblocked";
	case AuthBlocklist::EndReason::Exempted: return "exempted";
	case AuthBlocklist::EndReason::Disabled: return "disabled";
	}
	return "?";
}

bool AuthBlocklist::exempt(const IpAddress &source) const
{
	return std::any_of(settings_.exempt.begin(), settings_.exempt.end(),
	                   [&](const IpPrefix &p) { return p.contains(source); });
}

std::vector<AuthBlocklist::Ended> AuthBlocklist::reconfigure(BlockingConfig settings, TimePoint now)
{
	settings_ = std::move(settings);
	std::vector<Ended> ended;
	for (auto it = blocks_.begin(); it != blocks_.end();) {
		auto next = std::next(it);
		if (!settings_.enabled)
			ended.push_back(end(it, now, EndReason::Disabled));
		else if (exempt(it->first))
			ended.push_back(end(it, now, EndReason::Exempted));
		it = next;
	}
	// Counts kept under the old threshold: trim to the new one, drop the
	// exempt (and everything when off).
	for (auto it = failures_.begin(); it != failures_.end();) {
		auto &times = it->second;
		if (!settings_.enabled || exempt(it->first)) {
			it = failures_.erase(it);
			continue;
		}
		if (times.size() >= settings_.failures)
			times.erase(times.begin(), times.end() - (settings_.failures - 1));
		++it;
	}
	return ended;
}

std::optional<AuthBlocklist::Started> AuthBlocklist::failure(const IpAddress &source, TimePoint now)
{
	if (!settings_.enabled || exempt(source))
		return std::nullopt;
	if (auto b = blocks_.find(source); b != blocks_.end()) {
		// An exchange begun before the block: counted, the block not extended.
		b->second.failures++;
		return std::nullopt;
	}
	auto it = failures_.find(source);
	if (it == failures_.end()) {
		if (failures_.size() >= kMaxSources)
			forgetOldest(now);
		it = failures_.emplace(source, std::vector<TimePoint>{}).first;
	}
	auto &times = it->second;
	std::erase_if(times, [&](TimePoint t) { return now - t >= settings_.window; });
	times.push_back(now);
	if (times.size() < settings_.failures)
		return std::nullopt;
	auto count = static_cast<uint32_t>(times.size());
	failures_.erase(it);
	blocks_[source] = Block{source, count, now, now + settings_.blockTime};
	return Started{source, count, settings_.blockTime};
}

void AuthBlocklist::forgetOldest(TimePoint now)
{
	std::erase_if(failures_, [&](const auto &kv) { return now - kv.second.back() >= settings_.window; });
	while (failures_.size() >= kMaxSources) {
		auto oldest = std::min_element(failures_.begin(), failures_.end(), [](const auto &a, const auto &b) {
			return a.second.back() < b.second.back();
		});
		failures_.erase(oldest);
	}
}

bool AuthBlocklist::blocked(const IpAddress &source, TimePoint now) const
{
	auto it = blocks_.find(source);
	return it != blocks_.end() && now < it->second.until;
}

AuthBlocklist::Ended AuthBlocklist::end(std::map<IpAddress, Block>::iterator it, TimePoint now, EndReason why)
{
	Ended e{it->first, it->second.failures,
	        std::chrono::duration_cast<std::chrono::seconds>(std::min(now, it->second.until) - it->second.since),
	        why};
	blocks_.erase(it);
	return e;
}

std::vector<AuthBlocklist::Ended> AuthBlocklist::expire(TimePoint now)
{
	std::vector<Ended> ended;
	for (auto it = blocks_.begin(); it != blocks_.end();) {
		auto next = std::next(it);
		if (now >= it->second.until)
			ended.push_back(end(it, now, EndReason::Expired));
		it = next;
	}
	return ended;
}

std::optional<AuthBlocklist::TimePoint> AuthBlocklist::nextExpiry() const
{
	std::optional<TimePoint> first;
	for (const auto &[a, b] : blocks_)
		if (!first || b.until < *first)
			first = b.until;
	return first;
}

std::optional<AuthBlocklist::Ended> AuthBlocklist::unblock(const IpAddress &source, TimePoint now)
{
	auto it = blocks_.find(source);
	if (it == blocks_.end())
		return std::nullopt;
	failures_.erase(source);
	return end(it, now, EndReason::Unblocked);
}

std::vector<AuthBlocklist::Block> AuthBlocklist::blocks() const
{
	std::vector<Block> out;
	for (const auto &[a, b] : blocks_)
		out.push_back(b);
	return out;
}

std::vector<AuthBlocklist::Counting> AuthBlocklist::counting(TimePoint now) const
{
	std::vector<Counting> out;
	for (const auto &[a, times] : failures_) {
		auto n = std::count_if(times.begin(), times.end(),
		                       [&](TimePoint t) { return now - t < settings_.window; });
		if (n > 0)
			out.push_back(Counting{a, static_cast<uint32_t>(n)});
	}
	return out;
}

} // namespace l2tpsec
