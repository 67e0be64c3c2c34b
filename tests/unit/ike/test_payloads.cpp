// The smaller payloads: KE/Hash/Signature/Nonce/VID/NAT-D, Certificate and
// Certificate Request, Notification (with DPD, INITIAL-CONTACT,
// RESPONDER-LIFETIME), Delete, NAT-OA and the vendor-ID table.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/delete_payload.h"
#include "ike/codec/nat_oa_payload.h"
#include "ike/codec/notify_payload.h"
#include "ike/codec/opaque_payloads.h"
#include "ike/codec/transform_attributes.h"
#include "ike/codec/vendor_ids.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::IpAddress;
using l2tpsec::ike::test::hex;

namespace {

const Cookie kCkyI = {1, 2, 3, 4, 5, 6, 7, 8};
const Cookie kCkyR = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};

} // namespace

TEST_CASE("blob payloads keep their bytes and refuse to be empty")
{
	auto blob = hex("0011223344");
	CHECK(parseKeyExchange(blob)->data == blob);
	CHECK(parseHash(blob)->data == blob);
	CHECK(parseSignature(blob)->data == blob);
	CHECK(parseNonce(blob)->data == blob);
	CHECK(parseVendorId(blob)->data == blob);
	CHECK(parseNatD(blob)->data == blob);
	CHECK(buildOpaque(NoncePayload{blob}) == blob);
	CHECK(NatDPayload::kType == PayloadType::NatD);

	auto r = parseNonce(Bytes{});
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);
	CHECK(r.error().message == "malformed ISAKMP data: Nonce payload is empty");
	CHECK_FALSE(parseKeyExchange(Bytes{}));
	CHECK_FALSE(parseHash(Bytes{}));
	CHECK_FALSE(parseSignature(Bytes{}));
	CHECK_FALSE(parseVendorId(Bytes{}));
	CHECK_FALSE(parseNatD(Bytes{}));
}

TEST_CASE("Certificate: encoding byte then data")
{
	auto golden = hex("04 308201");
	auto c = parseCertificate(golden);
	REQUIRE(c);
	CHECK(c->encoding == CertEncoding::X509Signature);
	CHECK(c->data == hex("308201"));
	CHECK(buildCertificate(*c) == golden);

	auto r = parseCertificate(hex("04"));
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "malformed ISAKMP data: Certificate payload of 1 bytes has no encoding and data");
	CHECK_FALSE(parseCertificate(Bytes{}));
}

TEST_CASE("Certificate Request: type byte, optional authority")
{
	auto any = parseCertificateRequest(hex("04"));
	REQUIRE(any);
	CHECK(any->type == CertEncoding::X509Signature);
	CHECK(any->authority.empty());
	CHECK(buildCertificateRequest(*any) == hex("04"));

	CertificateRequestPayload named{CertEncoding::X509Signature, hex("3031")};
	CHECK(buildCertificateRequest(named) == hex("04 3031"));
	CHECK(*parseCertificateRequest(hex("04 3031")) == named);

	auto r = parseCertificateRequest(Bytes{});
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);
}

TEST_CASE("R-U-THERE and R-U-THERE-ACK (RFC 3706 §5)")
{
	auto n = NotifyPayload::dpd(NotifyType::RUThere, kCkyI, kCkyR, 0x01020304);
	auto golden = hex("00000001 01 10 8d28 0102030405060708 a1a2a3a4a5a6a7a8 01020304");
	auto built = buildNotify(n);
	REQUIRE(built);
	CHECK(*built == golden);
	auto back = parseNotify(golden);
	REQUIRE(back);
	CHECK(*back == n);
	CHECK(dpdSequence(*back).value() == 0x01020304u);

	auto ack = NotifyPayload::dpd(NotifyType::RUThereAck, kCkyI, kCkyR, 7);
	CHECK(buildNotify(ack)->at(6) == 0x8d);
	CHECK(buildNotify(ack)->at(7) == 0x29);
	CHECK(dpdSequence(ack).value() == 7u);

	SUBCASE("a sequence number must be 4 bytes")
	{
		n.data.pop_back();
		auto r = dpdSequence(n);
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed ISAKMP data: DPD notify with 3 bytes of data, expected 4");
	}
	SUBCASE("only DPD notifies have one")
	{
		n.type = NotifyType::InitialContact;
		CHECK_FALSE(dpdSequence(n));
	}
}

TEST_CASE("INITIAL-CONTACT carries the cookie pair and no data")
{
	auto built = buildNotify(NotifyPayload::initialContact(kCkyI, kCkyR));
	REQUIRE(built);
	CHECK(*built == hex("00000001 01 10 6002 0102030405060708 a1a2a3a4a5a6a7a8"));
}

