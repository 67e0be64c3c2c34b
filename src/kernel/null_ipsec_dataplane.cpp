#include "kernel/null_ipsec_dataplane.h"

#include <fmt/format.h>

#include <cerrno>

namespace l2tpsec::kernel {

Result<uint32_t> NullIpsecDataplane::allocSpi(const IpAddress &src, const IpAddress &dst, uint32_t reqid, uint32_t min,
                                              uint32_t max)
{
	std::string what = fmt::format("XFRM_MSG_ALLOCSPI {}->{}", src.str(), dst.str());
	if (!owned_.contains(reqid)) {
		counts_.refused++;
		return Error{EINVAL, fmt::format("{}: reqid 0x{:08x} is outside l2tpsec's range", what, reqid)};
	}
	if (src.family() != dst.family() || min > max || min < 0x100) {
		counts_.refused++;
		return errnoError(EINVAL, what);
	}
	uint32_t spi = nextSpi_ >= min && nextSpi_ <= max ? nextSpi_ : min;
	nextSpi_ = spi == max ? min : spi + 1;
	counts_.spisAllocated++;
	return spi;
}

Result<void> NullIpsecDataplane::addSa(const SaId &, const SaParams &)
{
	counts_.sasAdded++;
	return {};
}

Result<void> NullIpsecDataplane::updateSa(const SaId &, const SaParams &)
{
	counts_.sasUpdated++;
	return {};
}

Result<void> NullIpsecDataplane::deleteSa(const SaId &)
{
	counts_.sasDeleted++;
	return {};
}

Result<SaState> NullIpsecDataplane::querySa(const SaId &id)
{
	SaState st;
	st.id = id;
	return st;
}

Result<void> NullIpsecDataplane::addPolicy(const PolicyId &, const PolicyParams &)
{
	counts_.policiesAdded++;
	return {};
}

Result<void> NullIpsecDataplane::deletePolicy(const PolicyId &)
{
	counts_.policiesDeleted++;
	return {};
}

Result<std::vector<SaState>> NullIpsecDataplane::listSas()
{
	return std::vector<SaState>{};
}

Result<std::vector<PolicyState>> NullIpsecDataplane::listPolicies()
{
	return std::vector<PolicyState>{};
}

Result<FlushReport> NullIpsecDataplane::flush()
{
	return FlushReport{};
}

Result<void> NullIpsecDataplane::bypassSocket(int)
{
	return {};
}

Result<void> NullIpsecDataplane::enableUdpEncap(int)
{
	return {};
}

} // namespace l2tpsec::kernel
