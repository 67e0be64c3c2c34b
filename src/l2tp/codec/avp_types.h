#pragma once
// The numbers of L2TPv2 (RFC 2661): control message types (§3.2), AVP
// attribute types (§4.4), the Result and Error Codes of StopCCN and CDN
// (§4.4.2), and their names for logs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace l2tpsec::l2tp {

using Bytes = std::span<const uint8_t>;

/// §3.2. Values 0, 5 and 13 are reserved. Zlb stands for a message without a
/// Message Type AVP (the Zero-Length Body acknowledgement of §5.8); it never
/// appears on the wire as a Message Type value.
enum class MessageType : uint16_t {
	Zlb = 0,
	Sccrq = 1,   ///< Start-Control-Connection-Request
	Sccrp = 2,   ///< Start-Control-Connection-Reply
	Scccn = 3,   ///< Start-Control-Connection-Connected
	StopCcn = 4, ///< Stop-Control-Connection-Notification
	Hello = 6,   ///< Hello
	Ocrq = 7,    ///< Outgoing-Call-Request
	Ocrp = 8,    ///< Outgoing-Call-Reply
	Occn = 9,    ///< Outgoing-Call-Connected
	Icrq = 10,   ///< Incoming-Call-Request
	Icrp = 11,   ///< Incoming-Call-Reply
	Iccn = 12,   ///< Incoming-Call-Connected
	Cdn = 14,    ///< Call-Disconnect-Notify
	Wen = 15,    ///< WAN-Error-Notify
	Sli = 16,    ///< Set-Link-Info
};

/// True for the values §3.2 defines (1-4, 6-12, 14-16).
bool isKnownMessageType(uint16_t value);

/// Attribute types of the IETF vendor (Vendor ID 0), §4.4. 20 is unassigned.
enum class AttributeType : uint16_t {
	MessageType = 0,
	ResultCode = 1,
	ProtocolVersion = 2,
	FramingCapabilities = 3,
	BearerCapabilities = 4,
	TieBreaker = 5,
	FirmwareRevision = 6,
	HostName = 7,
	VendorName = 8,
	AssignedTunnelId = 9,
	ReceiveWindowSize = 10,
	Challenge = 11,
	Q931CauseCode = 12,
	ChallengeResponse = 13,
	AssignedSessionId = 14,
	CallSerialNumber = 15,
	MinimumBps = 16,
	MaximumBps = 17,
	BearerType = 18,
	FramingType = 19,
	CalledNumber = 21,
	CallingNumber = 22,
	SubAddress = 23,
	TxConnectSpeed = 24,
	PhysicalChannelId = 25,
	InitialReceivedLcpConfreq = 26,
	LastSentLcpConfreq = 27,
	LastReceivedLcpConfreq = 28,
	ProxyAuthenType = 29,
	ProxyAuthenName = 30,
	ProxyAuthenChallenge = 31,
	ProxyAuthenId = 32,
	ProxyAuthenResponse = 33,
	CallErrors = 34,
	Accm = 35,
	RandomVector = 36,
	PrivateGroupId = 37,
	RxConnectSpeed = 38,
	SequencingRequired = 39,
};

/// §4.1: Vendor ID 0 is the IETF's; others are SMI enterprise numbers.
inline constexpr uint16_t kIetfVendorId = 0;
/// Windows clients send Microsoft's (311) vendor AVPs, with M=0.
inline constexpr uint16_t kMicrosoftVendorId = 311;

/// §4.1: an AVP is at most 1023 octets (10-bit Length), header included.
inline constexpr size_t kAvpHeaderSize = 6;
inline constexpr size_t kMaxAvpLength = 1023;
inline constexpr size_t kMaxAvpValueLength = kMaxAvpLength - kAvpHeaderSize;

