#pragma once
// A RADIUS packet (RFC 2865 §3, §5): the 20-octet header and the attributes,
// parsed from and built into bytes. Pure: no I/O, no secret. The
// authenticators are in radius_authenticator.h.
//
// The parser never reads past the span it is given and refuses what it
// cannot read whole (EBADMSG with the reason): a Length field outside
// 20..4096 or beyond the datagram, an attribute shorter than its own header
// or running past Length. Octets after Length are padding and ignored
// (RFC 2865 §3).

#include "common/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::radius {

inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kMaxPacketSize = 4096;
inline constexpr size_t kAuthenticatorSize = 16;
/// Where the authenticator starts in a packet.
inline constexpr size_t kAuthenticatorOffset = 4;
using Authenticator = std::array<uint8_t, kAuthenticatorSize>;

/// The codes of RFC 5176 §2 (Dynamic Authorization); no others are answered.
namespace code {
inline constexpr uint8_t kDisconnectRequest = 40;
inline constexpr uint8_t kDisconnectAck = 41;
inline constexpr uint8_t kDisconnectNak = 42;
inline constexpr uint8_t kCoaRequest = 43;
inline constexpr uint8_t kCoaAck = 44;
inline constexpr uint8_t kCoaNak = 45;
inline constexpr uint8_t kAccountingRequest = 4; ///< RFC 2866 §3
inline constexpr uint8_t kAccountingResponse = 5;
} // namespace code

/// Attribute types (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5, RFC 5176 §3).
namespace attr {
inline constexpr uint8_t kUserName = 1;
inline constexpr uint8_t kNasIpAddress = 4;
inline constexpr uint8_t kNasPort = 5;
inline constexpr uint8_t kServiceType = 6;
inline constexpr uint8_t kFramedProtocol = 7;
inline constexpr uint8_t kFramedIpAddress = 8;
inline constexpr uint8_t kReplyMessage = 18;
inline constexpr uint8_t kState = 24;
inline constexpr uint8_t kClass = 25;
inline constexpr uint8_t kVendorSpecific = 26;
inline constexpr uint8_t kSessionTimeout = 27;
inline constexpr uint8_t kIdleTimeout = 28;
inline constexpr uint8_t kCalledStationId = 30;
inline constexpr uint8_t kCallingStationId = 31;
inline constexpr uint8_t kNasIdentifier = 32;
inline constexpr uint8_t kProxyState = 33;
inline constexpr uint8_t kAcctStatusType = 40;
inline constexpr uint8_t kAcctDelayTime = 41;
inline constexpr uint8_t kAcctInputOctets = 42;
inline constexpr uint8_t kAcctOutputOctets = 43;
inline constexpr uint8_t kAcctSessionId = 44;
inline constexpr uint8_t kAcctAuthentic = 45;
inline constexpr uint8_t kAcctSessionTime = 46;
inline constexpr uint8_t kAcctInputPackets = 47;
inline constexpr uint8_t kAcctOutputPackets = 48;
inline constexpr uint8_t kAcctTerminateCause = 49;
inline constexpr uint8_t kAcctInputGigawords = 52;
inline constexpr uint8_t kAcctOutputGigawords = 53;
inline constexpr uint8_t kEventTimestamp = 55;
inline constexpr uint8_t kNasPortType = 61;
inline constexpr uint8_t kMessageAuthenticator = 80;
inline constexpr uint8_t kNasPortId = 87;
inline constexpr uint8_t kNasIpv6Address = 95;
inline constexpr uint8_t kErrorCause = 101;
} // namespace attr

/// Error-Cause values (RFC 5176 §3.6).
enum class ErrorCause : uint32_t {
	UnsupportedAttribute = 401,
	MissingAttribute = 402,
	NasIdentificationMismatch = 403,
	InvalidRequest = 404,
	UnsupportedService = 405,
	InvalidAttributeValue = 407,
	SessionContextNotFound = 503,
	SessionContextNotRemovable = 504,
};

struct Attribute {
	uint8_t type = 0;
	std::vector<uint8_t> value; ///< at most 253 octets
	friend bool operator==(const Attribute &, const Attribute &) = default;
};

struct Packet {
	uint8_t code = 0;
	uint8_t identifier = 0;
	Authenticator authenticator{};
	std::vector<Attribute> attributes;
	friend bool operator==(const Packet &, const Packet &) = default;

	/// The first attribute of `type`, if any.
	const Attribute *find(uint8_t type) const;
	size_t count(uint8_t type) const;
};

/// The packet in `bytes` (its Length octets; the rest is padding).
Result<Packet> parsePacket(std::span<const uint8_t> bytes);

/// The packet's bytes as they are (authenticator included); attributes
/// longer than 253 octets are the caller's bug and are cut.
std::vector<uint8_t> buildPacket(const Packet &p);

/// An attribute's value as a text (User-Name, NAS-Identifier...).
std::string textOf(const Attribute &a);
/// A 4-octet value (an address or an integer), or nullopt for another length.
std::optional<uint32_t> integerOf(const Attribute &a);
Attribute integerAttribute(uint8_t type, uint32_t value);
/// A text attribute, cut to the 253 octets an attribute holds (RFC 2865 §5).
Attribute textAttribute(uint8_t type, std::string_view text);

/// "Disconnect-Request", "CoA-ACK"..., or "code N".
std::string codeName(uint8_t code);

} // namespace l2tpsec::radius
