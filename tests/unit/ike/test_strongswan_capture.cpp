// Genuine strongSwan 5.9.8 IKEv1 traffic (strongswan_capture.h): Main Mode
// 1-4 in the clear, Main Mode 5-6, Quick Mode 1-2 and an Informational as
// ciphertext plus charon's own decryption. Every field the engine will rely
// on is checked, and every message re-encodes to the bytes charon sent.

#include "hex.h"
#include "ike/codec/header.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/parsed_payload.h"
#include "ike/codec/transform_attributes.h"
#include "ike/codec/vendor_ids.h"
#include "strongswan_capture.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec::ike;
using l2tpsec::IpAddress;
using l2tpsec::ike::test::hex;
namespace cap = l2tpsec::ike::capture;

namespace {

std::vector<ParsedPayload> parseAll(const std::vector<RawPayload> &chain)
{
	std::vector<ParsedPayload> out;
	for (const RawPayload &raw : chain) {
		auto p = parsePayload(raw);
		REQUIRE(p);
		// Each payload re-encodes to exactly the bytes it came from.
		auto built = buildPayload(*p);
		REQUIRE(built);
		CHECK(built->type == raw.type);
		CHECK(built->body == std::vector<uint8_t>(raw.body.begin(), raw.body.end()));
		out.push_back(std::move(*p));
	}
	return out;
}

// A plaintext message: parsed, its payloads parsed, and rebuilt to the same
// datagram from the typed payloads.
std::vector<ParsedPayload> parsePlain(const std::vector<uint8_t> &datagram, Header *header)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	CHECK_FALSE(m->header.encrypted());
	CHECK(m->header.length == datagram.size());
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	auto payloads = parseAll(*chain);
	MessageBuilder b(m->header);
	for (const auto &p : payloads)
		b.add(p);
	auto rebuilt = b.build();
	REQUIRE(rebuilt);
	CHECK(*rebuilt == datagram);
	*header = m->header;
	return payloads;
}

// An encrypted message: the header, and the decrypted body parsed with its
// padding ignored; the payloads rebuild to the plaintext minus the padding.
std::vector<ParsedPayload> parseEncrypted(const std::vector<uint8_t> &datagram, const std::vector<uint8_t> &plain,
                                          size_t padding, Header *header)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	CHECK(m->header.encrypted());
	CHECK(m->header.length == datagram.size());
	// AES-CBC: the body is whole blocks, and as long as the plaintext.
	CHECK(m->body.size() % 16 == 0);
	CHECK(m->body.size() == plain.size());
	auto chain = parseDecryptedPayloadChain(m->header.nextPayload, plain);
	REQUIRE(chain);
	// Charon pads with zeros; the strict parser refuses the same bytes.
	CHECK_FALSE(parsePayloadChain(m->header.nextPayload, plain));
	auto payloads = parseAll(*chain);
	MessageBuilder b(m->header);
	for (const auto &p : payloads)
		b.add(p);
	auto body = b.buildBody();
	REQUIRE(body);
	CHECK(body->size() + padding == plain.size());
	CHECK(std::equal(body->begin(), body->end(), plain.begin()));
	CHECK(std::all_of(plain.end() - static_cast<std::ptrdiff_t>(padding), plain.end(),
	                  [](uint8_t v) { return v == 0; }));
	CHECK(b.firstPayload() == m->header.nextPayload);
	*header = m->header;
	return payloads;
}

template <typename T>
const T &as(const ParsedPayload &p)
{
	REQUIRE(std::holds_alternative<T>(p.body));
	return std::get<T>(p.body);
}

std::vector<PayloadType> typesOf(const std::vector<ParsedPayload> &payloads)
{
	std::vector<PayloadType> out;
	for (const auto &p : payloads)
		out.push_back(p.type);
	return out;
}

uint64_t attr(const Transform &t, uint16_t type)
{
	const DataAttribute *a = findAttribute(t.attributes, type);
	REQUIRE(a);
	REQUIRE(a->asInteger());
	return *a->asInteger();
}

template <typename E>
uint16_t u(E e)
{
	return static_cast<uint16_t>(e);
}

} // namespace

