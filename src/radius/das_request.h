#pragma once
// What a Dynamic Authorization request (RFC 5176) asks of this NAS, read
// from a packet whose authenticators were checked, and the answer's packet.
// Pure: the daemon (src/daemon/das_listener.h) finds the sessions.
//
// A Disconnect-Request names sessions by User-Name, Framed-IP-Address and
// NAS-Port-Id ("l2tpsec-TUNNEL-SESSION", as the daemon's accounting sends
// it), all that are present having to match. Acct-Session-Id is not one of
// them (the daemon's session accounting knows it, but this reader does not
// look sessions up by it), so a request with it (or with any attribute this
// NAS cannot honour) is refused with Error-Cause 401 rather than read more
// widely than it was meant (§3.6). NAS-Identifier and NAS-IP-Address, when present, must
// be this NAS's (403); NAS-IPv6-Address never is (no IPv6 here).

#include "common/ip_address.h"
#include "radius/radius_packet.h"

#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::radius {

/// This NAS, as a request may name it.
struct NasIdentity {
	std::string identifier;
	/// NAS-IP-Address values that are ours.
	std::vector<IpAddress> addresses;
	friend bool operator==(const NasIdentity &, const NasIdentity &) = default;
};

/// The sessions a Disconnect-Request names: each field set must match.
struct SessionSelector {
	std::optional<std::string> userName;
	std::optional<IpAddress> framedIp;
	std::optional<std::string> nasPortId;
	friend bool operator==(const SessionSelector &, const SessionSelector &) = default;
	/// "User-Name alice, Framed-IP-Address 10.0.0.2", for the log.
	std::string str() const;
};

/// A request read: the sessions to end, or why not.
struct DasVerdict {
	std::optional<SessionSelector> selector;
	ErrorCause cause = ErrorCause::InvalidRequest; ///< when no selector
	std::string why;                               ///< when no selector
};

/// A Disconnect-Request's verdict.
DasVerdict readDisconnectRequest(const Packet &request, const NasIdentity &nas);

/// The answer to `request` (its ACK, or its NAK with `cause`): Identifier
/// and Proxy-State attributes copied (§3), not yet signed (radius_authenticator.h).
Packet answerTo(const Packet &request, bool ack, std::optional<ErrorCause> cause = std::nullopt);

} // namespace l2tpsec::radius
