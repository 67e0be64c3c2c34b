#pragma once
// L2tpDataplane: what the L2TP engine asks of the kernel's L2TP core
// (generic netlink family "l2tp") and of PPPoL2TP sockets. Implementations:
// NetlinkL2tpDataplane (l2tp/l2tp_netlink.cpp), NullL2tpDataplane (counts,
// keeps nothing: --fake-dataplane, benchmarks; factory/dataplane_factory.h picks one)
// and, for tests only, the recording FakeL2tpDataplane (tests/support).
//
// Errors carry the kernel's errno and name the request, e.g.
// "L2TP_CMD_TUNNEL_CREATE tunnel 16385: File exists". The kernel answers a
// missing tunnel or session with ENODEV, and the fake does the same.
//
// Managed tunnels use a UDP socket the daemon owns (L2TP_ATTR_FD): the kernel
// tunnel lives exactly as long as that socket, so a crashed daemon leaves no
// managed tunnel behind. Static tunnels (the kernel creates the socket) are
// for tests and tools; OwnedTunnelIds marks which of those are l2tpsec's.

#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::kernel {

/// Local tunnel ids l2tpsec allocates from.
struct OwnedTunnelIds {
	uint32_t first = 0x4000;
	uint32_t last = 0x7fff;
	bool contains(uint32_t id) const { return id >= first && id <= last; }
};

struct TunnelParams {
	uint32_t tunnelId = 0;     ///< ours (local)
	uint32_t peerTunnelId = 0; ///< the peer's
	uint8_t version = 2;       ///< L2TPv2 (RFC 2661) or 3 (RFC 3931)
	/// Managed: the daemon's UDP socket, bound and connected to the peer.
	/// The caller keeps owning it; the kernel takes a reference.
	int udpFd = -1;
	/// Static (udpFd < 0): the kernel opens the socket itself.
	IpAddress localAddress, peerAddress;
	uint16_t localPort = 1701, peerPort = 1701;
};

struct L2tpStats {
	uint64_t txPackets = 0, txBytes = 0, txErrors = 0;
	uint64_t rxPackets = 0, rxBytes = 0, rxErrors = 0;
	uint64_t rxSeqDiscards = 0, rxOosPackets = 0;
};

/// A tunnel as the kernel reports it (L2TP_CMD_TUNNEL_GET). The addresses and
/// ports are those of the tunnel's UDP socket, managed or static.
struct TunnelState {
	uint32_t tunnelId = 0, peerTunnelId = 0;
	uint8_t version = 2;
	IpAddress localAddress, peerAddress;
	uint16_t localPort = 0, peerPort = 0;
	L2tpStats stats;
};

struct SessionParams {
	uint32_t tunnelId = 0;
	uint32_t sessionId = 0;     ///< ours
	uint32_t peerSessionId = 0; ///< the peer's
	bool lnsMode = false;       ///< we are the LNS
	bool sendSeq = false, recvSeq = false;
	uint32_t reorderTimeoutMs = 0;
};

/// A session as the kernel reports it (L2TP_CMD_SESSION_GET).
struct SessionState {
	uint32_t tunnelId = 0, sessionId = 0, peerSessionId = 0;
	bool lnsMode = false;
	bool sendSeq = false, recvSeq = false;
	uint32_t reorderTimeoutMs = 0;
	/// The kernel reports IPsec use per session (L2TP_ATTR_USING_IPSEC: the
	/// tunnel socket has an XFRM policy), not per tunnel.
	bool usingIpsec = false;
	/// Only Ethernet pseudowires report an interface name; for PPP the name is
	/// pppd's business (its "ifname" option, or ip-up), so this stays empty.
	std::string ifname;
	L2tpStats stats;
};

class L2tpDataplane {
public:
	virtual ~L2tpDataplane() = default;

	/// On success the kernel tunnel exists and carries data for its sessions.
	virtual Result<void> createTunnel(const TunnelParams &params) = 0;
	/// Deletes the tunnel and its sessions. The kernel finishes a tunnel's
	/// deletion in a workqueue after acknowledging it: for a moment the id is
	/// still listed and a new tunnel with it is refused (EEXIST).
	virtual Result<void> deleteTunnel(uint32_t tunnelId) = 0;
	virtual Result<TunnelState> getTunnel(uint32_t tunnelId) = 0;
	virtual Result<std::vector<TunnelState>> listTunnels() = 0;

	/// A PPP pseudowire session in an existing tunnel.
	virtual Result<void> createSession(const SessionParams &params) = 0;
	/// Deleting a session (or its tunnel) does not hang up a pppd attached to
	/// it: the kernel keeps the PPP channel until the PPPoL2TP socket closes
	/// (seen on 6.1, tests/kernel/l2tp_managed.sh). Stop that pppd as well.
	virtual Result<void> deleteSession(uint32_t tunnelId, uint32_t sessionId) = 0;
	virtual Result<SessionState> getSession(uint32_t tunnelId, uint32_t sessionId) = 0;
	virtual Result<std::vector<SessionState>> listSessions() = 0;

	/// A PPPoL2TP socket connected to the session, for pppd's "pppol2tp FD".
	/// tunnelFd is the tunnel's UDP socket (-1 for a static tunnel); the kernel
	/// only uses it to create tunnels, never to attach a session. The session's
	/// flags (LNS mode, sequencing, reorder timeout) are applied to the socket
	/// too. The socket is close-on-exec: the launcher dup2()s it for pppd.
	/// Closing the socket deletes the session (pppol2tp_release).
	virtual Result<UniqueFd> openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd) = 0;
	/// Applies params.sendSeq to the session through pppSocketFd, a
	/// descriptor of the socket openPppSocket() gave (a dup: pppd holds the
	/// other). An LNS starts pppd before the peer's ICCN says whether it
	/// requires sequence numbers on the data channel.
	virtual Result<void> setSendSequence(const SessionParams &params, int pppSocketFd) = 0;

	/// Deletes every tunnel whose id is in OwnedTunnelIds, and so their
	/// sessions; returns how many. Meant for start-up, to clear what a crashed
	/// run left behind: static tunnels, and managed ones a surviving child
	/// still holds a socket of. The kernel does not say whether a tunnel is
	/// static or managed, so a tunnel in the range is l2tpsec's either way.
	/// Unlike deleteTunnel(), it returns once the kernel has let go of the
	/// ids (within a bounded wait), so they can be used again at once.
	virtual Result<size_t> flush() = 0;
};

} // namespace l2tpsec::kernel
