// Data attributes (RFC 2408 §3.3) in both forms, integer views, and the
// lists that must be refused.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/data_attribute.h"
#include "ike/codec/transform_attributes.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::ike::test::hex;

namespace {

uint16_t t(IkeAttribute a)
{
	return static_cast<uint16_t>(a);
}

} // namespace

TEST_CASE("TV and TLV attributes parse and rebuild byte for byte")
{
	// Encryption AES-CBC (TV), key length 256 (TV), life type seconds (TV),
	// life duration 95040 as a 4-byte TLV, as strongSwan sends it.
	auto bytes = hex("8001 0007  800e 0100  800b 0001  000c 0004 00017340");
	auto attrs = parseAttributes(bytes);
	REQUIRE(attrs);
	REQUIRE(attrs->size() == 4);
	CHECK((*attrs)[0] == DataAttribute::basic(t(IkeAttribute::EncryptionAlgorithm), 7));
	CHECK((*attrs)[1] == DataAttribute::basic(t(IkeAttribute::KeyLength), 256));
	CHECK((*attrs)[2] == DataAttribute::basic(t(IkeAttribute::LifeType), 1));
	CHECK((*attrs)[3] == DataAttribute::variable(t(IkeAttribute::LifeDuration), hex("00017340")));
	CHECK((*attrs)[3].asInteger() == 95040);
	CHECK_FALSE((*attrs)[3].isBasic());
	CHECK((*attrs)[0].isBasic());

	auto rebuilt = buildAttributes(*attrs);
	REQUIRE(rebuilt);
	CHECK(*rebuilt == bytes);
}

TEST_CASE("an empty list is empty, and a zero-length TLV is allowed")
{
	auto none = parseAttributes(Bytes{});
	REQUIRE(none);
	CHECK(none->empty());

	auto empty = parseAttributes(hex("0009 0000"));
	REQUIRE(empty);
	REQUIRE(empty->size() == 1);
	CHECK(empty->front() == DataAttribute::variable(9, {}));
	CHECK_FALSE(empty->front().asInteger());
}

TEST_CASE("DataAttribute::integer picks TV when the value fits 16 bits")
{
	CHECK(DataAttribute::integer(12, 28800) == DataAttribute::basic(12, 28800));
	CHECK(DataAttribute::integer(12, 0xffff) == DataAttribute::basic(12, 0xffff));
	CHECK(DataAttribute::integer(12, 86400) == DataAttribute::variable(12, hex("00015180")));
	CHECK(DataAttribute::integer(12, 0x1'0000'0000ULL) == DataAttribute::variable(12, hex("0000000100000000")));
	auto built = buildAttributes(std::vector{DataAttribute::integer(2, 250000000)});
	REQUIRE(built);
	CHECK(*built == hex("0002 0004 0ee6b280"));
}

TEST_CASE("asInteger reads TLVs of 1 to 8 significant bytes")
{
	CHECK(DataAttribute::variable(2, hex("05")).asInteger() == 5);
	CHECK(DataAttribute::variable(2, hex("0102030405060708")).asInteger() == 0x0102030405060708ULL);
	// Leading zeros beyond 8 bytes are harmless...
	CHECK(DataAttribute::variable(2, hex("00000000000000000000000e10")).asInteger() == 3600);
	// ...significant bits beyond 64 are not.
	CHECK_FALSE(DataAttribute::variable(2, hex("010000000000000000")).asInteger());
}

TEST_CASE("findAttribute returns the first of a type")
{
	std::vector attrs = {DataAttribute::basic(1, 7), DataAttribute::basic(14, 128), DataAttribute::basic(14, 256)};
	REQUIRE(findAttribute(attrs, 14));
	CHECK(findAttribute(attrs, 14)->asInteger() == 128);
	CHECK(findAttribute(attrs, 4) == nullptr);
}

TEST_CASE("attribute rejections")
{
	SUBCASE("TLV length overruns the list")
	{
		auto r = parseAttributes(hex("8001 0007  000c 0005 00017340"));
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message ==
		      "malformed ISAKMP data: attribute 1 (type 12): TLV length 5 overruns the 4 bytes left");
	}
	SUBCASE("TLV header without its value")
	{
		auto r = parseAttributes(hex("000c 0004"));
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
	}
	SUBCASE("stray bytes after the last attribute")
	{
		auto r = parseAttributes(hex("8001 0007 80"));
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed ISAKMP data: attribute 1: 1 bytes left, no room for its header");
	}
	SUBCASE("a type with the AF bit set cannot be built")
	{
		auto r = buildAttributes(std::vector{DataAttribute::basic(0x8001, 1)});
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrTooLarge);
	}
	SUBCASE("a TLV value over 65535 bytes cannot be built")
	{
		auto r = buildAttributes(std::vector{DataAttribute::variable(6, std::vector<uint8_t>(0x10000))});
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrTooLarge);
	}
}
