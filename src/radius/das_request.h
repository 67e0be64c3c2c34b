#pragma once
// What a Dynamic Authorization request (RFC 5176) asks of this NAS, read
// from a packet whose authenticators were checked, and the answer's packet.
// Pure: the daemon (src/daemon/das_listener.h) finds the sessions.
//
// A request names sessions by User-Name, Framed-IP-Address, NAS-Port-Id
// ("l2tpsec-TUNNEL-SESSION") and Acct-Session-Id (the daemon's accounting
// sends both), all that are present having to match. NAS-Identifier and
// NAS-IP-Address, when present, must be this NAS's (403); NAS-IPv6-Address
// never is (no IPv6 here). A request with an attribute this NAS cannot
// honour is refused with Error-Cause 401 rather than read more widely than
// it was meant (§3.5, §3.6).
//
// A Disconnect-Request ends the sessions. A CoA-Request changes one thing:
// the sessions' Session-Timeout (RFC 2865 §5.27), the seconds they may
// still last from now. Without it the request is refused with 402, with 0
// with 407 (a session is not ended by a CoA); any Service-Type, among them
// Authorize-Only (this NAS cannot authorize a running session again), with
// 405; any other change (Idle-Timeout, Filter-Id, a vendor's attribute...)
// with 401.

#include "common/ip_address.h"
#include "radius/radius_packet.h"

#include <chrono>
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

/// The sessions a request names: each field set must match.
struct SessionSelector {
	std::optional<std::string> userName;
	std::optional<IpAddress> framedIp;
	std::optional<std::string> nasPortId;
	std::optional<std::string> acctSessionId;
	friend bool operator==(const SessionSelector &, const SessionSelector &) = default;
	/// "User-Name alice, Framed-IP-Address 10.0.0.2", for the log.
	std::string str() const;
};

/// A request read: the sessions it names (and for a CoA-Request the change),
/// or why it is refused.
struct DasVerdict {
	std::optional<SessionSelector> selector;
	/// A CoA-Request's Session-Timeout (at least 1 s); set with `selector`.
	std::optional<std::chrono::seconds> sessionTimeout;
	ErrorCause cause = ErrorCause::InvalidRequest; ///< when no selector
	std::string why;                               ///< when no selector
};

/// A Disconnect-Request's verdict.
DasVerdict readDisconnectRequest(const Packet &request, const NasIdentity &nas);
/// A CoA-Request's verdict: a selector and a Session-Timeout, or a refusal.
DasVerdict readCoaRequest(const Packet &request, const NasIdentity &nas);

/// The answer to `request` (its ACK, or its NAK with `cause`): Identifier
/// and Proxy-State attributes copied (§3), not yet signed (radius_authenticator.h).
Packet answerTo(const Packet &request, bool ack, std::optional<ErrorCause> cause = std::nullopt);

} // namespace l2tpsec::radius
