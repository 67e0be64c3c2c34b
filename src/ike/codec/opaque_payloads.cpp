#include "ike/codec/opaque_payloads.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <string>

namespace l2tpsec::ike {

namespace {

template <PayloadType T>
Result<OpaquePayload<T>> parseOpaque(Bytes body, const char *name)
{
	if (body.empty())
		return malformed(std::string(name) + " payload is empty");
	return OpaquePayload<T>{toVector(body)};
}

} // namespace

Result<KeyExchangePayload> parseKeyExchange(Bytes body)
{
	return parseOpaque<PayloadType::KeyExchange>(body, "KE");
}

Result<HashPayload> parseHash(Bytes body)
{
	return parseOpaque<PayloadType::Hash>(body, "Hash");
}

Result<SignaturePayload> parseSignature(Bytes body)
{
	return parseOpaque<PayloadType::Signature>(body, "Signature");
}

Result<NoncePayload> parseNonce(Bytes body)
{
	return parseOpaque<PayloadType::Nonce>(body, "Nonce");
}

Result<VendorIdPayload> parseVendorId(Bytes body)
{
	return parseOpaque<PayloadType::VendorId>(body, "Vendor ID");
}

Result<NatDPayload> parseNatD(Bytes body)
{
	return parseOpaque<PayloadType::NatD>(body, "NAT-D");
}

Result<CertificatePayload> parseCertificate(Bytes body)
{
	if (body.size() < 2)
		return malformed("Certificate payload of " + std::to_string(body.size()) +
		                 " bytes has no encoding and data");
	wire::ByteReader r(body);
	CertificatePayload c;
	c.encoding = static_cast<CertEncoding>(r.u8());
	c.data = toVector(r.rest());
	return c;
}

std::vector<uint8_t> buildCertificate(const CertificatePayload &c)
{
	std::vector<uint8_t> out;
	wire::put8(out, static_cast<uint8_t>(c.encoding));
	wire::putBytes(out, c.data);
	return out;
}

Result<CertificateRequestPayload> parseCertificateRequest(Bytes body)
{
	if (body.empty())
		return malformed("Certificate Request payload has no certificate type");
	wire::ByteReader r(body);
	CertificateRequestPayload c;
	c.type = static_cast<CertEncoding>(r.u8());
	c.authority = toVector(r.rest());
	return c;
}

std::vector<uint8_t> buildCertificateRequest(const CertificateRequestPayload &c)
{
	std::vector<uint8_t> out;
	wire::put8(out, static_cast<uint8_t>(c.type));
	wire::putBytes(out, c.authority);
	return out;
}

} // namespace l2tpsec::ike
