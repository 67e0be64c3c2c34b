#pragma once
// A DHCP message (RFC 2131 §2): the fixed BOOTP header, the magic cookie and
// the options (RFC 2132), parsed from and built into bytes. Pure: no I/O.
//
// The parser never reads past the span it is given and refuses what it
// cannot read whole (EBADMSG with the reason). It reads options from the
// options field only: an Option Overload (52) that moves options into sname
// or file is kept as an option but not followed, as a server that answers
// only DHCPINFORM has no use for those fields.

#include "common/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace l2tpsec::dhcp {

/// RFC 2131 §3.1: the first four octets of the options field.
inline constexpr std::array<uint8_t, 4> kMagicCookie = {99, 130, 83, 99};
/// op (1) through file (128): the fixed part before the cookie.
inline constexpr size_t kFixedHeaderSize = 236;
/// RFC 2131 §2: "a DHCP client must be prepared to receive ... options field
/// of at least length 312": 236 + 312 = 548; older BOOTP relays drop
/// anything under 300 octets (RFC 1542 §2.1), so built messages are padded
/// to that.
inline constexpr size_t kMinimumBuiltSize = 300;

inline constexpr uint8_t kBootRequest = 1;
inline constexpr uint8_t kBootReply = 2;

/// Option 53's values (RFC 2132 §9.6).
enum class MessageType : uint8_t {
	Discover = 1,
	Offer = 2,
	Request = 3,
	Decline = 4,
	Ack = 5,
	Nak = 6,
	Release = 7,
	Inform = 8,
};

namespace option {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kDnsServers = 6;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterList = 55;
inline constexpr uint8_t kClasslessRoutes = 121;   ///< RFC 3442
inline constexpr uint8_t kMsClasslessRoutes = 249; ///< Microsoft's copy of 121, same encoding
inline constexpr uint8_t kEnd = 255;
} // namespace option

struct Option {
	uint8_t code = 0;
	std::vector<uint8_t> value;

	friend bool operator==(const Option &, const Option &) = default;
};

/// Addresses are host-order IPv4 integers. sname and file are neither kept
/// nor built (zeros).
struct Message {
	uint8_t op = kBootRequest;
	uint8_t htype = 1; ///< 1: Ethernet; PPP clients say so too
	uint8_t hlen = 6;
	uint8_t hops = 0;
	uint32_t xid = 0;
	uint16_t secs = 0;
	uint16_t flags = 0;
	uint32_t ciaddr = 0;
	uint32_t yiaddr = 0;
	uint32_t siaddr = 0;
	uint32_t giaddr = 0;
	std::array<uint8_t, 16> chaddr{};
	/// In the order first seen, without Pad and End. An option that appears
	/// more than once is one entry with the values concatenated (RFC 3396
	/// §7), as long options are split that way.
	std::vector<Option> options;

	const Option *find(uint8_t code) const;
	/// Option 53 when it has exactly one octet.
	std::optional<MessageType> type() const;

	friend bool operator==(const Message &, const Message &) = default;
};

Result<Message> parseMessage(std::span<const uint8_t> bytes);

/// The message's bytes: options longer than 255 octets are split into
/// consecutive options of the same code (RFC 3396), an End follows them and
/// Pad fills up to kMinimumBuiltSize.
std::vector<uint8_t> buildMessage(const Message &m);

} // namespace l2tpsec::dhcp
