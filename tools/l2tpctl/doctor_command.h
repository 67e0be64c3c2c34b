#pragma once
// `l2tpctl doctor` (l2tpctl(8), DOCTOR): checks the host for what l2tpsecd
// needs, with or without a running daemon.

#include "daemon_call.h"

#include <optional>
#include <string>

namespace l2tpsec {

struct DoctorRequest {
	ctl::Globals globals;              ///< the daemon's socket, its timeout, --json
	std::optional<std::string> config; ///< --config; else the daemon's, else the default
};

/// Prints the findings; returns the exit status (0: nothing fatal, 1: something).
int runDoctor(const DoctorRequest &r);

} // namespace l2tpsec
