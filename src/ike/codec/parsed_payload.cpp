#include "ike/codec/parsed_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/names.h"

#include <type_traits>

namespace l2tpsec::ike {

namespace {

template <typename T>
Result<ParsedPayload> wrap(PayloadType type, Result<T> r)
{
	if (!r)
		return std::move(r).error();
	return ParsedPayload{type, std::move(*r)};
}

// Sub-payload types that may only appear inside an SA (RFC 2408 §3.5-3.6).
Error misplaced(PayloadType t)
{
	return malformed(payloadTypeName(t) + " payload outside an SA payload");
}

} // namespace

Result<ParsedPayload> parsePayload(const RawPayload &raw)
{
	const PayloadType t = raw.type;
	switch (t) {
	case PayloadType::SecurityAssociation: return wrap(t, parseSa(raw.body));
	case PayloadType::KeyExchange: return wrap(t, parseKeyExchange(raw.body));
	case PayloadType::Identification: return wrap(t, parseId(raw.body));
	case PayloadType::Certificate: return wrap(t, parseCertificate(raw.body));
	case PayloadType::CertificateRequest: return wrap(t, parseCertificateRequest(raw.body));
	case PayloadType::Hash: return wrap(t, parseHash(raw.body));
	case PayloadType::Signature: return wrap(t, parseSignature(raw.body));
	case PayloadType::Nonce: return wrap(t, parseNonce(raw.body));
	case PayloadType::Notification: return wrap(t, parseNotify(raw.body));
	case PayloadType::Delete: return wrap(t, parseDelete(raw.body));
	case PayloadType::VendorId: return wrap(t, parseVendorId(raw.body));
	case PayloadType::NatD:
	case PayloadType::NatDDraft: return wrap(t, parseNatD(raw.body));
	case PayloadType::NatOa:
	case PayloadType::NatOaDraft: return wrap(t, parseNatOa(raw.body));
	case PayloadType::Proposal:
	case PayloadType::Transform: return misplaced(t);
	case PayloadType::None:
	case PayloadType::Attribute:
	case PayloadType::Fragment: break;
	}
	return ParsedPayload{t, UnknownPayload{toVector(raw.body)}};
}

Result<OutPayload> buildPayload(const ParsedPayload &p)
{
	auto body = std::visit(
	        [](const auto &b) -> Result<std::vector<uint8_t>> {
		        using T = std::decay_t<decltype(b)>;
		        if constexpr (std::is_same_v<T, UnknownPayload>)
			        return b.body;
		        else if constexpr (std::is_same_v<T, SaPayload>)
			        return buildSa(b);
		        else if constexpr (std::is_same_v<T, IdPayload>)
			        return buildId(b);
		        else if constexpr (std::is_same_v<T, CertificatePayload>)
			        return buildCertificate(b);
		        else if constexpr (std::is_same_v<T, CertificateRequestPayload>)
			        return buildCertificateRequest(b);
		        else if constexpr (std::is_same_v<T, NotifyPayload>)
			        return buildNotify(b);
		        else if constexpr (std::is_same_v<T, DeletePayload>)
			        return buildDelete(b);
		        else if constexpr (std::is_same_v<T, NatOaPayload>)
			        return buildNatOa(b);
		        else
			        return buildOpaque(b);
	        },
	        p.body);
	if (!body)
		return std::move(body).error();
	return OutPayload{p.type, std::move(*body)};
}

} // namespace l2tpsec::ike
