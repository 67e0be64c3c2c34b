// Known-answer tests for the IKE message ciphers.
//
// AES-CBC: NIST SP 800-38A Appendix F.2.1-F.2.6 (CBC-AES128/192/256, the
// four-block example); RFC 3602 §4 case 1 (AES-128, one block).
// 3DES: NIST SP 800-67 Rev. 1 Appendix B, the three-key TDEA example
// ("The qufck brown fox jump", the misspelling is the standard's): with a
// zero IV the first CBC block equals its ECB first block. The three-block
// CBC vector with IV 0001..07 was computed independently with
// `openssl enc -des-ede3-cbc -nopad` and python3's cryptography package
// (both gave the same bytes).

#include "crypto/cbc_cipher.h"
#include "test_util.h"

#include <doctest.h>

#include <string>

using namespace l2tpsec::crypto;
using l2tpsec::crypto::test::bytes;
using l2tpsec::crypto::test::hex;

namespace {

const auto kSp80038aIv = hex("000102030405060708090a0b0c0d0e0f");
const auto kSp80038aPlain = hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
                                "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");

struct CbcCase {
	const char *name;
	CbcCipher cipher;
	std::vector<uint8_t> key;
	std::vector<uint8_t> iv;
	std::vector<uint8_t> plain;
	std::vector<uint8_t> cipherText;
};

std::vector<CbcCase> cases()
{
	return {
	        {"SP 800-38A F.2.1 CBC-AES128", CbcCipher::Aes128, hex("2b7e151628aed2a6abf7158809cf4f3c"), kSp80038aIv,
	         kSp80038aPlain,
	         hex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
	             "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7")},
	        {"SP 800-38A F.2.3 CBC-AES192", CbcCipher::Aes192,
	         hex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b"), kSp80038aIv, kSp80038aPlain,
	         hex("4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a"
	             "571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd")},
	        {"SP 800-38A F.2.5 CBC-AES256", CbcCipher::Aes256,
	         hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"), kSp80038aIv, kSp80038aPlain,
	         hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
	             "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b")},
	        {"RFC 3602 case 1", CbcCipher::Aes128, hex("06a9214036b8a15b512e03d534120006"),
	         hex("3dafba429d9eb430b422da802c9fac41"), bytes("Single block msg"),
	         hex("e353779c1079aeb82708942dbe77181a")},
	        {"SP 800-67 B 3DES first block, zero IV", CbcCipher::TripleDes,
	         hex("0123456789abcdef 23456789abcdef01 456789abcdef0123"), hex("0000000000000000"), bytes("The qufck"),
	         hex("a826fd8ce53b855f")},
	        {"3DES-CBC three blocks (openssl, python)", CbcCipher::TripleDes,
	         hex("0123456789abcdef 23456789abcdef01 456789abcdef0123"), hex("0001020304050607"),
	         bytes("The quick brown fox jump"), hex("29b01b011b9ebb6f 10308a4293827906 8782e8bec97fe03f")},
	};
}

} // namespace

TEST_CASE("cbc: known answers encrypt and decrypt (SP 800-38A, RFC 3602, SP 800-67)")
{
	for (CbcCase c : cases()) {
		CAPTURE(c.name);
		// "The qufck" is the first 8-byte block of the SP 800-67 message.
		if (c.plain.size() % cipherBlockSize(c.cipher) != 0)
			c.plain.resize(c.plain.size() / cipherBlockSize(c.cipher) * cipherBlockSize(c.cipher));
		auto enc = cbcEncrypt(c.cipher, c.key, c.iv, c.plain);
		REQUIRE(enc);
		CHECK(*enc == c.cipherText);
		auto dec = cbcDecrypt(c.cipher, c.key, c.iv, c.cipherText);
		REQUIRE(dec);
		CHECK(*dec == c.plain);
	}
}

TEST_CASE("cbc: chaining the last ciphertext block as the next IV is the same as one long run")
{
	// RFC 2409 Appendix B: IKE carries the IV from one message to the next;
	// SP 800-38A blocks 3-4 encrypted with block 2's ciphertext as IV.
	const auto key = hex("2b7e151628aed2a6abf7158809cf4f3c");
	auto whole = cbcEncrypt(CbcCipher::Aes128, key, kSp80038aIv, kSp80038aPlain);
	REQUIRE(whole);
	const std::vector<uint8_t> iv2(whole->begin() + 16, whole->begin() + 32);
	const std::vector<uint8_t> tail(kSp80038aPlain.begin() + 32, kSp80038aPlain.end());
	auto second = cbcEncrypt(CbcCipher::Aes128, key, iv2, tail);
	REQUIRE(second);
	CHECK(*second == std::vector<uint8_t>(whole->begin() + 32, whole->end()));
}

TEST_CASE("cbc: sizes")
{
	CHECK(cipherKeyLength(CbcCipher::Aes128) == 16);
	CHECK(cipherKeyLength(CbcCipher::Aes192) == 24);
	CHECK(cipherKeyLength(CbcCipher::Aes256) == 32);
	CHECK(cipherKeyLength(CbcCipher::TripleDes) == 24);
	CHECK(cipherBlockSize(CbcCipher::Aes256) == 16);
	CHECK(cipherBlockSize(CbcCipher::TripleDes) == 8);
	CHECK(cipherName(CbcCipher::TripleDes) == "3DES-CBC");
}

TEST_CASE("cbc: empty input is zero blocks")
{
	auto out = cbcEncrypt(CbcCipher::Aes128, std::vector<uint8_t>(16), std::vector<uint8_t>(16), {});
	REQUIRE(out);
	CHECK(out->empty());
}

TEST_CASE("cbc: bad lengths are errors")
{
	const std::vector<uint8_t> key16(16), key24(24), iv16(16), iv8(8);
	SUBCASE("not a block multiple")
	{
		auto r = cbcEncrypt(CbcCipher::Aes128, key16, iv16, std::vector<uint8_t>(17));
		REQUIRE_FALSE(r);
		CHECK(r.error().message.find("not a multiple of the 16-byte block") != std::string::npos);
		CHECK_FALSE(cbcDecrypt(CbcCipher::Aes128, key16, iv16, std::vector<uint8_t>(15)));
		CHECK_FALSE(cbcDecrypt(CbcCipher::TripleDes, key24, iv8, std::vector<uint8_t>(12)));
	}
	SUBCASE("key length")
	{
		auto r = cbcEncrypt(CbcCipher::Aes256, key16, iv16, std::vector<uint8_t>(16));
		REQUIRE_FALSE(r);
		CHECK(r.error().message.find("key is 16 bytes, want 32") != std::string::npos);
		// Two-key 3DES is not an IKE cipher; only three keys are accepted.
		CHECK_FALSE(cbcEncrypt(CbcCipher::TripleDes, key16, iv8, std::vector<uint8_t>(8)));
	}
	SUBCASE("IV length")
	{
		CHECK_FALSE(cbcEncrypt(CbcCipher::Aes128, key16, iv8, std::vector<uint8_t>(16)));
		CHECK_FALSE(cbcDecrypt(CbcCipher::TripleDes, key24, iv16, std::vector<uint8_t>(8)));
	}
}
