#pragma once
// Why a pppd ended, from its wait status (pppd(8), EXIT STATUS), in words an
// administrator reads in the audit record and the log.

#include <string>

namespace l2tpsec::ppp {

struct PppdExit {
	/// pppd's exit status, or -1 when it was killed by a signal.
	int exitCode = -1;
	/// The signal that killed it, or 0.
	int signal = 0;
	/// A short machine-friendly reason for the audit record, e.g. "peer-auth-failed".
	std::string reason;
	/// One line for the log, e.g. "the peer failed or refused to authenticate itself (pppd exit 11)".
	std::string text;
};

/// Decodes a wait status as returned by waitpid().
PppdExit describePppdExit(int waitStatus);

} // namespace l2tpsec::ppp
