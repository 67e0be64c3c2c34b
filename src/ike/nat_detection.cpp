#include "ike/nat_detection.h"

#include <array>
#include <span>

namespace l2tpsec::ike {

std::vector<uint8_t> natDetectionHash(crypto::HashAlgorithm hash, const Cookie &ckyI, const Cookie &ckyR,
                                      const IpAddress &address, uint16_t port)
{
	const std::span<const uint8_t> ip(address.bytes().data(), address.isV4() ? 4 : 16);
	const std::array<uint8_t, 2> portBytes{static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
	return crypto::hash(hash, {ckyI, ckyR, ip, portBytes});
}

} // namespace l2tpsec::ike
