#pragma once
// What the L2TP engine needs from the world outside the protocol, as narrow
// interfaces: UDP sockets for tunnels and pppd for sessions. The daemon
// implements them over real sockets and ChildProcess; tests and the benchmark
// use in-memory fakes (fake_ports.h). The kernel is a third port, the
// existing kernel::L2tpDataplane.

#include "common/endpoint.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace l2tpsec::l2tp {

using l2tpsec::Endpoint;

/// A tunnel's socket: an id the engine uses and the descriptor the kernel
/// tunnel is created over (L2TP_ATTR_FD). The port keeps owning both.
struct TunnelSocket {
	uint64_t id = 0;
	int fd = -1;
};

class TunnelSockets {
public:
	virtual ~TunnelSockets() = default;
	/// A UDP socket bound to `local` that talks to `peer` (RFC 2661 §8.1:
	/// the reply comes from the port the request went to), with the peer's
	/// mark. Datagrams that arrive on it go to L2tpEngine::onDatagram with
	/// its id.
	virtual Result<TunnelSocket> open(const Endpoint &local, const Endpoint &peer) = 0;
	/// The socket is connected to its peer only while the kernel tunnel over
	/// it exists (attach() just before the tunnel is created, detach() just
	/// after it is deleted). Clients behind one NAT share address and port:
	/// the kernel hands their datagrams to one of the sockets connected
	/// there, and a connected socket without a kernel tunnel would pass
	/// another client's L2TP data up to us instead of to its session.
	virtual Result<void> attach(uint64_t socketId) = 0;
	virtual void detach(uint64_t socketId) = 0;
	/// Sends one datagram; a failure is for the log only (the reliable
	/// transport retransmits, and keeps count).
	virtual Result<void> send(uint64_t socketId, std::span<const uint8_t> datagram) = 0;
	virtual void close(uint64_t socketId) = 0;
};

/// What a session's pppd needs.
struct PppStart {
	uint16_t tunnelId = 0, sessionId = 0;         ///< ours
	uint16_t peerTunnelId = 0, peerSessionId = 0; ///< the peer's
	bool lns = true;
	Endpoint peer;
	/// The connected PPPoL2TP socket; the launcher hands it to pppd.
	UniqueFd pppSocket;
	/// LNS: the client's address from the pool.
	std::optional<IpAddress> remoteAddress;
	/// LAC: the profile whose user and password to use.
	std::string lacProfile;
};

/// Why a session ended, in the kinds RADIUS accounting tells apart
/// (Acct-Terminate-Cause, RFC 2866 §5.10; the daemon maps them). The
/// engine says it in SessionEnd; a PppLauncher says it of a pppd that ended.
enum class EndCause : uint8_t {
	PeerRequest,    ///< the peer's CDN or StopCCN, or its PPP ended the link
	PeerLost,       ///< the peer stopped answering (retransmissions, LCP echoes), its IPsec SA went
	Admin,          ///< l2tpctl disconnect, a RADIUS Disconnect-Request
	SessionTimeout, ///< pppd's connect-time limit (RADIUS Session-Timeout)
	IdleTimeout,    ///< pppd's idle limit (RADIUS Idle-Timeout)
	Shutdown,       ///< the daemon is stopping
	Error,          ///< anything else: a refusal, a failure on our side
};

class PppLauncher {
public:
	virtual ~PppLauncher() = default;
	/// Starts pppd for a session. When it ends by itself the owner calls
	/// L2tpEngine::pppEnded.
	virtual Result<void> start(PppStart start) = 0;
	/// Stops the session's pppd (no pppEnded follows).
	virtual void stop(uint16_t tunnelId, uint16_t sessionId) = 0;
};

} // namespace l2tpsec::l2tp
