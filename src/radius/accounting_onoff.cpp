#include "radius/accounting_onoff.h"

#include "radius/radius_authenticator.h"

namespace l2tpsec::radius {

Packet onOffPacket(const OnOffRequest &r)
{
	Packet p;
	p.code = code::kAccountingRequest;
	p.identifier = r.identifier;
	p.attributes.push_back(integerAttribute(attr::kAcctStatusType, r.on ? kAccountingOn : kAccountingOff));
	addNasAttributes(p, r.nasIdentifier, r.nasIpAddress);
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

} // namespace l2tpsec::radius
