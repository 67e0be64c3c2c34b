#include "daemon/ike_sockets.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace l2tpsec {

namespace {

constexpr size_t kMaxDatagram = 65535;
// Datagrams read per wakeup, so that a flood on one socket cannot starve the loop.
constexpr int kReadBudget = 64;

sockaddr_in toSockaddr(const ike::Endpoint &e)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(e.port);
	std::memcpy(&sa.sin_addr, e.address.bytes().data(), 4);
	return sa;
}

ike::Endpoint fromSockaddr(const sockaddr_in &sa)
{
	return ike::Endpoint{IpAddress::v4(ntohl(sa.sin_addr.s_addr)), ntohs(sa.sin_port)};
}

const char *kindName(ike::IkeSocket kind)
{
	return kind == ike::IkeSocket::Ike ? "IKE" : "NAT-T";
}

} // namespace

IkeUdpSockets::IkeUdpSockets(EventLoop &loop, kernel::IpsecDataplane &dataplane, Receiver receiver)
    : loop_(loop), dataplane_(dataplane), receiver_(std::move(receiver)), buf_(kMaxDatagram)
{
}

IkeUdpSockets::~IkeUdpSockets()
{
	for (auto &l : listeners_)
		loop_.removeFd(l.fd.get());
}

Result<void> IkeUdpSockets::listen(const IpAddress &address, uint16_t ikePort, uint16_t natTPort)
{
	if (!address.isV4())
		return Error{EAFNOSUPPORT, "IKE listener " + address.str() + ": IPv6 is not supported yet"};
	L2S_TRY(bind(ike::Endpoint{address, ikePort}, ike::IkeSocket::Ike));
	L2S_TRY(bind(ike::Endpoint{address, natTPort}, ike::IkeSocket::NatT));
	return {};
}

Result<void> IkeUdpSockets::bind(const ike::Endpoint &local, ike::IkeSocket kind)
{
	std::string what = std::string(kindName(kind)) + " listener " + local.str();
	UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError(what + ": socket");
	int one = 1;
	if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return sysError(what + ": SO_REUSEADDR");
	// A listen address that is not up yet still binds, as for L2TP.
	if (::setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0)
		return sysError(what + ": IP_FREEBIND");
	if (::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
		return sysError(what + ": IP_PKTINFO");
	if (kind == ike::IkeSocket::NatT) {
		int type = UDP_ENCAP_ESPINUDP;
		if (::setsockopt(fd.get(), IPPROTO_UDP, UDP_ENCAP, &type, sizeof type) < 0)
			return sysError(what + ": UDP_ENCAP_ESPINUDP");
	}
	if (auto r = dataplane_.bypassSocket(fd.get()); !r)
		return Error{r.error().code, what + ": " + r.error().message};
	sockaddr_in sa = toSockaddr(local);
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError(what + ": bind (ports below 1024 need CAP_NET_BIND_SERVICE; tests use --ike-port)");
	size_t index = listeners_.size();
	L2S_TRY(loop_.addFd(fd.get(), EPOLLIN, [this, index](uint32_t) { read(index); }));
	listeners_.push_back(Listener{std::move(fd), kind, local});
	logInfo("ike", "listening on {} ({})", local.str(), kindName(kind));
	return {};
}

void IkeUdpSockets::read(size_t index)
{
	for (int i = 0; i < kReadBudget; ++i) {
		const Listener &l = listeners_[index];
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
		ssize_t n = ::recvmsg(l.fd.get(), &msg, 0);
		if (n < 0)
			return; // EAGAIN: drained; other errors (ICMP): nothing to do but wait
		ike::Endpoint local = l.bound;
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				in_pktinfo info{};
				std::memcpy(&info, CMSG_DATA(c), sizeof info);
				local.address = IpAddress::v4(ntohl(info.ipi_addr.s_addr));
			}
		}
		receiver_(l.kind, local, fromSockaddr(from), std::span<const uint8_t>(buf_.data(), size_t(n)));
	}
}

Result<void> IkeUdpSockets::send(ike::IkeSocket socket, const ike::Endpoint &local, const ike::Endpoint &peer,
                                 std::span<const uint8_t> datagram)
{
	if (!peer.address.isV4())
		return Error{EAFNOSUPPORT, "IKE to " + peer.str() + ": IPv6 is not supported yet"};
	// The socket bound to exactly that address, else the wildcard one.
	const Listener *chosen = nullptr;
	for (const Listener &l : listeners_) {
		if (l.kind != socket)
			continue;
		if (l.bound.address == local.address) {
			chosen = &l;
			break;
		}
		if (l.bound.address.isUnspecified() && !chosen)
			chosen = &l;
	}
	if (!chosen)
		return Error{EADDRNOTAVAIL,
		             std::string("no ") + kindName(socket) + " socket on " + local.address.str()};
	sockaddr_in to = toSockaddr(peer);
	iovec iov{const_cast<uint8_t *>(datagram.data()), datagram.size()};
	msghdr msg{};
	msg.msg_name = &to;
	msg.msg_namelen = sizeof to;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
	if (chosen->bound.address.isUnspecified() && local.address.isV4() && !local.address.isUnspecified()) {
		// A wildcard socket: the source address the peer talked to.
		msg.msg_control = control.data();
		msg.msg_controllen = control.size();
		cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
		in_pktinfo info{};
		std::memcpy(&info.ipi_spec_dst, local.address.bytes().data(), 4);
		std::memcpy(CMSG_DATA(c), &info, sizeof info);
	}
	if (::sendmsg(chosen->fd.get(), &msg, 0) < 0)
		return sysError("IKE send to " + peer.str());
	return {};
}

Result<IpAddress> IkeUdpSockets::sourceAddressFor(const IpAddress &peer)
{
	// connect() on a UDP socket sends nothing; it only picks the route.
	UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError("route to " + peer.str() + ": socket");
	sockaddr_in to = toSockaddr(ike::Endpoint{peer, 9});
	if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&to), sizeof to) < 0)
		return sysError("no route to " + peer.str());
	sockaddr_in local{};
	socklen_t len = sizeof local;
	if (::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&local), &len) < 0)
		return sysError("route to " + peer.str() + ": getsockname");
	return fromSockaddr(local).address;
}

} // namespace l2tpsec
