// The algorithm table on its own: every row complete in the vocabularies it
// claims, no name or id twice in one vocabulary, every enum value present.
#include "algorithms/algorithm_table.h"

#include <doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

using namespace l2tpsec::algorithms;

namespace {

/// "a, b, c": the config names of the rows that satisfy pred, in table order.
template <typename Rows, typename Pred>
std::string configNames(const Rows &rows, Pred pred)
{
	std::string out;
	for (const auto &r : rows) {
		if (r.config.empty() || !pred(r))
			continue;
		if (!out.empty())
			out += ", ";
		out += r.config;
	}
	return out;
}

} // namespace

TEST_CASE("every enum value has its row")
{
	for (auto c : {CbcCipher::Aes128, CbcCipher::Aes192, CbcCipher::Aes256, CbcCipher::TripleDes})
		CHECK(cipherRow(c).cbc == c);
	for (auto h : {HashAlgorithm::Md5, HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384,
	               HashAlgorithm::Sha512})
		CHECK(integrityRow(h).hash == h);
	for (auto g : {DhGroup::Modp1024, DhGroup::Modp1536, DhGroup::Modp2048, DhGroup::Modp3072, DhGroup::Modp4096,
	               DhGroup::Ecp256, DhGroup::Ecp384})
		CHECK(groupRow(g).group == g);
	for (auto e : {EspCipher::AesCbc, EspCipher::TripleDesCbc, EspCipher::AesGcm16, EspCipher::Null}) {
		REQUIRE(cipherByEsp(e));
		CHECK(cipherByEsp(e)->esp == e);
	}
	for (auto i : {EspIntegrity::HmacMd5_96, EspIntegrity::HmacSha1_96, EspIntegrity::HmacSha256_128,
	               EspIntegrity::HmacSha256_96, EspIntegrity::HmacSha384_192, EspIntegrity::HmacSha512_256}) {
		REQUIRE(integrityByEsp(i));
		CHECK(integrityByEsp(i)->esp == i);
	}
	CHECK(integrityByEsp(EspIntegrity::None) == nullptr);
}

TEST_CASE("cipher rows: complete, and no name or id twice")
{
	std::set<std::string_view> config, botan, logs;
	std::set<CbcCipher> cbc;
	std::set<std::pair<uint16_t, uint16_t>> ike;
	std::set<std::pair<uint8_t, uint8_t>> esp;
	for (const CipherRow &r : kCiphers) {
		CAPTURE(r.config);
		CHECK(!r.xfrm.empty());
		if (!r.config.empty()) {
			CHECK(config.insert(r.config).second);
			CHECK(cipherByConfig(r.config) == &r);
			// Every configurable cipher is negotiated in phase 2.
			CHECK(r.espId != 0);
		}
		if (r.espId != 0) {
			CHECK(esp.insert({r.espId, r.keyBytes}).second);
			CHECK(cipherByEsp(r.esp, r.keyBytes) == &r);
			CHECK(r.keyBytes > 0);
		} else {
			CHECK(r.config.empty());
		}
		CHECK(r.aead == (r.saltBytes != 0));
		if (r.cbc) {
			CHECK(!r.config.empty());
			CHECK(!r.aead);
			CHECK(cbc.insert(*r.cbc).second);
			CHECK(&cipherRow(*r.cbc) == &r);
			CHECK(r.ikeId != 0);
			CHECK(ike.insert({r.ikeId, r.ikeKeyBits}).second);
			CHECK((r.ikeKeyBits == 0 || r.ikeKeyBits == r.keyBytes * 8));
			CHECK(r.ikeKeyBits == (r.espKeyLength ? r.keyBytes * 8 : 0));
			CHECK((r.blockBytes == 8 || r.blockBytes == 16));
			CHECK(botan.insert(r.botan).second);
			CHECK(logs.insert(r.logName).second);
		} else {
			CHECK(r.ikeId == 0);
			CHECK(r.botan.empty());
			CHECK(r.logName.empty());
		}
	}
}

