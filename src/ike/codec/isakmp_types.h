#pragma once
// ISAKMP and IPsec DOI registry values: payload types, exchange types,
// protocol ids, ID types, certificate encodings and notify message types.
//
// The enums are open: an enum class with a fixed underlying type holds any
// value of that type, so a parser stores whatever the peer sent and the
// engine decides what an unknown value means (usually a notify back).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::ike {

/// Bytes being parsed: always a view into the caller's datagram.
using Bytes = std::span<const uint8_t>;

/// A copy of the bytes (a payload kept beyond its datagram).
inline std::vector<uint8_t> toVector(Bytes b)
{
	return {b.begin(), b.end()};
}

/// An ISAKMP cookie (RFC 2408 §3.1: Initiator/Responder Cookie, 8 octets).
using Cookie = std::array<uint8_t, 8>;

/// RFC 2408 §3.1 "Next Payload Types", RFC 3947 §3.2/§5.2 (NAT-D, NAT-OA) and
/// the draft-ietf-ipsec-nat-t-ike-02/03 private-use numbers older clients send.
enum class PayloadType : uint8_t {
	None = 0,
	SecurityAssociation = 1,
	Proposal = 2,  ///< only inside an SA payload
	Transform = 3, ///< only inside a Proposal
	KeyExchange = 4,
	Identification = 5,
	Certificate = 6,
	CertificateRequest = 7,
	Hash = 8,
	Signature = 9,
	Nonce = 10,
	Notification = 11,
	Delete = 12,
	VendorId = 13,
	Attribute = 14, ///< draft-ietf-ipsec-isakmp-mode-cfg (XAuth, Mode Config)
	NatD = 20,      ///< RFC 3947 §3.2
	NatOa = 21,     ///< RFC 3947 §5.2
	NatDDraft = 130,
	NatOaDraft = 131,
	Fragment = 132, ///< IKEv1 fragmentation (Cisco/Microsoft), kept raw
};

/// RFC 2408 §3.1 "Exchange Type", RFC 2409 §5 (Main/Aggressive/Quick Mode).
enum class ExchangeType : uint8_t {
	None = 0,
	Base = 1,
	IdentityProtection = 2, ///< IKE Main Mode
	AuthenticationOnly = 3,
	Aggressive = 4,
	Informational = 5,
	Transaction = 6, ///< Mode Config / XAuth
	QuickMode = 32,
	NewGroupMode = 33,
};

/// RFC 2408 §3.1 header flags.
inline constexpr uint8_t kFlagEncryption = 0x01;
inline constexpr uint8_t kFlagCommit = 0x02;
inline constexpr uint8_t kFlagAuthenticationOnly = 0x04;

/// RFC 2408 §3.1: "Major Version ... MUST set the Major Version to 1".
inline constexpr uint8_t kIsakmpMajorVersion = 1;

/// Domain of Interpretation (RFC 2408 §2.1, RFC 2407 §4.2).
enum class Doi : uint32_t {
	Isakmp = 0,
	Ipsec = 1,
};

/// RFC 2407 §4.2 Situation bitmap; only SIT_IDENTITY_ONLY is in use.
inline constexpr uint32_t kSituationIdentityOnly = 0x01;
inline constexpr uint32_t kSituationSecrecy = 0x02;
inline constexpr uint32_t kSituationIntegrity = 0x04;

/// RFC 2407 §4.4.1 "IPSEC Security Protocol Identifier".
enum class ProtocolId : uint8_t {
	Reserved = 0,
	Isakmp = 1,
	IpsecAh = 2,
	IpsecEsp = 3,
	IpComp = 4,
};

/// RFC 2407 §4.6.2.1 "Identification Type Values".
enum class IdType : uint8_t {
	Reserved = 0,
	Ipv4Addr = 1,
	Fqdn = 2,
	UserFqdn = 3,
	Ipv4AddrSubnet = 4,
	Ipv6Addr = 5,
	Ipv6AddrSubnet = 6,
	Ipv4AddrRange = 7,
	Ipv6AddrRange = 8,
	DerAsn1Dn = 9,
	DerAsn1Gn = 10,
	KeyId = 11,
};

/// RFC 2408 §3.9 "Certificate Encoding".
enum class CertEncoding : uint8_t {
	None = 0,
	Pkcs7 = 1,
	Pgp = 2,
	DnsSignedKey = 3,
	X509Signature = 4,
	X509KeyExchange = 5,
	KerberosToken = 6,
	Crl = 7,
	Arl = 8,
	Spki = 9,
	X509Attribute = 10,
};

/// RFC 2408 §3.14.1 error types (1..30), RFC 2408 §3.14.1 / RFC 2407 §4.6.3
/// status types, and RFC 3706 §5 DPD.
enum class NotifyType : uint16_t {
	InvalidPayloadType = 1,
	DoiNotSupported = 2,
	SituationNotSupported = 3,
	InvalidCookie = 4,
	InvalidMajorVersion = 5,
	InvalidMinorVersion = 6,
	InvalidExchangeType = 7,
	InvalidFlags = 8,
	InvalidMessageId = 9,
	InvalidProtocolId = 10,
	InvalidSpi = 11,
	InvalidTransformId = 12,
	AttributesNotSupported = 13,
	NoProposalChosen = 14,
	BadProposalSyntax = 15,
	PayloadMalformed = 16,
	InvalidKeyInformation = 17,
	InvalidIdInformation = 18,
	InvalidCertEncoding = 19,
	InvalidCertificate = 20,
	CertTypeUnsupported = 21,
	InvalidCertAuthority = 22,
	InvalidHashInformation = 23,
	AuthenticationFailed = 24,
	InvalidSignature = 25,
	AddressNotification = 26,
	NotifySaLifetime = 27,
	CertificateUnavailable = 28,
	UnsupportedExchangeType = 29,
	UnequalPayloadLengths = 30,
	Connected = 16384,         ///< RFC 2408 §3.14.1
	ResponderLifetime = 24576, ///< RFC 2407 §4.6.3.1
	ReplayStatus = 24577,      ///< RFC 2407 §4.6.3.2
	InitialContact = 24578,    ///< RFC 2407 §4.6.3.3
	RUThere = 36136,           ///< RFC 3706 §5
	RUThereAck = 36137,        ///< RFC 3706 §5
};

/// RFC 2408 §3.14.1: types 1..8191 are errors, the rest status.
inline constexpr bool isErrorNotify(NotifyType t)
{
	return static_cast<uint16_t>(t) >= 1 && static_cast<uint16_t>(t) < 8192;
}

} // namespace l2tpsec::ike
