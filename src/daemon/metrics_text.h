#pragma once
// The Prometheus text exposition (format 0.0.4) of the daemon's numbers:
// one pure function from a snapshot the daemon gathers to the text that
// `l2tpctl metrics` prints and the [metrics] listener serves. Names follow
// Prometheus' conventions: l2tpsec_ first, units spelled out (_bytes,
// _seconds), counters ending in _total. The counts shared with `status`
// come from its view, so both always say the same.

#include "daemon/setup_counts.h"
#include "l2tpsec/control_views.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace l2tpsec {

struct MetricsSnapshot {
	/// version, reloads, tunnels, sessions, SAs, pool, blocked sources.
	control::StatusView status;
	int64_t startTimeSeconds = 0; ///< since the Unix epoch
	/// Summed over the sessions that exist now (the kernel's counters, as
	/// `sessions` shows them); a session that ends takes its share along.
	uint64_t receiveBytes = 0;
	uint64_t transmitBytes = 0;
	/// Since start, by stage.
	SetupCounts ike, l2tp, ppp;
	/// Every pppd exit since start, by ppp::PppdExit::reason.
	std::map<std::string, uint64_t> pppdExits;
};

/// The whole exposition, ending in a newline.
std::string metricsText(const MetricsSnapshot &s);

/// A label value as the format wants it: backslash, double quote and
/// newline escaped (\\, \", \n).
std::string escapeLabelValue(std::string_view v);

} // namespace l2tpsec
