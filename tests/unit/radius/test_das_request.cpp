// What a Disconnect-Request and a CoA-Request ask, and the answer's packet
// (RFC 5176).
#include "../../support/hex.h"
#include "radius/das_request.h"
#include "radius/radius_authenticator.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::radius;
using l2tpsec::test::hex;

namespace {

Attribute text(uint8_t type, std::string_view s)
{
	return {type, std::vector<uint8_t>(s.begin(), s.end())};
}

Packet disconnect(std::vector<Attribute> attrs)
{
	Packet p;
	p.code = code::kDisconnectRequest;
	p.identifier = 7;
	p.attributes = std::move(attrs);
	return p;
}

Packet coa(std::vector<Attribute> attrs)
{
	Packet p = disconnect(std::move(attrs));
	p.code = code::kCoaRequest;
	return p;
}

Attribute timeout(uint32_t seconds)
{
	return integerAttribute(attr::kSessionTimeout, seconds);
}

const NasIdentity kNas{"vpn-gw1", {*IpAddress::parse("192.0.2.1")}};

void refused(const Packet &p, ErrorCause cause, std::string_view why)
{
	DasVerdict v = p.code == code::kCoaRequest ? readCoaRequest(p, kNas) : readDisconnectRequest(p, kNas);
	CHECK_FALSE(v.selector);
	CHECK_FALSE(v.sessionTimeout);
	CHECK(static_cast<int>(v.cause) == static_cast<int>(cause));
	CHECK_MESSAGE(v.why.find(why) != std::string::npos, v.why);
}

} // namespace

TEST_CASE("das: User-Name, Framed-IP-Address and NAS-Port-Id select")
{
	DasVerdict v = readDisconnectRequest(disconnect({text(attr::kUserName, "alice")}), kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->userName == "alice");
	CHECK_FALSE(v.selector->framedIp);
	CHECK(v.selector->str() == "User-Name alice");

	v = readDisconnectRequest(
	        disconnect({text(attr::kUserName, "alice"), integerAttribute(attr::kFramedIpAddress, 0x0a63000a),
	                    text(attr::kNasPortId, "l2tpsec-1-2"), text(attr::kNasIdentifier, "vpn-gw1"),
	                    integerAttribute(attr::kNasIpAddress, 0xc0000201),
	                    integerAttribute(attr::kEventTimestamp, 1), text(attr::kProxyState, "x")}),
	        kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->framedIp == IpAddress::parse("10.99.0.10"));
	CHECK(v.selector->nasPortId == "l2tpsec-1-2");
	CHECK(v.selector->str() == "User-Name alice, Framed-IP-Address 10.99.0.10, NAS-Port-Id l2tpsec-1-2");
	CHECK_FALSE(v.selector->acctSessionId);
	CHECK_FALSE(v.sessionTimeout);
}

TEST_CASE("das: Acct-Session-Id selects, alone or with the others")
{
	DasVerdict v =
	        readDisconnectRequest(disconnect({text(attr::kAcctSessionId, "0123456789abcdef-0000002a")}), kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->acctSessionId == "0123456789abcdef-0000002a");
	CHECK_FALSE(v.selector->userName);
	CHECK(v.selector->str() == "Acct-Session-Id 0123456789abcdef-0000002a");

	v = readDisconnectRequest(disconnect({text(attr::kUserName, "alice"), text(attr::kAcctSessionId, "5F00AA"),
	                                      integerAttribute(attr::kAcctTerminateCause, 6)}),
	                          kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->userName == "alice");
	CHECK(v.selector->acctSessionId == "5F00AA");
	CHECK(v.selector->str() == "User-Name alice, Acct-Session-Id 5F00AA");

	refused(disconnect({text(attr::kAcctSessionId, "")}), ErrorCause::InvalidRequest, "Acct-Session-Id is empty");
	refused(disconnect({text(attr::kAcctSessionId, "a"), text(attr::kAcctSessionId, "b")}),
	        ErrorCause::InvalidRequest, "attribute 44 appears more than once");
}

