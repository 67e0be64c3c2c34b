#include "dhcp/inform_ack.h"

#include "common/byte_io.h"

#include <algorithm>
#include <cerrno>

namespace l2tpsec::dhcp {

namespace {

bool requested(const Message &inform, uint8_t code)
{
	const Option *list = inform.find(option::kParameterList);
	return !list || std::find(list->value.begin(), list->value.end(), code) != list->value.end();
}

std::vector<uint8_t> addressBytes(std::span<const uint32_t> addresses)
{
	std::vector<uint8_t> out;
	for (uint32_t a : addresses)
		wire::put32(out, a);
	return out;
}

} // namespace

Result<Message> parseInform(std::span<const uint8_t> datagram)
{
	L2S_TRY_ASSIGN(Message m, parseMessage(datagram));
	if (m.op != kBootRequest)
		return Error{EBADMSG, "DHCP: not a request"};
	if (m.type() != MessageType::Inform)
		return Error{EBADMSG, "DHCP: not a DHCPINFORM"};
	if (m.ciaddr == 0)
		return Error{EBADMSG, "DHCP: DHCPINFORM without ciaddr"};
	return m;
}

Message buildInformAck(const Message &inform, const InformSettings &settings)
{
	Message ack;
	ack.op = kBootReply;
	ack.htype = inform.htype;
	ack.hlen = inform.hlen;
	ack.xid = inform.xid;
	ack.flags = inform.flags;
	ack.ciaddr = inform.ciaddr;
	ack.giaddr = inform.giaddr;
	ack.chaddr = inform.chaddr;
	ack.options.push_back(Option{option::kMessageType, {static_cast<uint8_t>(MessageType::Ack)}});
	ack.options.push_back(Option{option::kServerId, addressBytes(std::span(&settings.serverId, 1))});
	if (!settings.routes.empty()) {
		std::vector<uint8_t> routes = encodeClasslessRoutes(settings.routes);
		for (uint8_t code : {option::kClasslessRoutes, option::kMsClasslessRoutes})
			if (requested(inform, code))
				ack.options.push_back(Option{code, routes});
	}
	if (!settings.dnsServers.empty() && requested(inform, option::kDnsServers))
		ack.options.push_back(Option{option::kDnsServers, addressBytes(settings.dnsServers)});
	if (!settings.domain.empty() && requested(inform, option::kDomainName))
		ack.options.push_back(Option{option::kDomainName,
		                             std::vector<uint8_t>(settings.domain.begin(), settings.domain.end())});
	return ack;
}

} // namespace l2tpsec::dhcp
