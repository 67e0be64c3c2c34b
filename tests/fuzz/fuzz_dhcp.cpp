// libFuzzer: any datagram is refused with EBADMSG and a reason or parsed; a
// parsed message builds to bytes that parse to the same message; an option
// 121 or 249 value that decodes encodes back to the same bytes; and an
// INFORM gets an ACK that parses, keeps the xid and carries no yiaddr.
// abort() marks a broken promise.
#include "dhcp/classless_routes.h"
#include "dhcp/dhcp_message.h"
#include "dhcp/inform_ack.h"
#include "parse_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

using namespace l2tpsec;
using namespace l2tpsec::dhcp;

namespace {

void check(bool ok)
{
	if (!ok)
		std::abort();
}

void checkRoutes(std::span<const uint8_t> value)
{
	fuzz::check(decodeClasslessRoutes(value), [&](const std::vector<ClasslessRoute> &routes) {
		std::vector<uint8_t> again = encodeClasslessRoutes(routes);
		check(std::equal(again.begin(), again.end(), value.begin(), value.end()));
	});
}

void checkMessage(const Message &m)
{
	auto again = parseMessage(buildMessage(m));
	check(again.ok());
	check(*again == m);
	for (uint8_t code : {option::kClasslessRoutes, option::kMsClasslessRoutes})
		if (const Option *o = m.find(code))
			checkRoutes(o->value);
}

void checkInform(const Message &inform)
{
	InformSettings s;
	s.serverId = 0x0a080001;
	s.routes = {{0xcb007100, 24, 0x0a080001}};
	s.dnsServers = {0x0a080001};
	s.domain = "lab.example";
	auto ack = parseMessage(buildMessage(buildInformAck(inform, s)));
	check(ack.ok());
	check(ack->type() == MessageType::Ack);
	check(ack->xid == inform.xid && ack->ciaddr == inform.ciaddr && ack->yiaddr == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::span<const uint8_t> bytes(data, size);
	fuzz::check(parseMessage(bytes), checkMessage);
	fuzz::check(parseInform(bytes), checkInform);
	// The route codec on its own, as an option value could be anything.
	checkRoutes(bytes);
	return 0;
}
