#include "daemon/udp_tunnel_sockets.h"

#include "common/log.h"
#include "daemon/udp_io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace l2tpsec {

namespace {

l2tp::Endpoint l2tpEndpointOf(const sockaddr_in &sa)
{
	return l2tp::Endpoint{udp::addressOf(sa), udp::portOf(sa)};
}

Result<UniqueFd> udpSocket(const l2tp::Endpoint &local, const std::string &what, bool freebind = false)
{
	if (!local.address.isV4())
		return Error{EAFNOSUPPORT, what + ": IPv6 L2TP endpoints are not supported yet"};
	auto fd = udp::socket(
	        what,
	        udp::SocketOptions{.shareAddress = true, .freebind = freebind, .pktinfo = freebind, .rcvmark = true});
	if (!fd)
		return fd;
	L2S_TRY(udp::bind(fd->get(), local.address, local.port, what + ": bind " + local.str()));
	return fd;
}

} // namespace

UdpTunnelSockets::UdpTunnelSockets(EventLoop &loop, Receiver receiver)
    : loop_(loop), receiver_(std::move(receiver)), buf_(udp::kMaxDatagram)
{
}

UdpTunnelSockets::~UdpTunnelSockets()
{
	for (auto &l : listeners_)
		loop_.removeFd(l.fd.get());
	for (auto &[id, s] : sockets_)
		loop_.removeFd(s.fd.get());
}

Result<void> UdpTunnelSockets::listen(const IpAddress &address, uint16_t port)
{
	l2tp::Endpoint local{address, port};
	// Listeners bind before the address is up (IP_FREEBIND) and learn each
	// datagram's destination (IP_PKTINFO): where the tunnel socket must answer from.
	L2S_TRY_ASSIGN(auto fd, udpSocket(local, "L2TP listener", true));
	sockaddr_in bound{};
	socklen_t len = sizeof bound;
	if (::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &len) < 0)
		return sysError("L2TP listener " + local.str() + ": getsockname");
	size_t index = listeners_.size();
	L2S_TRY(loop_.addFd(fd.get(), EPOLLIN, [this, index](uint32_t) { readListener(index); }));
	listeners_.push_back(Listener{std::move(fd), l2tpEndpointOf(bound)});
	logInfo("l2tp", "listening on {}", local.str());
	return {};
}

void UdpTunnelSockets::readListener(size_t index)
{
	int fd = listeners_[index].fd.get();
	for (int i = 0; i < udp::kReadBudget; ++i) {
		auto r = udp::receive(fd, buf_);
		if (!r)
			return; // drained (or an error: nothing to do but wait)
		l2tp::Endpoint local = listeners_[index].bound;
		if (r->to)
			local.address = *r->to;
		l2tp::Endpoint from = l2tpEndpointOf(r->from);
		from.mark = r->mark;
		receiver_(0, local, from, std::span<const uint8_t>(buf_.data(), r->size));
	}
}

Result<l2tp::TunnelSocket> UdpTunnelSockets::open(const l2tp::Endpoint &local, const l2tp::Endpoint &peer)
{
	L2S_TRY_ASSIGN(auto fd, udpSocket(local, "tunnel socket to " + peer.str()));
	// A client behind a NAT it shares with another one: what this socket
	// sends (the kernel's L2TP data included) carries its SA pair's mark,
	// which its policies match. Before connect(), which routes and caches.
	if (peer.mark && ::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &peer.mark, sizeof peer.mark) < 0)
		return sysError("tunnel socket to " + peer.str() + ": SO_MARK");
	sockaddr_in bound{};
	socklen_t len = sizeof bound;
	::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &len);
	uint64_t id = nextId_++;
	int raw = fd.get();
	L2S_TRY(loop_.addFd(raw, EPOLLIN, [this, id](uint32_t) { readTunnel(id); }));
	sockets_.emplace(id, Sock{std::move(fd), l2tpEndpointOf(bound), peer, false, local.port != 0});
	return l2tp::TunnelSocket{id, raw};
}

void UdpTunnelSockets::readTunnel(uint64_t id)
{
	for (int i = 0; i < udp::kReadBudget; ++i) {
		auto it = sockets_.find(id);
		if (it == sockets_.end())
			return; // closed by the engine while handling the last datagram
		auto r = udp::receive(it->second.fd.get(), buf_);
		if (!r)
			return;
		// Not connected, a socket hears anyone who sends to its port; and
		// clients behind one NAT send from the same address and port, so
		// the kernel hands all their datagrams to one of their tunnels'
		// sockets: the mark says whose SA pair each came through.
		l2tp::Endpoint from = l2tpEndpointOf(r->from);
		from.mark = r->mark;
		// A copy: handling the datagram may close this socket (a client
		// that reconnects from the same port replaces its old tunnel).
		const l2tp::Endpoint local = it->second.local;
		receiver_(id, local, from, std::span<const uint8_t>(buf_.data(), r->size));
	}
}

Result<void> UdpTunnelSockets::send(uint64_t socketId, std::span<const uint8_t> datagram)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return Error{EBADF, "no tunnel socket " + std::to_string(socketId)};
	const Sock &s = it->second;
	if (s.connected) {
		if (::send(s.fd.get(), datagram.data(), datagram.size(), 0) < 0)
			return sysError("send to " + s.peer.str());
		return {};
	}
	return udp::sendTo(s.fd.get(), s.peer.address, s.peer.port, datagram, std::nullopt, "send to " + s.peer.str());
}

Result<void> UdpTunnelSockets::attach(uint64_t socketId)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return Error{EBADF, "no tunnel socket " + std::to_string(socketId)};
	Sock &s = it->second;
	sockaddr_in sa = udp::toSockaddr(s.peer.address, s.peer.port);
	if (::connect(s.fd.get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError("tunnel socket: connect " + s.peer.str());
	s.connected = true;
	return {};
}

void UdpTunnelSockets::detach(uint64_t socketId)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end() || !it->second.connected || !it->second.namedPort)
		return;
	// connect() to AF_UNSPEC dissolves the association (connect(2)).
	sockaddr sa{};
	sa.sa_family = AF_UNSPEC;
	if (::connect(it->second.fd.get(), &sa, sizeof sa) < 0)
		logWarn("l2tp", "tunnel socket to {}: disconnect: {}", it->second.peer.str(), std::strerror(errno));
	it->second.connected = false;
}

void UdpTunnelSockets::close(uint64_t socketId)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return;
	loop_.removeFd(it->second.fd.get());
	sockets_.erase(it);
}

} // namespace l2tpsec
