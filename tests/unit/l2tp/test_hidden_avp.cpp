// Hidden AVP values (RFC 2661 §4.3) against known answers.
//
// The expected ciphertexts were computed independently of this code, with
// Python's hashlib straight from the RFC's formula:
//   def hide(attr, value, secret, rv, padding=b''):
//       p = struct.pack('>H', len(value)) + value + padding
//       out = b''
//       for i in range(0, len(p), 16):
//           key = hashlib.md5(struct.pack('>H', attr) + secret + rv if i == 0
//                             else secret + out[i-16:i]).digest()
//           out += bytes(x ^ y for x, y in zip(p[i:i+16], key))
//       return out
// with secret b'h3secret' and rv = bytes(range(0x10, 0x20)).

#include "codec_test_bytes.h"
#include "l2tp/codec/hidden_avp.h"

#include <doctest.h>

using namespace l2tpsec::l2tp;
using test::fromHex;
using test::toHex;

namespace {

constexpr std::string_view kSecret = "h3secret";

std::vector<uint8_t> randomVector()
{
	return fromHex("101112131415161718191a1b1c1d1e1f");
}

std::vector<uint8_t> ascii(std::string_view s)
{
	return std::vector<uint8_t>(s.begin(), s.end());
}

} // namespace

TEST_CASE("hiding matches the RFC 2661 §4.3 known answers")
{
	auto rv = randomVector();
	SUBCASE("one partial block: Assigned Session ID 0x1234")
	{
		auto hidden = hideAvpValue(14, fromHex("1234"), kSecret, rv);
		CHECK(toHex(hidden) == "b4a84fd5");
	}
	SUBCASE("the same, padded to a whole block with zeros")
	{
		auto hidden = hideAvpValue(14, fromHex("1234"), kSecret, rv, std::vector<uint8_t>(12, 0));
		CHECK(toHex(hidden) == "b4a84fd53e6839e1cb7422714ad4a596");
	}
	SUBCASE("a full block and a partial one: Host Name \"lns.example.net\"")
	{
		auto hidden = hideAvpValue(7, ascii("lns.example.net"), kSecret, rv);
		CHECK(toHex(hidden) == "0ea793fac3c1f15854995c9d23109cf5c2");
	}
	SUBCASE("three blocks, chained: Calling Number of 40 digits + 6 octets of padding")
	{
		auto hidden = hideAvpValue(22, ascii("0123456789012345678901234567890123456789"), kSecret, rv,
		                           std::vector<uint8_t>(6, 0));
		CHECK(toHex(hidden) == "b073c7c90876b5df7dc2284ecdf16afa19d12b685a2c2419cdf832a28ea0e875"
		                       "9008f6f9e32184d5415adea4e533bfe7");
	}
}

TEST_CASE("unhiding recovers the value and drops the padding")
{
	auto rv = randomVector();
	auto sid = unhideAvpValue(14, fromHex("b4a84fd53e6839e1cb7422714ad4a596"), kSecret, rv);
	REQUIRE(sid);
	CHECK(toHex(*sid) == "1234");
	auto host = unhideAvpValue(7, fromHex("0ea793fac3c1f15854995c9d23109cf5c2"), kSecret, rv);
	REQUIRE(host);
	CHECK(*host == ascii("lns.example.net"));
	auto calling = unhideAvpValue(22,
	                              fromHex("b073c7c90876b5df7dc2284ecdf16afa19d12b685a2c2419cdf832a28ea0e875"
	                                      "9008f6f9e32184d5415adea4e533bfe7"),
	                              kSecret, rv);
	REQUIRE(calling);
	CHECK(*calling == ascii("0123456789012345678901234567890123456789"));
}

TEST_CASE("hide then unhide round-trips every length around the block boundaries")
{
	auto rv = randomVector();
	for (size_t n : {0, 1, 13, 14, 15, 16, 30, 31, 32, 100, 1015}) {
		CAPTURE(n);
		std::vector<uint8_t> value(n);
		for (size_t i = 0; i < n; ++i)
			value[i] = static_cast<uint8_t>(i * 7 + 3);
		auto hidden = hideAvpValue(33, value, kSecret, rv, fromHex("a5a5a5"));
		CHECK(hidden.size() == n + 2 + 3);
		auto back = unhideAvpValue(33, hidden, kSecret, rv);
		REQUIRE(back);
		CHECK(*back == value);
	}
}

TEST_CASE("the attribute type, secret and random vector all key the hiding")
{
	auto rv = randomVector();
	auto hidden = hideAvpValue(7, ascii("lns.example.net"), kSecret, rv);
	CHECK(hideAvpValue(8, ascii("lns.example.net"), kSecret, rv) != hidden);
	CHECK(hideAvpValue(7, ascii("lns.example.net"), "h3secreT", rv) != hidden);
	rv[15] ^= 1;
	CHECK(hideAvpValue(7, ascii("lns.example.net"), kSecret, rv) != hidden);
}

TEST_CASE("hidden values that cannot be unhidden")
{
	auto rv = randomVector();
	SUBCASE("shorter than the original-length field")
	{
		auto r = unhideAvpValue(14, fromHex("b4"), kSecret, rv);
		REQUIRE_FALSE(r);
		CHECK(r.error().kind == DecodeErrorKind::BadHiddenAvp);
		CHECK(r.error().attributeType == 14);
	}
	SUBCASE("the original length exceeds what is there")
	{
		// The Host Name example without its last byte: 15 octets claimed, 14 present.
		auto r = unhideAvpValue(7, fromHex("0ea793fac3c1f15854995c9d23109cf5"), kSecret, rv);
		REQUIRE_FALSE(r);
		CHECK(r.error().kind == DecodeErrorKind::BadHiddenAvp);
	}
	SUBCASE("a wrong secret garbles the original length")
	{
		// MD5("\0\x07" "wrong" rv) xor the ciphertext puts 0xebb0 (60336) in
		// the length field (computed with hashlib as above).
		auto r = unhideAvpValue(7, fromHex("0ea793fac3c1f15854995c9d23109cf5c2"), "wrong", rv);
		REQUIRE_FALSE(r);
		CHECK(r.error().kind == DecodeErrorKind::BadHiddenAvp);
	}
}
