#pragma once
// ChildSpiIndex: which ISAKMP SA holds the IPsec SA pair with a given SPI.
// The kernel names an SA by its SPI alone in a NAT MAPPING or an expiry
// event; looking it up must not walk every ISAKMP SA (one MAPPING can come
// per ESP packet, and a server holds thousands of SAs). ChildSaSet keeps it
// exact: a pair is filed when it is added or adopted and unfiled when it is
// removed or its set goes. Inbound SPIs are ours and unique; outbound ones
// are the peers' choice, so two ISAKMP SAs may share one.
// Internal to src/ike/.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace l2tpsec::ike {

class ChildSpiIndex {
public:
	void file(uint32_t inboundSpi, uint32_t outboundSpi, uint64_t owner);
	void unfile(uint32_t inboundSpi, uint32_t outboundSpi, uint64_t owner);
	/// The ISAKMP SA whose pair has this inbound SPI; 0 if none.
	uint64_t inboundOwner(uint32_t spi) const;
	/// The ISAKMP SAs with a pair that has this SPI either way, in id order.
	std::vector<uint64_t> owners(uint32_t spi) const;
	/// Entries, for tests: pairs filed count twice (inbound, outbound).
	size_t size() const { return inbound_.size() + outbound_.size(); }

private:
	std::unordered_map<uint32_t, uint64_t> inbound_;
	std::unordered_multimap<uint32_t, uint64_t> outbound_;
};

} // namespace l2tpsec::ike
