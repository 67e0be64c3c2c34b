#pragma once
// Finding payloads in a received chain (internal to the IKE engine).

#include "ike/codec/payload_chain.h"

#include <cstddef>
#include <vector>

namespace l2tpsec::ike {

/// The first payload of a type, or nullptr.
inline const RawPayload *findPayload(const std::vector<RawPayload> &chain, PayloadType type)
{
	for (const RawPayload &p : chain)
		if (p.type == type)
			return &p;
	return nullptr;
}

/// Every payload of a type (or of either of two: RFC 3947 and draft numbers).
inline std::vector<const RawPayload *> findAll(const std::vector<RawPayload> &chain, PayloadType type,
                                               PayloadType alias = PayloadType::None)
{
	std::vector<const RawPayload *> out;
	for (const RawPayload &p : chain)
		if (p.type == type || (alias != PayloadType::None && p.type == alias))
			out.push_back(&p);
	return out;
}

/// A nonce body of the size RFC 2409 §5 allows (8 to 256 bytes).
inline bool validNonce(const RawPayload *n)
{
	return n && n->body.size() >= 8 && n->body.size() <= 256;
}

inline std::vector<uint8_t> bytesOf(Bytes b)
{
	return {b.begin(), b.end()};
}

inline size_t countPayloads(const std::vector<RawPayload> &chain, PayloadType type)
{
	size_t n = 0;
	for (const RawPayload &p : chain)
		n += p.type == type;
	return n;
}

} // namespace l2tpsec::ike
