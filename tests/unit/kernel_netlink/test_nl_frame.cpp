// Netlink framing shared by XFRM and generic netlink (kernel/netlink/nl_frame.h):
// splitting datagrams, NLMSG_ERROR and NLMSG_DONE, over hostile input too.
// Moved here from kernel_l2tp/test_nl_wire.cpp with the code it tests.

#include "kernel/netlink/nl_frame.h"
#include "tests/support/netlink_bytes.h"

#include <doctest.h>
#include <linux/netlink.h>

#include <cstring>
#include <vector>

using namespace l2tpsec::kernel::netlink;

using l2tpsec::test::append;
using l2tpsec::test::le32;
using l2tpsec::test::nlMessage;

TEST_CASE("several messages in one datagram are split, the last pad may be missing")
{
	auto a = nlMessage(0x1c, NLM_F_MULTI, 5, {1, 0, 0, 0, 6, 0}); // 22 bytes, padded to 24
	a.resize(24, 0);
	auto b = nlMessage(NLMSG_DONE, NLM_F_MULTI, 5, le32(0));
	std::vector<uint8_t> dgram = a;
	append(dgram, b);
	auto msgs = splitMessages(dgram);
	REQUIRE(msgs);
	REQUIRE(msgs->size() == 2);
	CHECK(msgs->at(0).payload.size() == 6);
	CHECK(msgs->at(1).type == NLMSG_DONE);

	auto lone = nlMessage(0x1c, 0, 1, {1, 2, 3}); // 19 bytes, no pad at all
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
		auto b = nlMessage(0x1c, 0, 1, {});
		b[0] = 15;
		auto r = splitMessages(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed netlink data: message length 15 with 16 bytes left");
	}
	SUBCASE("length beyond the datagram")
	{
		auto b = nlMessage(0x1c, 0, 1, {0, 0, 0, 0});
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
		auto b = nlMessage(0x1c, 0, 1, {0, 0, 0, 0});
		append(b, {24, 0, 0, 0, 0x1c, 0, 0, 0});
		CHECK_FALSE(splitMessages(b));
	}
	SUBCASE("an empty datagram holds no messages")
	{
		auto r = splitMessages(Bytes{});
		REQUIRE(r);
		CHECK(r->empty());
	}
}

TEST_CASE("NLMSG_ERROR: ACKs, errors and extended-ACK messages")
{
	auto request = nlMessage(0x1c, NLM_F_REQUEST | NLM_F_ACK, 42, {1, 1, 0, 0});

	SUBCASE("a plain ACK")
	{
		std::vector<uint8_t> payload = le32(0);
		append(payload, request);
		auto mBytes = nlMessage(NLMSG_ERROR, 0, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseAck(m->front());
		REQUIRE(e);
		CHECK(e->error == 0);
		CHECK(e->requestSeq == 42);
		CHECK(e->extack.empty());
	}
	SUBCASE("an error with capped echo and a message")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-17));
		append(payload, std::vector<uint8_t>(request.begin(), request.begin() + 16));
		append(payload, {9, 0, NLMSGERR_ATTR_MSG, 0, 'd', 'u', 'p', 0, 0, 0, 0, 0});
		auto mBytes = nlMessage(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseAck(m->front());
		REQUIRE(e);
		CHECK(e->error == 17);
		CHECK(e->extack == "dup");
	}
	SUBCASE("an error echoing the whole request, then TLVs")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-22));
		append(payload, request);
		append(payload, {8, 0, NLMSGERR_ATTR_MSG, 0, 'b', 'a', 'd', 0});
		auto mBytes = nlMessage(NLMSG_ERROR, NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		auto e = parseAck(m->front());
		REQUIRE(e);
		CHECK(e->extack == "bad");
	}
	SUBCASE("an echo that claims more than was sent")
	{
		std::vector<uint8_t> payload = le32(uint32_t(-22));
		append(payload, request);
		payload[4] = 200; // the echoed nlmsg_len
		auto mBytes = nlMessage(NLMSG_ERROR, NLM_F_ACK_TLVS, 42, payload);
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		CHECK_FALSE(parseAck(m->front()));
	}
	SUBCASE("too short to hold the echoed header")
	{
		auto mBytes = nlMessage(NLMSG_ERROR, 0, 42, le32(0));
		auto m = splitMessages(mBytes);
		REQUIRE(m);
		CHECK_FALSE(parseAck(m->front()));
	}
	SUBCASE("errors that are no errno")
	{
		for (uint32_t bad : {1u, 0x80000000u, uint32_t(-4096)}) {
			std::vector<uint8_t> payload = le32(bad);
			append(payload, request);
			auto mBytes = nlMessage(NLMSG_ERROR, 0, 42, payload);
			auto m = splitMessages(mBytes);
			REQUIRE(m);
			CHECK_FALSE(parseAck(m->front()));
		}
	}
}

TEST_CASE("NLMSG_DONE carries the dump status")
{
	auto okBytes = nlMessage(NLMSG_DONE, NLM_F_MULTI, 1, le32(0));
	auto ok = splitMessages(okBytes);
	REQUIRE(ok);
	CHECK(*parseDone(ok->front()) == 0);
	auto failedBytes = nlMessage(NLMSG_DONE, NLM_F_MULTI, 1, le32(uint32_t(-95)));
	auto failed = splitMessages(failedBytes);
	REQUIRE(failed);
	CHECK(*parseDone(failed->front()) == 95);
	auto oldBytes = nlMessage(NLMSG_DONE, NLM_F_MULTI, 1, {});
	auto old = splitMessages(oldBytes);
	REQUIRE(old);
	CHECK(*parseDone(old->front()) == 0);
	auto badBytes = nlMessage(NLMSG_DONE, NLM_F_MULTI, 1, le32(0x80000000u));
	auto bad = splitMessages(badBytes);
	REQUIRE(bad);
	CHECK_FALSE(parseDone(bad->front()));
}
