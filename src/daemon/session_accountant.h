#pragma once
// SessionAccountant: the RADIUS accounting of the LNS's sessions
// (radius/session_accounting.h), which l2tpsecd sends itself rather than
// pppd's radius plugin: a Start when the session's PPP link has its address,
// an Interim-Update every [radius] interim_interval with the kernel's 64-bit
// counters, and a Stop with them and the Acct-Terminate-Cause of the
// session's end. Each request goes through an AccountingSender (retries over
// the accounting servers, on the event loop); a clean stop waits for the
// Stops (whenIdle) before the Accounting-Off.

#include "common/event_loop.h"
#include "config/config.h"
#include "daemon/accounting_sender.h"
#include "l2tp/engine.h"
#include "radius/session_accounting.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace l2tpsec {

/// Acct-Terminate-Cause of a session's end (RFC 2866 §5.10); the table is in
/// l2tpsec.conf(5), [radius].
uint32_t terminateCauseOf(l2tp::EndCause cause);

class SessionAccountant {
public:
	/// What a session's requests say of it besides the counters.
	struct Facts {
		std::string user;
		std::string nasPortId;
		std::optional<IpAddress> framedIpAddress;
		std::string callingStationId; ///< the client's public address
		std::string calledStationId;  ///< ours it reached
	};
	/// The session's counters now, if the kernel has them.
	using ReadCounters =
	        std::function<std::optional<radius::SessionCounters>(uint16_t tunnelId, uint16_t sessionId)>;

	/// `bootId`: random, new at every daemon start (radius::acctSessionId).
	SessionAccountant(EventLoop &loop, uint64_t bootId, ReadCounters counters);
	~SessionAccountant();
	SessionAccountant(const SessionAccountant &) = delete;
	SessionAccountant &operator=(const SessionAccountant &) = delete;

	/// The [radius] of a (re)loaded config; none or no accounting server:
	/// nothing is sent from now on. Sessions keep their Acct-Session-Id;
	/// a new interim_interval applies from their next Interim-Update.
	void configure(const std::optional<RadiusConfig> &radius);

	/// The session's Start (once).
	void start(uint16_t tunnelId, uint16_t sessionId, Facts facts);
	/// The session's Stop, if it had a Start.
	void stop(uint16_t tunnelId, uint16_t sessionId, const radius::SessionCounters &counters,
	          uint32_t terminateCause);
	/// The session's Acct-Session-Id, while it is accounted.
	std::optional<std::string> sessionIdOf(uint16_t tunnelId, uint16_t sessionId) const;

	/// Calls `done` once no request waits for an answer (at once when none
	/// does): a clean stop sends its Accounting-Off after the Stops.
	void whenIdle(std::function<void()> done);
	/// Requests waiting for an answer.
	size_t pending() const;

private:
	using Key = std::pair<uint16_t, uint16_t>;
	struct Open {
		Facts facts;
		std::string sessionId;
		std::chrono::system_clock::time_point started;
		std::optional<EventLoop::TimerId> interim;
	};

	void armInterim(const Key &key, Open &open);
	void onInterim(const Key &key);
	void send(const Open &open, uint32_t statusType, const radius::SessionCounters &counters, uint32_t cause);
	/// Drops the senders that finished; calls the idle waiters when none is left.
	void reap();

	EventLoop &loop_;
	uint64_t bootId_;
	ReadCounters counters_;
	std::optional<RadiusConfig> radius_;
	uint32_t nextCounter_ = 0;
	std::map<Key, Open> open_;
	std::list<std::unique_ptr<AccountingSender>> senders_;
	std::optional<EventLoop::TimerId> reapTimer_;
	std::vector<std::function<void()>> idleWaiters_;
};

} // namespace l2tpsec
