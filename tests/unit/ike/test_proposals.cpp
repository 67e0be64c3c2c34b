// Proposal lists and matching (RFC 2408 §4.2, RFC 2409 §5, RFC 2407 §4.5):
// the profiles accept what the built-in clients send (doc/clients.md),
// the responder picks in our order and echoes the transform unchanged,
// lifetimes, NAT-T modes, PFS, and ESP keys for the kernel.
#include "hex.h"
#include "ike/codec/header.h"
#include "ike/codec/payload_chain.h"
#include "ike/proposals.h"
#include "strongswan_capture.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace std::chrono_literals;
namespace cap = l2tpsec::ike::capture;

namespace {

IkeSuite ikeSuite(const char *s)
{
	auto r = ikeSuiteFromSpelling(s);
	REQUIRE(r);
	return *r;
}

EspSuite esp(const char *s)
{
	auto r = espSuiteFromSpelling(s);
	REQUIRE(r);
	return *r;
}

ProposalSet profile(ProposalProfile p)
{
	IkeConfig c;
	c.profile = p;
	auto set = proposalsFromConfig(c);
	REQUIRE(set);
	return *set;
}

/// The SA payload of a cleartext message (MM1, MM2).
SaPayload saOf(const std::vector<uint8_t> &datagram)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	REQUIRE(chain->at(0).type == PayloadType::SecurityAssociation);
	auto sa = parseSa(chain->at(0).body);
	REQUIRE(sa);
	return *sa;
}

std::vector<uint8_t> saBodyOf(const std::vector<uint8_t> &datagram)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	return {chain->at(0).body.begin(), chain->at(0).body.end()};
}

Transform phase1Transform(uint8_t number, uint16_t enc, uint16_t keyBits, uint16_t hash, uint16_t group,
                          uint16_t auth = 1, uint64_t life = 28800)
{
	Transform t{number, kTransformKeyIke, {}};
	t.attributes.push_back(DataAttribute::basic(1, enc));
	if (keyBits)
		t.attributes.push_back(DataAttribute::basic(14, keyBits));
	t.attributes.push_back(DataAttribute::basic(2, hash));
	t.attributes.push_back(DataAttribute::basic(3, auth));
	t.attributes.push_back(DataAttribute::basic(4, group));
	t.attributes.push_back(DataAttribute::basic(11, 1));
	t.attributes.push_back(DataAttribute::integer(12, life));
	return t;
}

SaPayload phase1Sa(std::vector<Transform> ts)
{
	return SaPayload{Doi::Ipsec, kSituationIdentityOnly, {Proposal{1, ProtocolId::Isakmp, {}, std::move(ts)}}};
}

Transform espTransform(uint8_t number, EspTransformId id, uint16_t keyBits, uint16_t auth, uint16_t mode,
                       uint16_t group = 0, uint64_t life = 3600)
{
	Transform t{number, static_cast<uint8_t>(id), {}};
	t.attributes.push_back(DataAttribute::basic(1, 1));
	t.attributes.push_back(DataAttribute::integer(2, life));
	if (group)
		t.attributes.push_back(DataAttribute::basic(3, group));
	t.attributes.push_back(DataAttribute::basic(4, mode));
	if (auth)
		t.attributes.push_back(DataAttribute::basic(5, auth));
	if (keyBits)
		t.attributes.push_back(DataAttribute::basic(6, keyBits));
	return t;
}

SaPayload espSa(std::vector<Transform> ts, uint32_t spi = 0x11223344)
{
	return SaPayload{Doi::Ipsec,
	                 kSituationIdentityOnly,
	                 {Proposal{1,
	                           ProtocolId::IpsecEsp,
	                           {uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi)},
	                           std::move(ts)}}};
}

} // namespace

