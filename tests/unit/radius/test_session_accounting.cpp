// A session's Accounting-Requests: a Stop against bytes built attribute by
// attribute with Python's struct and hashlib.md5 (RFC 2866 §3, §5), the
// 64-bit split of a counter over 4 GiB into Octets and Gigawords, what a
// Start and an Interim-Update leave out, the Acct-Session-Id, and the check
// of the Accounting-Response.
#include "../../support/hex.h"
#include "radius/radius_authenticator.h"
#include "radius/session_accounting.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::radius;
using l2tpsec::test::hex;

namespace {

constexpr std::string_view kSessionSecret = "testing123";

SessionAccountingRequest stopRequest()
{
	SessionAccountingRequest r;
	r.statusType = kAcctStop;
	r.identifier = 9;
	r.user = "alice";
	r.nasIdentifier = "vpn-gw1";
	r.nasIpAddress = IpAddress::parse("192.0.2.1");
	r.nasPortId = "l2tpsec-7-9";
	r.sessionId = "0123456789abcdef-0000002a";
	r.framedIpAddress = IpAddress::parse("10.99.1.10");
	r.callingStationId = "198.51.100.7";
	r.calledStationId = "192.0.2.1";
	r.eventTimestamp = 1796650000;
	r.delaySeconds = 3;
	r.sessionTimeSeconds = 3725;
	r.counters.inputOctets = 5000000000; // 1 x 2^32 + 705032704
	r.counters.outputOctets = 123456;
	r.counters.inputPackets = 4000000;
	r.counters.outputPackets = 1000;
	r.terminateCause = kTerminateAdminReset;
	return r;
}

// The same Stop: header and Request Authenticator, then one attribute a line.
std::vector<uint8_t> pythonStop()
{
	return hex("040900c5 1234f1f31d5fe0a77fbf26037cf310fa"
	           "280600000002"                                           // Acct-Status-Type Stop
	           "0107616c696365"                                         // User-Name
	           "200976706e2d677731"                                     // NAS-Identifier
	           "0406c0000201"                                           // NAS-IP-Address
	           "570d6c3274707365632d372d39"                             // NAS-Port-Id
	           "3d0600000005"                                           // NAS-Port-Type Virtual
	           "060600000002"                                           // Service-Type Framed
	           "070600000001"                                           // Framed-Protocol PPP
	           "08060a63010a"                                           // Framed-IP-Address
	           "1f0e3139382e35312e3130302e37"                           // Calling-Station-Id
	           "1e0b3139322e302e322e31"                                 // Called-Station-Id
	           "2c1b303132333435363738396162636465662d3030303030303261" // Acct-Session-Id
	           "2d0600000001"                                           // Acct-Authentic RADIUS
	           "37066b16b410"                                           // Event-Timestamp
	           "290600000003"                                           // Acct-Delay-Time
	           "2e0600000e8d"                                           // Acct-Session-Time
	           "2a062a05f200"                                           // Acct-Input-Octets
	           "340600000001"                                           // Acct-Input-Gigawords
	           "2b060001e240"                                           // Acct-Output-Octets
	           "2f06003d0900"                                           // Acct-Input-Packets
	           "3006000003e8"                                           // Acct-Output-Packets
	           "310600000006");                                         // Acct-Terminate-Cause Admin-Reset
}

std::optional<uint32_t> valueOf(const Packet &p, uint8_t type)
{
	const Attribute *a = p.find(type);
	return a ? integerOf(*a) : std::nullopt;
}

} // namespace

TEST_CASE("Stop: the bytes built independently, Request Authenticator included")
{
	std::vector<uint8_t> d = sessionAccountingDatagram(stopRequest(), kSessionSecret);
	CHECK(d == pythonStop());
	CHECK(requestAuthenticatorValid(d, kSessionSecret));
}

TEST_CASE("octets over 4 GiB: the low 32 bits and Gigawords; none when they never wrapped")
{
	SessionAccountingRequest r = stopRequest();
	r.counters.inputOctets = (uint64_t{7} << 32) + 12345;
	r.counters.outputOctets = (uint64_t{1} << 32) - 1;
	Packet p = sessionAccountingPacket(r);
	CHECK(valueOf(p, attr::kAcctInputOctets) == 12345u);
	CHECK(valueOf(p, attr::kAcctInputGigawords) == 7u);
	CHECK(valueOf(p, attr::kAcctOutputOctets) == 0xffffffffu);
	CHECK(p.count(attr::kAcctOutputGigawords) == 0);
	r.counters.outputOctets = uint64_t{1} << 32;
	p = sessionAccountingPacket(r);
	CHECK(valueOf(p, attr::kAcctOutputOctets) == 0u);
	CHECK(valueOf(p, attr::kAcctOutputGigawords) == 1u);
}

