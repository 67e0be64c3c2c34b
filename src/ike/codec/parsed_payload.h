#pragma once
// One payload of any type, parsed into its typed struct: the dispatch from
// RawPayload::type to parseSa(), parseId(), ... and back to bytes. Types
// without a typed parser (Mode Config attributes, fragments, private use)
// stay bytes, so a whole message can be parsed, logged and rebuilt.

#include "common/result.h"
#include "ike/codec/delete_payload.h"
#include "ike/codec/id_payload.h"
#include "ike/codec/nat_oa_payload.h"
#include "ike/codec/notify_payload.h"
#include "ike/codec/opaque_payloads.h"
#include "ike/codec/payload_chain.h"
#include "ike/codec/sa_payload.h"

#include <variant>
#include <vector>

namespace l2tpsec::ike {

/// The body of a payload type the codec does not interpret.
struct UnknownPayload {
	std::vector<uint8_t> body;

	friend bool operator==(const UnknownPayload &, const UnknownPayload &) = default;
};

using PayloadBody = std::variant<UnknownPayload, SaPayload, KeyExchangePayload, IdPayload, CertificatePayload,
                                 CertificateRequestPayload, HashPayload, SignaturePayload, NoncePayload, NotifyPayload,
                                 DeletePayload, VendorIdPayload, NatDPayload, NatOaPayload>;

struct ParsedPayload {
	/// The wire type; tells NatD from NatDDraft, NatOa from NatOaDraft.
	PayloadType type = PayloadType::None;
	PayloadBody body;

	friend bool operator==(const ParsedPayload &, const ParsedPayload &) = default;
};

/// Parses one payload by its type. A Proposal or Transform outside an SA is
/// malformed; types the codec does not know come back as UnknownPayload.
/// Errors are those of the type's own parser.
Result<ParsedPayload> parsePayload(const RawPayload &raw);

/// The payload's type and body bytes, for MessageBuilder or
/// encodePayloadChain(). For every payload parsePayload() returned, the
/// body is the bytes it was parsed from.
Result<OutPayload> buildPayload(const ParsedPayload &p);

} // namespace l2tpsec::ike