TEST_CASE("strongSwan Main Mode 1: SA with three transforms and five vendor IDs")
{
	Header h;
	auto p = parsePlain(cap::kMainMode1, &h);
	CHECK(h.initiatorCookie == cap::kCkyI);
	CHECK(h.responderCookie == Cookie{});
	CHECK(h.exchange == ExchangeType::IdentityProtection);
	CHECK(h.flags == 0);
	CHECK(h.messageId == 0);
	CHECK(h.length == 260);
	using PT = PayloadType;
	CHECK(typesOf(p) == std::vector{PT::SecurityAssociation, PT::VendorId, PT::VendorId, PT::VendorId, PT::VendorId,
	                                PT::VendorId});

	const auto &sa = as<SaPayload>(p[0]);
	CHECK(sa.doi == Doi::Ipsec);
	CHECK(sa.situation == kSituationIdentityOnly);
	REQUIRE(sa.proposals.size() == 1);
	const Proposal &prop = sa.proposals[0];
	CHECK(prop.protocol == ProtocolId::Isakmp);
	CHECK(prop.spi.empty());
	REQUIRE(prop.transforms.size() == 3);
	struct Want {
		IkeEncryption enc;
		uint64_t keyLen;
		DhGroup group;
	};
	const Want want[] = {{IkeEncryption::AesCbc, 256, DhGroup::Modp2048},
	                     {IkeEncryption::AesCbc, 128, DhGroup::Modp1024},
	                     {IkeEncryption::TripleDesCbc, 0, DhGroup::Modp1024}};
	for (size_t i = 0; i < 3; i++) {
		CAPTURE(i);
		const Transform &t = prop.transforms[i];
		CHECK(t.number == i + 1);
		CHECK(t.id == kTransformKeyIke);
		CHECK(attr(t, u(IkeAttribute::EncryptionAlgorithm)) == u(want[i].enc));
		if (want[i].keyLen)
			CHECK(attr(t, u(IkeAttribute::KeyLength)) == want[i].keyLen);
		else
			CHECK(findAttribute(t.attributes, u(IkeAttribute::KeyLength)) == nullptr);
		CHECK(attr(t, u(IkeAttribute::HashAlgorithm)) == u(IkeHash::Sha));
		CHECK(attr(t, u(IkeAttribute::GroupDescription)) == u(want[i].group));
		CHECK(attr(t, u(IkeAttribute::AuthenticationMethod)) == u(IkeAuthMethod::PreSharedKey));
		CHECK(attr(t, u(IkeAttribute::LifeType)) == u(LifeType::Seconds));
		// 24 h reauthentication + 10 % margin, as a 4-byte TLV (> 65535).
		const DataAttribute *life = findAttribute(t.attributes, u(IkeAttribute::LifeDuration));
		REQUIRE(life);
		CHECK_FALSE(life->isBasic());
		CHECK(life->asInteger() == 95040);
	}

	std::vector<std::optional<KnownVendorId>> vids;
	for (size_t i = 1; i < p.size(); i++)
		vids.push_back(recogniseVendorId(as<VendorIdPayload>(p[i]).data));
	CHECK(vids == std::vector<std::optional<KnownVendorId>>{
	                      KnownVendorId::Xauth, KnownVendorId::Dpd, KnownVendorId::Fragmentation,
	                      KnownVendorId::NatTRfc3947, KnownVendorId::NatTDraft02N});
}

TEST_CASE("strongSwan Main Mode 2: the chosen transform and four vendor IDs")
{
	Header h;
	auto p = parsePlain(cap::kMainMode2, &h);
	CHECK(h.initiatorCookie == cap::kCkyI);
	CHECK(h.responderCookie == cap::kCkyR);
	CHECK(h.exchange == ExchangeType::IdentityProtection);
	CHECK(h.length == 164);
	REQUIRE(p.size() == 5);
	const auto &sa = as<SaPayload>(p[0]);
	REQUIRE(sa.proposals.size() == 1);
	REQUIRE(sa.proposals[0].transforms.size() == 1);
	const Transform &t = sa.proposals[0].transforms[0];
	CHECK(attr(t, u(IkeAttribute::EncryptionAlgorithm)) == u(IkeEncryption::AesCbc));
	CHECK(attr(t, u(IkeAttribute::KeyLength)) == 256);
	CHECK(attr(t, u(IkeAttribute::GroupDescription)) == u(DhGroup::Modp2048));
	CHECK(recogniseVendorId(as<VendorIdPayload>(p[4]).data) == KnownVendorId::NatTRfc3947);
}