TEST_CASE("das: radclient's CoA-Request: the session it names and its Session-Timeout")
{
	// `printf '%s\n' 'User-Name = alice' 'Acct-Session-Id = "0123456789abcdef-0000002a"'
	// 'Session-Timeout = 3' 'NAS-Identifier = "vpn-gw1"' | radclient 127.0.0.1:28799 coa fuzz-secret`
	// (FreeRADIUS 3.2.1), as captured on its way (and in the fuzz corpus).
	auto bytes = hex("2b 0a 0045 54d59ebd5988639bcea46a0e7846cb8f  01 07 616c696365"
	                 "2c 1b 303132333435363738396162636465662d3030303030303261  1b 06 00000003"
	                 "20 09 76706e2d677731");
	CHECK(requestAuthenticatorValid(bytes, "fuzz-secret"));
	auto p = parsePacket(bytes);
	REQUIRE(p);
	DasVerdict v = readCoaRequest(*p, kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->userName == "alice");
	CHECK(v.selector->acctSessionId == "0123456789abcdef-0000002a");
	CHECK(v.selector->str() == "User-Name alice, Acct-Session-Id 0123456789abcdef-0000002a");
	REQUIRE(v.sessionTimeout);
	CHECK(v.sessionTimeout->count() == 3);
	// The same attributes in a Disconnect-Request: Session-Timeout is no
	// attribute of one.
	bytes[0] = code::kDisconnectRequest;
	refused(parsePacket(bytes).value(), ErrorCause::UnsupportedAttribute, "attribute 27 is not supported");
	// radclient's Disconnect-Request by Acct-Session-Id and NAS-IP-Address.
	v = readDisconnectRequest(parsePacket(hex("28 b2 0035 efe339ae01026f32802db3efc1fdd6b1"
	                                          "2c 1b 303132333435363738396162636465662d3030303030303261"
	                                          "04 06 c0000201"))
	                                  .value(),
	                          kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->str() == "Acct-Session-Id 0123456789abcdef-0000002a");
}

TEST_CASE("das: a CoA-Request with each selector, NAS-Identifier and NAS-IP-Address")
{
	DasVerdict v = readCoaRequest(
	        coa({text(attr::kNasPortId, "l2tpsec-1-2"), timeout(3600), text(attr::kNasIdentifier, "vpn-gw1"),
	             integerAttribute(attr::kNasIpAddress, 0xc0000201),
	             integerAttribute(attr::kFramedIpAddress, 0x0a63000a), text(attr::kProxyState, "x"),
	             integerAttribute(attr::kEventTimestamp, 1)}),
	        kNas);
	REQUIRE(v.selector);
	CHECK(v.selector->nasPortId == "l2tpsec-1-2");
	CHECK(v.selector->framedIp == IpAddress::parse("10.99.0.10"));
	CHECK(v.sessionTimeout == std::chrono::seconds(3600));
	v = readCoaRequest(coa({text(attr::kUserName, "alice"), timeout(0xffffffff)}), kNas);
	CHECK(v.sessionTimeout == std::chrono::seconds(0xffffffffLL));
}

TEST_CASE("das: what a CoA-Request is refused for, and with which Error-Cause")
{
	const Attribute alice = text(attr::kUserName, "alice");
	refused(coa({alice}), ErrorCause::MissingAttribute, "no Session-Timeout");
	refused(coa({timeout(60)}), ErrorCause::MissingAttribute,
	        "no User-Name, Framed-IP-Address, NAS-Port-Id or "
	        "Acct-Session-Id");
	refused(coa({alice, timeout(0)}), ErrorCause::InvalidAttributeValue, "Session-Timeout 0");
	refused(coa({alice, text(attr::kSessionTimeout, "ab")}), ErrorCause::InvalidRequest,
	        "Session-Timeout is not 4 octets");
	refused(coa({alice, timeout(5), timeout(6)}), ErrorCause::InvalidRequest,
	        "attribute 27 appears more than once");
	refused(coa({alice, timeout(60), integerAttribute(attr::kServiceType, 17)}), ErrorCause::UnsupportedService,
	        "Authorize-Only: this NAS cannot authorize a running session again");
	refused(coa({alice, timeout(60), integerAttribute(attr::kServiceType, 2)}), ErrorCause::UnsupportedService,
	        "only a change of Session-Timeout");
	refused(coa({alice, timeout(60), integerAttribute(attr::kIdleTimeout, 600)}), ErrorCause::UnsupportedAttribute,
	        "attribute 28 is not supported (a CoA-Request changes only Session-Timeout here)");
	refused(coa({alice, timeout(60), text(11, "slow")}), ErrorCause::UnsupportedAttribute, "attribute 11");
	refused(coa({alice, timeout(60), text(attr::kVendorSpecific, "xxxxxx")}), ErrorCause::UnsupportedAttribute,
	        "attribute 26");
	refused(coa({alice, timeout(60), integerAttribute(attr::kAcctTerminateCause, 6)}),
	        ErrorCause::UnsupportedAttribute, "attribute 49");
	refused(coa({alice, timeout(60), text(attr::kNasIdentifier, "vpn-gw2")}), ErrorCause::NasIdentificationMismatch,
	        "NAS-Identifier 'vpn-gw2' is not ours");
	refused(coa({alice, timeout(60), integerAttribute(attr::kNasIpAddress, 0xc0000202)}),
	        ErrorCause::NasIdentificationMismatch, "NAS-IP-Address 192.0.2.2 is not ours");
	refused(coa({text(attr::kUserName, "a\tb"), timeout(60)}), ErrorCause::InvalidRequest, "not printable");
}

