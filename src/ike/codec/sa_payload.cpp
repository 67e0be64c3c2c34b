#include "ike/codec/sa_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/payload_chain.h"

#include <string>

namespace l2tpsec::ike {

namespace {

// A proposal is 8 bytes before its SPI, a transform 8 before its attributes
// (generic header included).
constexpr size_t kProposalFixedLen = 8;
constexpr size_t kTransformFixedLen = 8;

struct SubPayload {
	uint8_t next = 0;
	Bytes body; ///< after the generic header
};

// One Proposal or Transform sub-payload: the generic header (RFC 2408 §3.2)
// whose Next Payload may only be `expect` or NONE.
Result<SubPayload> takeSubPayload(wire::ByteReader &r, PayloadType expect, const std::string &what)
{
	if (!r.has(kPayloadHeaderLen))
		return malformed(what + ": " + std::to_string(r.remaining()) + " bytes left, no room for its header");
	SubPayload sp;
	sp.next = r.u8();
	if (sp.next != static_cast<uint8_t>(PayloadType::None) && sp.next != static_cast<uint8_t>(expect))
		return malformed(what + ": next payload " + std::to_string(sp.next) + " is neither " +
		                 std::to_string(static_cast<unsigned>(expect)) + " nor 0");
	if (uint8_t reserved = r.u8(); reserved != 0)
		return malformed(what + ": reserved byte is " + std::to_string(reserved));
	uint16_t length = r.u16();
	if (length < kPayloadHeaderLen)
		return malformed(what + ": length " + std::to_string(length) + " is shorter than its header");
	if (!r.has(length - kPayloadHeaderLen))
		return malformed(what + ": length " + std::to_string(length) + " overruns the " +
		                 std::to_string(r.remaining() + kPayloadHeaderLen) + " bytes left");
	sp.body = r.take(length - kPayloadHeaderLen);
	return sp;
}

Result<Transform> parseTransform(Bytes body, const std::string &what)
{
	if (body.size() < kTransformFixedLen - kPayloadHeaderLen)
		return malformed(what + ": " + std::to_string(body.size() + kPayloadHeaderLen) +
		                 " bytes, shorter than its fixed fields");
	wire::ByteReader r(body);
	Transform t;
	t.number = r.u8();
	t.id = r.u8();
	// RFC 2408 §3.6: "RESERVED2 - Unused, set to 0."
	if (uint16_t reserved = r.u16(); reserved != 0)
		return malformed(what + ": RESERVED2 is " + std::to_string(reserved));
	auto attrs = parseAttributes(r.rest());
	if (!attrs)
		return withContext(std::move(attrs).error(), what);
	t.attributes = std::move(*attrs);
	return t;
}

Result<Proposal> parseProposal(Bytes body, const std::string &what)
{
	if (body.size() < kProposalFixedLen - kPayloadHeaderLen)
		return malformed(what + ": " + std::to_string(body.size() + kPayloadHeaderLen) +
		                 " bytes, shorter than its fixed fields");
	wire::ByteReader r(body);
	Proposal p;
	p.number = r.u8();
	p.protocol = static_cast<ProtocolId>(r.u8());
	uint8_t spiSize = r.u8();
	uint8_t count = r.u8();
	if (!r.has(spiSize))
		return malformed(what + ": SPI size " + std::to_string(spiSize) + " overruns the proposal");
	p.spi = toVector(r.take(spiSize));
	// RFC 2408 §3.5: the transforms follow, as many as # of Transforms says.
	uint8_t next = static_cast<uint8_t>(PayloadType::Transform);
	while (next != static_cast<uint8_t>(PayloadType::None)) {
		std::string tWhat = what + " transform " + std::to_string(p.transforms.size());
		if (r.remaining() == 0)
			return malformed(tWhat + ": proposal ends while a transform is announced");
		L2S_TRY_ASSIGN(auto sp, takeSubPayload(r, PayloadType::Transform, tWhat));
		L2S_TRY_ASSIGN(auto t, parseTransform(sp.body, tWhat));
		p.transforms.push_back(std::move(t));
		next = sp.next;
	}
	if (r.remaining() != 0)
		return malformed(what + ": " + std::to_string(r.remaining()) + " bytes after the last transform");
	if (p.transforms.size() != count)
		return malformed(what + ": # of transforms is " + std::to_string(count) + " but " +
		                 std::to_string(p.transforms.size()) + " are present");
	return p;
}

} // namespace

Result<SaPayload> parseSa(Bytes body)
{
	wire::ByteReader r(body);
	if (!r.has(8))
		return malformed("SA payload of " + std::to_string(body.size()) +
		                 " bytes has no room for DOI and situation");
	SaPayload sa;
	sa.doi = static_cast<Doi>(r.u32());
	// RFC 2408 §3.4: the situation's layout is DOI-specific; only the IPsec
	// DOI's (RFC 2407 §4.6.1) is known here.
	if (sa.doi != Doi::Ipsec)
		return Error{kErrUnsupported, "SA payload: DOI " + std::to_string(static_cast<uint32_t>(sa.doi)) +
		                                      " is not the IPsec DOI"};
	sa.situation = r.u32();
	if (sa.situation & (kSituationSecrecy | kSituationIntegrity))
		return Error{kErrUnsupported,
		             "SA payload: situation " + std::to_string(sa.situation) + " asks for labelled domains"};
	if (r.remaining() == 0)
		return malformed("SA payload has no proposals");
	uint8_t next = static_cast<uint8_t>(PayloadType::Proposal);
	while (next != static_cast<uint8_t>(PayloadType::None)) {
		std::string what = "proposal " + std::to_string(sa.proposals.size());
		if (r.remaining() == 0)
			return malformed(what + ": SA payload ends while a proposal is announced");
		L2S_TRY_ASSIGN(auto sp, takeSubPayload(r, PayloadType::Proposal, what));
		L2S_TRY_ASSIGN(auto p, parseProposal(sp.body, what));
		sa.proposals.push_back(std::move(p));
		next = sp.next;
	}
	if (r.remaining() != 0)
		return malformed("SA payload: " + std::to_string(r.remaining()) + " bytes after the last proposal");
	return sa;
}

Result<std::vector<uint8_t>> buildSa(const SaPayload &sa)
{
	if (sa.proposals.empty())
		return malformed("SA payload has no proposals");
	std::vector<uint8_t> out;
	wire::put32(out, static_cast<uint32_t>(sa.doi));
	wire::put32(out, sa.situation);
	for (size_t pi = 0; pi < sa.proposals.size(); pi++) {
		const Proposal &p = sa.proposals[pi];
		std::string what = "proposal " + std::to_string(pi);
		if (p.transforms.empty())
			return malformed(what + " has no transforms");
		if (p.spi.size() > 0xff)
			return tooLarge(what + " SPI of " + std::to_string(p.spi.size()) + " bytes");
		if (p.transforms.size() > 0xff)
			return tooLarge(what + " with " + std::to_string(p.transforms.size()) + " transforms");
		size_t pStart = out.size();
		wire::put8(out, static_cast<uint8_t>(pi + 1 < sa.proposals.size() ? PayloadType::Proposal
		                                                                  : PayloadType::None));
		wire::put8(out, 0);
		wire::put16(out, 0); // length, patched below
		wire::put8(out, p.number);
		wire::put8(out, static_cast<uint8_t>(p.protocol));
		wire::put8(out, static_cast<uint8_t>(p.spi.size()));
		wire::put8(out, static_cast<uint8_t>(p.transforms.size()));
		wire::putBytes(out, p.spi);
		for (size_t ti = 0; ti < p.transforms.size(); ti++) {
			const Transform &t = p.transforms[ti];
			L2S_TRY_ASSIGN(auto attrs, buildAttributes(t.attributes));
			if (kTransformFixedLen + attrs.size() > 0xffff)
				return tooLarge(what + " transform " + std::to_string(ti) + " of " +
				                std::to_string(kTransformFixedLen + attrs.size()) + " bytes");
			wire::put8(out, static_cast<uint8_t>(ti + 1 < p.transforms.size() ? PayloadType::Transform
			                                                                  : PayloadType::None));
			wire::put8(out, 0);
			wire::put16(out, static_cast<uint16_t>(kTransformFixedLen + attrs.size()));
			wire::put8(out, t.number);
			wire::put8(out, t.id);
			wire::put16(out, 0);
			wire::putBytes(out, attrs);
		}
		size_t pLen = out.size() - pStart;
		if (pLen > 0xffff)
			return tooLarge(what + " of " + std::to_string(pLen) + " bytes");
		wire::store16(out, pStart + 2, static_cast<uint16_t>(pLen));
	}
	return out;
}

} // namespace l2tpsec::ike
