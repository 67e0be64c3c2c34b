#pragma once
// `l2tpctl complete profiles|users|sessions|tunnels...` (hidden): the names
// the shell completions offer for an argument, one a line, from the running
// daemon. Quietly prints what it can, nothing at all when the daemon is not
// there: a completion must never print errors into the command line.

#include "daemon_call.h"

#include <string>
#include <vector>

namespace l2tpsec::ctl {

/// The kinds `l2tpctl complete` accepts.
const std::vector<std::string> &completeKinds();

/// Prints the names of each kind, each name once, in the order found.
void printNames(const Globals &g, const std::vector<std::string> &kinds);

} // namespace l2tpsec::ctl