TEST_CASE("every profile spelling parses, and the explicit lists replace the profile")
{
	for (auto p : {ProposalProfile::Modern, ProposalProfile::Compat, ProposalProfile::Legacy}) {
		for (std::string_view s : profileIkeProposals(p))
			CHECK_MESSAGE(ikeSuiteFromSpelling(s), s);
		for (std::string_view s : profileEspProposals(p))
			CHECK_MESSAGE(espSuiteFromSpelling(s), s);
	}
	IkeConfig c;
	c.ikeProposals = {"3des-md5-modp1024"};
	c.espProposals = {"aes128gcm16-ecp256"};
	auto set = proposalsFromConfig(c);
	REQUIRE(set);
	REQUIRE(set->ike.size() == 1);
	CHECK(suiteName(set->ike[0]) == "3des-md5-modp1024");
	REQUIRE(set->esp.size() == 1);
	CHECK(suiteName(set->esp[0]) == "aes128gcm16-ecp256");
	CHECK(set->esp[0].pfs == crypto::DhGroup::Ecp256);

	c.ikeProposals = {"aes256-sha1-modp768"};
	auto bad = proposalsFromConfig(c);
	REQUIRE_FALSE(bad);
	CHECK(bad.error().message == "IKE proposal \"aes256-sha1-modp768\" is not supported");
}

TEST_CASE("compat accepts each of the 11 Windows 10 + macOS/iOS phase-1 proposals and Android's MODP1024")
{
	ProposalSet compat = profile(ProposalProfile::Compat);
	// doc/clients.md, phase 1, in the table's order: (enc, key bits, hash, group).
	struct Row {
		uint16_t enc, bits, hash, group;
		const char *name;
	};
	const Row rows[] = {
	        {7, 256, 4, 14, "aes256-sha256-modp2048"}, {7, 256, 4, 5, "aes256-sha256-modp1536"},
	        {7, 256, 4, 2, "aes256-sha256-modp1024"},  {7, 256, 2, 14, "aes256-sha1-modp2048"},
	        {7, 256, 2, 5, "aes256-sha1-modp1536"},    {7, 256, 2, 2, "aes256-sha1-modp1024"},
	        {7, 256, 2, 20, "aes256-sha1-ecp384"},     {7, 128, 2, 2, "aes128-sha1-modp1024"},
	        {7, 128, 2, 19, "aes128-sha1-ecp256"},     {5, 0, 2, 14, "3des-sha1-modp2048"},
	        {5, 0, 2, 2, "3des-sha1-modp1024"},
	};
	for (const Row &r : rows) {
		auto c = choosePhase1(phase1Sa({phase1Transform(1, r.enc, r.bits, r.hash, r.group)}), compat.ike, 8h);
		REQUIRE_MESSAGE(c, r.name);
		CHECK(suiteName(c->suite) == r.name);
	}
	// modern refuses the MODP1024 ones, legacy takes them too.
	ProposalSet modern = profile(ProposalProfile::Modern);
	CHECK_FALSE(choosePhase1(phase1Sa({phase1Transform(1, 5, 0, 2, 2)}), modern.ike, 8h));
	CHECK(choosePhase1(phase1Sa({phase1Transform(1, 5, 0, 2, 2)}), profile(ProposalProfile::Legacy).ike, 8h));
}

TEST_CASE("the responder picks in our order and echoes the transform unchanged")
{
	// The client lists 3DES first; we prefer AES-256/SHA-256.
	SaPayload offer = phase1Sa(
	        {phase1Transform(1, 5, 0, 2, 2), phase1Transform(2, 7, 128, 2, 14), phase1Transform(3, 7, 256, 4, 14)});
	auto c = choosePhase1(offer, profile(ProposalProfile::Compat).ike, 8h);
	REQUIRE(c);
	CHECK(suiteName(c->suite) == "aes256-sha256-modp2048");
	REQUIRE(c->reply.proposals.size() == 1);
	CHECK(c->reply.proposals[0].transforms == std::vector<Transform>{offer.proposals[0].transforms[2]});
	CHECK(c->lifetime == 8h);
}

TEST_CASE("strongSwan's Main Mode 1: we choose what charon chose, and MM2's SA is byte for byte charon's")
{
	SaPayload offer = saOf(cap::kMainMode1);
	auto c = choosePhase1(offer, profile(ProposalProfile::Compat).ike, 8h);
	REQUIRE(c);
	CHECK(suiteName(c->suite) == "aes256-sha1-modp2048");
	// charon offered 95040 s; ours (8 h) is shorter and is the one in force.
	CHECK(c->lifetime == 8h);
	auto body = buildSa(c->reply);
	REQUIRE(body);
	CHECK(*body == saBodyOf(cap::kMainMode2));
	CHECK(describePhase1Offer(offer) ==
	      "aes256-sha1-modp2048/psk/95040s, aes128-sha1-modp1024/psk/95040s, 3des-sha1-modp1024/psk/95040s");
	CHECK(compactPhase1Offer(offer) == "aes256-sha1-modp2048, aes128-sha1-modp1024, 3des-sha1-modp1024");
}

