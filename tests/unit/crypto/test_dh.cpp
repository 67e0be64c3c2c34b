// Known-answer and validation tests for the IKE Diffie-Hellman groups.
//
// ECP: RFC 5903 §8.1 (256-bit) and §8.2 (384-bit) test vectors, which are
// in IKE's own KE format (x | y) and give the x-only shared secret; checked
// independently with python3's cryptography package.
//
// MODP: no RFC publishes private-key vectors, so these were computed in
// python3 with pow(), from primes built from the RFC 2409 §6.2 / RFC 3526
// formulas (p = 2^N - 2^(N-64) - 1 + 2^64 * ([2^(N-130) pi] + k), pi by
// Machin's formula in integer arithmetic), not from Botan's tables. Private
// values are SHA-256("l2tpsec dh kat x <n>") / ("... y <n>") read as
// big-endian integers; for group 2, n was searched (x: 17, y: 59) so that
// both g^x and g^xy have a leading zero byte, which pins the padding rule.
// For groups 5-16 (n = 0) the test compares SHA-256 of the public values and
// of g^xy, to keep kilobytes of hex out of the source.

#include "crypto/dh.h"
#include "crypto/hash.h"
#include "test_util.h"

#include <doctest.h>

#include <string>

using namespace l2tpsec::crypto;
using l2tpsec::crypto::test::bytes;
using l2tpsec::crypto::test::hex;

namespace {

const auto kModp1024Prime = hex("ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
                                "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
                                "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
                                "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff");

std::vector<uint8_t> sha256(std::span<const uint8_t> b)
{
	return hash(HashAlgorithm::Sha256, {b});
}

const auto kX0 = hex("52b98d719003c4241f60830e2d255bef9a0e79938569b0cbbc22abdfb082123a");
const auto kY0 = hex("3629e2e2a5534ab9f15390b3e776436781b268df4f273e95d67a168f78e4c066");

} // namespace

TEST_CASE("dh: MODP group 2 fixed private values, with zero padding")
{
	const auto x = hex("4f1a0bdfde7f611e6ab53e94179ea46ee24cf9d4b2f55f1f03f1d86d553f2115");
	const auto y = hex("ab0d3faf9ccc0459fc998796994dfe306e60a71a28028f25cd88f34f34ab6043");
	const auto gx = hex("00f9974b18abf8292e457b549d714c96c9cf9cb9f8651b60fa90e5d71890ee8a"
	                    "34a468bc6d605a851db01d4066b409e1f4132997b7646625cf4778baf3be4004"
	                    "eaae1a7f5bc1abed1e5cb4cc3ebc853c7325b0065e691526d9e050dc8ac0146f"
	                    "ebac0ebfe56177538f6ef72c3aca02343df310004735e0f1552a54e3790767ac");
	const auto gy = hex("f703bba6a75f0ce1cfb61837414e540b25fbbcd2ec776d94dd8f1e9f751ce2ca"
	                    "47401ef5009c1220788d92e603fe088099f90157b4db9d1bc05f9e5d39bc5c33"
	                    "b61bdeb736d6c7ed04895353aa33210497e3d872b40d697355e2f6b033c17090"
	                    "aa2cc0ca081750af4659ce509d8fdceb8af69b7c75616162e0b157bd559a430e");
	const auto gxy = hex("003f9195b02af58d22d0e698b85ed5c225133d5cc4580965cb49331c8ab64a10"
	                     "642c85c91f8de33cb79fdeccda1ee6c4317d8cdb3483b931b6999a0e9b7c91b2"
	                     "e0505807e986277d25352301a57ac83b6e9fcc9a5d8a482db0ef19f78cdbaf88"
	                     "f36034c4b5b8493296fe6f1ba9fad9e29f54248d38ceb70231d62ac1520ef7be");
	auto a = DhKeyPair::fromPrivateValue(DhGroup::Modp1024, x);
	auto b = DhKeyPair::fromPrivateValue(DhGroup::Modp1024, y);
	REQUIRE(a);
	REQUIRE(b);
	CHECK(a->publicValue() == gx);
	CHECK(b->publicValue() == gy);
	auto s1 = a->sharedSecret(gy);
	auto s2 = b->sharedSecret(gx);
	REQUIRE(s1);
	REQUIRE(s2);
	CHECK(bytes(*s1) == gxy);
	CHECK(bytes(*s2) == gxy);
}

