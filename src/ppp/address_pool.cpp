#include "ppp/address_pool.h"

#include <algorithm>

namespace l2tpsec::ppp {

namespace {
constexpr uint64_t kMaxPoolSize = 65536;
} // namespace

AddressPool::AddressPool(IpAddress first, IpAddress last) : first_(first.v4HostOrder())
{
	uint32_t lastHost = last.v4HostOrder();
	uint64_t n = lastHost >= first_ ? uint64_t{lastHost} - first_ + 1 : 0;
	used_.assign(static_cast<size_t>(std::min(n, kMaxPoolSize)), false);
}

std::optional<uint32_t> AddressPool::indexOf(IpAddress address) const
{
	if (address.family() != IpAddress::Family::V4)
		return std::nullopt;
	uint32_t host = address.v4HostOrder();
	if (host < first_ || uint64_t{host} - first_ >= used_.size())
		return std::nullopt;
	return host - first_;
}

std::optional<IpAddress> AddressPool::allocate()
{
	if (leased_ == size())
		return std::nullopt;
	// There is a free slot, so this loop ends within size() steps.
	while (used_[cursor_])
		cursor_ = (cursor_ + 1) % size();
	used_[cursor_] = true;
	++leased_;
	IpAddress address = IpAddress::v4(first_ + cursor_);
	cursor_ = (cursor_ + 1) % size();
	return address;
}

bool AddressPool::claim(IpAddress address)
{
	auto i = indexOf(address);
	if (!i || used_[*i])
		return false;
	used_[*i] = true;
	++leased_;
	return true;
}

bool AddressPool::release(IpAddress address)
{
	auto i = indexOf(address);
	if (!i || !used_[*i])
		return false;
	used_[*i] = false;
	--leased_;
	return true;
}

bool AddressPool::contains(IpAddress address) const
{
	return indexOf(address).has_value();
}

bool AddressPool::isLeased(IpAddress address) const
{
	auto i = indexOf(address);
	return i && used_[*i];
}

} // namespace l2tpsec::ppp
