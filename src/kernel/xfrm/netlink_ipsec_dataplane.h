#pragma once
// NetlinkIpsecDataplane: IpsecDataplane over NETLINK_XFRM (libmnl), in the
// network namespace it was created in. Messages come from xfrm_msg.h, the
// exchange from XfrmSocket; this layer adds the interface's rules: reqids
// inside OwnedReqids, UPDSA to complete an SPI from allocSpi(), listing and
// flushing only l2tpsec's objects.

#include "kernel/ipsec_dataplane.h"
#include "kernel/xfrm/xfrm_msg.h"
#include "kernel/xfrm/xfrm_netlink.h"

#include <chrono>
#include <map>
#include <memory>
#include <utility>

namespace l2tpsec::kernel {

class NetlinkIpsecDataplane final : public IpsecDataplane {
public:
	static Result<std::unique_ptr<NetlinkIpsecDataplane>> create(OwnedReqids owned = {});

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

	/// Installs an SaSpec as it stands, bypassing makeSaSpec()'s checks: for
	/// l2tpsec-dp, which uses it to make the kernel refuse what we never
	/// would send (an unknown algorithm name).
	Result<void> installSpec(const xfrm::SaSpec &spec, bool update);

	const OwnedReqids &owned() const { return owned_; }

private:
	NetlinkIpsecDataplane(xfrm::XfrmSocket sock, OwnedReqids owned) : sock_(std::move(sock)), owned_(owned) {}
	Result<void> listSaInfos(std::vector<xfrm::SaInfo> &out);
	Result<void> listPolicyInfos(std::vector<xfrm::PolicyInfo> &out);

	xfrm::XfrmSocket sock_;
	OwnedReqids owned_;
	/// (dst, spi) of larval SAs from allocSpi() that addSa() completes with
	/// UPDSA, and when each was made: a negotiation that never finished
	/// leaves its entry behind, so old ones are dropped (see allocSpi()).
	std::map<std::pair<IpAddress, uint32_t>, std::chrono::steady_clock::time_point> allocated_;
	xfrm::MsgBuffer buf_;
};

} // namespace l2tpsec::kernel