TEST_CASE("dh: MODP groups 2, 5, 14, 15, 16 against python-computed digests")
{
	struct Case {
		DhGroup group;
		const char *sha256Gx;
		const char *sha256Gy;
		const char *sha256Gxy;
	};
	const Case cases[] = {
	        {DhGroup::Modp1024, "2e6750838dfb7b67f5694e650570a107f58940574089a8bd8de0a9fc65f16eaa",
	         "6a4bccf1a8e0ba313370625bf4f26b67208df95dc702315a0945453be9d61dab",
	         "b000217b09a020d1ecb5bc0aea9f47aba0c94fa657a95cfa10877ce184d31bb1"},
	        {DhGroup::Modp1536, "5deb8029062332cf0d7504ead137368605b0114767210c4ad2111c583b2127c2",
	         "eb759b02e0f8bf80109cd966777542ee7e7b0b1544026d8c7c80e053e6415d87",
	         "b93e6c98f1821c50b06cf9b54df2e7e635a625f068e8da8702347c0ffb2d9339"},
	        {DhGroup::Modp2048, "fd19129f53407e934477938bf1b9def0be813dc3a2d6386fac980f8bea3eb112",
	         "b6674461baf87e476106fc155fd4d58a6adfe12126a80cf203c28d39c4bc7ce1",
	         "e27f2574d3fa747c321c02fc22f29840f541a8a8d67059ee13fc34ef00fbf255"},
	        {DhGroup::Modp3072, "8a5acfe9bd792ec565c0b6506d5126db54884200583270d457a75493916c32b8",
	         "90e1df6d8f0cf595cd426094edc499126e535021eb4398b9a7f2ff13e56a0d92",
	         "56d438b5c8363882baeda032e60b316d5f7fe3c7373abe88b9cca5bab5ccaffd"},
	        {DhGroup::Modp4096, "7666ad1b4c483fe9c151a2cd1df07bd530e3d7a5b0d7190d6c0d7fcc3f8790f1",
	         "137e858c2afbd5b0bc11eb0fafbee75aa71eca192a3319dab58587934d5c2130",
	         "4bb0fb5c2971c9d9735f43054bc23d30aaff4178e74f4d1961ce527b59474e58"},
	};
	for (const Case &c : cases) {
		CAPTURE(dhGroupName(c.group));
		auto a = DhKeyPair::fromPrivateValue(c.group, kX0);
		auto b = DhKeyPair::fromPrivateValue(c.group, kY0);
		REQUIRE(a);
		REQUIRE(b);
		CHECK(a->publicValue().size() == dhPublicValueLength(c.group));
		CHECK(sha256(a->publicValue()) == hex(c.sha256Gx));
		CHECK(sha256(b->publicValue()) == hex(c.sha256Gy));
		auto s = a->sharedSecret(b->publicValue());
		REQUIRE(s);
		CHECK(s->size() == dhSharedSecretLength(c.group));
		CHECK(sha256(*s) == hex(c.sha256Gxy));
	}
}

namespace {

struct EcpVector {
	DhGroup group;
	std::vector<uint8_t> i, gi, r, gr, gir;
};

// RFC 5903 §8.1 and §8.2.
const EcpVector kEcp256{DhGroup::Ecp256,
                        hex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"),
                        hex("dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
                            "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3"),
                        hex("c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"),
                        hex("d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
                            "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab"),
                        hex("d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de")};
const EcpVector kEcp384{DhGroup::Ecp384,
                        hex("099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
                            "e35b538041e649ee3faef896783ab194"),
                        hex("667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
                            "de3ac808acb4bdb4c88732aee95f41aa9482ed1fc0eeb9cafc4984625ccfc23f"
                            "65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c"),
                        hex("41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
                            "e0308312916b8ed2960e4bd55a7448fc"),
                        hex("e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
                            "0d1ac43a0336def96fda41d0774a3571dcfbec7aacf3196472169e838430367f"
                            "66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c"),
                        hex("11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
                            "d603135569b9e9d09cf5d4a270f59746")};

} // namespace

