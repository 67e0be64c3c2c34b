#include "ppp/pppd_exit.h"

#include <sys/wait.h>

#include <array>
#include <cstring>
#include <string_view>

namespace l2tpsec::ppp {

namespace {

struct Meaning {
	std::string_view reason;
	std::string_view text;
};

// Indexed by exit status; pppd(8) EXIT STATUS, pppd 2.4.9.
constexpr std::array<Meaning, 20> kMeanings{{
        {"ok", "the link ended normally"},
        {"pppd-fatal", "pppd hit a fatal error (a system call failed or memory ran out)"},
        {"pppd-options", "pppd rejected its options (check [ppp] options in the config)"},
        {"pppd-not-root", "pppd is not setuid root and was not run as root"},
        {"no-kernel-ppp", "the kernel does not support PPP (module ppp_generic or pppol2tp missing)"},
        {"terminated", "pppd was told to stop (SIGINT, SIGTERM or SIGHUP)"},
        {"lock-failed", "pppd could not lock its device"},
        {"open-failed", "pppd could not open its device"},
        {"connect-failed", "pppd's connect script failed"},
        {"pty-failed", "pppd could not run its pty command"},
        {"negotiation-failed", "PPP negotiation failed: no network protocol came up"},
        {"peer-auth-failed", "the peer failed or refused to authenticate itself"},
        {"idle", "the link was idle for the idle timeout"},
        {"connect-time", "the link reached its connect time limit"},
        {"callback", "callback was negotiated"},
        {"peer-dead", "the peer stopped answering LCP echo requests"},
        {"hangup", "the link was hung up"},
        {"loopback", "PPP negotiation found a looped-back link"},
        {"init-failed", "pppd's init script failed"},
        {"auth-failed", "we failed to authenticate ourselves to the peer"},
}};

} // namespace

PppdExit describePppdExit(int waitStatus)
{
	PppdExit e;
	if (WIFSIGNALED(waitStatus)) {
		e.signal = WTERMSIG(waitStatus);
		e.reason = "killed";
		const char *name = sigabbrev_np(e.signal);
		e.text = std::string("pppd was killed by signal ") + (name ? std::string("SIG") + name : "") + " (" +
		         std::to_string(e.signal) + ")";
		return e;
	}
	if (!WIFEXITED(waitStatus)) {
		e.reason = "unknown";
		e.text = "pppd ended with wait status " + std::to_string(waitStatus);
		return e;
	}
	e.exitCode = WEXITSTATUS(waitStatus);
	if (static_cast<size_t>(e.exitCode) < kMeanings.size()) {
		const Meaning &m = kMeanings[static_cast<size_t>(e.exitCode)];
		e.reason = m.reason;
		e.text = std::string(m.text) + " (pppd exit " + std::to_string(e.exitCode) + ")";
	} else {
		e.reason = "unknown";
		e.text = "pppd exited with unknown status " + std::to_string(e.exitCode);
	}
	return e;
}

} // namespace l2tpsec::ppp
