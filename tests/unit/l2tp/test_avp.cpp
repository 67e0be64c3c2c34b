// Generic AVP framing (RFC 2661 §4.1): splitting xl2tpd's SCCRQ, and every
// malformed AVP header.

#include "codec_test_bytes.h"
#include "l2tp/codec/avp.h"
#include "l2tp/codec/l2tp_header.h"
#include "xl2tpd_captures.h"

#include <doctest.h>

using namespace l2tpsec::l2tp;
using test::fromHex;
using test::toHex;

TEST_CASE("xl2tpd's SCCRQ splits into its nine AVPs")
{
	auto bytes = fromHex(xl2tpd::kSccrq);
	auto p = parsePacket(bytes);
	REQUIRE(p);
	auto avps = splitAvps(p->payload);
	REQUIRE(avps);
	REQUIRE(avps->size() == 9);
	struct Expected {
		bool mandatory;
		uint16_t type;
		const char *value;
	};
	const Expected expected[] = {
	        {true, 0, "0001"},                        // Message Type SCCRQ
	        {true, 2, "0100"},                        // Protocol Version 1.0
	        {true, 3, "00000003"},                    // Framing Capabilities sync+async
	        {true, 4, "00000000"},                    // Bearer Capabilities none
	        {false, 6, "0690"},                       // Firmware Revision, M=0
	        {true, 7, "6c61632d6833"},                // Host Name "lac-h3"
	        {false, 8, "78656c6572616e63652e636f6d"}, // Vendor Name "xelerance.com", M=0
	        {true, 9, "06cd"},                        // Assigned Tunnel ID 1741
	        {true, 10, "0004"},                       // Receive Window Size 4
	};
	for (size_t i = 0; i < 9; ++i) {
		CAPTURE(i);
		const Avp &a = (*avps)[i];
		CHECK(a.mandatory == expected[i].mandatory);
		CHECK_FALSE(a.hidden);
		CHECK(a.vendorId == 0);
		CHECK(a.attributeType == expected[i].type);
		CHECK(toHex(a.value) == expected[i].value);
	}
}

TEST_CASE("an empty body has no AVPs")
{
	auto avps = splitAvps(Bytes{});
	REQUIRE(avps);
	CHECK(avps->empty());
}

TEST_CASE("a vendor AVP and a hidden AVP keep their flags and vendor id")
{
	// M=0 vendor 311 type 12 value 01020304; M=1 H=1 IETF type 14 value aabb.
	auto body = fromHex("000a 0137 000c 01020304"
	                    "c008 0000 000e aabb");
	auto avps = splitAvps(body);
	REQUIRE(avps);
	REQUIRE(avps->size() == 2);
	CHECK_FALSE((*avps)[0].mandatory);
	CHECK((*avps)[0].vendorId == kMicrosoftVendorId);
	CHECK((*avps)[0].attributeType == 12);
	CHECK(toHex((*avps)[0].value) == "01020304");
	CHECK((*avps)[1].mandatory);
	CHECK((*avps)[1].hidden);
	CHECK(toHex((*avps)[1].value) == "aabb");
}

TEST_CASE("the largest AVP, 1023 octets, splits")
{
	std::vector<uint8_t> body = fromHex("03ff 0000 0007");
	body.resize(1023, 'x');
	auto avps = splitAvps(body);
	REQUIRE(avps);
	CHECK((*avps)[0].value.size() == 1017);
}

TEST_CASE("AVP framing rejections")
{
	auto errorOf = [](std::string_view hex) {
		auto body = fromHex(hex);
		auto avps = splitAvps(body);
		REQUIRE_FALSE(avps);
		return avps.error();
	};
	SUBCASE("Length below 6")
	{
		auto e = errorOf("8005 0000 0007 aa");
		CHECK(e.kind == DecodeErrorKind::AvpTooShort);
		CHECK(e.attributeType == 7);
		CHECK(errorOf("8000 0000 0000").kind == DecodeErrorKind::AvpTooShort);
	}
	SUBCASE("fewer than 6 bytes after the last AVP")
	{
		CHECK(errorOf("8008 0000 0000 0001 8008 0000").kind == DecodeErrorKind::AvpTooShort);
	}
	SUBCASE("Length overruns the message")
	{
		auto e = errorOf("8008 0000 0000 0001 800a 0000 0009 06cd");
		CHECK(e.kind == DecodeErrorKind::AvpOverrun);
		CHECK(e.attributeType == 9);
	}
	SUBCASE("reserved bits set")
	{
		for (const char *bits : {"8408", "8808", "9008", "a008"}) {
			CAPTURE(bits);
			auto e = errorOf(std::string(bits) + "0000 0000 0001");
			CHECK(e.kind == DecodeErrorKind::AvpReservedBits);
			CHECK(e.generalError() == GeneralError::FieldOutOfRange);
		}
	}
}

TEST_CASE("appendAvp writes M, H, Length, Vendor ID and type")
{
	std::vector<uint8_t> out;
	appendAvp(out, true, false, 0, 9, fromHex("06cd"));
	appendAvp(out, false, true, 311, 12, fromHex("01"));
	appendAvp(out, false, false, 0, 39, {});
	CHECK(toHex(out) == "800800000009"
	                    "06cd"
	                    "4007013700"
	                    "0c01"
	                    "000600000027");
}
