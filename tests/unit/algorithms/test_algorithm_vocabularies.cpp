// Each row of the algorithm table through the code that speaks each
// vocabulary: config spelling -> suite -> IKE attributes on the wire ->
// XFRM names, and our enums -> Botan through src/crypto/.
#include "algorithms/algorithm_table.h"
#include "config/proposal_syntax.h"
#include "crypto/cbc_cipher.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "crypto/prf.h"
#include "ike/proposals.h"
#include "kernel/ipsec_dataplane.h"

#include <doctest.h>

#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::algorithms;
using namespace std::chrono_literals;

namespace {

/// The value of attribute `type` in t, if present.
std::optional<uint64_t> attribute(const ike::Transform &t, uint16_t type)
{
	for (const ike::DataAttribute &a : t.attributes)
		if (a.type == type)
			return a.asInteger();
	return std::nullopt;
}

uint16_t ikeAttr(ike::IkeAttribute a)
{
	return static_cast<uint16_t>(a);
}

uint16_t ipsecAttr(ike::IpsecAttribute a)
{
	return static_cast<uint16_t>(a);
}

} // namespace

TEST_CASE("every IKE spelling of the table: suite, name and phase-1 attributes")
{
	for (const CipherRow &c : kCiphers) {
		if (!c.cbc)
			continue;
		for (const IntegrityRow &h : kIntegrities) {
			if (!h.hash)
				continue;
			for (const GroupRow &g : kGroups) {
				std::string name = std::string(c.config) + "-" + std::string(h.config) + "-" +
				                   std::string(g.config);
				CAPTURE(name);
				CHECK(parseIkeProposal(name));
				auto s = ike::ikeSuiteFromSpelling(name);
				REQUIRE(s);
				CHECK(*s == ike::IkeSuite{*c.cbc, *h.hash, g.group});
				CHECK(ike::suiteName(*s) == name);

				ike::SaPayload offer = ike::phase1Offer({&*s, 1}, 3600s);
				REQUIRE(offer.proposals.size() == 1);
				REQUIRE(offer.proposals[0].transforms.size() == 1);
				const ike::Transform &t = offer.proposals[0].transforms[0];
				CHECK(attribute(t, ikeAttr(ike::IkeAttribute::EncryptionAlgorithm)) == c.ikeId);
				CHECK(attribute(t, ikeAttr(ike::IkeAttribute::KeyLength)) ==
				      (c.ikeKeyBits ? std::optional<uint64_t>(c.ikeKeyBits) : std::nullopt));
				CHECK(attribute(t, ikeAttr(ike::IkeAttribute::HashAlgorithm)) == h.ikeId);
				CHECK(attribute(t, ikeAttr(ike::IkeAttribute::GroupDescription)) == g.id);
				CHECK(ike::describePhase1Offer(offer) == name + "/psk/3600s");
				auto choice = ike::choosePhase1(offer, {&*s, 1}, 3600s);
				REQUIRE(choice);
				CHECK(choice->suite == *s);
			}
		}
	}
}

TEST_CASE("no IKE spelling with an ESP-only cipher or integrity")
{
	for (const CipherRow &c : kCiphers)
		if (!c.config.empty() && !c.cbc)
			CHECK(!parseIkeProposal(std::string(c.config) + "-sha1-modp2048"));
	for (const IntegrityRow &h : kIntegrities)
		if (!h.hash)
			CHECK(!parseIkeProposal("aes128-" + std::string(h.config) + "-modp2048"));
}