TEST_CASE("the compact phase-1 offer names each suite once, whatever the methods and lifetimes")
{
	SaPayload offer = phase1Sa({phase1Transform(1, 7, 256, 2, 14, 65001), phase1Transform(2, 7, 256, 2, 14),
	                            phase1Transform(3, 5, 0, 2, 2)});
	CHECK(compactPhase1Offer(offer) == "aes256-sha1-modp2048, 3des-sha1-modp1024");
	CHECK(compactPhase1Offer(SaPayload{}) == "nothing");
}

TEST_CASE("phase-1 lifetimes: a shorter one is accepted, a missing one is RFC 2409's 28800 s")
{
	ProposalSet compat = profile(ProposalProfile::Compat);
	auto c = choosePhase1(phase1Sa({phase1Transform(1, 7, 256, 2, 14, 1, 3600)}), compat.ike, 8h);
	REQUIRE(c);
	CHECK(c->lifetime == 1h);
	Transform noLife{1,
	                 kTransformKeyIke,
	                 {DataAttribute::basic(1, 7), DataAttribute::basic(14, 128), DataAttribute::basic(2, 2),
	                  DataAttribute::basic(3, 1), DataAttribute::basic(4, 14)}};
	c = choosePhase1(phase1Sa({noLife}), compat.ike, 24h);
	REQUIRE(c);
	CHECK(c->lifetime == 8h);
}

TEST_CASE("phase-1 transforms we cannot run are passed over and described")
{
	ProposalSet compat = profile(ProposalProfile::Compat);
	SaPayload offer = phase1Sa({phase1Transform(1, 7, 256, 2, 14, 65001), // XAuth PSK
	                            phase1Transform(2, 7, 256, 2, 1),         // MODP768
	                            phase1Transform(3, 1, 0, 1, 2)});         // DES-MD5
	CHECK_FALSE(choosePhase1(offer, compat.ike, 8h));
	CHECK(describePhase1Offer(offer) == "aes256-sha1-modp2048/xauth-psk/28800s, aes256-sha1-group1/psk/28800s, "
	                                    "des-md5-modp1024/psk/28800s");
	// An attribute we do not know makes the transform unusable, not the offer.
	Transform odd = phase1Transform(4, 7, 128, 2, 14);
	odd.attributes.push_back(DataAttribute::basic(16384, 1));
	CHECK_FALSE(choosePhase1(phase1Sa({odd}), compat.ike, 8h));
	offer.proposals[0].transforms.push_back(odd);
	offer.proposals[0].transforms.push_back(phase1Transform(5, 7, 128, 2, 14));
	auto c = choosePhase1(offer, compat.ike, 8h);
	REQUIRE(c);
	CHECK(c->reply.proposals[0].transforms[0].number == 5);
}

TEST_CASE("the initiator's offer round-trips through a responder, and a reply we did not offer is refused")
{
	std::vector<IkeSuite> mine{ikeSuite("aes128-sha256-ecp256"), ikeSuite("3des-sha1-modp1024")};
	SaPayload offer = phase1Offer(mine, 2h);
	CHECK(describePhase1Offer(offer) == "aes128-sha256-ecp256/psk/7200s, 3des-sha1-modp1024/psk/7200s");
	auto c = choosePhase1(offer, profile(ProposalProfile::Compat).ike, 8h);
	REQUIRE(c);
	CHECK(suiteName(c->suite) == "aes128-sha256-ecp256");
	auto back = acceptPhase1Reply(c->reply, mine, 8h);
	REQUIRE(back);
	CHECK(back->suite == mine[0]);
	CHECK(back->lifetime == 2h);

	auto foreign = acceptPhase1Reply(phase1Sa({phase1Transform(1, 7, 256, 2, 14)}), mine, 8h);
	REQUIRE_FALSE(foreign);
	CHECK(foreign.error().message == "the responder chose aes256-sha1-modp2048/psk/28800s, which we did not offer");
	CHECK_FALSE(acceptPhase1Reply(offer, mine, 8h)); // two transforms
}

