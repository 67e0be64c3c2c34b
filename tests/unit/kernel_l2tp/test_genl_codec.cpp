// libnl-genl under the L2TP codec (kernel/l2tp/genl_codec.h): what a request
// built with genlmsg_put() / nla_put_*() looks like byte by byte, and what the
// reply side makes of truncated, oversized and otherwise hostile input
// (errors, never UB), against messages written by hand.

#include "kernel/l2tp/genl_codec.h"
#include "tests/support/netlink_bytes.h"

#include <doctest.h>
#include <linux/netlink.h>

#include <array>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using test::append;
using test::GenlWriter;

namespace {

// Attribute types of the made-up messages below, and their policy.
constexpr uint16_t kU8 = 7, kU16 = 2, kU32 = 9, kNest = 30, kName = 8, kOther = 10, kU64 = 22;

constexpr auto kPolicy = genl::policy<kNest + 1>({
        {kU8, genl::exact(NLA_U8)},
        {kU16, genl::exact(NLA_U16)},
        {kU32, genl::exact(NLA_U32)},
        {kU64, genl::exact(NLA_U64)},
        {kNest, genl::kNested},
});

constexpr auto kInnerPolicy = genl::policy<5>({{1, genl::exact(NLA_U64)}, {4, genl::exact(NLA_U64)}});

// A generic-netlink message (cmd 2, version 1) around a raw attribute stream.
std::vector<uint8_t> withAttrs(const std::vector<uint8_t> &attrs)
{
	std::vector<uint8_t> payload = {2, 1, 0, 0};
	append(payload, attrs);
	return test::nlMessage(0x1c, 0, 1, payload);
}

std::string parseError(const std::vector<uint8_t> &message)
{
	auto r = genl::Reply::parse(message, kPolicy);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EBADMSG);
	return r.error().message;
}

} // namespace

TEST_CASE("libnl lays out header, genl header and padded attributes as the ABI says")
{
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
	auto msg = genl::request(0x1c, NLM_F_REQUEST | NLM_F_ACK, 7, 2, 1);
	genl::put(nla_put_u8(msg.get(), kU8, 2));
	genl::put(nla_put_u16(msg.get(), kU16, 0x0102));
	genl::put(nla_put_u32(msg.get(), kU32, 0x4001));
	genl::put(nla_put_u64(msg.get(), kU64, 0x1122334455667788ULL));
	genl::put(nla_put_string(msg.get(), kName, "ppp0"));
	CHECK(genl::bytes(msg.get()) == golden);

	// The tests' hand-written messages are the same bytes.
	GenlWriter w(0x1c, NLM_F_REQUEST | NLM_F_ACK, 7, 2, 1);
	w.putU8(kU8, 2);
	w.putU16(kU16, 0x0102);
	w.putU32(kU32, 0x4001);
	w.putU64(kU64, 0x1122334455667788ULL);
	w.putString(kName, "ppp0");
	auto written = std::move(w).finish();
	CHECK(written == golden);

	auto r = genl::Reply::parse(golden, kPolicy);
	REQUIRE(r);
	CHECK(r->cmd() == 2);
	const genl::AttrIndex &a = r->attrs();
	CHECK(nla_get_u8(a[kU8]) == 2);
	CHECK(nla_get_u16(a[kU16]) == 0x0102);
	CHECK(nla_get_u32(a[kU32]) == 0x4001);
	CHECK(nla_get_u64(a[kU64]) == 0x1122334455667788ULL);
	CHECK(genl::string(a[kName]) == "ppp0");
	CHECK(a[kOther] == nullptr);
	CHECK(a[500] == nullptr);
}

TEST_CASE("nests carry the length of everything inside them")
{
	GenlWriter w(0x1c, 0, 1, 4, 1);
	size_t nest = w.beginNest(kNest);
	w.putU64(1, 5);
	w.putU64(4, 6);
	w.endNest(nest);
	w.putU32(kU32, 3);
	auto bytes = std::move(w).finish();
	auto r = genl::Reply::parse(bytes, kPolicy);
	REQUIRE(r);
	const nlattr *outer = r->attrs()[kNest];
	REQUIRE(outer);
	CHECK(genl::payload(outer).size() == 24);
	auto inner = genl::parseNested(outer, kInnerPolicy);
	REQUIRE(inner);
	CHECK(nla_get_u64((*inner)[1]) == 5);
	CHECK(nla_get_u64((*inner)[4]) == 6);
	CHECK(nla_get_u32(r->attrs()[kU32]) == 3);
	auto array = genl::nestedArray(outer);
	REQUIRE(array);
	CHECK(array->size() == 2);
}

