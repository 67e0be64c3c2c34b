// Known-answer tests for the plain hashes and the HMAC PRF.
//
// Digests of "abc": RFC 1321 §A.5 (MD5) and FIPS 180-2 Appendices A-D
// (SHA-1, SHA-256, SHA-384, SHA-512). HMAC: RFC 2202 (HMAC-MD5, HMAC-SHA1)
// and RFC 4231 (HMAC-SHA-256/384/512) test cases; every value was
// re-computed with python3's hmac/hashlib before it went in here.

#include "crypto/hash.h"
#include "crypto/prf.h"
#include "test_util.h"

#include <doctest.h>

#include <string>

using namespace l2tpsec::crypto;
using l2tpsec::crypto::test::bytes;
using l2tpsec::crypto::test::hex;

TEST_CASE("hash: digests of \"abc\" (RFC 1321, FIPS 180-2)")
{
	const auto abc = bytes("abc");
	CHECK(hash(HashAlgorithm::Md5, {abc}) == hex("900150983cd24fb0d6963f7d28e17f72"));
	CHECK(hash(HashAlgorithm::Sha1, {abc}) == hex("a9993e364706816aba3e25717850c26c9cd0d89d"));
	CHECK(hash(HashAlgorithm::Sha256, {abc}) ==
	      hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	CHECK(hash(HashAlgorithm::Sha384, {abc}) ==
	      hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	          "8086072ba1e7cc2358baeca134c825a7"));
	CHECK(hash(HashAlgorithm::Sha512, {abc}) ==
	      hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
}

TEST_CASE("hash: the parts are concatenated")
{
	const auto a = bytes("a");
	const auto bc = bytes("bc");
	const std::vector<uint8_t> empty;
	CHECK(hash(HashAlgorithm::Sha1, {a, empty, bc}) == hash(HashAlgorithm::Sha1, {bytes("abc")}));
}

TEST_CASE("hash: lengths and names")
{
	CHECK(hashLength(HashAlgorithm::Md5) == 16);
	CHECK(hashLength(HashAlgorithm::Sha1) == 20);
	CHECK(hashLength(HashAlgorithm::Sha256) == 32);
	CHECK(hashLength(HashAlgorithm::Sha384) == 48);
	CHECK(hashLength(HashAlgorithm::Sha512) == 64);
	CHECK(hashName(HashAlgorithm::Sha256) == "SHA2-256");
	for (auto alg : {HashAlgorithm::Md5, HashAlgorithm::Sha1, HashAlgorithm::Sha256, HashAlgorithm::Sha384,
	                 HashAlgorithm::Sha512})
		CHECK(hash(alg, {}).size() == hashLength(alg));
}

namespace {

struct HmacCase {
	const char *name;
	HashAlgorithm alg;
	std::vector<uint8_t> key;
	std::vector<uint8_t> data;
	std::vector<uint8_t> mac;
};

std::vector<HmacCase> hmacCases()
{
	const auto key0b = std::vector<uint8_t>(20, 0x0b);
	const auto key16 = std::vector<uint8_t>(16, 0x0b);
	const auto hiThere = bytes("Hi There");
	const auto jefe = bytes("Jefe");
	const auto jefeData = bytes("what do ya want for nothing?");
	const auto keyAa20 = std::vector<uint8_t>(20, 0xaa);
	const auto keyAa16 = std::vector<uint8_t>(16, 0xaa);
	const auto dataDd = std::vector<uint8_t>(50, 0xdd);
	const auto bigKeyData = bytes("Test Using Larger Than Block-Size Key - Hash Key First");
	return {
	        // RFC 2202 §2 (HMAC-MD5) test cases 1, 2, 3 and 6.
	        {"RFC 2202 MD5 1", HashAlgorithm::Md5, key16, hiThere, hex("9294727a3638bb1c13f48ef8158bfc9d")},
	        {"RFC 2202 MD5 2", HashAlgorithm::Md5, jefe, jefeData, hex("750c783e6ab0b503eaa86e310a5db738")},
	        {"RFC 2202 MD5 3", HashAlgorithm::Md5, keyAa16, dataDd, hex("56be34521d144c88dbb8c733f0e8b3f6")},
	        {"RFC 2202 MD5 6", HashAlgorithm::Md5, std::vector<uint8_t>(80, 0xaa), bigKeyData,
	         hex("6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd")},
	        // RFC 2202 §3 (HMAC-SHA-1) test cases 1, 2, 3 and 6.
	        {"RFC 2202 SHA1 1", HashAlgorithm::Sha1, key0b, hiThere,
	         hex("b617318655057264e28bc0b6fb378c8ef146be00")},
	        {"RFC 2202 SHA1 2", HashAlgorithm::Sha1, jefe, jefeData,
	         hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")},
	        {"RFC 2202 SHA1 3", HashAlgorithm::Sha1, keyAa20, dataDd,
	         hex("125d7342b9ac11cd91a39af48aa17b4f63f175d3")},
	        {"RFC 2202 SHA1 6", HashAlgorithm::Sha1, std::vector<uint8_t>(80, 0xaa), bigKeyData,
	         hex("aa4ae5e15272d00e95705637ce8a3b55ed402112")},
	        // RFC 4231 §4.2, §4.3, §4.4 and §4.7 (test cases 1, 2, 3, 6).
	        {"RFC 4231 SHA256 1", HashAlgorithm::Sha256, key0b, hiThere,
	         hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")},
	        {"RFC 4231 SHA256 2", HashAlgorithm::Sha256, jefe, jefeData,
	         hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")},
	        {"RFC 4231 SHA256 3", HashAlgorithm::Sha256, keyAa20, dataDd,
	         hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")},
	        {"RFC 4231 SHA256 6", HashAlgorithm::Sha256, std::vector<uint8_t>(131, 0xaa), bigKeyData,
	         hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")},
	        {"RFC 4231 SHA384 1", HashAlgorithm::Sha384, key0b, hiThere,
	         hex("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	             "faea9ea9076ede7f4af152e8b2fa9cb6")},
	        {"RFC 4231 SHA384 2", HashAlgorithm::Sha384, jefe, jefeData,
	         hex("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	             "8e2240ca5e69e2c78b3239ecfab21649")},
	        {"RFC 4231 SHA384 3", HashAlgorithm::Sha384, keyAa20, dataDd,
	         hex("88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	             "2a5ab39dc13814b94e3ab6e101a34f27")},
	        {"RFC 4231 SHA384 6", HashAlgorithm::Sha384, std::vector<uint8_t>(131, 0xaa), bigKeyData,
	         hex("4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	             "0c2ef6ab4030fe8296248df163f44952")},
	        {"RFC 4231 SHA512 1", HashAlgorithm::Sha512, key0b, hiThere,
	         hex("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	             "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")},
	        {"RFC 4231 SHA512 2", HashAlgorithm::Sha512, jefe, jefeData,
	         hex("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	             "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")},
	        {"RFC 4231 SHA512 3", HashAlgorithm::Sha512, keyAa20, dataDd,
	         hex("fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	             "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb")},
	        {"RFC 4231 SHA512 6", HashAlgorithm::Sha512, std::vector<uint8_t>(131, 0xaa), bigKeyData,
	         hex("80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	             "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")},
	};
}

} // namespace

TEST_CASE("prf: HMAC known answers (RFC 2202, RFC 4231)")
{
	for (const HmacCase &c : hmacCases()) {
		CAPTURE(c.name);
		auto out = prf(c.alg, c.key, {c.data});
		REQUIRE(out);
		CHECK(bytes(*out) == c.mac);
		CHECK(out->size() == hashLength(c.alg));
	}
}

TEST_CASE("prf: incremental updates, and finish() resets for the same key")
{
	// RFC 2202 HMAC-SHA1 test case 2, fed in pieces, twice.
	auto p = Prf::create(HashAlgorithm::Sha1, bytes("Jefe"));
	REQUIRE(p);
	CHECK(p->outputLength() == 20);
	CHECK(p->algorithm() == HashAlgorithm::Sha1);
	for (int round = 0; round < 2; ++round) {
		p->update(bytes("what do ya"));
		p->update(uint8_t{' '});
		p->update(bytes("want for nothing?"));
		CHECK(bytes(p->finish()) == hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
	}
	// A moved-to Prf keeps working.
	Prf moved = std::move(*p);
	moved.update(bytes("what do ya want for nothing?"));
	CHECK(bytes(moved.finish()) == hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
}

TEST_CASE("prf: an empty key is valid HMAC input")
{
	// python3: hmac.new(b"", b"", "sha1").hexdigest()
	auto out = prf(HashAlgorithm::Sha1, {}, {});
	REQUIRE(out);
	CHECK(bytes(*out) == hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"));
}

TEST_CASE("prf: a key HMAC cannot take is an error, not an exception")
{
	// Botan caps HMAC keys at 4096 bytes; a pre-shared key that long is a
	// configuration error to report, not a crash.
	const std::vector<uint8_t> huge(5000, 0x61);
	auto p = Prf::create(HashAlgorithm::Sha256, huge);
	REQUIRE_FALSE(p);
	CHECK(p.error().message.find("HMAC(SHA-256)") != std::string::npos);
	CHECK_FALSE(prf(HashAlgorithm::Sha256, huge, {}));
}