TEST_CASE("strongSwan's Quick Mode 1: ESP aes256-sha1 in transport mode, with our SPI and the lifetime cut")
{
	auto qm = parseDecryptedPayloadChain(PayloadType::Hash, cap::kQuickMode1Plain);
	REQUIRE(qm);
	auto offer = parseSa(qm->at(1).body);
	REQUIRE(offer);
	ProposalSet compat = profile(ProposalProfile::Compat);
	auto c = choosePhase2(*offer, compat.esp, 1h, false);
	REQUIRE(c);
	CHECK(suiteName(c->suite) == "aes256-sha1");
	CHECK(c->mode == EncapsulationMode::Transport);
	CHECK(c->peerSpi == 0xcd5be4a2);
	CHECK(c->lifetime == 1h); // charon offered 3960 s
	CHECK(c->lifetimeReduced);
	SaPayload reply = phase2Reply(*offer, *c, 0xc0000001);
	REQUIRE(reply.proposals.size() == 1);
	CHECK(reply.proposals[0].spi == std::vector<uint8_t>{0xc0, 0x00, 0x00, 0x01});
	CHECK(reply.proposals[0].transforms == std::vector<Transform>{offer->proposals[0].transforms[0]});
	CHECK(describePhase2Offer(*offer) ==
	      "aes256-sha1/transport/3960s, aes128-sha1/transport/3960s, 3des-sha1/transport/3960s");
	CHECK(compactPhase2Offer(*offer) == "aes256-sha1 pfs none, aes128-sha1 pfs none, 3des-sha1 pfs none");
	// Behind NAT the same offer (plain transport) is refused.
	CHECK_FALSE(choosePhase2(*offer, compat.esp, 1h, true));
}

TEST_CASE("phase 2 with NAT-T: UDP-Encapsulated-Transport, RFC 3947's 4 and the drafts' 61444")
{
	ProposalSet compat = profile(ProposalProfile::Compat);
	for (uint16_t mode : {uint16_t(4), uint16_t(61444)}) {
		auto c = choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, mode)}), compat.esp, 1h,
		                      true);
		REQUIRE(c);
		CHECK(uint16_t(c->mode) == mode);
		CHECK_FALSE(choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, mode)}), compat.esp, 1h,
		                         false));
	}
	CHECK(transportMode(false, NatTMethod::Rfc3947) == EncapsulationMode::Transport);
	CHECK(transportMode(true, NatTMethod::Rfc3947) == EncapsulationMode::UdpTransport);
	CHECK(transportMode(true, NatTMethod::Draft) == EncapsulationMode::UdpTransportDraft);
	// Tunnel mode only when accepted (acceptTunnel, the next test).
	CHECK_FALSE(choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 1)}), compat.esp, 1h, false));
}

