#pragma once
// Payloads that carry one blob: Key Exchange (RFC 2408 §3.7), Hash (§3.11),
// Signature (§3.12), Nonce (§3.13), Vendor ID (§3.16), NAT-D (RFC 3947
// §3.2), plus Certificate (§3.9) and Certificate Request (§3.10), which put
// a one-byte type in front of theirs.
//
// Whether a KE matches its group or a nonce is 8..256 bytes (RFC 2409 §5)
// depends on the negotiation and is checked by the engine; the codec only
// refuses empty blobs, which no sender may send.

#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <vector>

namespace l2tpsec::ike {

template <PayloadType T>
struct OpaquePayload {
	static constexpr PayloadType kType = T;
	std::vector<uint8_t> data;

	friend bool operator==(const OpaquePayload &, const OpaquePayload &) = default;
};

using KeyExchangePayload = OpaquePayload<PayloadType::KeyExchange>;
using HashPayload = OpaquePayload<PayloadType::Hash>;
using SignaturePayload = OpaquePayload<PayloadType::Signature>;
using NoncePayload = OpaquePayload<PayloadType::Nonce>;
using VendorIdPayload = OpaquePayload<PayloadType::VendorId>;
/// Also the body of the draft NAT-D payload (type 130): same layout.
using NatDPayload = OpaquePayload<PayloadType::NatD>;

/// kErrMalformed for an empty body.
Result<KeyExchangePayload> parseKeyExchange(Bytes body);
Result<HashPayload> parseHash(Bytes body);
Result<SignaturePayload> parseSignature(Bytes body);
Result<NoncePayload> parseNonce(Bytes body);
Result<VendorIdPayload> parseVendorId(Bytes body);
Result<NatDPayload> parseNatD(Bytes body);

template <PayloadType T>
std::vector<uint8_t> buildOpaque(const OpaquePayload<T> &p)
{
	return p.data;
}

struct CertificatePayload {
	CertEncoding encoding = CertEncoding::X509Signature;
	std::vector<uint8_t> data;

	friend bool operator==(const CertificatePayload &, const CertificatePayload &) = default;
};

/// kErrMalformed without an encoding byte or without certificate data.
Result<CertificatePayload> parseCertificate(Bytes body);
std::vector<uint8_t> buildCertificate(const CertificatePayload &c);

struct CertificateRequestPayload {
	CertEncoding type = CertEncoding::X509Signature;
	/// A DER Distinguished Name; empty asks for any authority (RFC 2408 §3.10).
	std::vector<uint8_t> authority;

	friend bool operator==(const CertificateRequestPayload &, const CertificateRequestPayload &) = default;
};

/// kErrMalformed without a type byte.
Result<CertificateRequestPayload> parseCertificateRequest(Bytes body);
std::vector<uint8_t> buildCertificateRequest(const CertificateRequestPayload &c);

} // namespace l2tpsec::ike
