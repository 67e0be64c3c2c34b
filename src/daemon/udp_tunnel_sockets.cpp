#include "daemon/udp_tunnel_sockets.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace l2tpsec {

namespace {

// L2TP control messages are small; this is the largest UDP payload.
constexpr size_t kMaxDatagram = 65535;
// Datagrams read per wakeup, so one busy socket cannot starve the loop.
constexpr int kReadBudget = 64;

sockaddr_in toSockaddr(const l2tp::Endpoint &e)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(e.port);
	std::memcpy(&sa.sin_addr, e.address.bytes().data(), 4);
	return sa;
}

l2tp::Endpoint fromSockaddr(const sockaddr_in &sa)
{
	return l2tp::Endpoint{IpAddress::v4(ntohl(sa.sin_addr.s_addr)), ntohs(sa.sin_port)};
}

Result<UniqueFd> udpSocket(const l2tp::Endpoint &local, const std::string &what, bool freebind = false)
{
	if (!local.address.isV4())
		return Error{EAFNOSUPPORT, what + ": IPv6 L2TP endpoints are not supported yet"};
	UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError(what + ": socket");
	int one = 1;
	if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return sysError(what + ": SO_REUSEADDR");
	// A listen address that is not up yet (the daemon started before the
	// network) still binds; datagrams arrive once it is.
	if (freebind && ::setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0)
		return sysError(what + ": IP_FREEBIND");
	sockaddr_in sa = toSockaddr(local);
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError(what + ": bind " + local.str());
	return fd;
}

} // namespace

UdpTunnelSockets::UdpTunnelSockets(EventLoop &loop, Receiver receiver)
    : loop_(loop), receiver_(std::move(receiver)), buf_(kMaxDatagram)
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
	auto fd = udpSocket(local, "L2TP listener", true);
	if (!fd)
		return std::move(fd).error();
	int one = 1;
	if (::setsockopt(fd->get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
		return sysError("L2TP listener " + local.str() + ": IP_PKTINFO");
	sockaddr_in bound{};
	socklen_t len = sizeof bound;
	if (::getsockname(fd->get(), reinterpret_cast<sockaddr *>(&bound), &len) < 0)
		return sysError("L2TP listener " + local.str() + ": getsockname");
	size_t index = listeners_.size();
	L2S_TRY(loop_.addFd(fd->get(), EPOLLIN, [this, index](uint32_t) { readListener(index); }));
	listeners_.push_back(Listener{std::move(fd.value()), fromSockaddr(bound)});
	logInfo("l2tp", "listening on {}", local.str());
	return {};
}

void UdpTunnelSockets::readListener(size_t index)
{
	int fd = listeners_[index].fd.get();
	for (int i = 0; i < kReadBudget; ++i) {
		sockaddr_in from{};
		iovec iov{buf_.data(), buf_.size()};
		alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
		msghdr msg{};
		msg.msg_name = &from;
		msg.msg_namelen = sizeof from;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.data();
		msg.msg_controllen = control.size();
		ssize_t n = ::recvmsg(fd, &msg, 0);
		if (n < 0)
			return; // EAGAIN: drained (other errors: nothing to do but wait)
		l2tp::Endpoint local = listeners_[index].bound;
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				in_pktinfo info{};
				std::memcpy(&info, CMSG_DATA(c), sizeof info);
				// The address the datagram was sent to: where the
				// tunnel socket must answer from.
				local.address = IpAddress::v4(ntohl(info.ipi_addr.s_addr));
			}
		}
		receiver_(0, local, fromSockaddr(from), std::span<const uint8_t>(buf_.data(), static_cast<size_t>(n)));
	}
}

Result<l2tp::TunnelSocket> UdpTunnelSockets::open(const l2tp::Endpoint &local, const l2tp::Endpoint &peer)
{
	auto fd = udpSocket(local, "tunnel socket to " + peer.str());
	if (!fd)
		return std::move(fd).error();
	sockaddr_in sa = toSockaddr(peer);
	if (::connect(fd->get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError("tunnel socket: connect " + peer.str());
	sockaddr_in bound{};
	socklen_t len = sizeof bound;
	::getsockname(fd->get(), reinterpret_cast<sockaddr *>(&bound), &len);
	uint64_t id = nextId_++;
	int raw = fd->get();
	L2S_TRY(loop_.addFd(raw, EPOLLIN, [this, id](uint32_t) { readTunnel(id); }));
	sockets_.emplace(id, Sock{std::move(fd.value()), fromSockaddr(bound), peer});
	return l2tp::TunnelSocket{id, raw};
}

void UdpTunnelSockets::readTunnel(uint64_t id)
{
	for (int i = 0; i < kReadBudget; ++i) {
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
