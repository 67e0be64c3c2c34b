// SA / Proposal / Transform (RFC 2408 §3.4-3.6): goldens for a phase-1 and
// a phase-2 offer, round trips, and each way an SA can be malformed.

#include "hex.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/sa_payload.h"
#include "ike/codec/transform_attributes.h"

#include <doctest.h>

using namespace l2tpsec::ike;
using l2tpsec::ike::test::hex;

namespace {

template <typename E, typename V>
DataAttribute tv(E type, V value)
{
	return DataAttribute::basic(static_cast<uint16_t>(type), static_cast<uint16_t>(value));
}

// The SA strongSwan's responder chose in Main Mode 2 (see
// strongswan_capture.h): AES-CBC-256, SHA1, MODP2048, PSK, 95040 s.
const std::vector<uint8_t> kPhase1Sa = hex("00000001 00000001"
                                           "0000 0030 01 01 00 01"
                                           "0000 0028 01 01 0000"
                                           "80010007 800e0100 80020002 8004000e 80030001 800b0001 000c0004 00017340");

SaPayload phase1Sa()
{
	Transform t{1,
	            kTransformKeyIke,
	            {tv(IkeAttribute::EncryptionAlgorithm, IkeEncryption::AesCbc), tv(IkeAttribute::KeyLength, 256),
	             tv(IkeAttribute::HashAlgorithm, IkeHash::Sha),
	             tv(IkeAttribute::GroupDescription, DhGroup::Modp2048),
	             tv(IkeAttribute::AuthenticationMethod, IkeAuthMethod::PreSharedKey),
	             tv(IkeAttribute::LifeType, LifeType::Seconds),
	             DataAttribute::variable(static_cast<uint16_t>(IkeAttribute::LifeDuration), hex("00017340"))}};
	return SaPayload{Doi::Ipsec, kSituationIdentityOnly, {Proposal{1, ProtocolId::Isakmp, {}, {t}}}};
}

// A Windows-style Quick Mode offer: two ESP proposals, SPI 0x11223344,
// UDP-encapsulated transport (RFC 3947 value 4 and draft value 61444), SHA1,
// 3600 s and 250000000 KB.
const std::vector<uint8_t> kPhase2Sa = hex("00000001 00000001"
                                           // proposal 1: AES-CBC-256
                                           "0200 0028 01 03 04 01 11223344"
                                           "0000 001c 01 0c 0000"
                                           "80010001 80020e10 80040004 80050002 80060100"
                                           // proposal 2: 3DES, draft encapsulation, KB lifetime TLV
                                           "0000 0028 02 03 04 01 11223344"
                                           "0000 001c 01 03 0000"
                                           "80010002 00020004 0ee6b280 8004f004 80050002");

SaPayload phase2Sa()
{
	std::vector<uint8_t> spi = hex("11223344");
	Transform aes{1,
	              static_cast<uint8_t>(EspTransformId::AesCbc),
	              {tv(IpsecAttribute::SaLifeType, LifeType::Seconds), tv(IpsecAttribute::SaLifeDuration, 3600),
	               tv(IpsecAttribute::EncapsulationMode, EncapsulationMode::UdpTransport),
	               tv(IpsecAttribute::AuthenticationAlgorithm, IpsecAuthAlgorithm::HmacSha),
	               tv(IpsecAttribute::KeyLength, 256)}};
	Transform des{1,
	              static_cast<uint8_t>(EspTransformId::TripleDes),
	              {tv(IpsecAttribute::SaLifeType, LifeType::Kilobytes),
	               DataAttribute::integer(static_cast<uint16_t>(IpsecAttribute::SaLifeDuration), 250000000),
	               tv(IpsecAttribute::EncapsulationMode, EncapsulationMode::UdpTransportDraft),
	               tv(IpsecAttribute::AuthenticationAlgorithm, IpsecAuthAlgorithm::HmacSha)}};
	return SaPayload{
	        Doi::Ipsec,
	        kSituationIdentityOnly,
	        {Proposal{1, ProtocolId::IpsecEsp, spi, {aes}}, Proposal{2, ProtocolId::IpsecEsp, spi, {des}}}};
}

void checkRejected(const std::vector<uint8_t> &body, int code, const std::string &message)
{
	auto r = parseSa(body);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == code);
	CHECK(r.error().message == message);
}

} // namespace

