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

#include "common/result.h"
#include "common/unique_fd.h"

#include <nlohmann/json.hpp>

#include <string>

namespace l2tpsec {

class AuditLog {
public:
	/// Opens (appends to) `path`; an empty path keeps records in the log only.
	Result<void> open(const std::string &path);
	/// Writes one record; a write failure is logged, never fatal.
	void write(const nlohmann::json &record);
	const std::string &path() const { return path_; }

private:
	std::string path_;
	UniqueFd fd_;
};

std::string isoTimeUtc(std::chrono::system_clock::time_point t);

} // namespace l2tpsec
