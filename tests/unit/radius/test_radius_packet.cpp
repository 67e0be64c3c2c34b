// The RADIUS codec and its authenticators, over packets radclient (FreeRADIUS
// 3.2.1) sent, captured with strace, and over packets built here.
#include "../../support/hex.h"
#include "crypto/md5.h"
#include "radius/radius_authenticator.h"
#include "radius/radius_packet.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::radius;
using l2tpsec::test::hex;

namespace {

constexpr std::string_view kSecret = "testing123";

// `echo 'User-Name = alice' | radclient 127.0.0.1:3799 disconnect testing123`
std::vector<uint8_t> radclientPlain()
{
	return hex("28 da 001b 948a3053219630be0435fefd4d25b6c4  01 07 616c696365");
}

// The same with Message-Authenticator, NAS-Identifier "vpn-gw1" and
// Proxy-State 0x0102 (radclient puts Message-Authenticator second).
std::vector<uint8_t> radclientWithMac()
{
	return hex("28 75 003a ae91bd604c20989fdafc6e4ec34e861f  01 07 616c696365"
	           "50 12 f26f5cc3cca24cff2fbf9ec60ed08d16  20 09 76706e2d677731  21 04 0102");
}

} // namespace

TEST_CASE("radius: radclient's Disconnect-Request parses and its authenticator checks")
{
	auto bytes = radclientPlain();
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->code == code::kDisconnectRequest);
	CHECK(p->identifier == 0xda);
	REQUIRE(p->attributes.size() == 1);
	CHECK(p->attributes[0].type == attr::kUserName);
	CHECK(textOf(p->attributes[0]) == "alice");
	CHECK(requestAuthenticatorValid(bytes, kSecret));
	CHECK_FALSE(requestAuthenticatorValid(bytes, "testing124"));
	CHECK(messageAuthenticatorValid(bytes, kSecret, true)); // none present
	bytes[22] ^= 1;                                         // "alice" -> "blice"
	CHECK_FALSE(requestAuthenticatorValid(bytes, kSecret));
	// The build gives back the same octets.
	CHECK(buildPacket(*p) == radclientPlain());
}

TEST_CASE("radius: radclient's Message-Authenticator checks, over a zeroed Request Authenticator")
{
	auto bytes = radclientWithMac();
	auto p = parsePacket(bytes);
	REQUIRE(p);
	CHECK(p->attributes.size() == 4);
	CHECK(textOf(*p->find(attr::kNasIdentifier)) == "vpn-gw1");
	CHECK(requestAuthenticatorValid(bytes, kSecret));
	CHECK(messageAuthenticatorValid(bytes, kSecret, true));
	CHECK_FALSE(messageAuthenticatorValid(bytes, "other", true));
	CHECK_FALSE(messageAuthenticatorValid(bytes, kSecret, false)); // not a response's rule
	// Our signRequest() builds the very same packet.
	Packet unsigned_ = *p;
	unsigned_.attributes.erase(unsigned_.attributes.begin() + 1); // the MAC goes last when we sign
	auto ours = signRequest(unsigned_, kSecret, true);
	CHECK(requestAuthenticatorValid(ours, kSecret));
	CHECK(messageAuthenticatorValid(ours, kSecret, true));
	// Two Message-Authenticators are refused.
	Packet twice = *p;
	twice.attributes.push_back(twice.attributes[1]);
	CHECK_FALSE(messageAuthenticatorValid(signRequest(twice, kSecret, false), kSecret, true));
}

TEST_CASE("radius: signRequest matches radclient octet for octet")
{
	Packet p;
	p.code = code::kDisconnectRequest;
	p.identifier = 0xda;
	p.attributes = {{attr::kUserName, {'a', 'l', 'i', 'c', 'e'}}};
	CHECK(signRequest(p, kSecret, false) == radclientPlain());
}

TEST_CASE("radius: a response authenticator by the RFC 2865 formula, Message-Authenticator over it")
{
	auto request = parsePacket(radclientWithMac());
	REQUIRE(request);
	Packet nak;
	nak.code = code::kDisconnectNak;
	nak.identifier = request->identifier;
	nak.attributes = {integerAttribute(attr::kErrorCause, 503)};
	auto bytes = signResponse(nak, request->authenticator, kSecret, true);
	REQUIRE(bytes.size() == 20 + 6 + 18);
	// MD5(Code + Id + Length + Request Authenticator + Attributes + Secret).
	crypto::Md5 h;
	h.update(std::span(bytes).first(4));
	h.update(request->authenticator);
	h.update(std::span(bytes).subspan(20));
	h.update(kSecret);
	auto want = h.finish();
	CHECK(std::equal(want.begin(), want.end(), bytes.begin() + 4));
	// The Message-Authenticator uses the request's authenticator in the field.
	std::vector<uint8_t> asSent = bytes;
	std::copy(request->authenticator.begin(), request->authenticator.end(), asSent.begin() + 4);
	CHECK(messageAuthenticatorValid(asSent, kSecret, false));
	auto again = parsePacket(bytes);
	REQUIRE(again);
	CHECK(again->code == code::kDisconnectNak);
	CHECK(integerOf(*again->find(attr::kErrorCause)) == 503u);
}

TEST_CASE("radius: malformed packets are refused with the reason")
{
	auto refused = [](const std::vector<uint8_t> &b, std::string_view why) {
		auto p = parsePacket(b);
		REQUIRE_FALSE(p);
		CHECK(p.error().code == EBADMSG);
		CHECK_MESSAGE(p.error().message.find(why) != std::string::npos, p.error().message);
	};
	refused(hex("28 01 0014"), "shorter than the 20-octet header");
	refused(hex("28 01 0013 00000000000000000000000000000000"), "Length 19 outside");
	refused(hex("28 01 1001 00000000000000000000000000000000"), "Length 4097 outside");
	refused(hex("28 01 0020 00000000000000000000000000000000"), "the datagram holds 20 octets");
	refused(hex("28 01 0015 00000000000000000000000000000000 01"), "partial attribute header");
	refused(hex("28 01 0016 00000000000000000000000000000000 0101"), "has Length 1");
	refused(hex("28 01 0017 00000000000000000000000000000000 010461"), "runs 1 octets past");
	// Padding after Length is ignored.
	auto padded = radclientPlain();
	padded.push_back(0);
	auto p = parsePacket(padded);
	REQUIRE(p);
	CHECK(buildPacket(*p) == radclientPlain());
	CHECK(requestAuthenticatorValid(std::span(padded).first(27), kSecret));
}

TEST_CASE("radius: code names")
{
	CHECK(codeName(40) == "Disconnect-Request");
	CHECK(codeName(45) == "CoA-NAK");
	CHECK(codeName(1) == "code 1");
}
