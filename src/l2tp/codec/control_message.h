#pragma once
// L2TPv2 control messages (RFC 2661 §3.2, §4.4): the AVPs of one message as
// typed fields, decoded from a parsed packet and encoded back to a datagram.
//
// Decoding enforces what §4.1 makes a property of the message rather than of
// the engine's state: the first AVP is Message Type; an unknown AVP with the
// M bit set fails the message (the engine clears the session or tunnel); an
// unknown one without it (Microsoft's vendor 311 AVPs, say) is kept in
// unknownAvps and otherwise ignored; each known value has the length §4.4
// gives it; hidden values (§4.3) are unhidden with the shared secret and the
// preceding Random Vector. Which AVPs a message type requires, and whether
// their values make sense (a zero Assigned Tunnel ID, ...) is the engine's
// business.

#include "common/result.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/codec/tunnel_auth.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::l2tp {

/// §4.4.2 Result Code AVP (StopCCN, CDN).
struct ResultCode {
	uint16_t result = 0;           ///< StopCcnResult or CdnResult
	std::optional<uint16_t> error; ///< GeneralError, when the AVP carries one
	std::string message;           ///< optional text; sent only with an error code
	friend bool operator==(const ResultCode &, const ResultCode &) = default;
};

/// §4.4.3 Protocol Version AVP: version 1, revision 0 for RFC 2661.
struct ProtocolVersion {
	uint8_t version = 1;
	uint8_t revision = 0;
	friend bool operator==(const ProtocolVersion &, const ProtocolVersion &) = default;
};

/// §4.4.5 Q.931 Cause Code AVP (CDN).
struct Q931Cause {
	uint16_t causeCode = 0;
	uint8_t causeMessage = 0;
	std::string advisory;
	friend bool operator==(const Q931Cause &, const Q931Cause &) = default;
};

/// §4.4.6 Call Errors AVP (WEN).
struct CallErrors {
	uint32_t crcErrors = 0;
	uint32_t framingErrors = 0;
	uint32_t hardwareOverruns = 0;
	uint32_t bufferOverruns = 0;
	uint32_t timeoutErrors = 0;
	uint32_t alignmentErrors = 0;
	friend bool operator==(const CallErrors &, const CallErrors &) = default;
};

/// §4.4.6 ACCM AVP (SLI).
struct Accm {
	uint32_t send = 0xffffffff;
	uint32_t receive = 0xffffffff;
	friend bool operator==(const Accm &, const Accm &) = default;
};

/// An AVP the codec does not know (a vendor AVP, or an IETF attribute type
/// §4.4 does not define), as received. A hidden one stays hidden: nobody
/// reads its value.
struct UnknownAvp {
	uint16_t vendorId = 0;
	uint16_t attributeType = 0;
	bool mandatory = false;
	bool hidden = false;
	std::vector<uint8_t> value;
	friend bool operator==(const UnknownAvp &, const UnknownAvp &) = default;
};

/// One control message's AVPs. A field is set when its AVP was present; when
/// an AVP appears twice, the last one wins.
struct ControlMessage {
	MessageType type = MessageType::Zlb; ///< Zlb: no AVPs at all

