#pragma once
// Accounting-On and Accounting-Off (RFC 2866 §5.1, Acct-Status-Type 7 and
// 8): what l2tpsecd sends to its accounting servers when it starts and when
// it stops cleanly, so that a SQL backend closes the sessions this server
// left open (a crash, a power cut) and frees their addresses. FreeRADIUS'
// sql and sqlippool modules find them by NAS-IP-Address. Pure: the bytes of
// a request, and whether a datagram is its answer; the socket is the
// daemon's (daemon/accounting_sender).

#include "common/ip_address.h"
#include "radius/accounting_request.h"
#include "radius/radius_packet.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::radius {

struct OnOffRequest {
	bool on = true;
	uint8_t identifier = 0;
	std::string nasIdentifier;
	std::optional<IpAddress> nasIpAddress; ///< IPv4
	/// Acct-Session-Id, which RFC 2866 requires in every request.
	std::string sessionId;
	uint32_t eventTimestamp = 0; ///< seconds since 1970
};

/// The request's attributes (no authenticator): Acct-Status-Type,
/// NAS-Identifier, NAS-IP-Address when set, Acct-Session-Id,
/// Event-Timestamp, Acct-Terminate-Cause for the sessions the request
/// closes: an Accounting-Off's ended because the administrator stopped the
/// server (Admin-Reboot), an Accounting-On's because it went down
/// (NAS-Reboot); FreeRADIUS' sql module writes it into each session it closes.
Packet onOffPacket(const OnOffRequest &r);

/// The datagram to send: onOffPacket signed with `secret` (RFC 2866 §3).
std::vector<uint8_t> onOffDatagram(const OnOffRequest &r, std::string_view secret);

} // namespace l2tpsec::radius
