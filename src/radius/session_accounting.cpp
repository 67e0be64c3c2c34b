#include "radius/session_accounting.h"

#include "radius/radius_authenticator.h"

#include <fmt/format.h>

namespace l2tpsec::radius {

namespace {

void addIpv4(Packet &p, uint8_t type, const std::optional<IpAddress> &a)
{
	if (a && a->isV4())
		p.attributes.push_back(integerAttribute(type, a->v4HostOrder()));
}

void addText(Packet &p, uint8_t type, std::string_view text)
{
	if (!text.empty())
		p.attributes.push_back(textAttribute(type, text));
}

/// An octet counter as RFC 2869 §5.1 splits it: the low 32 bits, and how
/// many times they wrapped (Gigawords) only when they did.
void addOctets(Packet &p, uint8_t octetsType, uint8_t gigawordsType, uint64_t octets)
{
	p.attributes.push_back(integerAttribute(octetsType, static_cast<uint32_t>(octets)));
	if (auto gigawords = static_cast<uint32_t>(octets >> 32); gigawords != 0)
		p.attributes.push_back(integerAttribute(gigawordsType, gigawords));
}

} // namespace

Packet sessionAccountingPacket(const SessionAccountingRequest &r)
{
	Packet p;
	p.code = code::kAccountingRequest;
	p.identifier = r.identifier;
	p.attributes.push_back(integerAttribute(attr::kAcctStatusType, r.statusType));
	addText(p, attr::kUserName, r.user);
	addNasAttributes(p, r.nasIdentifier, r.nasIpAddress);
	addText(p, attr::kNasPortId, r.nasPortId);
	p.attributes.push_back(integerAttribute(attr::kNasPortType, kNasPortTypeVirtual));
	p.attributes.push_back(integerAttribute(attr::kServiceType, kServiceTypeFramed));
	p.attributes.push_back(integerAttribute(attr::kFramedProtocol, kFramedProtocolPpp));
	addIpv4(p, attr::kFramedIpAddress, r.framedIpAddress);
	addText(p, attr::kCallingStationId, r.callingStationId);
	addText(p, attr::kCalledStationId, r.calledStationId);
	p.attributes.push_back(textAttribute(attr::kAcctSessionId, r.sessionId));
	p.attributes.push_back(integerAttribute(attr::kAcctAuthentic, kAcctAuthenticRadius));
	p.attributes.push_back(integerAttribute(attr::kEventTimestamp, r.eventTimestamp));
	if (r.delaySeconds != 0)
		p.attributes.push_back(integerAttribute(attr::kAcctDelayTime, r.delaySeconds));
	if (r.statusType == kAcctStart)
		return p;
	p.attributes.push_back(integerAttribute(attr::kAcctSessionTime, r.sessionTimeSeconds));
	addOctets(p, attr::kAcctInputOctets, attr::kAcctInputGigawords, r.counters.inputOctets);
	addOctets(p, attr::kAcctOutputOctets, attr::kAcctOutputGigawords, r.counters.outputOctets);
	p.attributes.push_back(
	        integerAttribute(attr::kAcctInputPackets, static_cast<uint32_t>(r.counters.inputPackets)));
	p.attributes.push_back(
	        integerAttribute(attr::kAcctOutputPackets, static_cast<uint32_t>(r.counters.outputPackets)));
	if (r.statusType == kAcctStop)
		p.attributes.push_back(integerAttribute(attr::kAcctTerminateCause, r.terminateCause));
	return p;
}

std::vector<uint8_t> sessionAccountingDatagram(const SessionAccountingRequest &r, std::string_view secret)
{
	return signRequest(sessionAccountingPacket(r), secret, false);
}

std::string acctSessionId(uint64_t bootId, uint32_t counter)
{
	return fmt::format("{:016x}-{:08x}", bootId, counter);
}

std::string_view statusTypeName(uint32_t statusType)
{
	switch (statusType) {
	case kAcctStart: return "Start";
	case kAcctStop: return "Stop";
	case kAcctInterimUpdate: return "Interim-Update";
	case kAccountingOn: return "Accounting-On";
	case kAccountingOff: return "Accounting-Off";
	default: return "Accounting-Request";
	}
}

std::string terminateCauseName(uint32_t cause)
{
	switch (cause) {
	case kTerminateUserRequest: return "User-Request";
	case kTerminateLostCarrier: return "Lost-Carrier";
	case kTerminateIdleTimeout: return "Idle-Timeout";
	case kTerminateSessionTimeout: return "Session-Timeout";
	case kTerminateAdminReset: return "Admin-Reset";
	case kTerminateAdminReboot: return "Admin-Reboot";
	case kTerminateNasError: return "NAS-Error";
	case kTerminateNasReboot: return "NAS-Reboot";
	default: return "cause " + std::to_string(cause);
	}
}

} // namespace l2tpsec::radius
