#include "ike/nat_detection.h"

#include "ike/codec/id_payload.h"

#include <algorithm>
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

bool quickModeIdAnswers(Bytes sent, Bytes got, bool natTransport)
{
	if (std::ranges::equal(sent, got))
		return true;
	if (!natTransport)
		return false;
	auto s = parseId(sent);
	auto g = parseId(got);
	return s && g && (s->type == IdType::Ipv4Addr || s->type == IdType::Ipv6Addr) && g->type == s->type &&
	       g->protocol == s->protocol && g->port == s->port;
}

} // namespace l2tpsec::ike
