#include "daemon/failure_hint.h"

#include "common/iso_time.h"

#include <fmt/format.h>

#include <algorithm>
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

namespace {

constexpr std::string_view kRadiusStageTag = "l2tpsec-stage:";

// Why, in the words of the factor that failed (a wrong password keeps the
// words it always had).
std::string_view failureWhy(const SetupFailure &f, const FailureClass &c)
{
	if (f.factor == "code")
		return "the password was right, the one-time code wrong, stale or missing";
	if (f.factor == "password-or-code")
		return "wrong user name, password or one-time code";
	return c.why;
}

} // namespace

std::string pppRefusedFactor(const std::string *said)
{
	if (!said)
		return "password";
	size_t at = said->find(kRadiusStageTag);
	if (at != std::string::npos) {
		std::string_view rest = std::string_view(*said).substr(at + kRadiusStageTag.size());
		rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
		rest = rest.substr(0, rest.find_first_of(" \n"));
		if (rest == "password" || rest == "code")
			return std::string(rest);
	}
	return "password-or-code";
}

std::string serverWords(std::string_view said)
{
	std::string words;
	while (!said.empty()) {
		std::string_view line = said.substr(0, said.find('\n'));
		said.remove_prefix(std::min(line.size() + 1, said.size()));
		if (line.empty() || line.find(kRadiusStageTag) != std::string_view::npos)
			continue;
		if (!words.empty())
			words += ' ';
		words += line;
	}
	return words;
}

std::string failureLine(const SetupFailure &f)
{
	FailureClass c = classifyFailure(f.kind);
	std::string line = "peer " + f.peer;
	if (!f.client.empty() && f.client != "unknown")
		line += " (" + f.client + ")";
	line += fmt::format(": {}: {}", c.reached, failureWhy(f, c));
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
	nlohmann::json rec{{"event", "failed"},      {"time", isoTimeUtc(std::chrono::system_clock::now())},
	                   {"peer", f.peer},         {"stage", c.stage},
	                   {"reason", c.reason},     {"reached", c.reached},
	                   {"why", failureWhy(f, c)}};
	if (c.windowsError != 0)
		rec["windows_error"] = c.windowsError;
	// The factor the server named (PPP through RADIUS), else the stage's.
	if (!f.factor.empty())
		rec["factor"] = f.factor;
	else if (!c.factor.empty())
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
