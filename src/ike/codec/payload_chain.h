#pragma once
// The generic payload chain (RFC 2408 §3.2): each payload starts with
// Next Payload (1), RESERVED (1, zero) and Payload Length (2, header
// included), and names the type of the payload after it.
//
// The walker only splits: unknown types come back raw, and which payloads a
// message must carry is the engine's call. Every payload is at least its
// 4-byte header long, so the walk always advances and cannot loop.

#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <cstddef>
#include <span>
#include <vector>

namespace l2tpsec::ike {

/// RFC 2408 §3.2: the generic payload header.
inline constexpr size_t kPayloadHeaderLen = 4;
/// The largest body a 16-bit payload length can describe.
inline constexpr size_t kMaxPayloadBodyLen = 0xffff - kPayloadHeaderLen;

/// One payload of a received message: its type (from the previous payload's
/// Next Payload field, or the header's) and its body, generic header
/// excluded. The body points into the datagram. Hashes such as SAi_b and
/// IDii_b (RFC 2409 §5) are computed over exactly this body.
struct RawPayload {
	PayloadType type = PayloadType::None;
	Bytes body;
};

/// Splits a plaintext body. Every byte must belong to a payload: bytes left
/// after the payload whose Next Payload is NONE are an error, as are a
/// non-zero RESERVED byte, a length below 4 or one that overruns the body,
/// and a body that ends while a next payload is still announced.
Result<std::vector<RawPayload>> parsePayloadChain(PayloadType first, Bytes body);
Result<std::vector<RawPayload>> parsePayloadChain(PayloadType first, std::vector<uint8_t> &&) = delete;

/// Splits a decrypted body. As parsePayloadChain(), except that bytes after
/// the last payload are ignored: they are the cipher-block padding, which
/// RFC 2409 Appendix B fills with zeros and RFC 2409 §5.3 ends with a pad
/// count, so neither their values nor their number are checked.
Result<std::vector<RawPayload>> parseDecryptedPayloadChain(PayloadType first, Bytes plaintext);
Result<std::vector<RawPayload>> parseDecryptedPayloadChain(PayloadType first, std::vector<uint8_t> &&) = delete;

/// One payload to send: type and body (generic header excluded).
struct OutPayload {
	PayloadType type = PayloadType::None;
	std::vector<uint8_t> body;

	friend bool operator==(const OutPayload &, const OutPayload &) = default;
};

/// Lays out payloads with their generic headers, each Next Payload naming
/// the following payload's type and the last NONE. The first type goes in
/// the ISAKMP header (or in the payload before, for a chain that is the tail
/// of another). Fails with kErrTooLarge for a body over kMaxPayloadBodyLen.
Result<std::vector<uint8_t>> encodePayloadChain(std::span<const OutPayload> payloads);

} // namespace l2tpsec::ike