TEST_CASE("dh: ECP groups 19 and 20, RFC 5903 §8 vectors")
{
	for (const EcpVector *v : {&kEcp256, &kEcp384}) {
		CAPTURE(dhGroupName(v->group));
		auto i = DhKeyPair::fromPrivateValue(v->group, v->i);
		auto r = DhKeyPair::fromPrivateValue(v->group, v->r);
		REQUIRE(i);
		REQUIRE(r);
		CHECK(i->publicValue() == v->gi);
		CHECK(r->publicValue() == v->gr);
		auto s1 = i->sharedSecret(v->gr);
		auto s2 = r->sharedSecret(v->gi);
		REQUIRE(s1);
		REQUIRE(s2);
		CHECK(bytes(*s1) == v->gir);
		CHECK(bytes(*s2) == v->gir);
	}
}

TEST_CASE("dh: generated key pairs agree in every group")
{
	for (DhGroup g : {DhGroup::Modp1024, DhGroup::Modp1536, DhGroup::Modp2048, DhGroup::Modp3072, DhGroup::Modp4096,
	                  DhGroup::Ecp256, DhGroup::Ecp384}) {
		CAPTURE(dhGroupName(g));
		auto a = DhKeyPair::generate(g);
		auto b = DhKeyPair::generate(g);
		REQUIRE(a);
		REQUIRE(b);
		CHECK(a->group() == g);
		CHECK(a->publicValue().size() == dhPublicValueLength(g));
		CHECK(a->publicValue() != b->publicValue());
		auto s1 = a->sharedSecret(b->publicValue());
		auto s2 = b->sharedSecret(a->publicValue());
		REQUIRE(s1);
		REQUIRE(s2);
		CHECK(s1->size() == dhSharedSecretLength(g));
		CHECK(bytes(*s1) == bytes(*s2));
	}
}

TEST_CASE("dh: group ids")
{
	CHECK(dhGroupFromId(14) == DhGroup::Modp2048);
	CHECK(dhGroupFromId(19) == DhGroup::Ecp256);
	CHECK(dhGroupFromId(20) == DhGroup::Ecp384);
	CHECK_FALSE(dhGroupFromId(0));
	CHECK_FALSE(dhGroupFromId(1)); // 768-bit MODP: too weak, not offered
	CHECK_FALSE(dhGroupFromId(21));
	CHECK_FALSE(dhGroupFromId(31));
	CHECK(dhPublicValueLength(DhGroup::Modp2048) == 256);
	CHECK(dhPublicValueLength(DhGroup::Ecp384) == 96);
	CHECK(dhSharedSecretLength(DhGroup::Ecp384) == 48);
	CHECK(dhGroupName(DhGroup::Modp1536) == "MODP_1536");
}

TEST_CASE("dh: invalid MODP public values are rejected")
{
	auto a = DhKeyPair::fromPrivateValue(DhGroup::Modp1024, kX0);
	REQUIRE(a);
	auto expectRejected = [&](const std::vector<uint8_t> &peer, const char *why) {
		auto s = a->sharedSecret(peer);
		REQUIRE_FALSE(s);
		CHECK(s.error().message.find("DH group 2 (MODP_1024)") != std::string::npos);
		CHECK(s.error().message.find(why) != std::string::npos);
	};
	std::vector<uint8_t> v(128, 0);
	expectRejected(v, "0, 1, p-1 or not below p"); // 0
	v.back() = 1;
	expectRejected(v, "0, 1, p-1 or not below p"); // 1
	auto pMinus1 = kModp1024Prime;
	pMinus1.back() = 0xfe;
	expectRejected(pMinus1, "0, 1, p-1 or not below p");
	expectRejected(kModp1024Prime, "0, 1, p-1 or not below p"); // p
	expectRejected(std::vector<uint8_t>(128, 0xff), "0, 1, p-1 or not below p");
	// RFC 2409 §5: the value must have the prime's length, even when short.
	expectRejected(std::vector<uint8_t>{0x02}, "peer public value is 1 bytes, want 128");
	expectRejected(std::vector<uint8_t>(129, 0x02), "peer public value is 129 bytes, want 128");
	// 2 (the generator) and p-2 are valid elements.
	v.back() = 2;
	CHECK(a->sharedSecret(v));
	auto pMinus2 = kModp1024Prime;
	pMinus2.back() = 0xfd;
	CHECK(a->sharedSecret(pMinus2));
}

