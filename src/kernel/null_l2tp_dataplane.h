#pragma once
// NullL2tpDataplane: the L2TP dataplane of l2tpsecd --fake-dataplane and the
// setup benchmarks. It accepts every call, counts it and keeps nothing, so
// memory stays flat however many tunnels and sessions come and go (the
// recording FakeL2tpDataplane, which models the kernel's state, is for
// tests: tests/support). getTunnel()/getSession() answer the ids asked for
// with zero counters (no data ever flows); the lists are empty; and
// openPppSocket() hands out no descriptor (an invalid UniqueFd), so no
// descriptor is held per session either.

#include "kernel/l2tp_dataplane.h"

#include <cstdint>

namespace l2tpsec::kernel {

class NullL2tpDataplane final : public L2tpDataplane {
public:
	Result<void> createTunnel(const TunnelParams &params) override;
	Result<void> deleteTunnel(uint32_t tunnelId) override;
	Result<TunnelState> getTunnel(uint32_t tunnelId) override;
	Result<std::vector<TunnelState>> listTunnels() override;
	Result<void> createSession(const SessionParams &params) override;
	Result<void> deleteSession(uint32_t tunnelId, uint32_t sessionId) override;
	Result<SessionState> getSession(uint32_t tunnelId, uint32_t sessionId) override;
	Result<std::vector<SessionState>> listSessions() override;
	Result<UniqueFd> openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd) override;
	Result<void> setSendSequence(const SessionParams &params, int pppSocketFd) override;
	Result<size_t> flush() override;

	/// What was asked, in total: counters only.
	struct Counts {
		uint64_t tunnelsCreated = 0, tunnelsDeleted = 0;
		uint64_t sessionsCreated = 0, sessionsDeleted = 0, pppSockets = 0;
	};
	const Counts &counts() const { return counts_; }

private:
	Counts counts_;
};

} // namespace l2tpsec::kernel
