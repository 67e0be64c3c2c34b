#include "ike/codec/payload_chain.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <string>

namespace l2tpsec::ike {

namespace {

std::string at(size_t index, PayloadType type)
{
	return "payload " + std::to_string(index) + " (type " + std::to_string(static_cast<unsigned>(type)) + ")";
}

Result<std::vector<RawPayload>> walk(PayloadType first, Bytes body, bool allowPadding)
{
	std::vector<RawPayload> out;
	wire::ByteReader r(body);
	PayloadType next = first;
	while (next != PayloadType::None) {
		if (!r.has(kPayloadHeaderLen))
			return malformed(at(out.size(), next) + ": " + std::to_string(r.remaining()) +
			                 " bytes left, no room for its header");
		auto following = static_cast<PayloadType>(r.u8());
		// RFC 2408 §3.2: "RESERVED - Unused, set to 0."
		if (uint8_t reserved = r.u8(); reserved != 0)
			return malformed(at(out.size(), next) + ": reserved byte is " + std::to_string(reserved));
		uint16_t length = r.u16();
		if (length < kPayloadHeaderLen)
			return malformed(at(out.size(), next) + ": length " + std::to_string(length) +
			                 " is shorter than its header");
		size_t bodyLen = length - kPayloadHeaderLen;
		if (!r.has(bodyLen))
			return malformed(at(out.size(), next) + ": length " + std::to_string(length) +
			                 " overruns the " + std::to_string(r.remaining() + kPayloadHeaderLen) +
			                 " bytes left");
		out.push_back(RawPayload{next, r.take(bodyLen)});
		next = following;
	}
	if (r.remaining() != 0 && !allowPadding)
		return malformed(std::to_string(r.remaining()) + " bytes after the last payload");
	return out;
}

} // namespace

Result<std::vector<RawPayload>> parsePayloadChain(PayloadType first, Bytes body)
{
	return walk(first, body, false);
}

Result<std::vector<RawPayload>> parseDecryptedPayloadChain(PayloadType first, Bytes plaintext)
{
	return walk(first, plaintext, true);
}

Result<std::vector<uint8_t>> encodePayloadChain(std::span<const OutPayload> payloads)
{
	std::vector<uint8_t> out;
	for (size_t i = 0; i < payloads.size(); i++) {
		const OutPayload &p = payloads[i];
		if (p.body.size() > kMaxPayloadBodyLen)
			return tooLarge(at(i, p.type) + " body of " + std::to_string(p.body.size()) + " bytes");
		PayloadType next = i + 1 < payloads.size() ? payloads[i + 1].type : PayloadType::None;
		wire::put8(out, static_cast<uint8_t>(next));
		wire::put8(out, 0);
		wire::put16(out, static_cast<uint16_t>(p.body.size() + kPayloadHeaderLen));
		wire::putBytes(out, p.body);
	}
	return out;
}

} // namespace l2tpsec::ike
