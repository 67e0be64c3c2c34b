#pragma once
// Transform identifiers and SA attribute names and values, phase 1
// (RFC 2409 Appendix A) and phase 2 (RFC 2407 §4.4.4, §4.5), with the later
// additions the built-in clients use (AES RFC 3602, SHA-2 RFC 4868, ECP
// RFC 5903, UDP encapsulation RFC 3947).
//
// Attribute values are uint16_t on the wire (TV form) unless noted; the enums
// name them, the data-attribute codec stores whatever was sent.

#include <cstdint>

namespace l2tpsec::ike {

/// RFC 2407 §4.4.2: the only phase-1 transform id.
inline constexpr uint8_t kTransformKeyIke = 1;

/// RFC 2407 §4.4.4 "IPSEC ESP Transform Identifiers" (+ RFC 3602, RFC 4106).
enum class EspTransformId : uint8_t {
	DesIv64 = 1,
	Des = 2,
	TripleDes = 3,
	Rc5 = 4,
	Idea = 5,
	Cast = 6,
	Blowfish = 7,
	TripleIdea = 8,
	DesIv32 = 9,
	Rc4 = 10,
	Null = 11,
	AesCbc = 12,
	AesCtr = 13,
	AesCcm8 = 14,
	AesCcm12 = 15,
	AesCcm16 = 16,
	AesGcm8 = 18,
	AesGcm12 = 19,
	AesGcm16 = 20,
};

/// RFC 2407 §4.4.3 "IPSEC AH Transform Identifiers".
enum class AhTransformId : uint8_t {
	Md5 = 2,
	Sha = 3,
	Des = 4,
	Sha2_256 = 5,
	Sha2_384 = 6,
	Sha2_512 = 7,
};

/// RFC 2409 Appendix A "Attribute Classes" (phase 1). B = basic (TV),
/// V = variable (TLV).
enum class IkeAttribute : uint16_t {
	EncryptionAlgorithm = 1,  ///< B
	HashAlgorithm = 2,        ///< B
	AuthenticationMethod = 3, ///< B
	GroupDescription = 4,     ///< B
	GroupType = 5,            ///< B
	GroupPrime = 6,           ///< V
	GroupGeneratorOne = 7,    ///< V
	GroupGeneratorTwo = 8,    ///< V
	GroupCurveA = 9,          ///< V
	GroupCurveB = 10,         ///< V
	LifeType = 11,            ///< B
	LifeDuration = 12,        ///< V (sent as TV when it fits 16 bits)
	Prf = 13,                 ///< B
	KeyLength = 14,           ///< B
	FieldSize = 15,           ///< B
	GroupOrder = 16,          ///< V
};

/// RFC 2409 Appendix A "Encryption Algorithm", RFC 3602 (AES-CBC).
enum class IkeEncryption : uint16_t {
	DesCbc = 1,
	IdeaCbc = 2,
	BlowfishCbc = 3,
	Rc5R16B64Cbc = 4,
	TripleDesCbc = 5,
	CastCbc = 6,
	AesCbc = 7,
	CamelliaCbc = 8,
};

/// RFC 2409 Appendix A "Hash Algorithm", RFC 4868 §4 (SHA-2).
enum class IkeHash : uint16_t {
	Md5 = 1,
	Sha = 2,
	Tiger = 3,
	Sha2_256 = 4,
	Sha2_384 = 5,
	Sha2_512 = 6,
};

/// RFC 2409 Appendix A "Authentication Method", RFC 4754 (ECDSA) and the
/// draft-ietf-ipsec-isakmp-xauth-06 private values.
enum class IkeAuthMethod : uint16_t {
	PreSharedKey = 1,
	DssSignatures = 2,
	RsaSignatures = 3,
	RsaEncryption = 4,
	RsaRevisedEncryption = 5,
	EcdsaSha256P256 = 9,
	EcdsaSha384P384 = 10,
	EcdsaSha512P521 = 11,
	XauthInitPreShared = 65001,
	XauthRespPreShared = 65002,
	XauthInitDss = 65003,
	XauthRespDss = 65004,
	XauthInitRsa = 65005,
	XauthRespRsa = 65006,
	XauthInitRsaEncryption = 65007,
	XauthRespRsaEncryption = 65008,
	XauthInitRsaRevisedEncryption = 65009,
	XauthRespRsaRevisedEncryption = 65010,
};

/// Group Description, phase 1 and 2 (RFC 2409 §6, RFC 3526, RFC 5903,
/// RFC 5114, RFC 6932, RFC 8031).
enum class DhGroup : uint16_t {
	None = 0,
	Modp768 = 1,
	Modp1024 = 2,
	Ec2n155 = 3,
	Ec2n185 = 4,
	Modp1536 = 5,
	Modp2048 = 14,
	Modp3072 = 15,
	Modp4096 = 16,
	Modp6144 = 17,
	Modp8192 = 18,
	Ecp256 = 19,
	Ecp384 = 20,
	Ecp521 = 21,
	Modp1024S160 = 22,
	Modp2048S224 = 23,
	Modp2048S256 = 24,
	Ecp192 = 25,
	Ecp224 = 26,
	Brainpool224 = 27,
	Brainpool256 = 28,
	Brainpool384 = 29,
	Brainpool512 = 30,
	Curve25519 = 31,
	Curve448 = 32,
};

/// Life Type, phase 1 (RFC 2409 App. A) and phase 2 (RFC 2407 §4.5): same values.
enum class LifeType : uint16_t {
	Seconds = 1,
	Kilobytes = 2,
};

/// RFC 2407 §4.5 "IPSEC Security Association Attributes" (phase 2).
enum class IpsecAttribute : uint16_t {
	SaLifeType = 1,               ///< B
	SaLifeDuration = 2,           ///< V (TV when it fits)
	GroupDescription = 3,         ///< B
	EncapsulationMode = 4,        ///< B
	AuthenticationAlgorithm = 5,  ///< B
	KeyLength = 6,                ///< B
	KeyRounds = 7,                ///< B
	CompressDictionarySize = 8,   ///< B
	CompressPrivateAlgorithm = 9, ///< V
	EcnTunnel = 10,               ///< B, RFC 3168 §9.2
	ExtendedSequenceNumber = 11,  ///< B, RFC 4304
};

/// RFC 2407 §4.5 Encapsulation Mode, RFC 3947 §5.1 UDP encapsulation, and the
/// private values of draft-ietf-ipsec-nat-t-ike-00..03 that pre-RFC clients
/// (Windows XP/2003-era, old Mac OS X, old Android racoon) still send.
enum class EncapsulationMode : uint16_t {
	Tunnel = 1,
	Transport = 2,
	UdpTunnel = 3,
	UdpTransport = 4,
	UdpTunnelDraft = 61443,
	UdpTransportDraft = 61444,
};

/// RFC 2407 §4.5 Authentication Algorithm (phase 2), RFC 4868 §2.4 (SHA-2),
/// RFC 3566 (AES-XCBC).
enum class IpsecAuthAlgorithm : uint16_t {
	None = 0,
	HmacMd5 = 1,
	HmacSha = 2,
	DesMac = 3,
	Kpdk = 4,
	HmacSha2_256 = 5,
	HmacSha2_384 = 6,
	HmacSha2_512 = 7,
	HmacRipemd = 8,
	AesXcbcMac = 9,
};

} // namespace l2tpsec::ike
