// Failed connections classified by stage (daemon/failure_hint.h).

#include "daemon/failure_hint.h"

#include <doctest.h>

#include <set>

using namespace l2tpsec;

TEST_CASE("each kind of failure has its stage, its own reason and the error Windows shows")
{
	std::set<std::string_view> reasons;
	for (FailureKind k :
	     {FailureKind::Phase1Timeout, FailureKind::Phase1Proposal, FailureKind::Phase1Authentication,
	      FailureKind::QuickModeProposal, FailureKind::PppAuthentication, FailureKind::CertificateBinding})
		reasons.insert(classifyFailure(k).reason);
	CHECK(reasons.size() == 6);

	CHECK(classifyFailure(FailureKind::Phase1Timeout).windowsError == 809);
	CHECK(classifyFailure(FailureKind::Phase1Proposal).windowsError == 789);
	CHECK(classifyFailure(FailureKind::Phase1Authentication).windowsError == 789);
	CHECK(classifyFailure(FailureKind::QuickModeProposal).windowsError == 789);
	CHECK(classifyFailure(FailureKind::PppAuthentication).windowsError == 691);
	CHECK(classifyFailure(FailureKind::PppAuthentication).stage == "ppp");
	CHECK(classifyFailure(FailureKind::QuickModeProposal).stage == "ike");
	// The reasons l2tpsec_setup_failures_total had before stay what they were.
	CHECK(classifyFailure(FailureKind::Phase1Authentication).reason == "authentication");
	CHECK(classifyFailure(FailureKind::PppAuthentication).reason == "peer-auth-failed");
}

TEST_CASE("the failure line names the peer, the stage, why, the offer and the client's error")
{
	SetupFailure f;
	f.kind = FailureKind::QuickModeProposal;
	f.peer = "192.0.2.2";
	f.offered = "aes256-sha1 pfs none";
	f.client = "unknown";
	CHECK(failureLine(f) == "peer 192.0.2.2: Main Mode ok, Quick Mode refused: no proposal matched (client offered "
	                        "aes256-sha1 pfs none); Windows shows error 789");

	f.kind = FailureKind::Phase1Authentication;
	f.offered = "aes256-sha1-modp2048, 3des-sha1-modp1024";
	f.detail = "Main Mode 5: pre-shared key mismatch?";
	f.client = "Windows 10/11";
	CHECK(failureLine(f) ==
	      "peer 192.0.2.2 (Windows 10/11): Main Mode proposal ok, authentication failed: pre-shared key mismatch "
	      "or certificate refused [Main Mode 5: pre-shared key mismatch?] (client offered aes256-sha1-modp2048, "
	      "3des-sha1-modp1024); Windows shows error 789");

	SetupFailure ppp{FailureKind::PppAuthentication, "198.51.100.7", "", "", "strongSwan/xl2tpd", ""};
	CHECK(failureLine(ppp) ==
	      "peer 198.51.100.7 (strongSwan/xl2tpd): IPsec and L2TP ok, PPP authentication failed: "
	      "wrong user name or password; Windows shows error 691");
}

TEST_CASE("the audit record holds the same classification, and only what is known")
{
	SetupFailure f{FailureKind::Phase1Proposal, "192.0.2.2", "", "3des-md5-modp768", "unknown", ""};
	nlohmann::json r = failureRecord(f);
	CHECK(r["event"] == "failed");
	CHECK(r["peer"] == "192.0.2.2");
	CHECK(r["stage"] == "ike");
	CHECK(r["reason"] == "phase1-no-proposal");
	CHECK(r["reached"] == "Main Mode refused");
	CHECK(r["why"] == "no proposal matched");
	CHECK(r["offered"] == "3des-md5-modp768");
	CHECK(r["windows_error"] == 789);
	CHECK(r["client"] == "unknown");
	CHECK(r.contains("time"));
	CHECK_FALSE(r.contains("detail"));
	CHECK_FALSE(r.contains("user"));
}

TEST_CASE("a certificate binding refusal: stage ppp, factor certificate, no Windows error guessed")
{
	FailureClass c = classifyFailure(FailureKind::CertificateBinding);
	CHECK(c.stage == "ppp");
	CHECK(c.reason == "certificate-binding");
	CHECK(c.factor == "certificate");
	CHECK(classifyFailure(FailureKind::PppAuthentication).factor == "password");
	CHECK(classifyFailure(FailureKind::Phase1Authentication).factor.empty());

	SetupFailure f{
	        FailureKind::CertificateBinding, "192.0.2.2", "certificate CN=alice", "", "strongSwan/xl2tpd", "bob"};
	CHECK(failureLine(f) == "peer 192.0.2.2 (strongSwan/xl2tpd): IPsec, L2TP and PPP authentication ok, then "
	                        "refused: the PPP user is not bound to the device certificate for user bob "
	                        "[certificate CN=alice]");
	nlohmann::json r = failureRecord(f);
	CHECK(r["stage"] == "ppp");
	CHECK(r["reason"] == "certificate-binding");
	CHECK(r["factor"] == "certificate");
	CHECK(r["user"] == "bob");
	CHECK(r["detail"] == "certificate CN=alice");
	CHECK_FALSE(r.contains("windows_error"));
	CHECK(failureRecord(SetupFailure{FailureKind::PppAuthentication, "192.0.2.2", "", "", "", ""})["factor"] ==
	      "password");
}

TEST_CASE("a PPP failure names the factor: the password, the one-time code, or either")
{
	// No report of a refused PAP password: CHAP, or pppd's own secrets.
	CHECK(pppRefusedFactor(nullptr) == "password");
	// What examples/freeradius-totp's site says, among other Reply-Messages.
	std::string code = "l2tpsec-stage: code\n", password = "Hello\nl2tpsec-stage:password\n";
	CHECK(pppRefusedFactor(&code) == "code");
	CHECK(pppRefusedFactor(&password) == "password");
	// Another RADIUS server, or a tag that names nothing we know.
	std::string silent, other = "Access denied\n", odd = "l2tpsec-stage: pin\n";
	CHECK(pppRefusedFactor(&silent) == "password-or-code");
	CHECK(pppRefusedFactor(&other) == "password-or-code");
	CHECK(pppRefusedFactor(&odd) == "password-or-code");

	CHECK(serverWords("l2tpsec-stage: code\n").empty());
	CHECK(serverWords("Hello\nl2tpsec-stage: code\nTry again\n") == "Hello Try again");
	CHECK(serverWords("") == "");

	SetupFailure f{FailureKind::PppAuthentication, "192.0.2.2", "", "", "strongSwan/xl2tpd", "alice", "code"};
	CHECK(failureLine(f) == "peer 192.0.2.2 (strongSwan/xl2tpd): IPsec and L2TP ok, PPP authentication failed: the "
	                        "password was right, the one-time code wrong, stale or missing for user alice; Windows "
	                        "shows error 691");
	nlohmann::json r = failureRecord(f);
	CHECK(r["factor"] == "code");
	CHECK(r["user"] == "alice");
	CHECK(r["stage"] == "ppp");
	CHECK(r["reason"] == "peer-auth-failed");
	CHECK(r["why"] == "the password was right, the one-time code wrong, stale or missing");
	f.factor = "password-or-code";
	CHECK(failureRecord(f)["why"] == "wrong user name, password or one-time code");
	f.factor = "password";
	CHECK(failureRecord(f)["why"] == "wrong user name or password");
	// IKE failures have no factor.
	CHECK_FALSE(failureRecord(SetupFailure{FailureKind::Phase1Authentication, "192.0.2.2"}).contains("factor"));
}
