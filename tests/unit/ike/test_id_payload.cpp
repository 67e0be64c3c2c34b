// Identification payloads (RFC 2407 §4.6.2): each ID type's layout, the
// Quick Mode selectors of L2TP/IPsec, and data of the wrong size.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/id_payload.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::IpAddress;
using l2tpsec::ike::test::hex;

namespace {

IpAddress ip(const char *text)
{
	return IpAddress::parse(text).value();
}

void checkRoundTrip(const IdPayload &id, const std::vector<uint8_t> &golden)
{
	CHECK(buildId(id) == golden);
	auto back = parseId(golden);
	REQUIRE(back);
	CHECK(*back == id);
}

} // namespace

TEST_CASE("IPV4_ADDR with UDP/1701: the L2TP Quick Mode selector")
{
	auto id = IdPayload::address(ip("192.0.2.10"), kIpProtoUdp, kL2tpPort);
	checkRoundTrip(id, hex("01 11 06a5 c000020a"));
	auto addrs = idAddresses(id);
	REQUIRE(addrs);
	CHECK(addrs->first == ip("192.0.2.10"));
	CHECK_FALSE(addrs->second);
}

TEST_CASE("IPV6_ADDR")
{
	auto id = IdPayload::address(ip("2001:db8::1"));
	checkRoundTrip(id, hex("05 00 0000 20010db8000000000000000000000001"));
	CHECK(idAddresses(id)->first == ip("2001:db8::1"));
}

TEST_CASE("IPV4_ADDR_SUBNET and IPV6_ADDR_SUBNET carry address and mask")
{
	auto v4 = IdPayload::subnet(ip("192.0.2.0"), ip("255.255.255.0"), kIpProtoUdp, 0);
	checkRoundTrip(v4, hex("04 11 0000 c0000200 ffffff00"));
	auto a = idAddresses(v4);
	REQUIRE(a);
	CHECK(a->first == ip("192.0.2.0"));
	CHECK(a->second == ip("255.255.255.0"));

	auto v6 = IdPayload::subnet(ip("2001:db8::"), ip("ffff:ffff::"));
	checkRoundTrip(v6, hex("06 00 0000 20010db8000000000000000000000000 ffffffff000000000000000000000000"));
	CHECK(idAddresses(v6)->second == ip("ffff:ffff::"));
}

TEST_CASE("IPV4_ADDR_RANGE and IPV6_ADDR_RANGE carry first and last")
{
	auto v4 = IdPayload::range(ip("192.0.2.1"), ip("192.0.2.9"));
	checkRoundTrip(v4, hex("07 00 0000 c0000201 c0000209"));
	CHECK(idAddresses(v4)->second == ip("192.0.2.9"));

	auto v6 = IdPayload::range(ip("2001:db8::1"), ip("2001:db8::ff"));
	checkRoundTrip(v6, hex("08 00 0000 20010db8000000000000000000000001 20010db80000000000000000000000ff"));
	CHECK(idAddresses(v6)->first == ip("2001:db8::1"));
}

TEST_CASE("FQDN and USER_FQDN are the bare text")
{
	checkRoundTrip(IdPayload::text(IdType::Fqdn, "vpn.example.com"),
	               hex("02 00 0000 76706e2e6578616d706c652e636f6d"));
	checkRoundTrip(IdPayload::text(IdType::UserFqdn, "a@b"), hex("03 00 0000 614062"));
	CHECK_FALSE(idAddresses(IdPayload::text(IdType::Fqdn, "x")));
}

TEST_CASE("DER_ASN1_DN and KEY_ID are opaque")
{
	checkRoundTrip(IdPayload{IdType::DerAsn1Dn, 0, 0, hex("3000")}, hex("09 00 0000 3000"));
	checkRoundTrip(IdPayload{IdType::KeyId, 0, 0, hex("deadbeef")}, hex("0b 00 0000 deadbeef"));
	checkRoundTrip(IdPayload{IdType::DerAsn1Gn, 0, 0, hex("a0")}, hex("0a 00 0000 a0"));
}

TEST_CASE("unknown ID types are kept, even without data")
{
	auto id = parseId(hex("63 06 01f4"));
	REQUIRE(id);
	CHECK(id->type == static_cast<IdType>(0x63));
	CHECK(id->protocol == 6);
	CHECK(id->port == 500);
	CHECK(id->data.empty());
}

TEST_CASE("ID rejections")
{
	struct Case {
		std::vector<uint8_t> body;
		const char *message;
	};
	const Case cases[] = {
	        {hex("01 11 06"), "ID payload of 3 bytes has no room for its fixed fields"},
	        {hex("01 11 06a5 c00002"), "ID payload type 1: 3 bytes of data, expected 4"},
	        {hex("01 11 06a5 c000020a00"), "ID payload type 1: 5 bytes of data, expected 4"},
	        {hex("05 00 0000 c000020a"), "ID payload type 5: 4 bytes of data, expected 16"},
	        {hex("04 00 0000 c000020a"), "ID payload type 4: 4 bytes of data, expected 8"},
	        {hex("07 00 0000 c000020a c00002"), "ID payload type 7: 7 bytes of data, expected 8"},
	        {hex("06 00 0000 20010db8000000000000000000000000"),
	         "ID payload type 6: 16 bytes of data, expected 32"},
	        {hex("08 00 0000"), "ID payload type 8: 0 bytes of data, expected 32"},
	        {hex("02 00 0000"), "ID payload type 2: no identification data"},
	        {hex("0b 00 0000"), "ID payload type 11: no identification data"},
	};
	for (const Case &c : cases) {
		CAPTURE(c.message);
		auto r = parseId(c.body);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == std::string("malformed ISAKMP data: ") + c.message);
	}
}
