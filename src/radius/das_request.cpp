#include "radius/das_request.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace l2tpsec::radius {

namespace {

/// Service-Type Authorize-Only (RFC 5176 §3.2).
constexpr uint32_t kAuthorizeOnly = 17;

/// Attributes a request may carry here besides the selectors and the change.
bool harmless(uint8_t type, bool coa)
{
	switch (type) {
	case attr::kNasIpAddress:
	case attr::kNasIdentifier:
	case attr::kNasIpv6Address:
	case attr::kEventTimestamp:
	case attr::kMessageAuthenticator:
	case attr::kProxyState:
	case attr::kReplyMessage: return true;
	// Why a session ends: a Disconnect-Request's only (§3.5's table).
	case attr::kAcctTerminateCause: return !coa;
	default: return false;
	}
}

bool selects(uint8_t type)
{
	return type == attr::kUserName || type == attr::kFramedIpAddress || type == attr::kNasPortId ||
	       type == attr::kAcctSessionId;
}

DasVerdict refuse(ErrorCause cause, std::string why)
{
	return DasVerdict{std::nullopt, std::nullopt, cause, std::move(why)};
}

/// A printable text of 1..253 octets, or nullopt.
std::optional<std::string> printable(const Attribute &a)
{
	if (a.value.empty() ||
	    std::any_of(a.value.begin(), a.value.end(), [](uint8_t c) { return c < 0x20 || c == 0x7f; }))
		return std::nullopt;
	return textOf(a);
}

/// What a Disconnect- and a CoA-Request share once each attribute is known
/// to be one the request may carry: none twice, this NAS named, the selector.
DasVerdict readSelector(const Packet &request, const NasIdentity &nas)
{
	for (uint8_t type : {attr::kUserName, attr::kFramedIpAddress, attr::kNasPortId, attr::kAcctSessionId,
	                     attr::kNasIdentifier, attr::kNasIpAddress, attr::kSessionTimeout})
		if (request.count(type) > 1)
			return refuse(ErrorCause::InvalidRequest,
			              fmt::format("attribute {} appears more than once", type));

	if (const Attribute *a = request.find(attr::kNasIdentifier)) {
		if (textOf(*a) != nas.identifier)
			return refuse(
			        ErrorCause::NasIdentificationMismatch,
			        fmt::format("NAS-Identifier '{}' is not ours ('{}')", textOf(*a), nas.identifier));
	}
	if (const Attribute *a = request.find(attr::kNasIpAddress)) {
		auto v = integerOf(*a);
		if (!v)
			return refuse(ErrorCause::InvalidRequest, "NAS-IP-Address is not 4 octets");
		IpAddress address = IpAddress::v4(*v);
		if (std::find(nas.addresses.begin(), nas.addresses.end(), address) == nas.addresses.end())
			return refuse(ErrorCause::NasIdentificationMismatch,
			              fmt::format("NAS-IP-Address {} is not ours", address.str()));
	}
	if (request.find(attr::kNasIpv6Address))
		return refuse(ErrorCause::NasIdentificationMismatch, "NAS-IPv6-Address: this NAS has no IPv6 address");

	SessionSelector s;
	if (const Attribute *a = request.find(attr::kUserName)) {
		s.userName = printable(*a);
		if (!s.userName)
			return refuse(ErrorCause::InvalidRequest, "User-Name is empty or not printable");
	}
	if (const Attribute *a = request.find(attr::kFramedIpAddress)) {
		auto v = integerOf(*a);
		if (!v)
			return refuse(ErrorCause::InvalidRequest, "Framed-IP-Address is not 4 octets");
		s.framedIp = IpAddress::v4(*v);
	}
	if (const Attribute *a = request.find(attr::kNasPortId)) {
		s.nasPortId = printable(*a);
		if (!s.nasPortId)
			return refuse(ErrorCause::InvalidRequest, "NAS-Port-Id is empty or not printable");
	}
	if (const Attribute *a = request.find(attr::kAcctSessionId)) {
		s.acctSessionId = printable(*a);
		if (!s.acctSessionId)
			return refuse(ErrorCause::InvalidRequest, "Acct-Session-Id is empty or not printable");
	}
	if (!s.userName && !s.framedIp && !s.nasPortId && !s.acctSessionId)
		return refuse(ErrorCause::MissingAttribute,
		              "no User-Name, Framed-IP-Address, NAS-Port-Id or Acct-Session-Id names a session");
	return DasVerdict{s, std::nullopt, ErrorCause::InvalidRequest, {}};
}

} // namespace

