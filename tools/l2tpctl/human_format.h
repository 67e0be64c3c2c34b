#pragma once
// l2tpctl's output for a person: pure functions from the control protocol's
// views to text, so each table's columns, widths and units are pinned by a
// snapshot test (tests/unit/l2tpctl) and a change to them is a visible diff.
// `--json` prints the views themselves, exact.

#include "l2tpsec/control_views.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::ctl {

struct HumanOptions {
	bool exactBytes = false; ///< --bytes: counters in bytes, not K/M/G/T
};

/// "42s", "3m 5s", "2h 7m", "4d 1h".
std::string humanDuration(int64_t seconds);
/// Up to 9999 as it is; then K, M, G, T (powers of 1024) with one decimal
/// below 10 ("1.5K", "15K", "2.0T"); "-" for no value.
std::string humanBytes(const std::optional<uint64_t> &n, const HumanOptions &o = {});

std::string formatStatus(const control::StatusView &s);
std::string formatTunnels(const std::vector<control::TunnelView> &tunnels);
std::string formatSessions(const std::vector<control::SessionView> &sessions, const HumanOptions &o = {});
/// One session as `key: value` lines, or one tunnel and its sessions.
std::string formatShow(const control::ShowView &v, const HumanOptions &o = {});
std::string formatSas(const control::SasView &v, const HumanOptions &o = {});
std::string formatBlocked(const control::BlockedView &v);
/// `profiles`: one line per [[lac]] profile.
std::string formatProfiles(const control::ProfilesView &v);
/// "IKE", "L2TP" or "PPP" for a ProfileView's error_stage.
std::string stageName(const std::string &stage);

} // namespace l2tpsec::ctl