	std::optional<ResultCode> resultCode;               // 1
	std::optional<ProtocolVersion> protocolVersion;     // 2
	std::optional<uint32_t> framingCapabilities;        // 3: kFraming* bits
	std::optional<uint32_t> bearerCapabilities;         // 4: kBearer* bits
	std::optional<uint64_t> tieBreaker;                 // 5: the 8 octets, big-endian; lower wins (§5.1.1)
	std::optional<uint16_t> firmwareRevision;           // 6
	std::optional<std::string> hostName;                // 7
	std::optional<std::string> vendorName;              // 8
	std::optional<uint16_t> assignedTunnelId;           // 9
	std::optional<uint16_t> receiveWindowSize;          // 10
	std::optional<std::vector<uint8_t>> challenge;      // 11
	std::optional<Q931Cause> q931Cause;                 // 12
	std::optional<ChallengeResponse> challengeResponse; // 13
	std::optional<uint16_t> assignedSessionId;          // 14
	std::optional<uint32_t> callSerialNumber;           // 15
	std::optional<uint32_t> minimumBps;                 // 16
	std::optional<uint32_t> maximumBps;                 // 17
	std::optional<uint32_t> bearerType;                 // 18: kBearer* bits
	std::optional<uint32_t> framingType;                // 19: kFraming* bits
	std::optional<std::string> calledNumber;            // 21
	std::optional<std::string> callingNumber;           // 22
	std::optional<std::string> subAddress;              // 23
	std::optional<uint32_t> txConnectSpeed;             // 24
	std::optional<uint32_t> physicalChannelId;          // 25
	std::optional<std::vector<uint8_t>> initialReceivedLcpConfreq; // 26
	std::optional<std::vector<uint8_t>> lastSentLcpConfreq;        // 27
	std::optional<std::vector<uint8_t>> lastReceivedLcpConfreq;    // 28
	std::optional<uint16_t> proxyAuthenType;                       // 29
	std::optional<std::string> proxyAuthenName;                    // 30
	std::optional<std::vector<uint8_t>> proxyAuthenChallenge;      // 31
	std::optional<uint8_t> proxyAuthenId;                          // 32: the ID octet (the other is reserved)
	std::optional<std::vector<uint8_t>> proxyAuthenResponse;       // 33
	std::optional<CallErrors> callErrors;                          // 34
	std::optional<Accm> accm;                                      // 35
	std::optional<std::vector<uint8_t>> privateGroupId;            // 37
	std::optional<uint32_t> rxConnectSpeed;                        // 38
	bool sequencingRequired = false;                               // 39 (no value)

	std::vector<UnknownAvp> unknownAvps; ///< in the order received

	bool isZlb() const { return type == MessageType::Zlb; }

	friend bool operator==(const ControlMessage &, const ControlMessage &) = default;
};

struct DecodeOptions {
	/// The tunnel's shared secret, for hidden AVPs. Empty means none is
	/// configured: a hidden known AVP then fails with HiddenAvpWithoutSecret.
	std::string_view secret;
};

/// Decodes the AVPs of a parsed control packet. Errors: NotControl for a
/// data packet; the AVP framing errors of splitAvps(); FirstAvpNotMessageType;
/// UnknownMessageType (mandatory says whether the tunnel must be cleared);
/// UnknownMandatoryAvp; BadAvpValue; HiddenAvpWithoutRandomVector,
/// HiddenAvpWithoutSecret, BadHiddenAvp. Once the Message Type has been read,
/// DecodeError::messageType carries it.
DecodeResult<ControlMessage> decodeControlMessage(const Packet &packet, const DecodeOptions &options = {});
/// The same for the AVPs of a control message whose header was read
/// already (a message the reliable transport delivers): every error but
/// NotControl.
DecodeResult<ControlMessage> decodeControlBody(Bytes body, const DecodeOptions &options = {});

/// The header fields of a control message to encode.
struct ControlEnvelope {
	uint16_t tunnelId = 0;  ///< the peer's Assigned Tunnel ID (0 for an SCCRQ)
	uint16_t sessionId = 0; ///< the peer's Assigned Session ID, 0 for tunnel messages
	uint16_t ns = 0;
	uint16_t nr = 0;
};

/// How to hide AVPs in an encoded message (§4.3).
struct HidingOptions {
	std::string_view secret;
	/// The Random Vector AVP's value (random, at least 16 octets recommended);
	/// sent right after Message Type.
	Bytes randomVector;
	/// Which attributes to hide (Message Type and Random Vector cannot be).
	std::vector<AttributeType> hide;
};

/// Encodes msg: header, Message Type, the Random Vector when something is
/// hidden, the known AVPs in ascending attribute type with the M bits §4.4
/// gives them, then unknownAvps as given. A ZLB is the 12-octet header alone.
/// Hidden values are padded with zeros to a multiple of 16 octets (as far as
/// the AVP Length allows). A Result Code with a message but no error code is
/// sent with error code 0 (the wire format has no other way to carry it).
/// Errors: EINVAL for a ZLB with fields, an unknown message type, a value
/// outside the lengths §4.4 allows (an empty host name, say), an unknown AVP
/// that is in fact a known attribute, or hiding an attribute that cannot be
/// hidden or without a secret or random vector; EMSGSIZE for a value that
/// does not fit an AVP (1017 octets, less when hidden) or a message over
/// 65535 octets.
Result<std::vector<uint8_t>> encodeControlMessage(const ControlMessage &msg, const ControlEnvelope &envelope,
                                                  const HidingOptions &hiding = {});

} // namespace l2tpsec::l2tp
