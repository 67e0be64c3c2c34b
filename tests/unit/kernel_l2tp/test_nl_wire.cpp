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

TEST_CASE("a generic netlink message without its header is refused")
{
	auto b = message(0x1c, 0, 1, {3, 1});
	auto msgs = splitMessages(b);
	REQUIRE(msgs);
	auto g = parseGenl(msgs->front());
	REQUIRE_FALSE(g);
	CHECK(g.error().message == "malformed netlink data: generic netlink message of 2 bytes");
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