TEST_CASE("phase 2 tunnel mode: 1, or with NAT-T 3 and 61443, only when accepted; the offer's order between modes")
{
	ProposalSet compat = profile(ProposalProfile::Compat);
	using M = EncapsulationMode;
	auto offer = [](std::initializer_list<uint16_t> modes) {
		std::vector<Transform> ts;
		uint8_t n = 1;
		for (uint16_t m : modes)
			ts.push_back(espTransform(n++, EspTransformId::AesCbc, 128, 2, m));
		return espSa(ts);
	};
	for (M mode : {M::Tunnel, M::UdpTunnel, M::UdpTunnelDraft}) {
		bool udpEncap = mode != M::Tunnel;
		CAPTURE(encapsulationModeName(mode));
		auto c = choosePhase2(offer({uint16_t(mode)}), compat.esp, 1h, udpEncap, true);
		REQUIRE(c);
		CHECK(c->mode == mode);
		CHECK(ipsecMode(c->mode) == kernel::IpsecMode::Tunnel);
		CHECK(c->proposal.transforms.at(0).attributes ==
		      offer({uint16_t(mode)}).proposals[0].transforms[0].attributes);
		// Not without acceptTunnel, and not the other NAT-T state's value.
		CHECK_FALSE(choosePhase2(offer({uint16_t(mode)}), compat.esp, 1h, udpEncap, false));
		CHECK_FALSE(choosePhase2(offer({uint16_t(mode)}), compat.esp, 1h, !udpEncap, true));
	}
	// Transport first, tunnel second: transport either way. Tunnel first:
	// tunnel when accepted, else the transport behind it.
	CHECK(choosePhase2(offer({2, 1}), compat.esp, 1h, false, false)->mode == M::Transport);
	CHECK(choosePhase2(offer({2, 1}), compat.esp, 1h, false, true)->mode == M::Transport);
	CHECK(choosePhase2(offer({1, 2}), compat.esp, 1h, false, false)->mode == M::Transport);
	CHECK(choosePhase2(offer({1, 2}), compat.esp, 1h, false, true)->mode == M::Tunnel);
	CHECK(choosePhase2(offer({3, 4}), compat.esp, 1h, true, false)->mode == M::UdpTransport);
	CHECK(choosePhase2(offer({3, 4}), compat.esp, 1h, true, true)->mode == M::UdpTunnel);
	CHECK(describePhase2Offer(offer({1, 3, 61443})) ==
	      "aes128-sha1/tunnel/3600s, aes128-sha1/udp-tunnel/3600s, aes128-sha1/udp-tunnel-draft/3600s");

	CHECK(encapsulationMode(kernel::IpsecMode::Tunnel, false, NatTMethod::Rfc3947) == M::Tunnel);
	CHECK(encapsulationMode(kernel::IpsecMode::Tunnel, true, NatTMethod::Rfc3947) == M::UdpTunnel);
	CHECK(encapsulationMode(kernel::IpsecMode::Tunnel, true, NatTMethod::Draft) == M::UdpTunnelDraft);
	CHECK(encapsulationMode(kernel::IpsecMode::Transport, true, NatTMethod::Draft) == M::UdpTransportDraft);
	for (M m : {M::Transport, M::UdpTransport, M::UdpTransportDraft})
		CHECK(ipsecMode(m) == kernel::IpsecMode::Transport);
	CHECK(encapsulationModeName(static_cast<M>(7)) == "mode7");

	// The initiator's offer and the reply it accepts carry the mode.
	SaPayload ours = phase2Offer(compat.esp, 1h, M::UdpTunnel, 0xc0000001);
	auto chosen = choosePhase2(ours, compat.esp, 1h, true, true);
	REQUIRE(chosen);
	auto accepted = acceptPhase2Reply(phase2Reply(ours, *chosen, 0xc0000002), compat.esp, 1h, M::UdpTunnel);
	REQUIRE(accepted);
	CHECK(accepted->mode == M::UdpTunnel);
	auto wrong = acceptPhase2Reply(phase2Reply(ours, *chosen, 0xc0000002), compat.esp, 1h, M::UdpTransport);
	REQUIRE_FALSE(wrong);
	CHECK(wrong.error().message == "the responder chose mode udp-tunnel, we asked for udp-transport");
}

TEST_CASE("phase 2: PFS groups must match, AND offers and ESN are passed over, GCM needs no integrity")
{
	std::vector<EspSuite> pfs{esp("aes128-sha1-modp2048")};
	CHECK(choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 2, 14)}), pfs, 1h, false));
	CHECK_FALSE(choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 2, 5)}), pfs, 1h, false));
	CHECK_FALSE(choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 2)}), pfs, 1h, false));
	ProposalSet compat = profile(ProposalProfile::Compat);
	CHECK_FALSE(
	        choosePhase2(espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 2, 14)}), compat.esp, 1h, false));

	// ESP AND AH under one proposal number.
	SaPayload and_ = espSa({espTransform(1, EspTransformId::AesCbc, 128, 2, 2)});
	and_.proposals.push_back(Proposal{1, ProtocolId::IpsecAh, {0, 0, 0, 9}, {Transform{1, 3, {}}}});
	CHECK_FALSE(choosePhase2(and_, compat.esp, 1h, false));

	Transform esn = espTransform(1, EspTransformId::AesCbc, 128, 2, 2);
	esn.attributes.push_back(DataAttribute::basic(11, 1));
	CHECK_FALSE(choosePhase2(espSa({esn}), compat.esp, 1h, false));

	// ChromeOS: AES-GCM-16 128.
	auto gcm = choosePhase2(espSa({espTransform(1, EspTransformId::AesGcm16, 128, 0, 2)}), compat.esp, 1h, false);
	REQUIRE(gcm);
	CHECK(suiteName(gcm->suite) == "aes128gcm16");
	CHECK_FALSE(gcm->lifetimeReduced);
}

