#include "daemon/session_deadlines.h"

namespace l2tpsec {

SessionDeadlines::SessionDeadlines(EventLoop &loop, Expired expired) : loop_(loop), expired_(std::move(expired))
{
}

SessionDeadlines::~SessionDeadlines()
{
	for (const auto &[key, limit] : limits_)
		loop_.cancelTimer(limit.timer);
}

void SessionDeadlines::set(uint16_t tunnelId, uint16_t sessionId, std::chrono::milliseconds limit)
{
	Key key{tunnelId, sessionId};
	forget(tunnelId, sessionId);
	EventLoop::TimerId timer = loop_.addTimer(limit, [this, key, limit] { fire(key, limit); });
	limits_[key] = Limit{timer, Clock::now() + limit};
}

void SessionDeadlines::forget(uint16_t tunnelId, uint16_t sessionId)
{
	auto it = limits_.find({tunnelId, sessionId});
	if (it == limits_.end())
		return;
	loop_.cancelTimer(it->second.timer);
	limits_.erase(it);
}

std::optional<SessionDeadlines::Clock::time_point> SessionDeadlines::deadlineOf(uint16_t tunnelId,
                                                                                uint16_t sessionId) const
{
	auto it = limits_.find({tunnelId, sessionId});
	if (it == limits_.end())
		return std::nullopt;
	return it->second.at;
}

void SessionDeadlines::fire(const Key &key, std::chrono::milliseconds limit)
{
	// Gone before the callback: it may set a new limit or end the session
	// (whose sessionDown forgets it, a no-op now).
	limits_.erase(key);
	expired_(key.first, key.second, limit);
}

} // namespace l2tpsec
