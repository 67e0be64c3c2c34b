// The netlink byte codec: what the writer produces, and what the readers make
// of truncated, oversized and otherwise hostile input (errors, never UB).

#include "kernel/l2tp/nl_wire.h"

#include <doctest.h>
#include <linux/netlink.h>

#include <cstring>
#include <vector>

using namespace l2tpsec::kernel::nl;

namespace {

std::vector<uint8_t> le32(uint32_t v)
{
	return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

void append(std::vector<uint8_t> &to, const std::vector<uint8_t> &bytes)
{
	to.insert(to.end(), bytes.begin(), bytes.end());
}

// A bare netlink message: header plus payload, nlmsg_len = 16 + payload.
std::vector<uint8_t> message(uint16_t type, uint16_t flags, uint32_t seq, const std::vector<uint8_t> &payload)
{
	std::vector<uint8_t> m = le32(uint32_t(kNlmsgHdrLen + payload.size()));
	m.insert(m.end(), {uint8_t(type), uint8_t(type >> 8), uint8_t(flags), uint8_t(flags >> 8)});
	append(m, le32(seq));
	append(m, le32(0));
	append(m, payload);
	return m;
}

} // namespace

TEST_CASE("the writer lays out header, genl header and padded attributes")
{
	MessageWriter w(0x1c, NLM_F_REQUEST | NLM_F_ACK, 7, 2, 1);
	w.putU8(7, 2);
	w.putU16(2, 0x0102);
	w.putU32(9, 0x4001);
	w.putU64(22, 0x1122334455667788ULL);
	w.putString(8, "ppp0");
	auto bytes = std::move(w).finish();
	// clang-format off
	const std::vector<uint8_t> golden = {
		0x44, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x07, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		0x02, 0x01, 0x00, 0x00,
		0x05, 0x00, 0x07, 0x00,  0x02, 0x00, 0x00, 0x00,
		0x06, 0x00, 0x02, 0x00,  0x02, 0x01, 0x00, 0x00,
		0x08, 0x00, 0x09, 0x00,  0x01, 0x40, 0x00, 0x00,
		0x0c, 0x00, 0x16, 0x00,  0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x09, 0x00, 0x08, 0x00,  'p', 'p', 'p', '0', 0x00, 0x00, 0x00, 0x00,
	};
	// clang-format on
	CHECK(bytes == golden);

	auto msgs = splitMessages(bytes);
	REQUIRE(msgs);
	REQUIRE(msgs->size() == 1);
	CHECK(msgs->front().type == 0x1c);
	CHECK(msgs->front().flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(msgs->front().seq == 7);
	auto genl = parseGenl(msgs->front());
	REQUIRE(genl);
	CHECK(genl->cmd == 2);
	CHECK(genl->version == 1);
	auto attrs = splitAttrs(genl->attrs);
	REQUIRE(attrs);
	REQUIRE(attrs->size() == 5);
	CHECK(*attrU8((*attrs)[0]) == 2);
	CHECK(*attrU16((*attrs)[1]) == 0x0102);
	CHECK(*attrU32((*attrs)[2]) == 0x4001);
	CHECK(*attrU64((*attrs)[3]) == 0x1122334455667788ULL);
	CHECK(attrString((*attrs)[4]) == "ppp0");
}

TEST_CASE("nests carry the length of everything inside them")
{
	MessageWriter w(0x1c, 0, 1, 4, 1);
	size_t nest = w.beginNest(30);
	w.putU64(1, 5);
	w.putU64(4, 6);
	w.endNest(nest);
	w.putU32(9, 3);
	auto bytes = std::move(w).finish();
	auto msgs = splitMessages(bytes);
	REQUIRE(msgs);
	auto genl = parseGenl(msgs->front());
	REQUIRE(genl);
	auto outer = splitAttrs(genl->attrs);
	REQUIRE(outer);
	REQUIRE(outer->size() == 2);
	CHECK((*outer)[0].type == 30);
	CHECK((*outer)[0].payload.size() == 24);
	auto inner = splitAttrs((*outer)[0].payload);
	REQUIRE(inner);
	REQUIRE(inner->size() == 2);
	CHECK(*attrU64((*inner)[1]) == 6);
	CHECK(*attrU32((*outer)[1]) == 3);
}

TEST_CASE("several messages in one datagram are split, the last pad may be missing")
{
	auto a = message(0x1c, NLM_F_MULTI, 5, {1, 0, 0, 0, 6, 0}); // 22 bytes, padded to 24
	a.resize(24, 0);
	auto b = message(NLMSG_DONE, NLM_F_MULTI, 5, le32(0));
	std::vector<uint8_t> dgram = a;
	append(dgram, b);
	auto msgs = splitMessages(dgram);
	REQUIRE(msgs);
	REQUIRE(msgs->size() == 2);
	CHECK(msgs->at(0).payload.size() == 6);
	CHECK(msgs->at(1).type == NLMSG_DONE);

	auto lone = message(0x1c, 0, 1, {1, 2, 3}); // 19 bytes, no pad at all
	auto one = splitMessages(lone);
	REQUIRE(one);
	CHECK(one->size() == 1);
	CHECK(one->front().payload.size() == 3);
}

TEST_CASE("hostile message headers are refused with a reason")
{
	SUBCASE("shorter than a header")
	{
		std::vector<uint8_t> b = {20, 0, 0, 0, 0x1c, 0};
		auto r = splitMessages(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == EBADMSG);
		CHECK(r.error().message ==
		      "malformed netlink data: 6 trailing bytes are shorter than a message header");
	}
	SUBCASE("length below the header size")
	{
		auto b = message(0x1c, 0, 1, {});
		b[0] = 15;
		auto r = splitMessages(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed netlink data: message length 15 with 16 bytes left");
	}
	SUBCASE("length beyond the datagram")
	{
		auto b = message(0x1c, 0, 1, {0, 0, 0, 0});
		b[0] = 0xff;
		b[3] = 0xff;
		CHECK_FALSE(splitMessages(b));
	}
	SUBCASE("zero length cannot loop forever")
	{
		std::vector<uint8_t> b(32, 0);
		CHECK_FALSE(splitMessages(b));
	}
	SUBCASE("a second message truncated")
	{
		auto b = message(0x1c, 0, 1, {0, 0, 0, 0});
		append(b, {24, 0, 0, 0, 0x1c, 0, 0, 0});
		CHECK_FALSE(splitMessages(b));
	}
	SUBCASE("an empty datagram holds no messages")
	{
		auto r = splitMessages(Bytes{});
		REQUIRE(r);
		CHECK(r->empty());
	}
	SUBCASE("a generic netlink message without its header")
	{
		auto b = message(0x1c, 0, 1, {3, 1});
		auto msgs = splitMessages(b);
		REQUIRE(msgs);
		auto g = parseGenl(msgs->front());
		REQUIRE_FALSE(g);
		CHECK(g.error().message == "malformed netlink data: generic netlink message of 2 bytes");
	}
}

TEST_CASE("hostile attributes are refused with a reason")
{
	SUBCASE("length below the header")
	{
		std::vector<uint8_t> b = {3, 0, 1, 0, 0, 0, 0, 0};
		auto r = splitAttrs(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed netlink data: attribute length 3 with 8 bytes left");
	}
	SUBCASE("length beyond the stream")
	{
		std::vector<uint8_t> b = {9, 0, 1, 0, 0, 0, 0, 0};
		CHECK_FALSE(splitAttrs(b));
	}
	SUBCASE("trailing bytes shorter than a header")
	{
		std::vector<uint8_t> b = {8, 0, 1, 0, 1, 0, 0, 0, 4, 0};
		auto r = splitAttrs(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message ==
		      "malformed netlink data: 2 trailing bytes are shorter than an attribute header");
	}
	SUBCASE("flag bits are not part of the type")
	{
		std::vector<uint8_t> b = {4, 0, 30, 0x80};
		auto r = splitAttrs(b);
		REQUIRE(r);
		CHECK(r->front().type == 30);
		CHECK(r->front().payload.empty());
	}
	SUBCASE("integers of the wrong size")
	{
		std::vector<uint8_t> b = {7, 0, 9, 0, 1, 2, 3, 0};
		auto r = splitAttrs(b);
		REQUIRE(r);
		auto v = attrU32(r->front());
		REQUIRE_FALSE(v);
		CHECK(v.error().message == "malformed netlink data: attribute 9 is 3 bytes, expected 4 (u32)");
		CHECK_FALSE(attrU8(r->front()));
		CHECK_FALSE(attrU16(r->front()));
		CHECK_FALSE(attrU64(r->front()));
	}
	SUBCASE("strings stop at the NUL, or at the end without one")
	{
		std::vector<uint8_t> b = {8, 0, 8, 0, 'a', 0, 'b', 'c', 7, 0, 8, 0, 'x', 'y', 'z', 0};
		auto r = splitAttrs(b);
		REQUIRE(r);
		CHECK(attrString(r->at(0)) == "a");
		CHECK(attrString(r->at(1)) == "xyz");
		Attr empty;
		CHECK(attrString(empty).empty());
	}
}

TEST_CASE("NLMSG_ERROR: ACKs, errors and extended-ACK messages")
{
	auto request = message(0x1c, NLM_F_REQUEST | NLM_F_ACK, 42, {1, 1, 0, 0});

	SUBCASE("a plain ACK")
	{
		std::vector<uint8_t> payload = le32(0);
		append(payload, request);
		auto mBytes = message(NLMSG_ERROR, 0, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseError(m->front());
		REQUIRE(e);
		CHECK(e->error == 0);
		CHECK(e->requestSeq == 42);
		CHECK(e->extackMessage.empty());
	}
	SUBCASE("an error with capped echo and a message")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-17));
		append(payload, std::vector<uint8_t>(request.begin(), request.begin() + 16));
		append(payload, {9, 0, NLMSGERR_ATTR_MSG, 0, 'd', 'u', 'p', 0, 0, 0, 0, 0});
		auto mBytes = message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseError(m->front());
		REQUIRE(e);
		CHECK(e->error == -17);
		CHECK(e->extackMessage == "dup");
	}
	SUBCASE("an error echoing the whole request, then TLVs")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-22));
		append(payload, request);
		append(payload, {8, 0, NLMSGERR_ATTR_MSG, 0, 'b', 'a', 'd', 0});
		auto mBytes = message(NLMSG_ERROR, NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseError(m->front());
		REQUIRE(e);
		CHECK(e->extackMessage == "bad");
	}
	SUBCASE("an echo that claims more than was sent")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-22));
		append(payload, request);
		payload[4] = 200; // the echoed nlmsg_len
		auto mBytes = message(NLMSG_ERROR, NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		CHECK_FALSE(parseError(m->front()));
	}
	SUBCASE("too short to hold the echoed header")
	{
		auto mBytes = message(NLMSG_ERROR, 0, 42, le32(0));
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		CHECK_FALSE(parseError(m->front()));
	}
	SUBCASE("errors that are no errno")
	{
		for (uint32_t bad : {1u, 0x80000000u, uint32_t(-4096)}) {
			std::vector<uint8_t> payload = le32(bad);
			append(payload, request);
			auto mBytes = message(NLMSG_ERROR, 0, 42, payload);
			auto m = splitMessages(mBytes);
			REQUIRE(m);
			CHECK_FALSE(parseError(m->front()));
		}
	}
}

TEST_CASE("NLMSG_DONE carries the dump status")
{
	auto okBytes = message(NLMSG_DONE, NLM_F_MULTI, 1, le32(0));
	auto ok = splitMessages(okBytes);
	REQUIRE(ok);
	CHECK(*parseDone(ok->front()) == 0);
	auto failedBytes = message(NLMSG_DONE, NLM_F_MULTI, 1, le32(uint32_t(-95)));
	auto failed = splitMessages(failedBytes);
	REQUIRE(failed);
	CHECK(*parseDone(failed->front()) == -95);
	auto oldBytes = message(NLMSG_DONE, NLM_F_MULTI, 1, {});
	auto old = splitMessages(oldBytes);
	REQUIRE(old);
	CHECK(*parseDone(old->front()) == 0);
	auto badBytes = message(NLMSG_DONE, NLM_F_MULTI, 1, le32(0x80000000u));
	auto bad = splitMessages(badBytes);
	REQUIRE(bad);
	CHECK_FALSE(parseDone(bad->front()));
}
