#pragma once
// FakeIpsecDataplane: an in-memory IpsecDataplane that records every call.
// It ships in src/ because l2tpsecd --fake-dataplane runs on it; engine and
// exchange tests assert on what it recorded (ninja's commands_ran_,
// strongSwan's mock_ipsec).
//
// It refuses what the kernel refuses, with the words NetlinkIpsecDataplane
// would use: the same makeSaSpec()/checkPolicy() checks (EINVAL), an SA
// whose (dst, spi, mark) exists (EEXIST), a missing SA (ESRCH), a policy
// whose (selector, direction, mark) exists (EEXIST), a missing policy
// (ENOENT). So an engine test sees the failures it would see for real.

#include "kernel/ipsec_dataplane.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel {

class FakeIpsecDataplane final : public IpsecDataplane {
public:
	enum class Op {
		AllocSpi,
		AddSa,
		UpdateSa,
		DeleteSa,
		QuerySa,
		AddPolicy,
		DeletePolicy,
		ListSas,
		ListPolicies,
		Flush,
		BypassSocket,
		EnableUdpEncap,
	};

	/// One call, as made. Only the fields its Op uses are set.
	struct Call {
		Op op = Op::AddSa;
		std::string text; ///< the same line as calls()
		SaId sa;
		std::optional<SaParams> saParams;
		PolicyId policy;
		std::optional<PolicyParams> policyParams;
		int fd = -1;
		std::optional<Error> error; ///< set when the call failed
	};

	struct Sa {
		SaId id;
		SaParams params;
		bool larval = false; ///< allocSpi() reserved it, addSa() has not filled it
		uint64_t bytes = 0, packets = 0;
	};
	struct Policy {
		PolicyId id;
		PolicyParams params;
		uint32_t index = 0;
	};

	explicit FakeIpsecDataplane(OwnedReqids owned = {}) : owned_(owned) {}

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

	/// The next call, whatever it is, fails with `error` and changes nothing.
	void failNext(Error error) { failNext_ = std::move(error); }

	/// Every call in order, one line each, e.g.
	/// "addSa spi=0x0000c001 192.0.2.1->192.0.2.2 reqid=0x4c320001 transport cbc(aes) hmac(sha1)/96 ...".
	std::vector<std::string> calls() const;
	const std::vector<Call> &records() const { return records_; }
	void clearCalls() { records_.clear(); }

	/// Installed SAs (larval ones included), in the order they were added.
	const std::vector<Sa> &sas() const { return sas_; }
	const std::vector<Policy> &policies() const { return policies_; }
	/// SPIs of the complete SAs, in the order they were added.
	std::vector<uint32_t> installedSpis() const;
	const std::vector<int> &bypassedSockets() const { return bypassed_; }
	const std::vector<int> &encapSockets() const { return encap_; }

	/// Traffic through an SA, as querySa() will report it. ESRCH if missing.
	Result<void> addTraffic(const SaId &id, uint64_t bytes, uint64_t packets);
	/// State another IKE daemon or an admin installed: reqid outside ours
	/// is allowed here, and list/flush must leave it alone. Not recorded.
	void addForeignSa(const SaId &id, uint32_t reqid);
	void addForeignPolicy(const PolicyId &id, uint32_t reqid);

private:
	std::vector<Sa>::iterator findSa(const SaId &id);
	std::vector<Policy>::iterator findPolicy(const PolicyId &id);
	/// injected(), then the SA that call.sa names; refused with ESRCH, the
	/// kernel's answer to `request` ("XFRM_MSG_DELSA"), when there is none.
	Result<std::vector<Sa>::iterator> lookupSa(Call &call, std::string_view request);
	void insertPolicy(const PolicyId &id, const PolicyParams &params);
	/// bypassSocket() and enableUdpEncap(): EBADF for a negative fd ("<what>
	/// on fd -1: Bad file descriptor"), else the fd joins `applied`.
	Result<void> socketOption(Call call, std::string_view what, std::vector<int> &applied);
	/// Takes the failNext() error, if any, recording it against `call`.
	std::optional<Error> injected(Call &call);
	/// injected(), then makeSaSpec() on call.sa and call.saParams: what
	/// addSa() and updateSa() check before anything else, as the netlink
	/// dataplane does before it sends.
	std::optional<Error> refusedSpec(Call &call);
	Error refuse(Call &call, Error error);
	void record(Call call) { records_.push_back(std::move(call)); }

	OwnedReqids owned_;
	std::vector<Sa> sas_;
	std::vector<Policy> policies_;
	std::vector<int> bypassed_, encap_;
	std::vector<Call> records_;
	std::optional<Error> failNext_;
	uint32_t nextSpi_ = 0xc0000001;
	uint32_t nextPolicyIndex_ = 8;
};

} // namespace l2tpsec::kernel
