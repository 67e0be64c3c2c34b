#pragma once
// NetlinkL2tpDataplane: L2tpDataplane on the kernel's "l2tp" generic-netlink
// family (l2tp_msg.h builds and parses, GenlSocket sends) and PPPoL2TP
// sockets (pppol2tp_socket.h). It acts in the network namespace of the
// calling thread at open() time, like any netlink socket.

#include "kernel/l2tp/genl_socket.h"
#include "kernel/l2tp_dataplane.h"

#include <chrono>
#include <memory>

namespace l2tpsec::kernel {

class NetlinkL2tpDataplane final : public L2tpDataplane {
public:
	/// Opens the socket and resolves the "l2tp" family (the kernel loads
	/// l2tp_netlink on demand; if it cannot, the error says so).
	static Result<std::unique_ptr<NetlinkL2tpDataplane>> open(OwnedTunnelIds owned = {});

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

	uint16_t familyId() const { return family_; }

	/// How long flush() waits for the kernel to finish deleting tunnels.
	static constexpr std::chrono::milliseconds kFlushSettleTime{5000};

private:
	NetlinkL2tpDataplane(GenlSocket sock, uint16_t family, OwnedTunnelIds owned)
	    : sock_(std::move(sock)), family_(family), owned_(owned)
	{
	}

	GenlSocket sock_;
	uint16_t family_;
	OwnedTunnelIds owned_;
};

} // namespace l2tpsec::kernel
