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
	auto fd =
	        udp::socket(what, udp::SocketOptions{.shareAddress = true, .freebind = freebind, .pktinfo = freebind});
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
		receiver_(0, local, l2tpEndpointOf(r->from), std::span<const uint8_t>(buf_.data(), r->size));
	}
}

Result<l2tp::TunnelSocket> UdpTunnelSockets::open(const l2tp::Endpoint &local, const l2tp::Endpoint &peer)
{
	L2S_TRY_ASSIGN(auto fd, udpSocket(local, "tunnel socket to " + peer.str()));
	sockaddr_in sa = udp::toSockaddr(peer.address, peer.port);
	if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError("tunnel socket: connect " + peer.str());
	sockaddr_in bound{};
	socklen_t len = sizeof bound;
	::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &len);
	uint64_t id = nextId_++;
	int raw = fd.get();
	L2S_TRY(loop_.addFd(raw, EPOLLIN, [this, id](uint32_t) { readTunnel(id); }));
	sockets_.emplace(id, Sock{std::move(fd), l2tpEndpointOf(bound), peer});
	return l2tp::TunnelSocket{id, raw};
}

void UdpTunnelSockets::readTunnel(uint64_t id)
{
	for (int i = 0; i < udp::kReadBudget; ++i) {
		auto it = sockets_.find(id);
		if (it == sockets_.end())
			return; // closed by the engine while handling the last datagram
		ssize_t n = ::recv(it->second.fd.get(), buf_.data(), buf_.size(), 0);
		if (n < 0)
			return;
		l2tp::Endpoint local = it->second.local, peer = it->second.peer;
		receiver_(id, local, peer, std::span<const uint8_t>(buf_.data(), static_cast<size_t>(n)));
	}
}

Result<void> UdpTunnelSockets::send(uint64_t socketId, std::span<const uint8_t> datagram)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return Error{EBADF, "no tunnel socket " + std::to_string(socketId)};
	if (::send(it->second.fd.get(), datagram.data(), datagram.size(), 0) < 0)
		return sysError("send to " + it->second.peer.str());
	return {};
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