TEST_CASE("strongSwan Main Mode 3 and 4: KE, nonce and the NAT-D pair")
{
	Header h3, h4;
	auto p3 = parsePlain(cap::kMainMode3, &h3);
	auto p4 = parsePlain(cap::kMainMode4, &h4);
	using PT = PayloadType;
	const std::vector want{PT::KeyExchange, PT::Nonce, PT::NatD, PT::NatD};
	CHECK(typesOf(p3) == want);
	CHECK(typesOf(p4) == want);
	CHECK(h3.length == 372);
	CHECK(h4.length == 372);
	// MODP2048 public values, 32-byte nonces, SHA1 NAT-D hashes.
	CHECK(as<KeyExchangePayload>(p3[0]).data.size() == 256);
	CHECK(as<KeyExchangePayload>(p4[0]).data.size() == 256);
	CHECK(as<NoncePayload>(p3[1]).data.size() == 32);
	CHECK(as<NoncePayload>(p4[1]).data.size() == 32);
	CHECK(as<NatDPayload>(p3[2]).data.size() == 20);
	// RFC 3947 §3.2: each side sends HASH(remote) then HASH(local); with no
	// NAT in between, the responder's pair is the initiator's swapped.
	CHECK(as<NatDPayload>(p3[2]) == as<NatDPayload>(p4[3]));
	CHECK(as<NatDPayload>(p3[3]) == as<NatDPayload>(p4[2]));
	CHECK(as<NatDPayload>(p3[2]).data == hex("9bd79249838948bfe25f42933434e7dafe359ffa"));
}

TEST_CASE("strongSwan Main Mode 5: IDii, HASH_I, INITIAL-CONTACT behind 16 bytes of padding")
{
	Header h;
	auto p = parseEncrypted(cap::kMainMode5, cap::kMainMode5Plain, 16, &h);
	CHECK(h.exchange == ExchangeType::IdentityProtection);
	CHECK(h.flags == kFlagEncryption);
	CHECK(h.nextPayload == PayloadType::Identification);
	using PT = PayloadType;
	CHECK(typesOf(p) == std::vector{PT::Identification, PT::Hash, PT::Notification});
	const auto &id = as<IdPayload>(p[0]);
	CHECK(id == IdPayload::address(IpAddress::parse("127.0.0.1").value(), 0, 0));
	CHECK(as<HashPayload>(p[1]).data.size() == 20);
	CHECK(as<NotifyPayload>(p[2]) == NotifyPayload::initialContact(cap::kCkyI, cap::kCkyR));
}

TEST_CASE("strongSwan Main Mode 6: IDir, HASH_R behind 12 bytes of padding")
{
	Header h;
	auto p = parseEncrypted(cap::kMainMode6, cap::kMainMode6Plain, 12, &h);
	REQUIRE(p.size() == 2);
	CHECK(as<IdPayload>(p[0]) == IdPayload::address(IpAddress::parse("127.0.0.2").value(), 0, 0));
	CHECK(as<HashPayload>(p[1]).data.size() == 20);
}