TEST_CASE("Start: no counters, no session time, no cause; Interim-Update: counters, no cause")
{
	SessionAccountingRequest r = stopRequest();
	r.statusType = kAcctStart;
	r.delaySeconds = 0;
	Packet start = sessionAccountingPacket(r);
	CHECK(valueOf(start, attr::kAcctStatusType) == kAcctStart);
	for (uint8_t t : {attr::kAcctSessionTime, attr::kAcctInputOctets, attr::kAcctOutputOctets,
	                  attr::kAcctInputPackets, attr::kAcctTerminateCause, attr::kAcctDelayTime})
		CHECK(start.count(t) == 0);
	REQUIRE(start.find(attr::kAcctSessionId));
	CHECK(textOf(*start.find(attr::kAcctSessionId)) == "0123456789abcdef-0000002a");
	REQUIRE(start.find(attr::kNasPortId));
	CHECK(textOf(*start.find(attr::kNasPortId)) == "l2tpsec-7-9");

	r.statusType = kAcctInterimUpdate;
	Packet interim = sessionAccountingPacket(r);
	CHECK(valueOf(interim, attr::kAcctStatusType) == kAcctInterimUpdate);
	CHECK(valueOf(interim, attr::kAcctSessionTime) == 3725u);
	CHECK(valueOf(interim, attr::kAcctInputGigawords) == 1u);
	CHECK(valueOf(interim, attr::kAcctOutputPackets) == 1000u);
	CHECK(interim.count(attr::kAcctTerminateCause) == 0);
}

TEST_CASE("what is unknown is left out: NAS-IP-Address, Framed-IP-Address, empty texts")
{
	SessionAccountingRequest r = stopRequest();
	r.nasIpAddress.reset();
	r.framedIpAddress.reset();
	r.user.clear();
	r.calledStationId.clear();
	Packet p = sessionAccountingPacket(r);
	CHECK(p.count(attr::kNasIpAddress) == 0);
	CHECK(p.count(attr::kFramedIpAddress) == 0);
	CHECK(p.count(attr::kUserName) == 0);
	CHECK(p.count(attr::kCalledStationId) == 0);
	CHECK(p.count(attr::kCallingStationId) == 1);
	// An IPv6 NAS address has its own attribute, which l2tpsec does not send.
	r.nasIpAddress = IpAddress::parse("2001:db8::1");
	CHECK(sessionAccountingPacket(r).count(attr::kNasIpAddress) == 0);
}

TEST_CASE("acctSessionId: boot id and counter, fixed width; differs per boot and per session")
{
	CHECK(acctSessionId(0x0123456789abcdef, 42) == "0123456789abcdef-0000002a");
	CHECK(acctSessionId(1, 0) == "0000000000000001-00000000");
	CHECK(acctSessionId(1, 0) != acctSessionId(2, 0));
	CHECK(acctSessionId(1, 0) != acctSessionId(1, 1));
	CHECK(acctSessionId(~uint64_t{0}, ~uint32_t{0}) == "ffffffffffffffff-ffffffff");
}

TEST_CASE("the Accounting-Response to a Stop: right Identifier and authenticator only")
{
	std::vector<uint8_t> request = pythonStop();
	// MD5(code 5, id 9, length 20, the request's authenticator, secret).
	std::vector<uint8_t> response = hex("05090014aa398aa8b70a3ed3ae5d526e3345059e");
	CHECK(isAccountingResponseTo(response, request, kSessionSecret));
	CHECK_FALSE(isAccountingResponseTo(response, request, "another-secret"));
	std::vector<uint8_t> otherId = response;
	otherId[1] = 10;
	CHECK_FALSE(isAccountingResponseTo(otherId, request, kSessionSecret));
	std::vector<uint8_t> truncated(response.begin(), response.begin() + 19);
	CHECK_FALSE(isAccountingResponseTo(truncated, request, kSessionSecret));
}

TEST_CASE("names for the log")
{
	CHECK(statusTypeName(kAcctInterimUpdate) == "Interim-Update");
	CHECK(terminateCauseName(kTerminateAdminReboot) == "Admin-Reboot");
	CHECK(terminateCauseName(99) == "cause 99");
}
