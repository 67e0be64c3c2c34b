#pragma once
// Pure functions from the L2TP engine's reports to the control protocol's
// views: `l2tpctl tunnels`, `sessions`, `show` and `disconnect`'s reply
// (as ike_views.h does for `sas`). L2tpService gathers what they need.

#include "common/result.h"
#include "kernel/l2tp_dataplane.h"
#include "l2tp/engine.h"
#include "l2tpsec/control_views.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// What the service knows of a session beyond the engine's SessionInfo.
struct SessionExtras {
	std::string user;                       ///< "" until PPP authenticated it
	std::optional<std::string> linkAddress; ///< the PPP address pppd reported
	std::optional<kernel::L2tpStats> stats; ///< the kernel's counters, when it has the session
	std::optional<std::string> interface;   ///< pppd's interface ("ppp0")
	std::optional<uint64_t> rxRate, txRate; ///< bytes/s over the last sampling interval
	std::optional<std::string> ikePeer;     ///< the IPsec SA pair's outer peer endpoint
	std::string client = "unknown";         ///< clientKind()
	std::optional<control::ClientFingerprintView> fingerprint;
	std::optional<std::string> acctSessionId; ///< while RADIUS accounting has the session
};

control::TunnelView tunnelView(const l2tp::TunnelInfo &t, l2tp::TimePoint now);
control::SessionView sessionView(const l2tp::SessionInfo &s, const SessionExtras &extras, l2tp::TimePoint now);
control::TunnelsView tunnelsView(const std::vector<l2tp::TunnelInfo> &tunnels, l2tp::TimePoint now);

/// `show ID`: ID is TUNNEL (the tunnel with its sessions) or TUNNEL/SESSION;
/// `sessions` holds every session.
Result<control::ShowView> showView(const std::string &id, const std::vector<l2tp::TunnelInfo> &tunnels,
                                   const control::SessionsView &sessions, l2tp::TimePoint now);

/// `show USER`: the chains of the user's sessions (ENOENT with none).
Result<control::ShowView> userShowView(const std::string &user, std::vector<control::SessionChainView> chains);

/// `disconnect`'s replies: a LAC profile stopped, sessions ("TUNNEL/SESSION")
/// cleared, a tunnel closed.
control::DisconnectView disconnectedProfile(const std::string &profile);
control::DisconnectView disconnectedSessions(std::vector<std::string> sessions);
control::DisconnectView disconnectedTunnel(uint16_t tunnel);

/// The number of a TUNNEL or TUNNEL/SESSION argument: decimal digits only,
/// nothing else (the caller checks the range).
std::optional<uint32_t> parseIdNumber(std::string_view s);

} // namespace l2tpsec