TEST_CASE("phase-1 SA golden")
{
	auto sa = parseSa(kPhase1Sa);
	REQUIRE(sa);
	CHECK(*sa == phase1Sa());
	auto built = buildSa(phase1Sa());
	REQUIRE(built);
	CHECK(*built == kPhase1Sa);
}

TEST_CASE("phase-2 SA golden with two proposals and the draft UDP-transport mode")
{
	auto sa = parseSa(kPhase2Sa);
	REQUIRE(sa);
	CHECK(*sa == phase2Sa());
	CHECK(sa->proposals[1].transforms[0].attributes[2].asInteger() == 61444);
	CHECK(sa->proposals[1].transforms[0].attributes[1].asInteger() == 250000000);
	auto built = buildSa(phase2Sa());
	REQUIRE(built);
	CHECK(*built == kPhase2Sa);
}

TEST_CASE("several transforms in one proposal (a Main Mode offer) round trip")
{
	SaPayload sa = phase1Sa();
	Transform second = sa.proposals[0].transforms[0];
	second.number = 2;
	second.attributes[0] = tv(IkeAttribute::EncryptionAlgorithm, IkeEncryption::TripleDesCbc);
	second.attributes.erase(second.attributes.begin() + 1); // no key length for 3DES
	sa.proposals[0].transforms.push_back(second);
	auto built = buildSa(sa);
	REQUIRE(built);
	// Proposal header: next 0, length 8 + 40 + 36, 2 transforms; first
	// transform chains to the second.
	CHECK((*built)[8 + 2] == 0x00);
	CHECK((*built)[8 + 3] == 84);
	CHECK((*built)[8 + 7] == 2);
	CHECK((*built)[16] == static_cast<uint8_t>(PayloadType::Transform));
	CHECK((*built)[16 + 40] == 0);
	auto back = parseSa(*built);
	REQUIRE(back);
	CHECK(*back == sa);
}

