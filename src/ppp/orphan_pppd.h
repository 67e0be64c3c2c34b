#pragma once
// Crash recovery for pppd: a pppd that l2tpsecd started carries
// "ipparam l2tpsec-TUNNEL-SESSION" (pppd_command.cpp) and the pppol2tp plugin,
// or, prestarted ([ppp] prestart), the plugin and a last word l2tpsec_wait.
// If the daemon died, such a pppd may still run with a socket to a session
// that no longer exists; at start the daemon finds and stops them.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::ppp {

/// Whether a NUL-separated /proc/PID/cmdline is a pppd l2tpsecd started.
bool isOurPppd(std::string_view cmdline);

/// The pids of such pppds under `procRoot` (normally "/proc") whose parent is
/// not a running l2tpsecd (another network namespace's daemon keeps its own).
std::vector<pid_t> findOrphanPppds(const std::string &procRoot = "/proc");

/// Sends SIGTERM to each; returns how many it signalled.
size_t stopOrphanPppds(const std::string &procRoot = "/proc");

} // namespace l2tpsec::ppp
