// Which ISAKMP SA holds the pair with an SPI (child_spi_index.h).
#include "ike/child_spi_index.h"

#include <algorithm>

namespace l2tpsec::ike {

void ChildSpiIndex::file(uint32_t inboundSpi, uint32_t outboundSpi, uint64_t owner)
{
	inbound_[inboundSpi] = owner;
	outbound_.emplace(outboundSpi, owner);
}

void ChildSpiIndex::unfile(uint32_t inboundSpi, uint32_t outboundSpi, uint64_t owner)
{
	if (auto it = inbound_.find(inboundSpi); it != inbound_.end() && it->second == owner)
		inbound_.erase(it);
	auto [first, last] = outbound_.equal_range(outboundSpi);
	for (auto it = first; it != last; ++it)
		if (it->second == owner) {
			outbound_.erase(it); // one entry: the same owner may hold two pairs with it
			return;
		}
}

uint64_t ChildSpiIndex::inboundOwner(uint32_t spi) const
{
	auto it = inbound_.find(spi);
	return it == inbound_.end() ? 0 : it->second;
}

std::vector<uint64_t> ChildSpiIndex::owners(uint32_t spi) const
{
	std::vector<uint64_t> ids;
	if (uint64_t in = inboundOwner(spi))
		ids.push_back(in);
	auto [first, last] = outbound_.equal_range(spi);
	for (auto it = first; it != last; ++it)
		ids.push_back(it->second);
	std::sort(ids.begin(), ids.end());
	ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
	return ids;
}

} // namespace l2tpsec::ike
