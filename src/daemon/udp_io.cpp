#include "daemon/udp_io.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace l2tpsec::udp {

sockaddr_in toSockaddr(const IpAddress &address, uint16_t port)
{
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	std::memcpy(&sa.sin_addr, address.bytes().data(), 4);
	return sa;
}

IpAddress addressOf(const sockaddr_in &sa)
{
	return IpAddress::v4(ntohl(sa.sin_addr.s_addr));
}

uint16_t portOf(const sockaddr_in &sa)
{
	return ntohs(sa.sin_port);
}

Result<UniqueFd> socket(const std::string &what, SocketOptions options)
{
	UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError(what + ": socket");
	int one = 1;
	if (options.shareAddress && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return sysError(what + ": SO_REUSEADDR");
	if (options.freebind && ::setsockopt(fd.get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one) < 0)
		return sysError(what + ": IP_FREEBIND");
	if (options.pktinfo && ::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
		return sysError(what + ": IP_PKTINFO");
	if (options.rcvmark)
		(void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVMARK, &one, sizeof one);
	return fd;
}

Result<void> bind(int fd, const IpAddress &address, uint16_t port, const std::string &what)
{
	sockaddr_in sa = toSockaddr(address, port);
	if (::bind(fd, reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError(what);
	return {};
}

std::optional<Received> receive(int fd, std::span<uint8_t> buf)
{
	Received r;
	iovec iov{buf.data(), buf.size()};
	alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))> control{};
	msghdr msg{};
	msg.msg_name = &r.from;
	msg.msg_namelen = sizeof r.from;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.data();
	msg.msg_controllen = control.size();
	ssize_t n = ::recvmsg(fd, &msg, 0);
	if (n < 0)
		return std::nullopt;
	r.size = static_cast<size_t>(n);
	for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			in_pktinfo info{};
			std::memcpy(&info, CMSG_DATA(c), sizeof info);
			r.to = IpAddress::v4(ntohl(info.ipi_addr.s_addr));
			r.local = IpAddress::v4(ntohl(info.ipi_spec_dst.s_addr));
			r.ifindex = info.ipi_ifindex;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK &&
		           c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			std::memcpy(&r.mark, CMSG_DATA(c), sizeof r.mark);
		}
	}
	return r;
}

Result<void> sendTo(int fd, const IpAddress &address, uint16_t port, std::span<const uint8_t> datagram,
                    const std::optional<IpAddress> &source, const std::string &what, int ifindex)
{
	sockaddr_in to = toSockaddr(address, port);
	iovec iov{const_cast<uint8_t *>(datagram.data()), datagram.size()};
	msghdr msg{};
	msg.msg_name = &to;
	msg.msg_namelen = sizeof to;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
	if (source || ifindex != 0) {
		msg.msg_control = control.data();
		msg.msg_controllen = control.size();
		cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
		in_pktinfo info{};
		if (source)
			std::memcpy(&info.ipi_spec_dst, source->bytes().data(), 4);
		info.ipi_ifindex = ifindex;
		std::memcpy(CMSG_DATA(c), &info, sizeof info);
	}
	if (::sendmsg(fd, &msg, 0) < 0)
		return sysError(what);
	return {};
}

} // namespace l2tpsec::udp
