#pragma once
// The L2TPv2 header (RFC 2661 §3.1) and the split of a received datagram into
// header and payload.
//
//  |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
//  |           Tunnel ID           |           Session ID          |
//  |             Ns (opt)          |             Nr (opt)          |
//  |      Offset Size (opt)        |    Offset pad... (opt)
//
// Control messages always have T, L and S set and O clear, so their header
// is 12 octets. Data messages belong to the kernel; the parser still reads
// their header so that a caller can tell the two apart and say why it drops
// one.

#include "l2tp/codec/decode_error.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::l2tp {

/// §3.1: "Ver MUST be 2"; 1 is L2F, 3 is L2TPv3 (RFC 3931).
inline constexpr uint8_t kL2tpVersion = 2;
/// T, L, S, Ver, Tunnel ID, Session ID, Ns, Nr.
inline constexpr size_t kControlHeaderSize = 12;

struct Header {
	bool control = false;     ///< T: 1 for a control message
	bool hasLength = false;   ///< L: the Length field is present
	bool hasSequence = false; ///< S: Ns and Nr are present
	bool hasOffset = false;   ///< O: the Offset Size field (and pad) is present
	bool priority = false;    ///< P: data messages only
	uint8_t version = kL2tpVersion;
	uint16_t length = 0; ///< with L: the whole message, header included
	uint16_t tunnelId = 0;
	uint16_t sessionId = 0;
	uint16_t ns = 0;         ///< with S
	uint16_t nr = 0;         ///< with S
	uint16_t offsetSize = 0; ///< with O: pad octets between the header and the payload

	/// Octets this header takes on the wire (offset pad included).
	size_t size() const;

	friend bool operator==(const Header &, const Header &) = default;
};

/// A parsed datagram: the header and what follows it.
struct Packet {
	Header header;
	/// For a control message the AVPs (empty for a ZLB); for a data message
	/// the PPP frame. Bounded by Length when the header has one.
	Bytes payload;
	/// Datagram octets beyond Length (ignored: Length is authoritative).
	size_t trailingBytes = 0;
};

/// Parses any L2TP datagram (control or data). The reserved x bits are
/// ignored, as §3.1 requires of a receiver. Errors:
///  - Truncated when the datagram is shorter than the fields its flags announce;
///  - UnsupportedVersion when Ver is not 2 (DecodeError::version says which);
///  - BadLength when Length is smaller than the header or larger than the datagram;
///  - BadControlFlags for a control message (T=1) without L or S or with O.
/// A control message with P set is accepted: P only asks for queueing
/// priority, which does not apply to control messages.
DecodeResult<Packet> parsePacket(Bytes datagram);
/// The payload points into the datagram: a temporary one would dangle.
DecodeResult<Packet> parsePacket(std::vector<uint8_t> &&) = delete;

/// The header octets for h, as given (flags, length and all optional fields
/// it says are present; the offset pad is zeros). Reserved bits are 0.
std::vector<uint8_t> buildHeader(const Header &h);

/// The header of a control message (T=1, L=1, S=1) with the given fields.
Header controlHeader(uint16_t tunnelId, uint16_t sessionId, uint16_t ns, uint16_t nr, uint16_t length);

/// Writes Ns and Nr into an encoded control message (T=1, L=1, S=1, as
/// buildHeader(controlHeader(...)) and encodeControlMessage() make it): a
/// message is encoded once and each transmission carries the sequence
/// numbers of its moment. False, with nothing written, when `message` does
/// not start with such a header.
bool stampSequence(std::span<uint8_t> message, uint16_t ns, uint16_t nr);

} // namespace l2tpsec::l2tp
