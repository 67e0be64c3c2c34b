#pragma once
// BlockingService: the AuthBlocklist on the daemon's event loop. IKE and PPP
// report failed authentications here; IKE (before any Diffie-Hellman) and the
// L2TP listener (before an SCCRQ makes a tunnel) ask whether a source is
// blocked. It logs one line when a block starts and one when it ends, writes
// an audit record for each, ends blocks on time with one timer, and answers
// `l2tpctl blocked` and `unblock`.

#include "common/deadline_timer.h"
#include "common/event_loop.h"
#include "common/result.h"
#include "config/config.h"
#include "daemon/auth_blocklist.h"
#include "l2tpsec/control_views.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace l2tpsec {

class BlockingService {
public:
	using AuditWriter = std::function<void(const nlohmann::json &record)>;

	BlockingService(EventLoop &loop, const BlockingConfig &config);
	BlockingService(const BlockingService &) = delete;
	BlockingService &operator=(const BlockingService &) = delete;

	/// Where the "blocked" and "unblocked" records go (the session audit).
	void setAudit(AuditWriter audit) { audit_ = std::move(audit); }
	/// A reload: the new settings apply, the blocks in force stay (those of
	/// sources now exempt, or all when blocking is turned off, end).
	void reconfigure(const BlockingConfig &config);

	/// A failed authentication from `source`; `what` names it for the log
	/// ("IKE: pre-shared key mismatch?", "PPP: ...").
	void failure(const IpAddress &source, std::string_view what);
	bool blocked(const IpAddress &source) const;
	/// An SCCRQ from a blocked source was dropped (`l2tpctl blocked` counts them).
	void tunnelDropped() { droppedTunnels_++; }

	/// `l2tpctl blocked`, without IKE's counters (`ike` is left empty).
	control::BlockedView view() const;
	/// `l2tpctl unblock ADDR`, or an error when ADDR is no address or not
	/// blocked.
	Result<control::UnblockView> unblock(const std::string &address);

private:
	void ended(const AuthBlocklist::Ended &e);
	void arm();

	EventLoop &loop_;
	AuthBlocklist list_;
	AuditWriter audit_;
	uint64_t droppedTunnels_ = 0;
	DeadlineTimer timer_{loop_};
};

} // namespace l2tpsec
