#include "daemon/failure_hint.h"

#include "common/iso_time.h"

#include <fmt/format.h>

#include <chrono>

namespace l2tpsec {

FailureClass classifyFailure(FailureKind kind)
{
	switch (kind) {
	case FailureKind::Phase1Timeout:
		return {"ike", "phase1-timeout", "Main Mode stalled",
		        "no answer from the client (UDP 500/4500 blocked, or a NAT in the way)", 809};
	case FailureKind::Phase1Proposal:
		return {"ike", "phase1-no-proposal", "Main Mode refused", "no proposal matched", 789};
	case FailureKind::Phase1Authentication:
		return {"ike", "authentication", "Main Mode proposal ok, authentication failed",
		        "pre-shared key mismatch or certificate refused", 789};
	case FailureKind::QuickModeProposal:
		return {"ike", "quick-mode-no-proposal", "Main Mode ok, Quick Mode refused", "no proposal matched",
		        789};
	case FailureKind::PppAuthentication:
		return {"ppp",
		        "peer-auth-failed",
		        "IPsec and L2TP ok, PPP authentication failed",
		        "wrong user name or password",
		        691,
		        "password"};
	case FailureKind::CertificateBinding:
		// What a client shows when its link is closed right after PPP
		// accepted it has not been seen here: no number is given.
		return {"ppp",
		        "certificate-binding",
		        "IPsec, L2TP and PPP authentication ok, then refused",
		        "the PPP user is not bound to the device certificate",
		        0,
		        "certificate"};
	}
	return {"ike", "unknown", "unknown", "unknown", 0};
}

std::string failureLine(const SetupFailure &f)
{
	FailureClass c = classifyFailure(f.kind);
	std::string line = "peer " + f.peer;
	if (!f.client.empty() && f.client != "unknown")
		line += " (" + f.client + ")";
	line += fmt::format(": {}: {}", c.reached, c.why);
	if (!f.user.empty())
		line += " for user " + f.user;
	if (!f.detail.empty())
		line += " [" + f.detail + "]";
	if (!f.offered.empty())
		line += " (client offered " + f.offered + ")";
	if (c.windowsError != 0)
		line += fmt::format("; Windows shows error {}", c.windowsError);
	return line;
}

nlohmann::json failureRecord(const SetupFailure &f)
{
	FailureClass c = classifyFailure(f.kind);
	nlohmann::json rec{{"event", "failed"},  {"time", isoTimeUtc(std::chrono::system_clock::now())},
	                   {"peer", f.peer},     {"stage", c.stage},
	                   {"reason", c.reason}, {"reached", c.reached},
	                   {"why", c.why}};
	if (c.windowsError != 0)
		rec["windows_error"] = c.windowsError;
	if (!c.factor.empty())
		rec["factor"] = c.factor;
	if (!f.client.empty())
		rec["client"] = f.client;
	if (!f.offered.empty())
		rec["offered"] = f.offered;
	if (!f.detail.empty())
		rec["detail"] = f.detail;
	if (!f.user.empty())
		rec["user"] = f.user;
	return rec;
}

} // namespace l2tpsec
