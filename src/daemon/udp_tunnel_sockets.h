#pragma once
// The L2TP engine's sockets on the real network: UDP listeners on port 1701
// (one per [server] listen address, or one wildcard) that learn each
// datagram's destination with IP_PKTINFO, and one socket per tunnel, bound to
// the address and port the peer talked to, which the kernel tunnel is then
// created over (L2TP_ATTR_FD). A tunnel socket is connected to its peer only
// while its kernel tunnel exists (TunnelSockets::attach).
//
// Every socket carries SO_REUSEADDR: the tunnel sockets share port 1701 with
// the listener, and the kernel hands a datagram to the most specific match,
// the connected socket of its tunnel.

#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "l2tp/engine_ports.h"

#include <functional>
#include <map>
#include <vector>

namespace l2tpsec {

class UdpTunnelSockets final : public l2tp::TunnelSockets {
public:
	/// A datagram arrived: the socket (0 for a listener), where it arrived and
	/// who sent it.
	using Receiver = std::function<void(uint64_t socketId, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
	                                    std::span<const uint8_t> datagram)>;

	UdpTunnelSockets(EventLoop &loop, Receiver receiver);
	~UdpTunnelSockets() override;
	UdpTunnelSockets(const UdpTunnelSockets &) = delete;
	UdpTunnelSockets &operator=(const UdpTunnelSockets &) = delete;

	/// Binds a listener on address:port (0.0.0.0 for all IPv4 addresses).
	Result<void> listen(const IpAddress &address, uint16_t port);

	Result<l2tp::TunnelSocket> open(const l2tp::Endpoint &local, const l2tp::Endpoint &peer) override;
	Result<void> send(uint64_t socketId, std::span<const uint8_t> datagram) override;
	void close(uint64_t socketId) override;
	Result<void> attach(uint64_t socketId) override;
	void detach(uint64_t socketId) override;

	size_t tunnelSockets() const { return sockets_.size(); }

private:
	struct Sock {
		UniqueFd fd;
		l2tp::Endpoint local, peer;
		bool connected = false; ///< attach()ed: send() needs no address
		/// Bound to a port we named (1701), not one bind() chose: only such
		/// a port is shared with other tunnels, and only such a socket keeps
		/// its port when disconnected (Linux unhashes the other kind).
		bool namedPort = false;
	};
	void readListener(size_t index);
	void readTunnel(uint64_t id);

	EventLoop &loop_;
	Receiver receiver_;
	struct Listener {
		UniqueFd fd;
		l2tp::Endpoint bound; ///< the port, and the address for a specific one
	};
	std::vector<Listener> listeners_;
	/// One receive buffer for every socket: the loop reads one datagram at a time.
	std::vector<uint8_t> buf_;
	std::map<uint64_t, Sock> sockets_;
	uint64_t nextId_ = 1;
};

} // namespace l2tpsec