TEST_CASE("das: what is refused, and with which Error-Cause")
{
	refused(disconnect({}), ErrorCause::MissingAttribute, "no User-Name");
	refused(disconnect({text(attr::kAcctTerminateCause, "abcd")}), ErrorCause::MissingAttribute, "no User-Name");
	refused(disconnect({text(attr::kNasIdentifier, "vpn-gw1")}), ErrorCause::MissingAttribute, "no User-Name");
	refused(disconnect({text(attr::kUserName, "alice"), integerAttribute(attr::kSessionTimeout, 60)}),
	        ErrorCause::UnsupportedAttribute, "attribute 27 is not supported");
	refused(disconnect({text(attr::kUserName, "alice"), text(attr::kVendorSpecific, "xxxxxx")}),
	        ErrorCause::UnsupportedAttribute, "attribute 26 is not supported");
	refused(disconnect({text(attr::kUserName, "alice"), integerAttribute(attr::kServiceType, 17)}),
	        ErrorCause::UnsupportedService, "Service-Type");
	refused(disconnect({text(attr::kUserName, "alice"), text(attr::kNasIdentifier, "vpn-gw2")}),
	        ErrorCause::NasIdentificationMismatch, "NAS-Identifier 'vpn-gw2' is not ours ('vpn-gw1')");
	refused(disconnect({text(attr::kUserName, "alice"), integerAttribute(attr::kNasIpAddress, 0xc0000202)}),
	        ErrorCause::NasIdentificationMismatch, "NAS-IP-Address 192.0.2.2 is not ours");
	refused(disconnect({text(attr::kUserName, "alice"), text(attr::kNasIpv6Address, "0123456789abcdef")}),
	        ErrorCause::NasIdentificationMismatch, "NAS-IPv6-Address");
	refused(disconnect({text(attr::kUserName, "alice"), text(attr::kUserName, "bob")}), ErrorCause::InvalidRequest,
	        "more than once");
	refused(disconnect({text(attr::kUserName, "")}), ErrorCause::InvalidRequest, "User-Name is empty");
	refused(disconnect({text(attr::kUserName, "a\nb")}), ErrorCause::InvalidRequest, "not printable");
	refused(disconnect({text(attr::kFramedIpAddress, "abc")}), ErrorCause::InvalidRequest, "not 4 octets");
	refused(disconnect({text(attr::kUserName, "a"), text(attr::kNasIpAddress, "abc")}), ErrorCause::InvalidRequest,
	        "NAS-IP-Address is not 4 octets");
}

TEST_CASE("das: the answer keeps the Identifier and the Proxy-States in order")
{
	Packet req = disconnect(
	        {text(attr::kProxyState, "a"), text(attr::kUserName, "alice"), text(attr::kProxyState, "b")});
	Packet ack = answerTo(req, true);
	CHECK(ack.code == code::kDisconnectAck);
	CHECK(ack.identifier == 7);
	REQUIRE(ack.attributes.size() == 2);
	CHECK(textOf(ack.attributes[0]) == "a");
	CHECK(textOf(ack.attributes[1]) == "b");

	Packet nak = answerTo(req, false, ErrorCause::SessionContextNotFound);
	CHECK(nak.code == code::kDisconnectNak);
	REQUIRE(nak.attributes.size() == 3);
	CHECK(nak.attributes[0].type == attr::kErrorCause);
	CHECK(integerOf(nak.attributes[0]) == 503u);

	req.code = code::kCoaRequest;
	CHECK(answerTo(req, false, ErrorCause::UnsupportedService).code == code::kCoaNak);
	CHECK(answerTo(req, true).code == code::kCoaAck);
}
