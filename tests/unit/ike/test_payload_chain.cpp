// The generic payload chain: splitting, encoding, and the malformed chains
// that must be refused (RFC 2408 §3.2).

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/payload_chain.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::ike::test::hex;

namespace {

std::vector<uint8_t> bodyOf(const RawPayload &p)
{
	return {p.body.begin(), p.body.end()};
}

// VID (13) "aabb" -> NONCE (10) "01020304" -> unknown type 99 "" -> end.
const std::vector<uint8_t> kChain = hex("0a00 0006 aabb"     // VID, next = NONCE
                                        "6300 0008 01020304" // NONCE, next = 99
                                        "0000 0004");        // type 99, empty, last

} // namespace

TEST_CASE("a chain splits into typed bodies, unknown types kept raw")
{
	auto chain = parsePayloadChain(PayloadType::VendorId, kChain);
	REQUIRE(chain);
	REQUIRE(chain->size() == 3);
	CHECK((*chain)[0].type == PayloadType::VendorId);
	CHECK(bodyOf((*chain)[0]) == hex("aabb"));
	CHECK((*chain)[1].type == PayloadType::Nonce);
	CHECK(bodyOf((*chain)[1]) == hex("01020304"));
	CHECK((*chain)[2].type == static_cast<PayloadType>(99));
	CHECK((*chain)[2].body.empty());
}

TEST_CASE("encodePayloadChain fills next-payload fields and lengths")
{
	std::vector<OutPayload> payloads = {
	        {PayloadType::VendorId, hex("aabb")},
	        {PayloadType::Nonce, hex("01020304")},
	        {static_cast<PayloadType>(99), {}},
	};
	auto bytes = encodePayloadChain(payloads);
	REQUIRE(bytes);
	CHECK(*bytes == kChain);
}

TEST_CASE("an empty chain is empty")
{
	auto chain = parsePayloadChain(PayloadType::None, Bytes{});
	REQUIRE(chain);
	CHECK(chain->empty());
	auto bytes = encodePayloadChain({});
	REQUIRE(bytes);
	CHECK(bytes->empty());
}

TEST_CASE("a payload body of 65531 bytes is the largest that encodes")
{
	std::vector<OutPayload> ok = {{PayloadType::Certificate, std::vector<uint8_t>(kMaxPayloadBodyLen, 0x5a)}};
	auto bytes = encodePayloadChain(ok);
	REQUIRE(bytes);
	CHECK(bytes->size() == 0xffff);
	CHECK((*bytes)[2] == 0xff);
	CHECK((*bytes)[3] == 0xff);
	auto chain = parsePayloadChain(PayloadType::Certificate, *bytes);
	REQUIRE(chain);
	CHECK(chain->front().body.size() == kMaxPayloadBodyLen);

	std::vector<OutPayload> big = {{PayloadType::Certificate, std::vector<uint8_t>(kMaxPayloadBodyLen + 1)}};
	auto r = encodePayloadChain(big);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrTooLarge);
}

TEST_CASE("decrypted chains ignore the padding after the last payload")
{
	// HASH (8) of 4 bytes, then 7 bytes of RFC 2409 App. B zero padding and
	// the RFC 2409 §5.3 pad count; both forms are accepted.
	auto zeros = hex("0000 0008 01020304 00000000000000");
	auto counted = hex("0000 0008 01020304 00000000000007");
	for (const auto &plain : {zeros, counted}) {
		auto chain = parseDecryptedPayloadChain(PayloadType::Hash, plain);
		REQUIRE(chain);
		REQUIRE(chain->size() == 1);
		CHECK(bodyOf(chain->front()) == hex("01020304"));
	}
	// The same bytes as a plaintext body are refused.
	auto strict = parsePayloadChain(PayloadType::Hash, zeros);
	REQUIRE_FALSE(strict);
	CHECK(strict.error().message == "malformed ISAKMP data: 7 bytes after the last payload");
}

TEST_CASE("decrypted chains still refuse malformed payloads")
{
	// Padding is only what follows a complete chain: an overrunning length
	// inside it stays an error.
	auto plain = hex("0000 0010 01020304 0000");
	auto r = parseDecryptedPayloadChain(PayloadType::Hash, plain);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);
}

TEST_CASE("chain rejections")
{
	struct Case {
		const char *name;
		PayloadType first;
		std::vector<uint8_t> body;
		const char *message;
	};
	const Case cases[] = {
	        {"first payload announced but the body is empty",
	         PayloadType::Nonce,
	         {},
	         "payload 0 (type 10): 0 bytes left, no room for its header"},
	        {"truncated generic header", PayloadType::Nonce, hex("0000 00"),
	         "payload 0 (type 10): 3 bytes left, no room for its header"},
	        {"reserved byte non-zero", PayloadType::Nonce, hex("0001 0008 01020304"),
	         "payload 0 (type 10): reserved byte is 1"},
	        {"length below 4", PayloadType::Nonce, hex("0000 0003 01020304"),
	         "payload 0 (type 10): length 3 is shorter than its header"},
	        {"length 0 (would loop forever if accepted)", PayloadType::Nonce, hex("0a00 0000 0a000000"),
	         "payload 0 (type 10): length 0 is shorter than its header"},
	        {"length beyond the body", PayloadType::Nonce, hex("0000 0009 01020304"),
	         "payload 0 (type 10): length 9 overruns the 8 bytes left"},
	        {"next payload announced after the last byte", PayloadType::Nonce, hex("0d00 0008 01020304"),
	         "payload 1 (type 13): 0 bytes left, no room for its header"},
	        {"bytes left over after NONE", PayloadType::Nonce, hex("0000 0008 01020304 00"),
	         "1 bytes after the last payload"},
	        {"no first payload but a body", PayloadType::None, hex("00000004"), "4 bytes after the last payload"},
	};
	for (const Case &c : cases) {
		CAPTURE(c.name);
		auto r = parsePayloadChain(c.first, c.body);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == std::string("malformed ISAKMP data: ") + c.message);
	}
}
