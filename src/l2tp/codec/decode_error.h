#pragma once
// Why the codec refused a datagram, in terms the protocol engine acts on.
//
// Result<T>'s Error carries only an errno and a text; refusing an L2TP
// message needs more: RFC 2661 prescribes a different reaction per cause
// (discard, ignore, CDN, StopCCN; §3.1, §4.1, §4.4.1) and an Error Code plus
// the offending attribute for the notification (§4.4.2). DecodeResult<T> is
// Result<T> with a DecodeError instead; L2S_TRY works with both.

#include "common/result.h"
#include "l2tp/codec/avp_types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace l2tpsec::l2tp {

enum class DecodeErrorKind : uint8_t {
	// The header (§3.1). The datagram is dropped without an answer.
	Truncated,          ///< fewer bytes than the header needs
	UnsupportedVersion, ///< Ver is not 2 (1 is L2F, 3 is L2TPv3): "MUST be discarded"
	BadLength,          ///< Length is shorter than the header or longer than the datagram
	BadControlFlags,    ///< a control message without L or S, or with O set
	NotControl,         ///< a data message (T=0) handed to the control decoder
	// AVP framing (§4.1).
	AvpTooShort,     ///< AVP Length < 6, or fewer than 6 bytes left for a header
	AvpOverrun,      ///< AVP Length runs past the end of the message
	AvpReservedBits, ///< one of the 4 reserved bits of the AVP header is set
	// The message (§4.1, §4.3, §4.4).
	FirstAvpNotMessageType,       ///< §4.1: the first AVP MUST be Message Type
	UnknownMessageType,           ///< §4.4.1: with M=1 clear the tunnel, with M=0 ignore the message
	UnknownMandatoryAvp,          ///< §4.1: clear the session (session messages) or the tunnel
	BadAvpValue,                  ///< a value of the wrong length, or a second Message Type
	HiddenAvpWithoutRandomVector, ///< §4.3: a Random Vector AVP must precede a hidden AVP
	HiddenAvpWithoutSecret,       ///< a hidden AVP arrived and no shared secret is configured
	BadHiddenAvp,                 ///< a hidden value that does not unhide (short, or wrong secret)
};

/// "truncated header", "unknown mandatory AVP", ...
std::string decodeErrorKindName(DecodeErrorKind kind);

struct DecodeError {
	DecodeErrorKind kind = DecodeErrorKind::Truncated;
	std::string message; ///< for logs: names the field and the values seen
	/// UnsupportedVersion: the Ver field received.
	uint8_t version = 0;
	/// The Message Type AVP's value, once it has been read (the engine sends
	/// a CDN for a session message, a StopCCN otherwise).
	std::optional<uint16_t> messageType;
	/// AVP errors: the offending AVP.
	uint16_t vendorId = 0;
	uint16_t attributeType = 0;
	/// UnknownMessageType, UnknownMandatoryAvp: the AVP's M bit.
	bool mandatory = false;

	/// The §4.4.2 General Error Code to send in the StopCCN or CDN this
	/// error calls for (UnknownMandatoryAvp, WrongLength, FieldOutOfRange).
	GeneralError generalError() const;
	/// The same as a plain Error (EPROTONOSUPPORT for a version, ENOTSUP for
	/// an unknown mandatory AVP or message type, EBADMSG otherwise).
	Error toError() const;
};

template <typename T>
using DecodeResult = Result<T, DecodeError>;

} // namespace l2tpsec::l2tp