TEST_CASE("integrity rows: complete, and no name or id twice")
{
	std::set<std::string_view> config, botan, logs;
	std::set<uint16_t> ike;
	std::set<EspIntegrity> esp;
	std::set<std::pair<std::string_view, uint16_t>> xfrm;
	for (const IntegrityRow &r : kIntegrities) {
		CAPTURE(r.config);
		REQUIRE(!r.config.empty());
		CHECK(config.insert(r.config).second);
		CHECK(integrityByConfig(r.config) == &r);
		CHECK(esp.insert(r.esp).second);
		CHECK(integrityByEsp(r.esp) == &r);
		CHECK(r.espAuthId != 0);
		CHECK(r.espKeyBytes > 0);
		CHECK(xfrm.insert({r.xfrm, r.truncBits}).second);
		CHECK(r.truncBits <= r.espKeyBytes * 8);
		// One Authentication Algorithm value is one HMAC: rows that share
		// it differ only in the truncation.
		for (const IntegrityRow &o : kIntegrities)
			if (&o != &r && o.espAuthId == r.espAuthId)
				CHECK((o.xfrm == r.xfrm && o.espKeyBytes == r.espKeyBytes &&
				       o.truncBits != r.truncBits));
		if (r.hash) {
			CHECK(&integrityRow(*r.hash) == &r);
			CHECK(r.ikeId != 0);
			CHECK(ike.insert(r.ikeId).second);
			CHECK(hashByIkeId(r.ikeId) == &r);
			CHECK(r.digestBytes == r.espKeyBytes); // HMAC keys of the hash's length (RFC 2404, RFC 4868)
			CHECK(botan.insert(r.botan).second);
			CHECK(logs.insert(r.logName).second);
		} else {
			CHECK(r.ikeId == 0);
			CHECK(r.botan.empty());
		}
	}
	CHECK(hashByIkeId(0) == nullptr);
}

TEST_CASE("group rows: complete, and no name or id twice")
{
	std::set<std::string_view> config, botan, logs;
	std::set<uint16_t> ids;
	for (const GroupRow &r : kGroups) {
		CAPTURE(r.config);
		CHECK(config.insert(r.config).second);
		CHECK(groupByConfig(r.config) == &r);
		CHECK(r.id == static_cast<uint16_t>(r.group));
		CHECK(ids.insert(r.id).second);
		CHECK(groupById(r.id) == &r);
		CHECK(&groupRow(r.group) == &r);
		CHECK(botan.insert(r.botan).second);
		CHECK(logs.insert(r.logName).second);
		CHECK(r.secretBytes > 0);
	}
	CHECK(groupById(0) == nullptr);
	CHECK(groupByConfig("") == nullptr);
}

TEST_CASE("l2tpsec.conf(5) lists the table's config names")
{
	std::ifstream in(L2TPSEC_SOURCE_DIR "/man/l2tpsec.conf.5");
	REQUIRE(in);
	std::stringstream man;
	man << in.rdbuf();
	const std::string text = man.str();
	auto listed = [&](const std::string &s) {
		CAPTURE(s);
		CHECK(text.find(s) != std::string::npos);
	};
	listed("is one of " + configNames(kCiphers, [](const CipherRow &r) { return r.cbc.has_value(); }) + ";\n");
	listed("one of " + configNames(kIntegrities, [](const IntegrityRow &r) { return r.hash.has_value(); }) + ";\n");
	listed("one of " + configNames(kGroups, [](const GroupRow &) { return true; }) + ".\n");
	listed("one of " + configNames(kIntegrities, [](const IntegrityRow &) { return true; }) +
	       "; or an AEAD cipher,\n");
	std::string aead = configNames(kCiphers, [](const CipherRow &r) { return r.aead; });
	aead.replace(aead.rfind(", "), 2, " or ");
	listed(aead + ", alone or followed by\n");
}
