// The L2TPv2 header (RFC 2661 §3.1): golden bytes from xl2tpd, data headers,
// and every way a datagram's header is refused.

#include "codec_test_bytes.h"
#include "l2tp/codec/l2tp_header.h"
#include "xl2tpd_captures.h"

#include <doctest.h>

using namespace l2tpsec::l2tp;
using test::fromHex;
using test::toHex;

TEST_CASE("xl2tpd's SCCCN header parses field by field")
{
	auto bytes = fromHex(xl2tpd::kScccn);
	auto p = parsePacket(bytes);
	REQUIRE(p);
	const Header &h = p->header;
	CHECK(h.control);
	CHECK(h.hasLength);
	CHECK(h.hasSequence);
	CHECK_FALSE(h.hasOffset);
	CHECK_FALSE(h.priority);
	CHECK(h.version == 2);
	CHECK(h.length == 20);
	CHECK(h.tunnelId == 48182);
	CHECK(h.sessionId == 0);
	CHECK(h.ns == 1);
	CHECK(h.nr == 1);
	CHECK(h.size() == kControlHeaderSize);
	CHECK(toHex(p->payload) == "8008000000000003");
	CHECK(p->trailingBytes == 0);
}

TEST_CASE("a control header builds to xl2tpd's bytes")
{
	CHECK(toHex(buildHeader(controlHeader(48182, 0, 1, 1, 20))) == "c8020014bc36000000010001");
	// The ZLB that acknowledged xl2tpd's ICRQ is this header alone.
	CHECK(toHex(buildHeader(controlHeader(1741, 0, 1, 2, 12))) == xl2tpd::kZlb);
}

TEST_CASE("a ZLB is a control header with an empty payload")
{
	auto bytes = fromHex(xl2tpd::kZlb);
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->header.control);
	CHECK(p->header.tunnelId == 1741);
	CHECK(p->header.ns == 1);
	CHECK(p->header.nr == 2);
	CHECK(p->payload.empty());
}

TEST_CASE("data messages are recognised as such, with their optional fields")
{
	SUBCASE("minimal: no length, no sequence numbers")
	{
		auto bytes = fromHex("0002 1234 5678 ff03c021");
		auto p = parsePacket(bytes);
		REQUIRE(p);
		CHECK_FALSE(p->header.control);
		CHECK_FALSE(p->header.hasLength);
		CHECK_FALSE(p->header.hasSequence);
		CHECK(p->header.tunnelId == 0x1234);
		CHECK(p->header.sessionId == 0x5678);
		CHECK(p->header.size() == 6);
		CHECK(toHex(p->payload) == "ff03c021");
	}
	SUBCASE("L, S, O and P, with a 3-byte offset pad")
	{
		// T=0 L=1 S=1 O=1 P=1: 0x4b02; Length 21.
		auto bytes = fromHex("4b02 0015 0001 0002 0003 0004 0003 aabbcc ff03c021");
		auto p = parsePacket(bytes);
		REQUIRE(p);
		const Header &h = p->header;
		CHECK_FALSE(h.control);
		CHECK(h.hasLength);
		CHECK(h.hasSequence);
		CHECK(h.hasOffset);
		CHECK(h.priority);
		CHECK(h.length == 21);
		CHECK(h.ns == 3);
		CHECK(h.nr == 4);
		CHECK(h.offsetSize == 3);
		CHECK(h.size() == 17);
		CHECK(toHex(p->payload) == "ff03c021");
		// Built again, the pad comes back as zeros.
		CHECK(toHex(buildHeader(h)) == "4b020015000100020003000400030000"
		                               "00");
	}
}

TEST_CASE("the reserved x bits are ignored on receipt and not sent")
{
	// 0xc802 with all seven x bits (0x34f0) set: 0xfcf2.
	auto bytes = fromHex("fcf2 000c 0001 0000 0000 0000");
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->header.control);
	CHECK(p->header.tunnelId == 1);
	CHECK(toHex(buildHeader(p->header)) == "c802000c000100000000"
	                                       "0000");
}

TEST_CASE("Length is authoritative: bytes beyond it are counted, not parsed")
{
	auto bytes = fromHex(std::string(xl2tpd::kScccn) + "deadbeef");
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->payload.size() == 8);
	CHECK(p->trailingBytes == 4);
}

TEST_CASE("a control message with P set is accepted")
{
	auto bytes = fromHex("c902000c000100000000"
	                     "0000");
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->header.priority);
}