TEST_CASE("RESPONDER-LIFETIME carries lifetime attributes")
{
	std::vector attrs = {DataAttribute::basic(static_cast<uint16_t>(IpsecAttribute::SaLifeType), 1),
	                     DataAttribute::integer(static_cast<uint16_t>(IpsecAttribute::SaLifeDuration), 86400)};
	auto n = NotifyPayload::responderLifetime(ProtocolId::IpsecEsp, hex("cafebabe"), attrs);
	REQUIRE(n);
	auto built = buildNotify(*n);
	REQUIRE(built);
	CHECK(*built == hex("00000001 03 04 6000 cafebabe 80010001 00020004 00015180"));
	auto back = responderLifetimeAttributes(*parseNotify(*built));
	REQUIRE(back);
	CHECK(*back == attrs);
	CHECK_FALSE(responderLifetimeAttributes(NotifyPayload{}));
}

TEST_CASE("error notifies: any DOI, type and SPI are kept")
{
	// What strongSwan sent after the failed Quick Mode (strongswan_capture.h).
	auto golden = hex("00000001 03 04 000e cd5be4a2");
	auto n = parseNotify(golden);
	REQUIRE(n);
	CHECK(n->doi == Doi::Ipsec);
	CHECK(n->protocol == ProtocolId::IpsecEsp);
	CHECK(n->type == NotifyType::NoProposalChosen);
	CHECK(isErrorNotify(n->type));
	CHECK(n->spi == hex("cd5be4a2"));
	CHECK(n->data.empty());
	CHECK(*buildNotify(*n) == golden);

	auto doi0 = parseNotify(hex("00000000 01 00 0018"));
	REQUIRE(doi0);
	CHECK(doi0->doi == Doi::Isakmp);
	CHECK(doi0->type == NotifyType::AuthenticationFailed);
	CHECK_FALSE(isErrorNotify(NotifyType::InitialContact));
}

TEST_CASE("notify rejections")
{
	auto r = parseNotify(hex("00000001 01 00 00"));
	REQUIRE_FALSE(r);
	CHECK(r.error().message ==
	      "malformed ISAKMP data: Notification payload of 7 bytes has no room for its fixed fields");
	r = parseNotify(hex("00000001 01 10 6002 0102030405060708"));
	REQUIRE_FALSE(r);
	CHECK(r.error().message ==
	      "malformed ISAKMP data: Notification type 24578: SPI size 16 overruns the 8 bytes left");
	NotifyPayload big;
	big.spi.assign(256, 0);
	auto b = buildNotify(big);
	REQUIRE_FALSE(b);
	CHECK(b.error().code == kErrTooLarge);
}

TEST_CASE("Delete: ESP SPIs and the ISAKMP cookie pair")
{
	DeletePayload esp{Doi::Ipsec, ProtocolId::IpsecEsp, {hex("11223344"), hex("55667788")}};
	auto golden = hex("00000001 03 04 0002 11223344 55667788");
	auto built = buildDelete(esp);
	REQUIRE(built);
	CHECK(*built == golden);
	CHECK(*parseDelete(golden) == esp);

	DeletePayload isakmp{Doi::Ipsec, ProtocolId::Isakmp, {hex("0102030405060708 a1a2a3a4a5a6a7a8")}};
	auto golden2 = hex("00000001 01 10 0001 0102030405060708 a1a2a3a4a5a6a7a8");
	CHECK(*buildDelete(isakmp) == golden2);
	CHECK(*parseDelete(golden2) == isakmp);
}

TEST_CASE("Delete rejections")
{
	struct Case {
		std::vector<uint8_t> body;
		const char *message;
	};
	const Case cases[] = {
	        {hex("00000001 03 04 00"), "Delete payload of 7 bytes has no room for its fixed fields"},
	        {hex("00000001 03 00 0001"), "Delete payload with SPI size 0"},
	        {hex("00000001 03 04 0000"), "Delete payload without SPIs"},
	        {hex("00000001 03 04 0002 11223344"), "Delete payload: 2 SPIs of 4 bytes do not fill the 4 bytes left"},
	        {hex("00000001 03 04 0001 11223344 55"),
	         "Delete payload: 1 SPIs of 4 bytes do not fill the 5 bytes left"},
	};
	for (const Case &c : cases) {
		CAPTURE(c.message);
		auto r = parseDelete(c.body);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == std::string("malformed ISAKMP data: ") + c.message);
	}
	CHECK(buildDelete(DeletePayload{}).error().code == kErrMalformed);
	CHECK(buildDelete(DeletePayload{Doi::Ipsec, ProtocolId::IpsecEsp, {hex("11223344"), hex("55")}}).error().code ==
	      kErrMalformed);
	CHECK(buildDelete(DeletePayload{Doi::Ipsec, ProtocolId::IpsecEsp, {{}}}).error().code == kErrMalformed);
}

