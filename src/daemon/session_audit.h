#pragma once
// SessionAudit: the session audit's records (audit_log.h has their format)
// and the file they go to. One "start" record per session, when its PPP link
// is up, and a "stop" record when it ends, only for a session that had its
// start: a session that never came up leaves no trace in the audit.

#include "common/result.h"
#include "daemon/audit_log.h"
#include "l2tp/engine.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <utility>

namespace l2tpsec {

class SessionAudit {
public:
	/// What the daemon learnt of a session beside the engine: from pppd, or
	/// from the LAC profile that placed the call.
	struct Who {
		std::string user;
		std::optional<std::string> linkAddress;
	};

	/// Opens (appends to) `path`; an empty path keeps records in the log only.
	Result<void> open(const std::string &path);
	/// Opens the file at its path again (SIGUSR1, after logrotate).
	void reopen();
	/// A reloaded config's [server] audit_log. The same file is opened again
	/// too: a reload after a rotation writes to the new file at once.
	void reconfigure(const std::string &path);

	/// One record as it is (blocking writes its own here).
	void write(const nlohmann::json &record) { log_.write(record); }
	/// The session's "start" record, unless it had one.
	void start(const l2tp::SessionInfo &s, const Who &who);
	/// The session's "stop" record, if it had a start; it is forgotten either way.
	void stop(const l2tp::SessionEnd &e, const Who &who);

	/// The fields a start and a stop record share.
	static nlohmann::json record(const l2tp::SessionInfo &s, const char *event, const Who &who);

private:
	using Key = std::pair<uint16_t, uint16_t>;

	AuditLog log_;
	std::set<Key> started_;
};

} // namespace l2tpsec
