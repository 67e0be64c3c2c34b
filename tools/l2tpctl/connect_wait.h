#pragma once
// `l2tpctl connect NAME --wait`: after the connect request, follows the
// profile (`profiles`, every 200 ms) until its session is up, a stage fails
// (IKE, the L2TP tunnel or session, PPP) or the time is over (l2tpctl(8)).

#include "daemon_call.h"

#include <string>

namespace l2tpsec::ctl {

/// Exit status when the session is not up within --wait-timeout.
constexpr int kExitWaitTimeout = 4;

struct WaitRequest {
	std::string profile;
	int timeoutSeconds = 30;
};

/// Connects and waits; prints the session (or, with --json, the profile's
/// view) when it is up, else why not. Sets out.code.
void connectAndWait(const Globals &g, const WaitRequest &r, Outcome &out);

} // namespace l2tpsec::ctl