std::string SessionSelector::str() const
{
	std::vector<std::string> parts;
	if (userName)
		parts.push_back("User-Name " + *userName);
	if (framedIp)
		parts.push_back("Framed-IP-Address " + framedIp->str());
	if (nasPortId)
		parts.push_back("NAS-Port-Id " + *nasPortId);
	if (acctSessionId)
		parts.push_back("Acct-Session-Id " + *acctSessionId);
	return fmt::format("{}", fmt::join(parts, ", "));
}

DasVerdict readDisconnectRequest(const Packet &request, const NasIdentity &nas)
{
	for (const Attribute &a : request.attributes) {
		if (a.type == attr::kServiceType)
			return refuse(ErrorCause::UnsupportedService,
			              "Service-Type: only a plain disconnect is supported");
		if (!harmless(a.type, false) && !selects(a.type))
			return refuse(ErrorCause::UnsupportedAttribute,
			              fmt::format("attribute {} is not supported", a.type));
	}
	return readSelector(request, nas);
}

DasVerdict readCoaRequest(const Packet &request, const NasIdentity &nas)
{
	for (const Attribute &a : request.attributes) {
		if (a.type == attr::kServiceType)
			return refuse(
			        ErrorCause::UnsupportedService,
			        integerOf(a) == kAuthorizeOnly
			                ? std::string("Service-Type Authorize-Only: this NAS cannot authorize a "
			                              "running session again")
			                : std::string("Service-Type: only a change of Session-Timeout is supported"));
		if (!harmless(a.type, true) && !selects(a.type) && a.type != attr::kSessionTimeout)
			return refuse(ErrorCause::UnsupportedAttribute,
			              fmt::format("attribute {} is not supported (a CoA-Request changes only "
			                          "Session-Timeout here)",
			                          a.type));
	}
	DasVerdict v = readSelector(request, nas);
	if (!v.selector)
		return v;
	const Attribute *timeout = request.find(attr::kSessionTimeout);
	if (!timeout)
		return refuse(ErrorCause::MissingAttribute,
		              "no Session-Timeout (a CoA-Request changes only Session-Timeout here)");
	auto seconds = integerOf(*timeout);
	if (!seconds)
		return refuse(ErrorCause::InvalidRequest, "Session-Timeout is not 4 octets");
	if (*seconds == 0)
		return refuse(ErrorCause::InvalidAttributeValue,
		              "Session-Timeout 0: a CoA-Request does not end a session (a Disconnect-Request does)");
	v.sessionTimeout = std::chrono::seconds(*seconds);
	return v;
}

Packet answerTo(const Packet &request, bool ack, std::optional<ErrorCause> cause)
{
	Packet p;
	bool coa = request.code == code::kCoaRequest;
	p.code = coa ? (ack ? code::kCoaAck : code::kCoaNak) : (ack ? code::kDisconnectAck : code::kDisconnectNak);
	p.identifier = request.identifier;
	if (cause)
		p.attributes.push_back(integerAttribute(attr::kErrorCause, static_cast<uint32_t>(*cause)));
	for (const Attribute &a : request.attributes)
		if (a.type == attr::kProxyState)
			p.attributes.push_back(a);
	return p;
}

} // namespace l2tpsec::radius
