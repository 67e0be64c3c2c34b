// The ISAKMP header: field layout, and every way a datagram can fail to be
// an IKEv1 message.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/header.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::ike::test::concat;
using l2tpsec::ike::test::hex;

namespace {

// RFC 2408 §3.1 layout: cookies 0102..08 / 1112..18, next payload SA (1),
// version 1.0, Quick Mode (32), flags E|C, message id 0xdeadbeef, length 32.
const std::vector<uint8_t> kHeader = hex("0102030405060708 1112131415161718 01 10 20 03 deadbeef 00000020");

} // namespace

TEST_CASE("header fields are read in network order")
{
	auto bytes = concat({kHeader, hex("aabbccdd")});
	auto m = parseMessage(bytes);
	REQUIRE(m);
	const Header &h = m->header;
	CHECK(h.initiatorCookie == Cookie{1, 2, 3, 4, 5, 6, 7, 8});
	CHECK(h.responderCookie == Cookie{0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18});
	CHECK(h.nextPayload == PayloadType::SecurityAssociation);
	CHECK(h.majorVersion == 1);
	CHECK(h.minorVersion == 0);
	CHECK(h.exchange == ExchangeType::QuickMode);
	CHECK(h.flags == (kFlagEncryption | kFlagCommit));
	CHECK(h.encrypted());
	CHECK(h.commit());
	CHECK_FALSE(h.authenticationOnly());
	CHECK(h.messageId == 0xdeadbeef);
	CHECK(h.length == 32);
	CHECK(std::vector<uint8_t>(m->body.begin(), m->body.end()) == hex("aabbccdd"));
	CHECK(m->trailingBytes == 0);
}

TEST_CASE("buildHeader writes back the same 28 bytes")
{
	auto bytes = concat({kHeader, hex("aabbccdd")});
	auto m = parseMessage(bytes);
	REQUIRE(m);
	CHECK(buildHeader(m->header) == kHeader);
}

TEST_CASE("a header-only message has an empty body")
{
	auto bytes = hex("0102030405060708 0000000000000000 00 10 05 00 00000000 0000001c");
	auto m = parseMessage(bytes);
	REQUIRE(m);
	CHECK(m->body.empty());
	CHECK(m->header.exchange == ExchangeType::Informational);
	CHECK(m->header.nextPayload == PayloadType::None);
}

TEST_CASE("datagram bytes beyond the header length are counted, not parsed")
{
	auto bytes = concat({kHeader, hex("aabbccdd 0000")});
	auto m = parseMessage(bytes);
	REQUIRE(m);
	CHECK(m->body.size() == 4);
	CHECK(m->trailingBytes == 2);
}

TEST_CASE("unknown minor versions, flags and exchange types are left to the engine")
{
	auto bytes = hex("0102030405060708 0000000000000000 00 13 63 f8 00000000 0000001c");
	auto m = parseMessage(bytes);
	REQUIRE(m);
	CHECK(m->header.minorVersion == 3);
	CHECK(m->header.exchange == static_cast<ExchangeType>(0x63));
	CHECK(m->header.flags == 0xf8);
	CHECK(buildHeader(m->header) == bytes);
}

TEST_CASE("header rejections")
{
	SUBCASE("shorter than the header")
	{
		auto r = parseMessage(Bytes(kHeader).first(27));
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message ==
		      "malformed ISAKMP data: datagram of 27 bytes is shorter than the 28-byte header");
	}
	SUBCASE("empty datagram")
	{
		auto r = parseMessage(Bytes{});
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
	}
	SUBCASE("IKEv2 (major version 2) gets its own error")
	{
		auto bytes = hex("0102030405060708 0000000000000000 21 20 22 08 00000000 0000001c");
		auto r = parseMessage(bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrVersion);
		CHECK(r.error().message == "unsupported ISAKMP version 2.0");
	}
	SUBCASE("major version 0")
	{
		auto bytes = hex("0102030405060708 0000000000000000 01 00 02 00 00000000 0000001c");
		auto r = parseMessage(bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrVersion);
	}
	SUBCASE("length below the header size")
	{
		auto bytes = hex("0102030405060708 0000000000000000 01 10 02 00 00000000 0000001b");
		auto r = parseMessage(bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == "malformed ISAKMP data: header length 27 is shorter than the header");
	}
	SUBCASE("length beyond the datagram")
	{
		auto bytes = concat({kHeader, hex("aabbcc")});
		auto r = parseMessage(bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == "malformed ISAKMP data: header length 32 exceeds the 31-byte datagram");
	}
	SUBCASE("a length near 2^32 does not wrap")
	{
		auto bytes = hex("0102030405060708 0000000000000000 01 10 02 00 00000000 ffffffff");
		auto r = parseMessage(bytes);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
	}
}
