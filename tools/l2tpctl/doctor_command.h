#pragma once
// `l2tpctl doctor` (l2tpctl(8), DOCTOR): checks the host for what l2tpsecd
// needs, with or without a running daemon.

#include <optional>
#include <string>

namespace l2tpsec {

struct DoctorRequest {
	std::string socket; ///< the daemon's control socket
	int timeoutMs = 5000;
	bool json = false;
	std::optional<std::string> config; ///< --config; else the daemon's, else the default
};

/// Prints the findings; returns the exit status (0: nothing fatal, 1: something).
int runDoctor(const DoctorRequest &r);

} // namespace l2tpsec