/// Framing Capabilities / Framing Type bits (§4.4.3, §4.4.5).
inline constexpr uint32_t kFramingSync = 0x1;
inline constexpr uint32_t kFramingAsync = 0x2;
/// Bearer Capabilities / Bearer Type bits (§4.4.3, §4.4.5).
inline constexpr uint32_t kBearerDigital = 0x1;
inline constexpr uint32_t kBearerAnalog = 0x2;

/// Result Code values of a StopCCN (§4.4.2).
enum class StopCcnResult : uint16_t {
	GeneralRequest = 1,             ///< General request to clear control connection
	GeneralError = 2,               ///< General error, the Error Code says which
	ChannelExists = 3,              ///< Control channel already exists
	NotAuthorized = 4,              ///< Requester is not authorized to establish a control channel
	UnsupportedProtocolVersion = 5, ///< Error Code carries the highest version supported
	ShuttingDown = 6,               ///< Requester is being shut down
	FsmError = 7,                   ///< Finite State Machine error
};

/// Result Code values of a CDN (§4.4.2).
enum class CdnResult : uint16_t {
	LostCarrier = 1,           ///< Call disconnected due to loss of carrier
	GeneralError = 2,          ///< Call disconnected for the reason in the Error Code
	Administrative = 3,        ///< Call disconnected for administrative reasons
	NoFacilitiesTemporary = 4, ///< Lack of appropriate facilities (temporary condition)
	NoFacilitiesPermanent = 5, ///< Lack of appropriate facilities (permanent condition)
	InvalidDestination = 6,    ///< Invalid destination
	NoCarrier = 7,             ///< No carrier detected
	Busy = 8,                  ///< Busy signal
	NoDialTone = 9,            ///< No dial tone
	NotEstablishedInTime = 10, ///< Call was not established within time allotted by LAC
	NoFramingDetected = 11,    ///< Connected but no appropriate framing was detected
};

/// General Error Codes (§4.4.2), sent with Result Code GeneralError.
enum class GeneralError : uint16_t {
	NoError = 0,
	NoControlConnection = 1,   ///< No control connection exists yet for this LAC-LNS pair
	WrongLength = 2,           ///< Length is wrong
	FieldOutOfRange = 3,       ///< A field value was out of range or a reserved field was non-zero
	InsufficientResources = 4, ///< Insufficient resources to handle this operation now
	InvalidSessionId = 5,      ///< The Session ID is invalid in this context
	VendorSpecific = 6,        ///< A generic vendor-specific error occurred in the LAC
	TryAnother = 7,            ///< Try another LNS
	UnknownMandatoryAvp = 8,   ///< An unknown AVP with the M bit set was received (§4.2)
};

/// What §4.4 says about one IETF attribute's value.
struct AttributeInfo {
	const char *name;
	uint16_t minValueLength;
	uint16_t maxValueLength;
	/// The M bit we send (§4.4 gives it per attribute).
	bool mandatory;
	/// False for Message Type and Random Vector: hiding them would make the
	/// message (or the hiding itself) impossible to read.
	bool hideable;
};

/// The description of an IETF attribute type, or nullptr for an unknown one.
const AttributeInfo *attributeInfo(uint16_t attributeType);

/// "SCCRQ", "ZLB", ..., or "message type 99" for one §3.2 does not define.
std::string messageTypeName(uint16_t value);
inline std::string messageTypeName(MessageType t)
{
	return messageTypeName(static_cast<uint16_t>(t));
}
/// "Host Name", ..., or "attribute 99"; a vendor AVP is "vendor 311 attribute 12".
std::string attributeName(uint16_t vendorId, uint16_t attributeType);
inline std::string attributeName(AttributeType t)
{
	return attributeName(kIetfVendorId, static_cast<uint16_t>(t));
}
/// The §4.4.2 texts, or "result code 99" / "error code 99".
std::string stopCcnResultName(uint16_t result);
std::string cdnResultName(uint16_t result);
std::string generalErrorName(uint16_t error);

} // namespace l2tpsec::l2tp