TEST_CASE("dh: invalid ECP public values are rejected")
{
	for (const EcpVector *v : {&kEcp256, &kEcp384}) {
		CAPTURE(dhGroupName(v->group));
		auto i = DhKeyPair::fromPrivateValue(v->group, v->i);
		REQUIRE(i);
		auto offCurve = v->gr;
		offCurve.back() ^= 0x01;
		auto s = i->sharedSecret(offCurve);
		REQUIRE_FALSE(s);
		CHECK(s.error().message.find("not a point on the curve") != std::string::npos);
		CHECK_FALSE(i->sharedSecret(std::vector<uint8_t>(v->gr.size(), 0)));
		CHECK_FALSE(i->sharedSecret(std::vector<uint8_t>(v->gr.size(), 0xff)));
		// The SEC 1 form with its 0x04 prefix is not IKE's format.
		auto sec1 = v->gr;
		sec1.insert(sec1.begin(), 0x04);
		auto s2 = i->sharedSecret(sec1);
		REQUIRE_FALSE(s2);
		CHECK(s2.error().message.find("bytes, want") != std::string::npos);
		CHECK_FALSE(i->sharedSecret(std::vector<uint8_t>(v->gr.begin(), v->gr.begin() + v->gr.size() / 2)));
	}
}

TEST_CASE("dh: invalid private values are rejected")
{
	CHECK_FALSE(DhKeyPair::fromPrivateValue(DhGroup::Modp2048, std::vector<uint8_t>(32, 0)));
	CHECK_FALSE(DhKeyPair::fromPrivateValue(DhGroup::Ecp256, std::vector<uint8_t>(32, 0)));
	// The P-256 group order n and anything above it.
	CHECK_FALSE(DhKeyPair::fromPrivateValue(
	        DhGroup::Ecp256, hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")));
	CHECK_FALSE(DhKeyPair::fromPrivateValue(DhGroup::Ecp256, std::vector<uint8_t>(32, 0xff)));
}

TEST_CASE("dh: a moved key pair keeps working")
{
	auto a = DhKeyPair::fromPrivateValue(DhGroup::Ecp256, kEcp256.i);
	REQUIRE(a);
	DhKeyPair moved = std::move(*a);
	auto s = moved.sharedSecret(kEcp256.gr);
	REQUIRE(s);
	CHECK(bytes(*s) == kEcp256.gir);
}

TEST_CASE("dh: ECP with the private value 1: the base point, and the peer's x coordinate as Botan's ECDH gives it")
{
	// SEC 2 / FIPS 186-4 base points (x | y).
	const auto p256G = hex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
	                       "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
	const uint8_t one = 1;
	for (DhGroup g : {DhGroup::Ecp256, DhGroup::Ecp384}) {
		CAPTURE(dhGroupName(g));
		auto a = DhKeyPair::fromPrivateValue(g, std::span(&one, 1));
		auto b = DhKeyPair::generate(g);
		REQUIRE(a);
		REQUIRE(b);
		CHECK(a->publicValue().size() == dhPublicValueLength(g));
		if (g == DhGroup::Ecp256)
			CHECK(a->publicValue() == p256G);
		// b's side is Botan's full multiplication of the base point by b's scalar.
		auto s1 = a->sharedSecret(b->publicValue());
		auto s2 = b->sharedSecret(a->publicValue());
		REQUIRE(s1);
		REQUIRE(s2);
		CHECK(bytes(*s1) == bytes(*s2));
		CHECK(bytes(*s1) == std::vector<uint8_t>(b->publicValue().begin(),
		                                         b->publicValue().begin() + dhSharedSecretLength(g)));
		// The peer's point is still checked.
		auto offCurve = b->publicValue();
		offCurve.back() ^= 0x01;
		CHECK_FALSE(a->sharedSecret(offCurve));
	}
}