TEST_CASE("NAT-OA (RFC 3947 §5.2)")
{
	NatOaPayload v4{IpAddress::parse("192.168.1.20").value()};
	auto golden = hex("01 000000 c0a80114");
	CHECK(buildNatOa(v4) == golden);
	CHECK(*parseNatOa(golden) == v4);

	NatOaPayload v6{IpAddress::parse("2001:db8::20").value()};
	auto golden6 = hex("05 000000 20010db8000000000000000000000020");
	CHECK(buildNatOa(v6) == golden6);
	CHECK(*parseNatOa(golden6) == v6);

	struct Case {
		std::vector<uint8_t> body;
		const char *message;
	};
	const Case cases[] = {
	        {hex("01 0000"), "NAT-OA payload of 3 bytes has no room for its ID type"},
	        {hex("02 000000 c0a80114"), "NAT-OA ID type 2 is neither IPV4_ADDR nor IPV6_ADDR"},
	        {hex("01 000100 c0a80114"), "NAT-OA reserved byte 1 is 1"},
	        {hex("01 000000 c0a801"), "NAT-OA address of 3 bytes, expected 4"},
	        {hex("05 000000 c0a80114"), "NAT-OA address of 4 bytes, expected 16"},
	};
	for (const Case &c : cases) {
		CAPTURE(c.message);
		auto r = parseNatOa(c.body);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == kErrMalformed);
		CHECK(r.error().message == std::string("malformed ISAKMP data: ") + c.message);
	}
}

TEST_CASE("vendor IDs the clients send are recognised")
{
	// As they appear on the wire (strongSwan 5.9.8 and Windows).
	CHECK(recogniseVendorId(hex("4a131c81070358455c5728f20e95452f")) == KnownVendorId::NatTRfc3947);
	CHECK(recogniseVendorId(hex("90cb80913ebb696e086381b5ec427b1f")) == KnownVendorId::NatTDraft02N);
	CHECK(recogniseVendorId(hex("cd60464335df21f87cfdb2fc68b6a448")) == KnownVendorId::NatTDraft02);
	CHECK(recogniseVendorId(hex("7d9419a65310ca6f2c179d9215529d56")) == KnownVendorId::NatTDraft03);
	CHECK(recogniseVendorId(hex("4485152d18b6bbcd0be8a8469579ddcc")) == KnownVendorId::NatTDraft00);
	CHECK(recogniseVendorId(hex("16f6ca16e4a4066d83821a0f0aeaa862")) == KnownVendorId::NatTDraft01);
	CHECK(recogniseVendorId(hex("afcad71368a1f1c96b8696fc77570100")) == KnownVendorId::Dpd);
	CHECK(recogniseVendorId(hex("09002689dfd6b712")) == KnownVendorId::Xauth);
	CHECK(recogniseVendorId(hex("12f5f28c457168a9702d9fe274cc0100")) == KnownVendorId::CiscoUnity);
	CHECK(recogniseVendorId(hex("26244d38eddb61b3172a36e3d0cfb819")) == KnownVendorId::MsVidInitialContact);
	// Prefix entries: with and without the trailing version/capabilities.
	CHECK(recogniseVendorId(hex("1e2b516905991c7d7c96fcbfb587e46100000009")) == KnownVendorId::MsNt5IsakmpOakley);
	CHECK(recogniseVendorId(hex("1e2b516905991c7d7c96fcbfb587e461")) == KnownVendorId::MsNt5IsakmpOakley);
	CHECK(recogniseVendorId(hex("4048b7d56ebce88525e7de7f00d6c2d380000000")) == KnownVendorId::Fragmentation);
	CHECK(recogniseVendorId(hex("4048b7d56ebce88525e7de7f00d6c2d3")) == KnownVendorId::Fragmentation);
	// Exact entries are not prefixes; truncations and strangers are unknown.
	CHECK_FALSE(recogniseVendorId(hex("4a131c81070358455c5728f20e95452f00")));
	CHECK_FALSE(recogniseVendorId(hex("4a131c81070358455c5728f20e9545")));
	CHECK_FALSE(recogniseVendorId(hex("1e2b516905991c7d7c96fcbfb587e4")));
	CHECK_FALSE(recogniseVendorId(hex("882fe56d6fd20dbc2251613b2ebe5beb")));
	CHECK_FALSE(recogniseVendorId(Bytes{}));
}

TEST_CASE("the vendor-ID table is ordered by id and round-trips")
{
	auto table = knownVendorIds();
	REQUIRE(table.size() == 12);
	for (size_t i = 0; i < table.size(); i++) {
		CAPTURE(table[i].name);
		CHECK(static_cast<size_t>(table[i].id) == i);
		CHECK(&vendorIdInfo(table[i].id) == &table[i]);
		CHECK(recogniseVendorId(vendorIdBytes(table[i].id)) == table[i].id);
	}
	CHECK(vendorIdBytes(KnownVendorId::Fragmentation) == hex("4048b7d56ebce88525e7de7f00d6c2d380000000"));
	CHECK(vendorIdBytes(KnownVendorId::MsNt5IsakmpOakley) == hex("1e2b516905991c7d7c96fcbfb587e46100000009"));
	CHECK(vendorIdBytes(KnownVendorId::Dpd) == hex("afcad71368a1f1c96b8696fc77570100"));
	CHECK(vendorIdInfo(KnownVendorId::NatTRfc3947).name == "NAT-T (RFC 3947)");
}
