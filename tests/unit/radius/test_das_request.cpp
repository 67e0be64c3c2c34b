// What a Disconnect-Request asks, and the answer's packet (RFC 5176).
#include "radius/das_request.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::radius;

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

const NasIdentity kNas{"vpn-gw1", {*IpAddress::parse("192.0.2.1")}};

void refused(const Packet &p, ErrorCause cause, std::string_view why)
{
	DasVerdict v = readDisconnectRequest(p, kNas);
	CHECK_FALSE(v.selector);
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
}

TEST_CASE("das: what is refused, and with which Error-Cause")
{
	refused(disconnect({}), ErrorCause::MissingAttribute, "no User-Name");
	refused(disconnect({text(attr::kNasIdentifier, "vpn-gw1")}), ErrorCause::MissingAttribute, "no User-Name");
	refused(disconnect({text(attr::kUserName, "alice"), text(attr::kAcctSessionId, "5F00AA")}),
	        ErrorCause::UnsupportedAttribute, "Acct-Session-Id");
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
