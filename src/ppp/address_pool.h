#pragma once
// The IPv4 addresses handed to PPP clients ([ppp] pool), one per session.
//
// Addresses are handed out round-robin from a cursor rather than lowest-free:
// an address released a moment ago is the last to be reused, so a client
// that reconnects does not collide with stale ARP entries, conntrack state or
// routes of the session that just ended. Releasing is idempotent and a lease
// can be re-claimed at a fixed address (after a reload that keeps sessions).

#include "common/ip_address.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace l2tpsec::ppp {

class AddressPool {
public:
	/// [first, last], IPv4, first <= last, at most 65536 addresses (the config
	/// loader enforces all three; the constructor clamps rather than trusts).
	AddressPool(IpAddress first, IpAddress last);

	/// The next free address, or nullopt when every address is leased.
	std::optional<IpAddress> allocate();
	/// Leases exactly `address`; false when it is outside the pool or taken.
	bool claim(IpAddress address);
	/// Returns a lease to the pool; false when it was not leased from it.
	bool release(IpAddress address);

	bool contains(IpAddress address) const;
	bool isLeased(IpAddress address) const;
	uint32_t size() const { return static_cast<uint32_t>(used_.size()); }
	uint32_t leased() const { return leased_; }
	uint32_t available() const { return size() - leased_; }

private:
	std::optional<uint32_t> indexOf(IpAddress address) const;

	uint32_t first_;
	std::vector<bool> used_;
	uint32_t cursor_ = 0;
	uint32_t leased_ = 0;
};

} // namespace l2tpsec::ppp
