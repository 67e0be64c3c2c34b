#pragma once
// A failed connection classified by the stage it reached, for the operator:
// one line naming the peer, the stage, why, what the client offered, and the
// error a stock client likely shows, the same as an audit record, and the
// reason of l2tpsec_setup_failures_total. Windows numbers its errors (789:
// IPsec could not negotiate or authenticate, 691: PPP refused the user name
// or password, 809: its IKE got no answer, often a NAT or firewall in the
// way); the others say "could not connect" whatever the stage, so the line
// gives Windows' number. The mapping is kept here, pure, in one place.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace l2tpsec {

enum class FailureKind : uint8_t {
	Phase1Timeout,        ///< Main Mode began and stalled (no answer)
	Phase1Proposal,       ///< no proposal of the client's Main Mode matched
	Phase1Authentication, ///< pre-shared key or certificate refused
	QuickModeProposal,    ///< Main Mode ok, no proposal of its Quick Mode matched
	PppAuthentication,    ///< IPsec and L2TP ok, PPP refused the user name or password
	/// PPP authenticated a user the peer's device certificate is not bound
	/// to ([ike] bind_ppp_user), or a peer without a certificate
	CertificateBinding,
};

/// What a kind of failure means, in fixed words.
struct FailureClass {
	std::string_view stage;   ///< metrics' stage: "ike" or "ppp"
	std::string_view reason;  ///< metrics' reason: "quick-mode-no-proposal"
	std::string_view reached; ///< "Main Mode ok, Quick Mode refused"
	std::string_view why;     ///< "no proposal matched"
	int windowsError = 0;     ///< 789; 0: not known (left out)
	/// The factor of a sign-in that failed, where it is one: "password"
	/// (PPP), "certificate" (the binding); empty for the IKE stages, where
	/// a key and a certificate fail alike.
	std::string_view factor;
};

FailureClass classifyFailure(FailureKind kind);

/// One failed connection.
struct SetupFailure {
	FailureKind kind = FailureKind::Phase1Proposal;
	std::string peer;    ///< "192.0.2.2"
	std::string detail;  ///< the engine's or pppd's words ("" when none)
	std::string offered; ///< the client's proposals, compact ("" when beside the point)
	std::string client;  ///< clientKind() ("unknown")
	std::string user;    ///< PPP: the user name, when known
	/// PPP: the factor refused, "password", "code" (a one-time code) or
	/// "password-or-code" (pppRefusedFactor); "" for IKE.
	std::string factor;
};

/// The factor a PPP authentication failure is about. `said`: what the server
/// said when a plugin refused a PAP password (l2tpsec's pppd plugin reports
/// it; null when it did not: CHAP, or pppd's own secrets, where the
/// password is the one factor). A RADIUS server with the site of
/// examples/freeradius-totp names the factor in a Reply-Message
/// "l2tpsec-stage: password" or "l2tpsec-stage: code"; one that does not
/// may have checked a code too, so it is "password-or-code".
std::string pppRefusedFactor(const std::string *said);

/// What `said` holds beside such a tag, on one line ("" when nothing).
std::string serverWords(std::string_view said);

/// "peer 192.0.2.2: Main Mode ok, Quick Mode refused: no proposal matched
/// (client offered aes256-sha1 pfs none); Windows shows error 789"
std::string failureLine(const SetupFailure &f);

/// The audit record: {"event":"failed","time":...,"peer":...,"stage":...,
/// "reason":...,"reached":...,"why":..., and "windows_error", "factor",
/// "client", "offered", "detail", "user" when known}.
nlohmann::json failureRecord(const SetupFailure &f);

} // namespace l2tpsec
