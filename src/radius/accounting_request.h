#pragma once
// What every Accounting-Request (RFC 2866) shares, whatever it reports: the
// Acct-Status-Type and Acct-Terminate-Cause values, and the check of the
// server's Accounting-Response. accounting_onoff.h builds the requests about
// the server (Accounting-On/Off), session_accounting.h those about a
// session (Start, Interim-Update, Stop). Pure.

#include "common/ip_address.h"
#include "radius/radius_packet.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace l2tpsec::radius {

/// Acct-Status-Type values (RFC 2866 §5.1, RFC 2869 §5.6).
inline constexpr uint32_t kAcctStart = 1;
inline constexpr uint32_t kAcctStop = 2;
inline constexpr uint32_t kAcctInterimUpdate = 3;
inline constexpr uint32_t kAccountingOn = 7;
inline constexpr uint32_t kAccountingOff = 8;

/// Acct-Terminate-Cause values (RFC 2866 §5.10) l2tpsec sends.
inline constexpr uint32_t kTerminateUserRequest = 1;
inline constexpr uint32_t kTerminateLostCarrier = 2;
inline constexpr uint32_t kTerminateIdleTimeout = 4;
inline constexpr uint32_t kTerminateSessionTimeout = 5;
inline constexpr uint32_t kTerminateAdminReset = 6;
inline constexpr uint32_t kTerminateAdminReboot = 7;
inline constexpr uint32_t kTerminateNasError = 9;
inline constexpr uint32_t kTerminateNasReboot = 11;

/// Appends NAS-Identifier (when not empty) and NAS-IP-Address (when an
/// IPv4 address), which every request about this server carries: FreeRADIUS'
/// sql and sqlippool modules find a server's sessions and leases by them.
void addNasAttributes(Packet &p, std::string_view nasIdentifier, const std::optional<IpAddress> &nasIpAddress);

/// True when `datagram` is the Accounting-Response to `request` (the bytes
/// sent): it parses, code 5, the request's Identifier, and its Response
/// Authenticator is right for `secret`.
bool isAccountingResponseTo(std::span<const uint8_t> datagram, std::span<const uint8_t> request,
                            std::string_view secret);

} // namespace l2tpsec::radius