TEST_CASE("SA rejections")
{
	const std::string m = "malformed ISAKMP data: ";
	SUBCASE("shorter than DOI and situation")
	{
		checkRejected(hex("00000001 000000"), kErrMalformed,
		              m + "SA payload of 7 bytes has no room for DOI and situation");
	}
	SUBCASE("no proposals")
	{
		checkRejected(hex("00000001 00000001"), kErrMalformed, m + "SA payload has no proposals");
	}
	SUBCASE("DOI other than IPsec")
	{
		checkRejected(hex("00000002 00000001 0000 0008 01 01 00 00"), kErrUnsupported,
		              "SA payload: DOI 2 is not the IPsec DOI");
	}
	SUBCASE("situation with labelled domains")
	{
		checkRejected(hex("00000001 00000003 0000 0008 01 01 00 00"), kErrUnsupported,
		              "SA payload: situation 3 asks for labelled domains");
	}
	SUBCASE("proposal chained with a non-proposal type")
	{
		auto body = kPhase1Sa;
		body[8] = static_cast<uint8_t>(PayloadType::VendorId);
		checkRejected(body, kErrMalformed, m + "proposal 0: next payload 13 is neither 2 nor 0");
	}
	SUBCASE("proposal announces a second proposal that is not there")
	{
		auto body = kPhase1Sa;
		body[8] = static_cast<uint8_t>(PayloadType::Proposal);
		checkRejected(body, kErrMalformed, m + "proposal 1: SA payload ends while a proposal is announced");
	}
	SUBCASE("proposal reserved byte")
	{
		auto body = kPhase1Sa;
		body[9] = 1;
		checkRejected(body, kErrMalformed, m + "proposal 0: reserved byte is 1");
	}
	SUBCASE("proposal length below its header")
	{
		auto body = kPhase1Sa;
		body[11] = 3;
		checkRejected(body, kErrMalformed, m + "proposal 0: length 3 is shorter than its header");
	}
	SUBCASE("proposal length beyond the SA payload")
	{
		auto body = kPhase1Sa;
		body[11] = 0x31;
		checkRejected(body, kErrMalformed, m + "proposal 0: length 49 overruns the 48 bytes left");
	}
	SUBCASE("proposal shorter than its fixed fields")
	{
		checkRejected(hex("00000001 00000001 0000 0006 0101"), kErrMalformed,
		              m + "proposal 0: 6 bytes, shorter than its fixed fields");
	}
	SUBCASE("SPI size beyond the proposal")
	{
		checkRejected(hex("00000001 00000001 0000 000a 01 03 04 01 1122"), kErrMalformed,
		              m + "proposal 0: SPI size 4 overruns the proposal");
	}
	SUBCASE("proposal without transforms")
	{
		checkRejected(hex("00000001 00000001 0000 0008 01 01 00 00"), kErrMalformed,
		              m + "proposal 0 transform 0: proposal ends while a transform is announced");
	}
	SUBCASE("# of transforms disagrees")
	{
		auto body = kPhase1Sa;
		body[15] = 2;
		checkRejected(body, kErrMalformed, m + "proposal 0: # of transforms is 2 but 1 are present");
	}
	SUBCASE("transform chained with a non-transform type")
	{
		auto body = kPhase1Sa;
		body[16] = static_cast<uint8_t>(PayloadType::Proposal);
		checkRejected(body, kErrMalformed, m + "proposal 0 transform 0: next payload 2 is neither 3 nor 0");
	}
	SUBCASE("transform reserved byte")
	{
		auto body = kPhase1Sa;
		body[17] = 0x80;
		checkRejected(body, kErrMalformed, m + "proposal 0 transform 0: reserved byte is 128");
	}
	SUBCASE("transform RESERVED2")
	{
		auto body = kPhase1Sa;
		body[23] = 1;
		checkRejected(body, kErrMalformed, m + "proposal 0 transform 0: RESERVED2 is 1");
	}
	SUBCASE("transform shorter than its fixed fields")
	{
		checkRejected(hex("00000001 00000001 0000 000e 01 01 00 01 0000 0006 0101"), kErrMalformed,
		              m + "proposal 0 transform 0: 6 bytes, shorter than its fixed fields");
	}
	SUBCASE("attribute TLV overrunning the transform")
	{
		auto body = kPhase1Sa;
		body[body.size() - 5] = 5; // life duration length 4 -> 5
		checkRejected(
		        body, kErrMalformed,
		        m + "proposal 0 transform 0: attribute 6 (type 12): TLV length 5 overruns the 4 bytes left");
	}
	SUBCASE("bytes after the last transform")
	{
		// The proposal is 2 bytes longer than its one 8-byte transform.
		checkRejected(hex("00000001 00000001 0000 0012 01 01 00 01 0000 0008 01 01 0000 0000"), kErrMalformed,
		              m + "proposal 0: 2 bytes after the last transform");
	}
	SUBCASE("bytes after the last proposal")
	{
		auto body = kPhase1Sa;
		body.push_back(0);
		checkRejected(body, kErrMalformed, m + "SA payload: 1 bytes after the last proposal");
	}
}

TEST_CASE("buildSa refuses what parseSa would")
{
	SaPayload empty;
	auto r = buildSa(empty);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);

	SaPayload noTransforms{Doi::Ipsec, kSituationIdentityOnly, {Proposal{}}};
	r = buildSa(noTransforms);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrMalformed);

	SaPayload bigSpi = phase1Sa();
	bigSpi.proposals[0].spi.assign(256, 1);
	r = buildSa(bigSpi);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == kErrTooLarge);
}
