#pragma once
// The ISAKMP fixed header (RFC 2408 §3.1) and the split of a received
// datagram into header and body.

#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

/// RFC 2408 §3.1: the header is 28 octets.
inline constexpr size_t kHeaderLen = 28;

struct Header {
	Cookie initiatorCookie{};
	Cookie responderCookie{};
	PayloadType nextPayload = PayloadType::None;
	uint8_t majorVersion = kIsakmpMajorVersion;
	uint8_t minorVersion = 0;
	ExchangeType exchange = ExchangeType::None;
	uint8_t flags = 0; ///< kFlag* bits; unknown bits are kept, not rejected
	uint32_t messageId = 0;
	uint32_t length = 0; ///< whole message, header included

	bool encrypted() const { return (flags & kFlagEncryption) != 0; }
	bool commit() const { return (flags & kFlagCommit) != 0; }
	bool authenticationOnly() const { return (flags & kFlagAuthenticationOnly) != 0; }

	friend bool operator==(const Header &, const Header &) = default;
};

/// A received message: its header and the bytes its length covers after it.
struct Message {
	Header header;
	/// header.length - 28 bytes. With the E flag set this is ciphertext and
	/// the codec stops here: decrypt it, then parseDecryptedPayloadChain().
	/// Otherwise parsePayloadChain(header.nextPayload, body).
	Bytes body;
	/// Datagram bytes beyond header.length (ignored; RFC 2408 §3.1 makes the
	/// header length authoritative).
	size_t trailingBytes = 0;
};

/// Parses the header of a UDP datagram (for port 4500, after the non-ESP
/// marker has been stripped). Errors: kErrMalformed when shorter than 28
/// bytes or when the length field is < 28 or exceeds the datagram;
/// kErrVersion when the major version is not 1. Any minor version, flags and
/// exchange type are accepted: answering them is the engine's business.
Result<Message> parseMessage(Bytes datagram);
/// The body points into the datagram: a temporary one would dangle.
Result<Message> parseMessage(std::vector<uint8_t> &&) = delete;

/// The 28 header bytes, every field as given (length included).
std::vector<uint8_t> buildHeader(const Header &h);

} // namespace l2tpsec::ike
