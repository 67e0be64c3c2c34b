#pragma once
// The answer to a DHCPINFORM (RFC 2131 §3.4, §4.3.5): a client that already
// has an address (here: from IPCP) asks for its other settings, and the
// server answers with a DHCPACK that has no yiaddr and no lease time.
// Windows and macOS send one over a PPP link once IPCP is up; routes in
// options 121/249 are how they learn the networks behind the server when they
// do not send everything through the tunnel.

#include "dhcp/classless_routes.h"
#include "dhcp/dhcp_message.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::dhcp {

/// What the server tells one client. Addresses are host-order IPv4 integers.
struct InformSettings {
	uint32_t serverId = 0; ///< option 54: the server's address on the link
	std::vector<ClasslessRoute> routes;
	std::vector<uint32_t> dnsServers;
	std::string domain;
};

/// The DHCPINFORM in a datagram sent to the server port, or why it is none
/// (EBADMSG): not a well-formed request, not an INFORM, or no ciaddr.
Result<Message> parseInform(std::span<const uint8_t> datagram);

/// The DHCPACK for `inform`. Routes go in 121 and 249, DNS servers in 6 and
/// the domain in 15, each only when set, and, when the client sent a
/// Parameter Request List (55), only when it asked for it (RFC 2131 §4.3.1
/// has the server send what the client asks for).
Message buildInformAck(const Message &inform, const InformSettings &settings);

} // namespace l2tpsec::dhcp
