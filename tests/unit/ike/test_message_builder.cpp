// MessageBuilder: the header and chain fields it fills in, the sticky error
// of a payload that cannot be encoded, and the encrypted-message path.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/names.h"
#include "ike/codec/transform_attributes.h"
#include "ike/codec/vendor_ids.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::IpAddress;
using l2tpsec::ike::test::concat;
using l2tpsec::ike::test::hex;

namespace {

Header quickModeHeader()
{
	Header h;
	h.initiatorCookie = {1, 2, 3, 4, 5, 6, 7, 8};
	h.responderCookie = {9, 10, 11, 12, 13, 14, 15, 16};
	h.exchange = ExchangeType::QuickMode;
	h.messageId = 0x01020304;
	// Deliberately wrong: build() must overwrite both.
	h.nextPayload = PayloadType::Delete;
	h.length = 12345;
	return h;
}

} // namespace

TEST_CASE("build() fills in next payloads and lengths")
{
	MessageBuilder b(quickModeHeader());
	b.add(HashPayload{hex("aabbccdd")})
	        .add(NoncePayload{hex("0102030405060708")})
	        .add(IdPayload::address(IpAddress::parse("192.0.2.1").value(), kIpProtoUdp, kL2tpPort))
	        .add(NatOaPayload{IpAddress::parse("10.0.0.1").value()}, PayloadType::NatOaDraft);
	CHECK(b.firstPayload() == PayloadType::Hash);
	auto bytes = b.build();
	REQUIRE(bytes);
	auto golden = hex("0102030405060708 090a0b0c0d0e0f10 08 10 20 00 01020304 00000048"
	                  "0a00 0008 aabbccdd"
	                  "0500 000c 0102030405060708"
	                  "8300 000c 01 11 06a5 c0000201"
	                  "0000 000c 01 000000 0a000001");
	CHECK(*bytes == golden);

	auto m = parseMessage(*bytes);
	REQUIRE(m);
	CHECK(m->header.length == golden.size());
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	REQUIRE(chain->size() == 4);
	CHECK((*chain)[3].type == PayloadType::NatOaDraft);
}

TEST_CASE("every payload kind goes through add()")
{
	SaPayload sa{
	        Doi::Ipsec,
	        kSituationIdentityOnly,
	        {Proposal{1, ProtocolId::Isakmp, {}, {Transform{1, kTransformKeyIke, {DataAttribute::basic(1, 7)}}}}}};
	Header h;
	h.exchange = ExchangeType::IdentityProtection;
	MessageBuilder b(h);
	b.add(sa)
	        .add(KeyExchangePayload{hex("01")})
	        .add(IdPayload::text(IdType::Fqdn, "a"))
	        .add(CertificatePayload{CertEncoding::X509Signature, hex("30")})
	        .add(CertificateRequestPayload{CertEncoding::X509Signature, {}})
	        .add(SignaturePayload{hex("02")})
	        .add(NotifyPayload::initialContact(h.initiatorCookie, h.responderCookie))
	        .add(DeletePayload{Doi::Ipsec, ProtocolId::IpsecEsp, {hex("11223344")}})
	        .add(VendorIdPayload{vendorIdBytes(KnownVendorId::Dpd)})
	        .add(NatDPayload{hex("03")}, PayloadType::NatD)
	        .add(static_cast<PayloadType>(200), hex("04"));
	std::vector<PayloadType> types;
	for (const auto &p : b.payloads())
		types.push_back(p.type);
	CHECK(types == std::vector<PayloadType>{PayloadType::SecurityAssociation, PayloadType::KeyExchange,
	                                        PayloadType::Identification, PayloadType::Certificate,
	                                        PayloadType::CertificateRequest, PayloadType::Signature,
	                                        PayloadType::Notification, PayloadType::Delete, PayloadType::VendorId,
	                                        PayloadType::NatD, static_cast<PayloadType>(200)});
	auto bytes = b.build();
	REQUIRE(bytes);
	auto m = parseMessage(*bytes);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	REQUIRE(chain->size() == types.size());
	for (size_t i = 0; i < types.size(); i++) {
		CHECK((*chain)[i].type == types[i]);
		CHECK(std::vector<uint8_t>((*chain)[i].body.begin(), (*chain)[i].body.end()) == b.payloads()[i].body);
	}
}

TEST_CASE("a payload that cannot be encoded fails the whole message")
{
	MessageBuilder b(quickModeHeader());
	b.add(HashPayload{hex("aa")}).add(DeletePayload{}).add(SaPayload{});
	CHECK(b.payloads().size() == 1);
	auto r = b.build();
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);
	CHECK(r.error().message == "malformed ISAKMP data: Delete payload without SPIs"); // the first error
	CHECK_FALSE(b.buildBody());
}

TEST_CASE("an empty message is a bare header with next payload NONE")
{
	auto bytes = MessageBuilder(quickModeHeader()).build();
	REQUIRE(bytes);
	CHECK(*bytes == hex("0102030405060708 090a0b0c0d0e0f10 00 10 20 00 01020304 0000001c"));
}

TEST_CASE("encrypted messages: buildBody, then buildMessage around the ciphertext")
{
	MessageBuilder b(quickModeHeader());
	b.add(HashPayload{hex("aabbccdd")}).add(NoncePayload{hex("01")});
	auto plain = b.buildBody();
	REQUIRE(plain);
	CHECK(*plain == hex("0a00 0008 aabbccdd 0000 0005 01"));

	Header h = quickModeHeader();
	h.flags = kFlagEncryption;
	h.nextPayload = b.firstPayload();
	auto ciphertext = hex("00112233445566778899aabbccddeeff");
	auto bytes = buildMessage(h, ciphertext);
	REQUIRE(bytes);
	CHECK(*bytes == concat({hex("0102030405060708 090a0b0c0d0e0f10 08 10 20 01 01020304 0000002c"), ciphertext}));
	auto m = parseMessage(*bytes);
	REQUIRE(m);
	CHECK(m->header.encrypted());
	CHECK(std::vector<uint8_t>(m->body.begin(), m->body.end()) == ciphertext);
}

TEST_CASE("names for log lines")
{
	CHECK(payloadTypeName(PayloadType::NatDDraft) == "NAT-D(draft)");
	CHECK(payloadTypeName(static_cast<PayloadType>(99)) == "PAYLOAD(99)");
	CHECK(exchangeTypeName(ExchangeType::QuickMode) == "QUICK_MODE");
	CHECK(exchangeTypeName(static_cast<ExchangeType>(77)) == "EXCHANGE(77)");
	CHECK(notifyTypeName(NotifyType::NoProposalChosen) == "NO-PROPOSAL-CHOSEN");
	CHECK(notifyTypeName(NotifyType::RUThereAck) == "R-U-THERE-ACK");
	CHECK(notifyTypeName(static_cast<NotifyType>(40000)) == "NOTIFY(40000)");
}
