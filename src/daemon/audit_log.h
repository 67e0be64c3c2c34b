#pragma once
// The session audit: one JSON object per line, a "start" record when a
// session's PPP link is up and a "stop" record when it ends, to the file named
// by [server] audit_log (appended, created 0600) and to the log.
//
//   {"event":"start","time":"2026-11-27T00:41:03Z","user":"alice",
//    "peer":"192.0.2.2:1701","tunnel":16412,"session":40123,
//    "peer_tunnel":5,"peer_session":9,"address":"10.99.0.10","role":"lns"}
//   {"event":"stop", ...the same..., "duration_seconds":312,
//    "rx_bytes":..,"tx_bytes":..,"rx_packets":..,"tx_packets":..,"reason":"..."}
//
// Rotation (logrotate renames the file): before each record the file at the
// path is compared with the one open; when it was renamed or removed, a new
// file is opened there, so records written during a rotation land in the new
// file. reopen() (SIGUSR1, and every reload) does the same at once.
// A record that cannot be written (disk full) is never split: a short write
// is cut back off the file, and the record waits in memory (at most
// kMaxPending, oldest dropped first, each drop logged) to be written before
// the next one; the log (journal) has every record in any case.

#include "common/iso_time.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <string>

namespace l2tpsec {

class AuditLog {
public:
	static constexpr size_t kMaxPending = 10000;

	~AuditLog();
	/// Opens (appends to) `path`; an empty path keeps records in the log only.
	Result<void> open(const std::string &path);
	/// Opens the file at the same path again (after a rotation), then writes
	/// what is waiting.
	Result<void> reopen();
	/// Writes one record; a write failure is logged, never fatal.
	void write(const nlohmann::json &record);
	const std::string &path() const { return path_; }
	/// Records that could not be written yet.
	size_t pending() const { return pending_.size(); }

private:
	Result<void> openFile(const std::string &path);
	void followRotation();
	bool append(const std::string &line);
	void flushPending();

	std::string path_;
	UniqueFd fd_;
	std::deque<std::string> pending_;
	bool failing_ = false;
};

} // namespace l2tpsec