TEST_CASE("every ESP spelling of the table: suite, name, attributes, XFRM names and KEYMAT")
{
	std::vector<const IntegrityRow *> integrities{nullptr};
	for (const IntegrityRow &i : kIntegrities)
		integrities.push_back(&i);
	std::vector<const GroupRow *> groups{nullptr};
	for (const GroupRow &g : kGroups)
		groups.push_back(&g);
	for (const CipherRow &c : kCiphers) {
		if (c.config.empty())
			continue;
		for (const IntegrityRow *i : integrities) {
			if ((i == nullptr) != c.aead)
				continue;
			for (const GroupRow *g : groups) {
				std::string name = std::string(c.config) + (i ? "-" + std::string(i->config) : "") +
				                   (g ? "-" + std::string(g->config) : "");
				CAPTURE(name);
				CHECK(parseEspProposal(name));
				auto s = ike::espSuiteFromSpelling(name);
				REQUIRE(s);
				CHECK(s->cipher == c.esp);
				CHECK(s->keyBytes == c.keyBytes);
				CHECK(s->integrity == (i ? i->esp : kernel::EspIntegrity::None));
				CHECK(s->pfs == (g ? std::optional(g->group) : std::nullopt));
				CHECK(ike::suiteName(*s) == name);

				CHECK(kernel::cipherName(s->cipher) == c.xfrm);
				CHECK(kernel::integrityName(s->integrity) == (i ? i->xfrm : ""));
				CHECK(kernel::integrityTruncationBits(s->integrity) == (i ? i->truncBits : 0u));
				CHECK(ike::espKeymatLength(*s) == c.keyBytes + c.saltBytes + (i ? i->espKeyBytes : 0u));

				ike::SaPayload offer =
				        ike::phase2Offer({&*s, 1}, 3600s, ike::EncapsulationMode::Transport, 0x1234);
				REQUIRE(offer.proposals.size() == 1);
				REQUIRE(offer.proposals[0].transforms.size() == 1);
				const ike::Transform &t = offer.proposals[0].transforms[0];
				CHECK(t.id == c.espId);
				CHECK(attribute(t, ipsecAttr(ike::IpsecAttribute::KeyLength)) ==
				      (c.espKeyLength ? std::optional<uint64_t>(c.keyBytes * 8) : std::nullopt));
				CHECK(attribute(t, ipsecAttr(ike::IpsecAttribute::AuthenticationAlgorithm)) ==
				      (i ? std::optional<uint64_t>(i->espAuthId) : std::nullopt));
				CHECK(attribute(t, ipsecAttr(ike::IpsecAttribute::GroupDescription)) ==
				      (g ? std::optional<uint64_t>(g->id) : std::nullopt));
				auto choice = ike::choosePhase2(offer, {&*s, 1}, 3600s, false);
				REQUIRE(choice);
				CHECK(choice->suite == *s);
				// The log names an Authentication Algorithm value by its first row.
				const IntegrityRow *logged =
				        i ? findRow(kIntegrities,
				                    [&](const IntegrityRow &r) { return r.espAuthId == i->espAuthId; })
				          : nullptr;
				std::string described = std::string(c.config) +
				                        (logged ? "-" + std::string(logged->config) : "") +
				                        (g ? "-" + std::string(g->config) : "") + "/transport/3600s";
				CHECK(ike::describePhase2Offer(offer) == described);
			}
		}
	}
}

TEST_CASE("the kernel names of ciphers no config spells")
{
	CHECK(kernel::cipherName(kernel::EspCipher::Null) == "ecb(cipher_null)");
	CHECK(kernel::integrityName(kernel::EspIntegrity::None).empty());
	CHECK(kernel::integrityTruncationBits(kernel::EspIntegrity::None) == 0);
}

TEST_CASE("every phase-1 cipher through Botan's name")
{
	for (const CipherRow &c : kCiphers) {
		if (!c.cbc)
			continue;
		CAPTURE(c.config);
		CHECK(crypto::cipherKeyLength(*c.cbc) == c.keyBytes);
		CHECK(crypto::cipherBlockSize(*c.cbc) == c.blockBytes);
		CHECK(crypto::cipherName(*c.cbc) == c.logName);
		std::vector<uint8_t> key(c.keyBytes, 0x11), iv(c.blockBytes, 0x22), text(2 * c.blockBytes, 0x33);
		auto enc = crypto::cbcEncrypt(*c.cbc, key, iv, text);
		REQUIRE(enc);
		auto dec = crypto::cbcDecrypt(*c.cbc, key, iv, *enc);
		REQUIRE(dec);
		CHECK(*dec == text);
	}
}

TEST_CASE("every hash through Botan's name, as digest and as PRF")
{
	for (const IntegrityRow &h : kIntegrities) {
		if (!h.hash)
			continue;
		CAPTURE(h.config);
		CHECK(crypto::hashLength(*h.hash) == h.digestBytes);
		CHECK(crypto::hashName(*h.hash) == h.logName);
		CHECK(crypto::hash(*h.hash, {}).size() == h.digestBytes);
		std::vector<uint8_t> key(h.digestBytes, 0x44);
		auto prf = crypto::Prf::create(*h.hash, key);
		REQUIRE(prf);
		CHECK(prf->outputLength() == h.digestBytes);
	}
}

TEST_CASE("every DH group through Botan's name")
{
	for (const GroupRow &g : kGroups) {
		CAPTURE(g.config);
		CHECK(crypto::dhGroupFromId(g.id) == g.group);
		CHECK(crypto::dhGroupName(g.group) == g.logName);
		CHECK(crypto::dhSharedSecretLength(g.group) == g.secretBytes);
		auto pair = crypto::DhKeyPair::generate(g.group);
		REQUIRE(pair);
		CHECK(pair->publicValue().size() == (g.ecp ? 2u : 1u) * g.secretBytes);
		CHECK(crypto::dhPublicValueLength(g.group) == pair->publicValue().size());
	}
	CHECK(!crypto::dhGroupFromId(1));
}
