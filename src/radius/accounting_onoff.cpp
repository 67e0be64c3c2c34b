#include "radius/accounting_onoff.h"

#include "radius/radius_authenticator.h"

#include <algorithm>

namespace l2tpsec::radius {

namespace {

Attribute textAttribute(uint8_t type, std::string_view text)
{
	// 253 octets at most (RFC 2865 §5); the config keys are shorter.
	text = text.substr(0, 253);
	return {type, std::vector<uint8_t>(text.begin(), text.end())};
}

} // namespace

Packet onOffPacket(const OnOffRequest &r)
{
	Packet p;
	p.code = code::kAccountingRequest;
	p.identifier = r.identifier;
	p.attributes.push_back(integerAttribute(attr::kAcctStatusType, r.on ? kAccountingOn : kAccountingOff));
	if (!r.nasIdentifier.empty())
		p.attributes.push_back(textAttribute(attr::kNasIdentifier, r.nasIdentifier));
	if (r.nasIpAddress && r.nasIpAddress->isV4())
		p.attributes.push_back(integerAttribute(attr::kNasIpAddress, r.nasIpAddress->v4HostOrder()));
	p.attributes.push_back(textAttribute(attr::kAcctSessionId, r.sessionId));
	p.attributes.push_back(integerAttribute(attr::kEventTimestamp, r.eventTimestamp));
	p.attributes.push_back(
	        integerAttribute(attr::kAcctTerminateCause, r.on ? kTerminateNasReboot : kTerminateAdminReboot));
	return p;
}

std::vector<uint8_t> onOffDatagram(const OnOffRequest &r, std::string_view secret)
{
	return signRequest(onOffPacket(r), secret, false);
}

bool isAccountingResponseTo(std::span<const uint8_t> datagram, std::span<const uint8_t> request,
                            std::string_view secret)
{
	if (request.size() < kHeaderSize)
		return false;
	auto p = parsePacket(datagram);
	if (!p || p->code != code::kAccountingResponse || p->identifier != request[1])
		return false;
	Authenticator requestAuthenticator{};
	std::copy_n(request.begin() + kAuthenticatorOffset, kAuthenticatorSize, requestAuthenticator.begin());
	// Only the packet's Length octets are signed (the rest is padding).
	size_t length = static_cast<size_t>(datagram[2]) << 8 | datagram[3];
	return responseAuthenticatorValid(datagram.first(length), requestAuthenticator, secret);
}

} // namespace l2tpsec::radius