TEST_CASE("HMAC-SHA-256 is one wire value: the config's order picks 128 or 96 bits (Android 6/7)")
{
	SaPayload offer = espSa({espTransform(1, EspTransformId::AesCbc, 256, 5, 2)});
	auto modern = choosePhase2(offer, profile(ProposalProfile::Modern).esp, 1h, false);
	REQUIRE(modern);
	CHECK(modern->suite.integrity == kernel::EspIntegrity::HmacSha256_128);
	auto legacy = choosePhase2(offer, profile(ProposalProfile::Legacy).esp, 1h, false);
	REQUIRE(legacy);
	CHECK(legacy->suite.integrity == kernel::EspIntegrity::HmacSha256_96);
}

TEST_CASE("the initiator's ESP offer round-trips, with the responder's SPI and lifetime")
{
	std::vector<EspSuite> mine{esp("aes256-sha256"), esp("3des-sha1")};
	SaPayload offer = phase2Offer(mine, 2h, EncapsulationMode::UdpTransport, 0xc0000005);
	CHECK(describePhase2Offer(offer) == "aes256-sha256/udp-transport/7200s, 3des-sha1/udp-transport/7200s");
	// The modes and lifetimes are not what tells clients apart.
	SaPayload twice = phase2Offer(mine, 1h, EncapsulationMode::Transport, 1);
	twice.proposals.push_back(offer.proposals[0]);
	CHECK(compactPhase2Offer(twice) == "aes256-sha256 pfs none, 3des-sha1 pfs none");
	auto c = choosePhase2(offer, std::vector<EspSuite>{esp("3des-sha1")}, 1h, true);
	REQUIRE(c);
	CHECK(c->peerSpi == 0xc0000005);
	CHECK(c->lifetime == 1h);
	CHECK(c->lifetimeReduced);
	SaPayload reply = phase2Reply(offer, *c, 0xc0000009);
	auto back = acceptPhase2Reply(reply, mine, 2h, EncapsulationMode::UdpTransport);
	REQUIRE(back);
	CHECK(suiteName(back->suite) == "3des-sha1");
	CHECK(back->peerSpi == 0xc0000009);
	CHECK_FALSE(acceptPhase2Reply(reply, mine, 2h, EncapsulationMode::Transport));
	CHECK(lifetimeSeconds(lifetimeAttributes(1h)) == 1h);
}

TEST_CASE("KEYMAT splits into the kernel's keys: cipher key (and GCM salt) first, then the integrity key")
{
	std::vector<uint8_t> keymat(80);
	for (size_t i = 0; i < keymat.size(); i++)
		keymat[i] = uint8_t(i);
	EspSuite a = esp("aes256-sha1");
	REQUIRE(espKeymatLength(a) == 52);
	kernel::EspKeys k = espKeys(a, std::span(keymat).first(52));
	CHECK(k.cipher == kernel::EspCipher::AesCbc);
	CHECK(k.encryptionKey == std::vector<uint8_t>(keymat.begin(), keymat.begin() + 32));
	CHECK(k.integrity == kernel::EspIntegrity::HmacSha1_96);
	CHECK(k.integrityKey == std::vector<uint8_t>(keymat.begin() + 32, keymat.begin() + 52));

	EspSuite g = esp("aes128gcm16");
	REQUIRE(espKeymatLength(g) == 20);
	k = espKeys(g, std::span(keymat).first(20));
	CHECK(k.encryptionKey.size() == 20);
	CHECK(k.integrityKey.empty());
	CHECK(k.integrity == kernel::EspIntegrity::None);
	CHECK(espKeymatLength(esp("3des-md5")) == 40);
	CHECK(espKeymatLength(esp("aes128-sha512")) == 80);
}
