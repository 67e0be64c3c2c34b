#pragma once
// A session's accounting (RFC 2866, RFC 2869 §5.1-5.2): the Start l2tpsecd
// sends when the session's PPP link has its address, an Interim-Update every
// [radius] interim_interval and the Stop when it ends. Pure: the bytes of a
// request and the Acct-Session-Id; the daemon sends them
// (daemon/session_accounting) and checks the answer with
// isAccountingResponseTo (accounting_request.h).

#include "common/ip_address.h"
#include "radius/accounting_request.h"
#include "radius/radius_packet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::radius {

/// NAS-Port-Type Virtual (RFC 2865 §5.41): a tunnel, not a port.
inline constexpr uint32_t kNasPortTypeVirtual = 5;
inline constexpr uint32_t kServiceTypeFramed = 2;
inline constexpr uint32_t kFramedProtocolPpp = 1;
inline constexpr uint32_t kAcctAuthenticRadius = 1;

/// The session's kernel counters, 64-bit. Input is what the client sent
/// (the NAS received), output what it was sent (RFC 2866 §5.3-5.4).
struct SessionCounters {
	uint64_t inputOctets = 0, outputOctets = 0;
	uint64_t inputPackets = 0, outputPackets = 0;
};

struct SessionAccountingRequest {
	uint32_t statusType = kAcctStart; ///< kAcctStart, kAcctInterimUpdate or kAcctStop
	uint8_t identifier = 0;
	std::string user;
	std::string nasIdentifier;
	std::optional<IpAddress> nasIpAddress; ///< IPv4
	/// "l2tpsec-TUNNEL-SESSION", as pppd's radius plugin sent it in the
	/// Access-Request (FreeRADIUS' example keys sessions on it).
	std::string nasPortId;
	std::string sessionId; ///< acctSessionId()
	std::optional<IpAddress> framedIpAddress;
	std::string callingStationId; ///< the client's public address
	std::string calledStationId;  ///< this server's address it reached
	uint32_t eventTimestamp = 0;  ///< seconds since 1970, when it happened
	/// Seconds the request waited to be sent since eventTimestamp (a resend).
	uint32_t delaySeconds = 0;
	// Interim-Update and Stop only:
	uint32_t sessionTimeSeconds = 0;
	SessionCounters counters;
	// Stop only:
	uint32_t terminateCause = kTerminateNasError;
};

/// The request's attributes (no authenticator): Acct-Status-Type, User-Name,
/// NAS-Identifier, NAS-IP-Address (when set), NAS-Port-Id, NAS-Port-Type
/// Virtual, Service-Type Framed, Framed-Protocol PPP, Framed-IP-Address (when
/// known), Calling- and Called-Station-Id, Acct-Session-Id, Acct-Authentic
/// RADIUS, Event-Timestamp, Acct-Delay-Time (when not 0); Interim-Update and
/// Stop add Acct-Session-Time, the octets (low 32 bits, and the times they
/// wrapped in Acct-Input/Output-Gigawords, RFC 2869 §5.1) and the packets
/// (low 32 bits: no attribute carries more); Stop adds Acct-Terminate-Cause.
Packet sessionAccountingPacket(const SessionAccountingRequest &r);

/// The datagram to send: sessionAccountingPacket signed with `secret`
/// (RFC 2866 §3).
std::vector<uint8_t> sessionAccountingDatagram(const SessionAccountingRequest &r, std::string_view secret);

/// The Acct-Session-Id of the `counter`th session since the daemon started
/// with the random `bootId`: 16 hex digits of the boot id, a dash, 8 of the
/// counter. The id must be unique across servers and restarts, because SQL
/// backends key the session's row on it (with NAS-Port-Id): a random 64-bit
/// boot id differs between two servers and between two runs of one server
/// even when their NAS-Identifiers or clocks are the same (pppd's radius
/// plugin used the start second, which two sessions of one second share).
std::string acctSessionId(uint64_t bootId, uint32_t counter);

/// The name of an Acct-Status-Type for the log: "Start", "Interim-Update"...
std::string_view statusTypeName(uint32_t statusType);
/// The name of an Acct-Terminate-Cause (RFC 2866 §5.10), or "cause N".
std::string terminateCauseName(uint32_t cause);

} // namespace l2tpsec::radius
