// Encrypted ISAKMP messages (RFC 2409 §5.3, Appendix B) against the
// strongSwan exchange in strongswan_capture.h: with the key and IVs charon
// logged (the same values test_keymat.cpp derives), our sealing reproduces
// charon's Main Mode 5 and 6 byte for byte, and opening them gives the
// plaintext charon logged and the next IV it logged.
#include "hex.h"
#include "ike/codec/header.h"
#include "ike/message_protection.h"
#include "strongswan_capture.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using l2tpsec::ike::test::hex;
namespace cap = l2tpsec::ike::capture;

namespace {

// charon's "encryption key Ka", "initial IV" and "next IV for MID 0" lines.
const auto kKa = hex("eefa32966853a345d54c979286c68f711bb4340f4190d7eac07d731e4d96a544");
const auto kInitialIv = hex("0da3d4c1cb188c92fb884ac258edd1ab");
const auto kMm5NextIv = hex("f3f0a03299db2dabbc94484bcb65b18f");
const auto kMm6NextIv = hex("260de5bfd77b568a1398386e2514e032");
const auto kQuickModeIv = hex("b6f2719823e81b29215688e99d582167");

IsakmpCipher charonCipher()
{
	return IsakmpCipher{crypto::CbcCipher::Aes256, crypto::toSecret(kKa)};
}

std::vector<OutPayload> outPayloads(const std::vector<RawPayload> &chain)
{
	std::vector<OutPayload> out;
	for (const RawPayload &p : chain)
		out.push_back(OutPayload{p.type, {p.body.begin(), p.body.end()}});
	return out;
}

} // namespace

TEST_CASE("opening charon's MM5 and MM6 gives its plaintext and its next IVs")
{
	auto mm5 = parseMessage(cap::kMainMode5);
	REQUIRE(mm5);
	auto opened = openMessage(charonCipher(), *mm5, kInitialIv);
	REQUIRE(opened);
	CHECK(opened->plaintext == cap::kMainMode5Plain);
	CHECK(opened->lastBlock == kMm5NextIv);
	REQUIRE(opened->payloads.size() == 3);
	CHECK(opened->payloads[0].type == PayloadType::Identification);
	CHECK(opened->payloads[1].type == PayloadType::Hash);
	CHECK(opened->payloads[2].type == PayloadType::Notification);

	auto mm6 = parseMessage(cap::kMainMode6);
	REQUIRE(mm6);
	auto opened6 = openMessage(charonCipher(), *mm6, kMm5NextIv);
	REQUIRE(opened6);
	CHECK(opened6->plaintext == cap::kMainMode6Plain);
	CHECK(opened6->lastBlock == kMm6NextIv);
}

TEST_CASE("sealing the same payloads with the same key and IV reproduces charon's MM5 and MM6")
{
	for (auto [datagram, plain, iv, next] :
	     {std::tuple{&cap::kMainMode5, &cap::kMainMode5Plain, &kInitialIv, &kMm5NextIv},
	      std::tuple{&cap::kMainMode6, &cap::kMainMode6Plain, &kMm5NextIv, &kMm6NextIv}}) {
		auto m = parseMessage(*datagram);
		REQUIRE(m);
		auto chain = parseDecryptedPayloadChain(m->header.nextPayload, *plain);
		REQUIRE(chain);
		Header h = m->header;
		h.flags = 0;
		auto sealed = sealMessage(charonCipher(), h, outPayloads(*chain), *iv);
		REQUIRE(sealed);
		CHECK(sealed->datagram == *datagram);
		CHECK(sealed->lastBlock == *next);
	}
}

TEST_CASE("a wrong key or a broken body is an error, not a crash")
{
	auto mm5 = parseMessage(cap::kMainMode5);
	REQUIRE(mm5);
	IsakmpCipher wrong{crypto::CbcCipher::Aes256, crypto::SecretBytes(32, 0x42)};
	CHECK_FALSE(openMessage(wrong, *mm5, kInitialIv));
	Message cut = *mm5;
	cut.body = cut.body.first(cut.body.size() - 3);
	auto r = openMessage(charonCipher(), cut, kInitialIv);
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "encrypted body of 77 bytes is not whole 16-byte blocks");
	cut.body = cut.body.first(0);
	CHECK_FALSE(openMessage(charonCipher(), cut, kInitialIv));
}

TEST_CASE("Quick Mode 1: HASH(1) covers the payloads after HASH exactly, padding excluded")
{
	auto qm1 = parseMessage(cap::kQuickMode1);
	REQUIRE(qm1);
	auto opened = openMessage(charonCipher(), *qm1, kQuickModeIv);
	REQUIRE(opened);
	CHECK(opened->plaintext == cap::kQuickMode1Plain);
	Bytes after = bytesAfterHash(opened->payloads);
	// HASH is 4 + 20 bytes; the 4 bytes of padding at the end are not covered.
	CHECK(after.data() == opened->plaintext.data() + 24);
	CHECK(after.size() == cap::kQuickMode1Plain.size() - 24 - 4);
	std::vector<OutPayload> all = outPayloads(opened->payloads);
	auto rest = encodeAfterHash(std::vector<OutPayload>(all.begin() + 1, all.end()));
	REQUIRE(rest);
	CHECK(*rest == std::vector<uint8_t>(after.begin(), after.end()));
}
