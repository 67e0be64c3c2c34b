#pragma once
// The process's descriptor limit (RLIMIT_NOFILE). Every LNS session holds
// descriptors in l2tpsecd (its pppd's pidfd, output pipe and report socket)
// beside the tunnels' sockets, so a thousand sessions need more than the soft
// limit services usually start with (1024; under systemd the hard limit is
// 524288). The daemon raises its soft limit to the hard one at start; the
// programs it runs (pppd, whose main loop uses select()) get the soft limit
// it started with back, as systemd advises.

#include "common/result.h"

#include <sys/resource.h>

#include <optional>

namespace l2tpsec {

struct FdLimitRaise {
	rlim_t before = 0; ///< the soft limit at start
	rlim_t after = 0;  ///< the soft limit now (the hard one)
};

/// Raises the soft RLIMIT_NOFILE to the hard limit and remembers the soft
/// limit it had for childFdLimit().
Result<FdLimitRaise> raiseFdLimit();

/// What a child should run with: the soft limit from before raiseFdLimit()
/// and today's hard limit; nullopt when the limit was never raised.
std::optional<rlimit> childFdLimit();
/// Sets what childFdLimit() returns (raiseFdLimit() does; tests put it back).
void setChildFdLimit(std::optional<rlimit> limit);

} // namespace l2tpsec
