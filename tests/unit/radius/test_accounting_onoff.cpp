// Accounting-On and -Off: the request against the bytes radclient (FreeRADIUS
// 3.2.1) sent for the same attributes, captured with a UDP listener, and the
// check of an Accounting-Response (its authenticator computed with Python's
// hashlib.md5).
#include "../../support/hex.h"
#include "radius/accounting_onoff.h"
#include "radius/radius_authenticator.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec;
using namespace l2tpsec::radius;
using l2tpsec::test::hex;

namespace {

constexpr std::string_view kAccountingSecret = "testing123";

// printf 'Acct-Status-Type = Accounting-Off\nNAS-Identifier = "vpn-gw1"\n
// NAS-IP-Address = 192.0.2.1\nAcct-Session-Id = "l2tpsec-off-1796650000"\n
// Event-Timestamp = 1796650000\nAcct-Terminate-Cause = Admin-Reboot\n' |
// radclient 127.0.0.1:18130 acct testing123
std::vector<uint8_t> radclientOff()
{
	return hex("04 08 004d 393c5a7b5fc71a59868bf4fb99cc3dd2  28 06 00000008  20 09 76706e2d677731"
	           "04 06 c0000201  2c 18 6c3274707365632d6f66662d31373936363530303030  37 06 6b16b410"
	           "31 06 00000007");
}

OnOffRequest offRequest()
{
	OnOffRequest r;
	r.on = false;
	r.identifier = 8;
	r.nasIdentifier = "vpn-gw1";
	r.nasIpAddress = IpAddress::parse("192.0.2.1");
	r.sessionId = "l2tpsec-off-1796650000";
	r.eventTimestamp = 1796650000;
	return r;
}

} // namespace

TEST_CASE("Accounting-Off: the same bytes as radclient's, Request Authenticator included")
{
	CHECK(onOffDatagram(offRequest(), kAccountingSecret) == radclientOff());
	CHECK(requestAuthenticatorValid(radclientOff(), kAccountingSecret));
}

TEST_CASE("Accounting-On: status 7, Terminate-Cause NAS-Reboot; NAS-IP-Address only when set")
{
	OnOffRequest r = offRequest();
	r.on = true;
	Packet p = onOffPacket(r);
	CHECK(p.code == code::kAccountingRequest);
	REQUIRE(p.find(attr::kAcctStatusType));
	CHECK(integerOf(*p.find(attr::kAcctStatusType)) == kAccountingOn);
	REQUIRE(p.find(attr::kAcctTerminateCause));
	CHECK(integerOf(*p.find(attr::kAcctTerminateCause)) == kTerminateNasReboot);
	REQUIRE(p.find(attr::kNasIpAddress));
	CHECK(integerOf(*p.find(attr::kNasIpAddress)) == 0xc0000201);
	r.nasIpAddress.reset();
	p = onOffPacket(r);
	CHECK_FALSE(p.find(attr::kNasIpAddress));
	CHECK(textOf(*p.find(attr::kNasIdentifier)) == "vpn-gw1");
	CHECK(textOf(*p.find(attr::kAcctSessionId)) == "l2tpsec-off-1796650000");
	// The datagram parses back to the packet, signed.
	std::vector<uint8_t> d = onOffDatagram(r, kAccountingSecret);
	auto back = parsePacket(d);
	REQUIRE(back);
	CHECK(back->attributes == p.attributes);
	CHECK(requestAuthenticatorValid(d, kAccountingSecret));
}

TEST_CASE("an Accounting-Response is the answer only with the request's Identifier and the right authenticator")
{
	std::vector<uint8_t> request = radclientOff();
	// MD5(05 08 0014 + the request's authenticator + "testing123").
	std::vector<uint8_t> response = hex("05 08 0014 fd4c094ae8e6bb43c2e39d19e984c5fe");
	CHECK(isAccountingResponseTo(response, request, kAccountingSecret));
	// Padding after Length is not signed.
	std::vector<uint8_t> padded = response;
	padded.push_back(0);
	CHECK(isAccountingResponseTo(padded, request, kAccountingSecret));
	CHECK_FALSE(isAccountingResponseTo(response, request, "wrong-secret"));
	std::vector<uint8_t> otherId = response;
	otherId[1] = 9;
	CHECK_FALSE(isAccountingResponseTo(otherId, request, kAccountingSecret));
	std::vector<uint8_t> notResponse = response;
	notResponse[0] = code::kAccountingRequest;
	CHECK_FALSE(isAccountingResponseTo(notResponse, request, kAccountingSecret));
	std::vector<uint8_t> flipped = response;
	flipped[10] ^= 1;
	CHECK_FALSE(isAccountingResponseTo(flipped, request, kAccountingSecret));
	CHECK_FALSE(isAccountingResponseTo(hex("05 08 00"), request, kAccountingSecret));
	CHECK_FALSE(isAccountingResponseTo(response, hex("04 08"), kAccountingSecret));
	// signResponse makes what the check takes.
	Authenticator reqAuth{};
	std::copy_n(request.begin() + kAuthenticatorOffset, kAuthenticatorSize, reqAuth.begin());
	Packet ack;
	ack.code = code::kAccountingResponse;
	ack.identifier = 8;
	CHECK(signResponse(ack, reqAuth, kAccountingSecret, false) == response);
}
