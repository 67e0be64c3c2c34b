// src/crypto's MD5 and constant-time comparison, which the L2TP codec is built
// on. MD5 against the RFC 1321 §A.5 test suite.

#include "codec_test_bytes.h"
#include "crypto/constant_time.h"
#include "crypto/md5.h"

#include <doctest.h>

#include <string>

using namespace l2tpsec::crypto;
using l2tpsec::l2tp::test::fromHex;
using l2tpsec::l2tp::test::toHex;

namespace {

std::string md5Hex(std::string_view s)
{
	Md5 h;
	h.update(s);
	return toHex(h.finish());
}

} // namespace

TEST_CASE("MD5 matches RFC 1321's test suite")
{
	CHECK(md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e");
	CHECK(md5Hex("a") == "0cc175b9c0f1b6a831c399e269772661");
	CHECK(md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
	CHECK(md5Hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
	CHECK(md5Hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
	CHECK(md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
	      "d174ab98d277d9f5a5611c2c9f419d9f");
	CHECK(md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
	      "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5 updates concatenate, and finish() starts a new message")
{
	Md5 h;
	h.update(std::string_view("message "));
	h.update(uint8_t{'d'});
	h.update(fromHex("6967657374")); // "igest"
	CHECK(toHex(h.finish()) == "f96b697d7cb7938d525a2f31aaf161d0");
	h.update(std::string_view("abc"));
	CHECK(toHex(h.finish()) == "900150983cd24fb0d6963f7d28e17f72");
	CHECK(toHex(md5(fromHex("616263"))) == "900150983cd24fb0d6963f7d28e17f72");
}

TEST_CASE("a moved-from hasher's state lives on in the target")
{
	Md5 a;
	a.update(std::string_view("ab"));
	Md5 b = std::move(a);
	b.update(std::string_view("c"));
	CHECK(toHex(b.finish()) == "900150983cd24fb0d6963f7d28e17f72");
}

TEST_CASE("constantTimeEqual compares length and every byte")
{
	auto x = fromHex("00112233");
	CHECK(constantTimeEqual(x, fromHex("00112233")));
	CHECK_FALSE(constantTimeEqual(x, fromHex("00112232")));
	CHECK_FALSE(constantTimeEqual(x, fromHex("80112233")));
	CHECK_FALSE(constantTimeEqual(x, fromHex("001122")));
	CHECK(constantTimeEqual({}, {}));
}