TEST_CASE("strongSwan Quick Mode 1: one ESP proposal, three transforms, UDP/1701 in transport mode")
{
	Header h;
	auto p = parseEncrypted(cap::kQuickMode1, cap::kQuickMode1Plain, 4, &h);
	CHECK(h.exchange == ExchangeType::QuickMode);
	CHECK(h.messageId == 0x94285f58);
	using PT = PayloadType;
	CHECK(typesOf(p) ==
	      std::vector{PT::Hash, PT::SecurityAssociation, PT::Nonce, PT::Identification, PT::Identification});
	const auto &sa = as<SaPayload>(p[1]);
	// Like its Main Mode offer, strongSwan sends the alternatives as the
	// transforms of one proposal.
	REQUIRE(sa.proposals.size() == 1);
	const Proposal &prop = sa.proposals[0];
	CHECK(prop.protocol == ProtocolId::IpsecEsp);
	CHECK(prop.spi == hex("cd5be4a2"));
	REQUIRE(prop.transforms.size() == 3);
	const EspTransformId ids[] = {EspTransformId::AesCbc, EspTransformId::AesCbc, EspTransformId::TripleDes};
	for (size_t i = 0; i < 3; i++) {
		CAPTURE(i);
		const Transform &t = prop.transforms[i];
		CHECK(t.number == i + 1);
		CHECK(t.id == u(ids[i]));
		CHECK(attr(t, u(IpsecAttribute::EncapsulationMode)) == u(EncapsulationMode::Transport));
		CHECK(attr(t, u(IpsecAttribute::AuthenticationAlgorithm)) == u(IpsecAuthAlgorithm::HmacSha));
		CHECK(attr(t, u(IpsecAttribute::SaLifeType)) == u(LifeType::Seconds));
		CHECK(attr(t, u(IpsecAttribute::SaLifeDuration)) == 3960); // 1 h + 10 %
	}
	CHECK(attr(prop.transforms[0], u(IpsecAttribute::KeyLength)) == 256);
	CHECK(attr(prop.transforms[1], u(IpsecAttribute::KeyLength)) == 128);
	CHECK(findAttribute(prop.transforms[2].attributes, u(IpsecAttribute::KeyLength)) == nullptr);
	CHECK(as<NoncePayload>(p[2]).data.size() == 32);
	auto idci = as<IdPayload>(p[3]);
	CHECK(idci == IdPayload::address(IpAddress::parse("127.0.0.1").value(), kIpProtoUdp, kL2tpPort));
	CHECK(as<IdPayload>(p[4]) == IdPayload::address(IpAddress::parse("127.0.0.2").value(), kIpProtoUdp, kL2tpPort));
}

TEST_CASE("strongSwan Quick Mode 2: the chosen proposal with the responder's SPI")
{
	Header h;
	auto p = parseEncrypted(cap::kQuickMode2, cap::kQuickMode2Plain, 8, &h);
	CHECK(h.messageId == 0x94285f58);
	REQUIRE(p.size() == 5);
	const auto &sa = as<SaPayload>(p[1]);
	REQUIRE(sa.proposals.size() == 1);
	CHECK(sa.proposals[0].spi == hex("cfd5a93e"));
	CHECK(sa.proposals[0].transforms[0].id == u(EspTransformId::AesCbc));
}

TEST_CASE("strongSwan Informational: HASH(1), N(NO-PROPOSAL-CHOSEN) for the ESP SPI")
{
	Header h;
	auto p = parseEncrypted(cap::kInformationalNoProposal, cap::kInformationalNoProposalPlain, 8, &h);
	CHECK(h.exchange == ExchangeType::Informational);
	CHECK(h.messageId == 0x078e0045);
	REQUIRE(p.size() == 2);
	const auto &n = as<NotifyPayload>(p[1]);
	CHECK(n.type == NotifyType::NoProposalChosen);
	CHECK(n.protocol == ProtocolId::IpsecEsp);
	CHECK(n.spi == hex("cd5be4a2"));
}

TEST_CASE("every truncation of a captured message is refused cleanly")
{
	// Cutting the datagram anywhere leaves the header length unsatisfied.
	for (const auto *msg : {&cap::kMainMode1, &cap::kMainMode3, &cap::kMainMode5}) {
		for (size_t n = 0; n < msg->size(); n++) {
			auto r = parseMessage(Bytes(*msg).first(n));
			CHECK_FALSE(r);
		}
	}
	// Cutting the body (with the length field fixed up) breaks the chain.
	const auto &mm1 = cap::kMainMode1;
	for (size_t n = kHeaderLen; n < mm1.size(); n++) {
		auto m = parseMessage(Bytes(mm1).first(n));
		REQUIRE_FALSE(m);
		auto body = Bytes(mm1).subspan(kHeaderLen, n - kHeaderLen);
		CHECK_FALSE(parsePayloadChain(PayloadType::SecurityAssociation, body));
	}
}