TEST_CASE("header rejections")
{
	auto kindOf = [](std::string_view hex) {
		auto bytes = fromHex(hex);
		auto p = parsePacket(bytes);
		REQUIRE_FALSE(p);
		return p.error().kind;
	};
	SUBCASE("truncated")
	{
		CHECK(kindOf("") == DecodeErrorKind::Truncated);
		CHECK(kindOf("c8") == DecodeErrorKind::Truncated);
		CHECK(kindOf("c802000cbc3600000001") == DecodeErrorKind::Truncated); // 10 of 12 bytes
		CHECK(kindOf("0002 1234") == DecodeErrorKind::Truncated);            // data: no session id
		// O=1 with an offset pad that does not fit a datagram without Length.
		CHECK(kindOf("0202 0001 0002 0010 aabb") == DecodeErrorKind::Truncated);
	}
	SUBCASE("versions other than 2 are reported with the version")
	{
		for (auto [hex, version] :
		     {std::pair{"c803000c000100000000"
		                "0000",
		                3},
		      std::pair{"c801000c0001", 1}, std::pair{"0003 0000 0001", 3}, std::pair{"c800", 0}}) {
			auto bytes = fromHex(hex);
			auto p = parsePacket(bytes);
			REQUIRE_FALSE(p);
			CHECK(p.error().kind == DecodeErrorKind::UnsupportedVersion);
			CHECK(p.error().version == version);
		}
		// L2TPv3 over UDP (RFC 3931 §4.1.2.1): T=1 L=1 S=1 Ver=3, a 32-bit connection id.
		auto v3 = fromHex("c803 0014 00000001 0000 0000 8008000000000001");
		CHECK(parsePacket(v3).error().toError().code == EPROTONOSUPPORT);
	}
	SUBCASE("Length beyond the datagram")
	{
		CHECK(kindOf("c8020015bc360000000100018008000000000003") == DecodeErrorKind::BadLength);
	}
	SUBCASE("Length shorter than the header")
	{
		CHECK(kindOf("c802000bbc36000000010001") == DecodeErrorKind::BadLength);
		CHECK(kindOf("4202 0008 0001 0002 0004 aabbccdd") == DecodeErrorKind::BadLength); // data, with offset
	}
	SUBCASE("control messages need L and S, and no O")
	{
		CHECK(kindOf("c002 0001 0000 0000 0000") == DecodeErrorKind::BadControlFlags);           // S=0
		CHECK(kindOf("8802 0001 0000 0000 0000") == DecodeErrorKind::BadControlFlags);           // L=0
		CHECK(kindOf("ca02 000e 0001 0000 0000 0000 0000") == DecodeErrorKind::BadControlFlags); // O=1
	}
}

TEST_CASE("stampSequence writes Ns and Nr into an encoded control message")
{
	SUBCASE("only the Ns and Nr octets change")
	{
		// xl2tpd's SCCCN (Ns 1, Nr 1), restamped.
		auto bytes = fromHex(xl2tpd::kScccn);
		REQUIRE(stampSequence(bytes, 0x1234, 0xabcd));
		CHECK(toHex(bytes) == "c8020014bc3600001234abcd8008000000000003");
		auto p = parsePacket(bytes);
		REQUIRE(p);
		CHECK(p->header.ns == 0x1234);
		CHECK(p->header.nr == 0xabcd);
	}
	SUBCASE("a ZLB header alone is enough")
	{
		auto bytes = buildHeader(controlHeader(1741, 0, 0, 0, kControlHeaderSize));
		REQUIRE(stampSequence(bytes, 1, 2));
		CHECK(toHex(bytes) == xl2tpd::kZlb);
	}
	SUBCASE("nothing that is not a control header is written")
	{
		std::vector<uint8_t> shortMessage = fromHex("c8020014bc360000000100");
		CHECK_FALSE(stampSequence(shortMessage, 7, 7));
		CHECK(toHex(shortMessage) == "c8020014bc360000000100");
		// A data message (T=0) with L and S: its Ns/Nr sit elsewhere anyway.
		Header data = controlHeader(1, 2, 3, 4, kControlHeaderSize);
		data.control = false;
		auto bytes = buildHeader(data);
		std::vector<uint8_t> before = bytes;
		CHECK_FALSE(stampSequence(bytes, 7, 7));
		CHECK(bytes == before);
		// A control header without S has no Ns/Nr.
		Header noSequence = controlHeader(1, 2, 3, 4, kControlHeaderSize);
		noSequence.hasSequence = false;
		bytes = buildHeader(noSequence);
		bytes.resize(kControlHeaderSize, 0);
		before = bytes;
		CHECK_FALSE(stampSequence(bytes, 7, 7));
		CHECK(bytes == before);
	}
}
