#pragma once
// NullIpsecDataplane: the IPsec dataplane of l2tpsecd --fake-dataplane and
// the setup benchmarks. It accepts every well-formed call, counts it and
// keeps nothing, so memory stays flat however many SAs come and go (the
// recording FakeIpsecDataplane, which keeps every call, is for tests:
// tests/support). What it answers:
//  - allocSpi(): the next SPI of a cursor starting at 0xc0000001, kept inside
//    [min, max] (the fake's sequence), after the kernel's parameter checks;
//  - querySa(): the SA's id with zero counters (nothing ever flows);
//  - listSas(), listPolicies(): empty; flush(): nothing removed.

#include "kernel/ipsec_dataplane.h"

#include <cstdint>

namespace l2tpsec::kernel {

class NullIpsecDataplane final : public IpsecDataplane {
public:
	explicit NullIpsecDataplane(OwnedReqids owned = {}) : owned_(owned) {}

	Result<uint32_t> allocSpi(const IpAddress &src, const IpAddress &dst, uint32_t reqid, uint32_t min = 0x100,
	                          uint32_t max = 0xffffffff) override;
	Result<void> addSa(const SaId &id, const SaParams &params) override;
	Result<void> updateSa(const SaId &id, const SaParams &params) override;
	Result<void> deleteSa(const SaId &id) override;
	Result<SaState> querySa(const SaId &id) override;
	Result<void> addPolicy(const PolicyId &id, const PolicyParams &params) override;
	Result<void> deletePolicy(const PolicyId &id) override;
	Result<std::vector<SaState>> listSas() override;
	Result<std::vector<PolicyState>> listPolicies() override;
	Result<FlushReport> flush() override;
	Result<void> bypassSocket(int fd) override;
	Result<void> enableUdpEncap(int fd) override;

	/// What was asked, in total: counters only.
	struct Counts {
		uint64_t spisAllocated = 0, sasAdded = 0, sasUpdated = 0, sasDeleted = 0;
		uint64_t policiesAdded = 0, policiesDeleted = 0;
		uint64_t refused = 0;
	};
	const Counts &counts() const { return counts_; }

private:
	OwnedReqids owned_;
	uint32_t nextSpi_ = 0xc0000001;
	Counts counts_;
};

} // namespace l2tpsec::kernel
