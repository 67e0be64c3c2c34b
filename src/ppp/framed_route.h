#pragma once
// The subnet of a RADIUS Framed-Route attribute (RFC 2865 §5.22), which the
// radius plugin's Access-Accept hands l2tpsec's pppd plugin as text:
// "<destination>[/<bits>] <gateway> <metrics>", e.g. "10.20.0.0/24 0.0.0.0 1".
//
// l2tpsec reads only the destination, and uses it as a subnet that the
// CLIENT routes into the tunnel (told in the DHCPINFORM answer,
// daemon/dhcp_responder.h), not as RFC 2865's route on the server towards the
// client: it installs no route on the server. The gateway and metrics are
// ignored. Pure, for the unit tests.

#include "common/ip_prefix.h"
#include "common/result.h"

#include <string_view>

namespace l2tpsec::ppp {

/// The destination of `value`: "A.B.C.D/BITS", or a bare "A.B.C.D" as /32
/// (RFC 2865's classful reading of a bare address is not applied: a host is
/// what the user most likely meant, and nothing wider is routed by mistake).
/// EINVAL, saying why, for anything else: no destination, IPv6, host bits
/// set, bits over 32.
Result<IpPrefix> framedRouteSubnet(std::string_view value);

} // namespace l2tpsec::ppp
