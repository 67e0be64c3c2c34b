#pragma once
// AuthBlocklist: failed authentications counted per source address (IKE and
// PPP alike), and the sources blocked for a while once they fail too often.
//
// Pure bookkeeping: no I/O, no clock of its own (every call takes `now`), no
// logging; BlockingService puts it on the event loop and says what happens.
// A source that fails `failures` times within `window` is blocked for
// `blockTime`. Failures are not forgiven by a success: behind one NAT address
// another user's success says nothing about who is guessing. Memory is
// bounded: at most kMaxSources sources are tracked; past that the ones whose
// last failure is oldest are forgotten first (blocks are never forgotten).

#include "common/ip_address.h"
#include "config/config.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec {

class AuthBlocklist {
public:
	using Clock = std::chrono::steady_clock;
	using TimePoint = Clock::time_point;
	static constexpr size_t kMaxSources = 16384;

	struct Started {
		IpAddress source;
		uint32_t failures = 0;
		std::chrono::seconds duration{0};
	};
	enum class EndReason { Expired, Unblocked, Exempted, Disabled };
	struct Ended {
		IpAddress source;
		uint32_t failures = 0; ///< those that started it and any while it lasted
		std::chrono::seconds lasted{0};
		EndReason reason = EndReason::Expired;
	};
	struct Block {
		IpAddress source;
		uint32_t failures = 0;
		TimePoint since, until;
	};
	struct Counting {
		IpAddress source;
		uint32_t failures = 0; ///< within the window, not blocked (yet)
	};

	explicit AuthBlocklist(BlockingConfig settings = {}) : settings_(std::move(settings)) {}

	/// New settings (a reload). Blocks in force keep their end; those of
	/// sources now exempt, or all of them when blocking is now off, end.
	std::vector<Ended> reconfigure(BlockingConfig settings, TimePoint now);
	const BlockingConfig &settings() const { return settings_; }

	/// One failed authentication from `source`; a block when it is the one
	/// too many. Failures of a blocked, exempt source (or with blocking off)
	/// start nothing.
	std::optional<Started> failure(const IpAddress &source, TimePoint now);
	/// Whether new exchanges from `source` are to be dropped now.
	bool blocked(const IpAddress &source, TimePoint now) const;
	/// Ends the blocks whose time is up.
	std::vector<Ended> expire(TimePoint now);
	/// When the next block ends, if any is in force.
	std::optional<TimePoint> nextExpiry() const;
	/// Lifts the block of `source` (and forgets its failures); nullopt when
	/// it is not blocked.
	std::optional<Ended> unblock(const IpAddress &source, TimePoint now);

	/// The blocks in force (by address), and the sources with failures
	/// inside the window that are not blocked.
	std::vector<Block> blocks() const;
	std::vector<Counting> counting(TimePoint now) const;

private:
	bool exempt(const IpAddress &source) const;
	void forgetOldest(TimePoint now);
	Ended end(std::map<IpAddress, Block>::iterator it, TimePoint now, EndReason why);

	BlockingConfig settings_;
	/// Recent failure times per source, oldest first (at most `failures`).
	std::map<IpAddress, std::vector<TimePoint>> failures_;
	std::map<IpAddress, Block> blocks_;
};

std::string_view endReasonName(AuthBlocklist::EndReason r);

} // namespace l2tpsec
