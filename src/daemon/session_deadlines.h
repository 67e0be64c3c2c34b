#pragma once
// SessionDeadlines: the connect-time limits that a RADIUS CoA-Request's
// Session-Timeout sets on running LNS sessions (das_listener.h), each an
// event-loop timer. When one passes, `expired` is called for its session,
// which the owner (L2tpService) ends with EndCause::SessionTimeout. A new
// limit for a session replaces the one it had; a session that ends first is
// forgotten (forget). pppd's own connect-time limit (maxconnect, from the
// Access-Accept's Session-Timeout) is not this one and still applies: the
// earlier of the two ends the session.

#include "common/event_loop.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace l2tpsec {

class SessionDeadlines {
public:
	using Clock = EventLoop::Clock;
	/// The limit of tunnelId/sessionId, set `limit` ago, passed.
	using Expired = std::function<void(uint16_t tunnelId, uint16_t sessionId, std::chrono::milliseconds limit)>;

	SessionDeadlines(EventLoop &loop, Expired expired);
	~SessionDeadlines();
	SessionDeadlines(const SessionDeadlines &) = delete;
	SessionDeadlines &operator=(const SessionDeadlines &) = delete;

	/// The session may last `limit` from now (replacing an earlier limit).
	void set(uint16_t tunnelId, uint16_t sessionId, std::chrono::milliseconds limit);
	/// The session ended: its limit, if any, goes.
	void forget(uint16_t tunnelId, uint16_t sessionId);
	/// When the session's limit passes, if it has one.
	std::optional<Clock::time_point> deadlineOf(uint16_t tunnelId, uint16_t sessionId) const;
	size_t size() const { return limits_.size(); }

private:
	using Key = std::pair<uint16_t, uint16_t>;
	struct Limit {
		EventLoop::TimerId timer;
		Clock::time_point at;
	};
	void fire(const Key &key, std::chrono::milliseconds limit);

	EventLoop &loop_;
	Expired expired_;
	std::map<Key, Limit> limits_;
};

} // namespace l2tpsec
