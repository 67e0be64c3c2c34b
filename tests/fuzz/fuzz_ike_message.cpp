// libFuzzer: the ISAKMP codec must answer any bytes with a message or an
// error, never a crash, hang or sanitizer report; and whatever it parses
// must build back to the same bytes and re-parse to the same value.
//
// Each input is tried three ways: as a datagram (header, payload chain,
// every payload; a body with the E flag is walked as decrypted plaintext),
// as one payload (first byte = type, rest = body), and as an attribute list.

#include "ike/codec/data_attribute.h"
#include "ike/codec/header.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/names.h"
#include "ike/codec/parsed_payload.h"
#include "ike/codec/payload_chain.h"
#include "ike/codec/vendor_ids.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <variant>
#include <vector>

using namespace l2tpsec::ike;

namespace {

void check(bool ok)
{
	if (!ok)
		std::abort();
}

bool sameBytes(const std::vector<uint8_t> &a, Bytes b)
{
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Touches the typed readers, which must not fail on what the parser accepted.
void inspect(const ParsedPayload &p)
{
	(void)payloadTypeName(p.type);
	if (const auto *id = std::get_if<IdPayload>(&p.body)) {
		switch (id->type) {
		case IdType::Ipv4Addr:
		case IdType::Ipv6Addr:
		case IdType::Ipv4AddrSubnet:
		case IdType::Ipv6AddrSubnet:
		case IdType::Ipv4AddrRange:
		case IdType::Ipv6AddrRange: check(idAddresses(*id).ok()); break;
		case IdType::Reserved:
		case IdType::Fqdn:
		case IdType::UserFqdn:
		case IdType::DerAsn1Dn:
		case IdType::DerAsn1Gn:
		case IdType::KeyId: check(!idAddresses(*id).ok()); break;
		}
	} else if (const auto *n = std::get_if<NotifyPayload>(&p.body)) {
		(void)notifyTypeName(n->type);
		(void)dpdSequence(*n);
		if (auto attrs = responderLifetimeAttributes(*n))
			for (const auto &a : *attrs)
				(void)a.asInteger();
	} else if (const auto *vid = std::get_if<VendorIdPayload>(&p.body)) {
		if (auto known = recogniseVendorId(vid->data))
			(void)vendorIdInfo(*known).name;
	} else if (const auto *sa = std::get_if<SaPayload>(&p.body)) {
		for (const auto &prop : sa->proposals)
			for (const auto &t : prop.transforms)
				for (const auto &a : t.attributes)
					(void)a.asInteger();
	}
}

// Parses one payload; if it parses, it must rebuild to its own bytes and
// re-parse equal. Returns the parsed payload for the message rebuild.
std::optional<ParsedPayload> roundTrip(const RawPayload &raw)
{
	auto p = parsePayload(raw);
	if (!p)
		return std::nullopt;
	inspect(*p);
	auto built = buildPayload(*p);
	check(built.ok());
	check(built->type == raw.type);
	check(sameBytes(built->body, raw.body));
	auto again = parsePayload(RawPayload{built->type, built->body});
	check(again.ok());
	check(*again == *p);
	return std::move(*p);
}

void fuzzDatagram(Bytes in)
{
	auto m = parseMessage(in);
	if (!m)
		return;
	(void)exchangeTypeName(m->header.exchange);
	bool encrypted = m->header.encrypted();
	auto chain = encrypted ? parseDecryptedPayloadChain(m->header.nextPayload, m->body)
	                       : parsePayloadChain(m->header.nextPayload, m->body);
	if (!chain)
		return;
	MessageBuilder b(m->header);
	for (const RawPayload &raw : *chain) {
		if (auto p = roundTrip(raw))
			b.add(*p);
		else
			b.add(raw.type, std::vector<uint8_t>(raw.body.begin(), raw.body.end()));
	}
	// The rebuilt chain is the body up to its last payload (all of it
	// unless padding was skipped), and the whole message when plaintext.
	auto body = b.buildBody();
	check(body.ok());
	check(body->size() <= m->body.size());
	check(sameBytes(*body, m->body.first(body->size())));
	check(encrypted || body->size() == m->body.size());
	check(b.firstPayload() == (chain->empty() ? PayloadType::None : m->header.nextPayload));
	if (!encrypted) {
		auto whole = b.build();
		check(whole.ok());
		check(sameBytes(*whole, in.first(m->header.length)));
	}
}

void fuzzAttributes(Bytes in)
{
	auto attrs = parseAttributes(in);
	if (!attrs)
		return;
	auto built = buildAttributes(*attrs);
	check(built.ok());
	check(sameBytes(*built, in));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Bytes in(data, size);
	fuzzDatagram(in);
	if (size >= 1)
		(void)roundTrip(RawPayload{static_cast<PayloadType>(data[0]), in.subspan(1)});
	fuzzAttributes(in);
	return 0;
}
