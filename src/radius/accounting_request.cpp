#include "radius/accounting_request.h"

#include "radius/radius_authenticator.h"
#include "radius/radius_packet.h"

#include <algorithm>

namespace l2tpsec::radius {

void addNasAttributes(Packet &p, std::string_view nasIdentifier, const std::optional<IpAddress> &nasIpAddress)
{
	if (!nasIdentifier.empty())
		p.attributes.push_back(textAttribute(attr::kNasIdentifier, nasIdentifier));
	if (nasIpAddress && nasIpAddress->isV4())
		p.attributes.push_back(integerAttribute(attr::kNasIpAddress, nasIpAddress->v4HostOrder()));
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