TEST_CASE("a message is copied before it is parsed: any alignment, and it may go away")
{
	GenlWriter w(0x1c, 0, 1, 4, 1);
	w.putU64(kU64, 0x0102030405060708ULL);
	w.putU32(kU32, 0xdeadbeef);
	auto bytes = std::move(w).finish();
	std::vector<uint8_t> shifted(1, 0xaa);
	append(shifted, bytes);
	auto r = genl::Reply::parse(std::span<const uint8_t>(shifted).subspan(1), kPolicy);
	shifted.assign(shifted.size(), 0);
	REQUIRE(r);
	genl::Reply moved = std::move(*r);
	CHECK(nla_get_u64(moved.attrs()[kU64]) == 0x0102030405060708ULL);
	CHECK(nla_get_u32(moved.attrs()[kU32]) == 0xdeadbeef);
}

TEST_CASE("a message without its headers is refused")
{
	CHECK(parseError(test::nlMessage(0x1c, 0, 1, {3, 1})) ==
	      "malformed netlink data: generic netlink message of 2 bytes");
	CHECK(parseError({20, 0, 0, 0, 0x1c, 0}) == "malformed netlink data: netlink message of 6 bytes");
	auto longer = test::nlMessage(0x1c, 0, 1, {3, 1, 0, 0});
	longer[0] = 24;
	CHECK(parseError(longer) == "malformed netlink data: netlink message claims 24 bytes, 20 present");
}

TEST_CASE("hostile attributes are refused with a reason")
{
	SUBCASE("length below the header")
	{
		CHECK(parseError(withAttrs({3, 0, 1, 0, 0, 0, 0, 0})) ==
		      "malformed netlink data: attribute length 3 with 8 bytes left");
	}
	SUBCASE("length beyond the stream")
	{
		CHECK(parseError(withAttrs({9, 0, 1, 0, 0, 0, 0, 0})) ==
		      "malformed netlink data: attribute length 9 with 8 bytes left");
	}
	SUBCASE("trailing bytes shorter than a header")
	{
		CHECK(parseError(withAttrs({8, 0, 1, 0, 1, 0, 0, 0, 4, 0})) ==
		      "malformed netlink data: 2 trailing bytes are shorter than an attribute header");
	}
	SUBCASE("the last attribute's pad may be missing")
	{
		auto r = genl::Reply::parse(withAttrs({5, 0, kU8, 0, 9}), kPolicy);
		REQUIRE(r);
		CHECK(nla_get_u8(r->attrs()[kU8]) == 9);
	}
	SUBCASE("flag bits are not part of the type")
	{
		auto r = genl::Reply::parse(withAttrs({4, 0, kNest, 0x80}), kPolicy);
		REQUIRE(r);
		REQUIRE(r->attrs()[kNest]);
		CHECK(genl::payload(r->attrs()[kNest]).empty());
	}
	SUBCASE("integers of the wrong size")
	{
		CHECK(parseError(withAttrs({7, 0, kU32, 0, 1, 2, 3, 0})) ==
		      "malformed netlink data: attribute 9 is 3 bytes, expected 4 (u32)");
		CHECK(parseError(withAttrs({12, 0, kU32, 0, 1, 2, 3, 4, 5, 6, 7, 8})) ==
		      "malformed netlink data: attribute 9 is 8 bytes, expected 4 (u32)");
		CHECK(parseError(withAttrs({6, 0, kU8, 0, 1, 2, 0, 0})) ==
		      "malformed netlink data: attribute 7 is 2 bytes, expected 1 (u8)");
		CHECK(parseError(withAttrs({5, 0, kU16, 0, 1, 0, 0, 0})) ==
		      "malformed netlink data: attribute 2 is 1 bytes, expected 2 (u16)");
		CHECK(parseError(withAttrs({8, 0, kU64, 0, 1, 2, 3, 4})) ==
		      "malformed netlink data: attribute 22 is 4 bytes, expected 8 (u64)");
	}
	SUBCASE("a torn nest")
	{
		auto r = genl::Reply::parse(withAttrs({12, 0, kNest, 0, 12, 0, 1, 0, 0, 0, 0, 0}), kPolicy);
		REQUIRE(r);
		auto inner = genl::parseNested(r->attrs()[kNest], kInnerPolicy);
		REQUIRE_FALSE(inner);
		CHECK(inner.error().message == "malformed netlink data: attribute length 12 with 8 bytes left");
		CHECK_FALSE(genl::nestedArray(r->attrs()[kNest]));
	}
	SUBCASE("strings stop at the NUL, or at the end without one")
	{
		auto r = genl::Reply::parse(withAttrs({8,        0, kName, 0,   'a', 0, 'b', 'c', 7,      0,
		                                       kU16 + 1, 0, 'x',   'y', 'z', 0, 4,   0,   kOther, 0}),
		                            kPolicy);
		REQUIRE(r);
		CHECK(genl::string(r->attrs()[kName]) == "a");
		CHECK(genl::string(r->attrs()[kU16 + 1]) == "xyz");
		CHECK(genl::string(r->attrs()[kOther]).empty());
	}
}
