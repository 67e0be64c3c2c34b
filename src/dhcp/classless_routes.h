#pragma once
// RFC 3442 classless static routes: the value of DHCP option 121, and of
// Microsoft's option 249, which carries the same bytes.
//
// Each route is a destination descriptor, its prefix length then only the
// significant octets of the destination (ceil(length / 8) of them), followed
// by the four octets of the router:
//   24 192 0 2 | 10 0 0 1      192.0.2.0/24 via 10.0.0.1
//    0         | 10 0 0 1      the default route via 10.0.0.1

#include "common/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::dhcp {

/// Addresses are host-order IPv4 integers; destination has no bits set past
/// its length.
struct ClasslessRoute {
	uint32_t destination = 0;
	uint8_t length = 0;
	uint32_t router = 0;

	friend bool operator==(const ClasslessRoute &, const ClasslessRoute &) = default;
};

/// The option's value for these routes. A route with bits set past its
/// length is written with them cleared.
std::vector<uint8_t> encodeClasslessRoutes(std::span<const ClasslessRoute> routes);

/// Refuses (EBADMSG) a length over 32, a descriptor or router cut short, and
/// a destination with bits set past its length (RFC 3442 §2 has the client
/// treat a bad option as absent, and this lets the tests say so).
Result<std::vector<ClasslessRoute>> decodeClasslessRoutes(std::span<const uint8_t> value);

} // namespace l2tpsec::dhcp
