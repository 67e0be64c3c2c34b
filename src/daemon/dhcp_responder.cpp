#include "daemon/dhcp_responder.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace l2tpsec {

namespace {

constexpr std::string_view kDhcpLog = "dhcp";
/// A DHCP message fits a PPP frame; anything longer is cut and ignored.
constexpr size_t kMaxDhcpDatagram = 2048;
/// Datagrams read per wake-up, so a flood cannot hold the loop.
constexpr int kMaxReadsPerWakeup = 64;

uint32_t hostOrder(in_addr a)
{
	return ntohl(a.s_addr);
}

} // namespace

std::optional<IpAddress> lnsClientOn(const control::SessionsView &sessions, std::string_view interface)
{
	for (const control::SessionView &s : sessions.sessions)
		if (s.role == "lns" && s.state == "established" && s.interface && *s.interface == interface &&
		    s.address)
			return IpAddress::parse(*s.address);
	return std::nullopt;
}

dhcp::InformSettings informSettings(const PppConfig &ppp, uint32_t serverId)
{
	dhcp::InformSettings s;
	s.serverId = serverId;
	// On a point-to-point link the server's end is the next hop.
	for (const IpPrefix &p : ppp.routes)
		s.routes.push_back({p.address.v4HostOrder(), p.length, serverId});
	for (const IpAddress &a : ppp.dns)
		if (a.isV4())
			s.dnsServers.push_back(a.v4HostOrder());
	s.domain = ppp.domain;
	return s;
}

Result<std::unique_ptr<DhcpResponder>> DhcpResponder::start(EventLoop &loop, const PppConfig &ppp, ClientOn clientOn,
                                                            DhcpPorts ports)
{
	std::string what = "DHCPINFORM responder on UDP port " + std::to_string(ports.server);
	UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError(what + ": socket");
	int one = 1;
	if (setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0)
		return sysError(what + ": IP_PKTINFO");
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(ports.server);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	// No SO_REUSEADDR: a DHCP server already on the port keeps it.
	if (bind(fd.get(), reinterpret_cast<const sockaddr *>(&sa), sizeof sa) < 0)
		return sysError(what + ": bind");
	std::unique_ptr<DhcpResponder> r(new DhcpResponder(loop, ppp, std::move(clientOn), ports, std::move(fd)));
	DhcpResponder *self = r.get();
	L2S_TRY(loop.addFd(self->fd_.get(), EPOLLIN, [self](uint32_t) { self->onReadable(); }));
	logInfo(kDhcpLog, "answering DHCPINFORM on PPP links (UDP port {}): {} routes{}", self->port(),
	        ppp.routes.size(), ppp.domain.empty() ? "" : ", domain " + ppp.domain);
	return r;
}

DhcpResponder::DhcpResponder(EventLoop &loop, const PppConfig &ppp, ClientOn clientOn, DhcpPorts ports, UniqueFd fd)
    : loop_(loop), ppp_(ppp), clientOn_(std::move(clientOn)), ports_(ports), fd_(std::move(fd))
{
}

DhcpResponder::~DhcpResponder()
{
	if (fd_)
		loop_.removeFd(fd_.get());
}

uint16_t DhcpResponder::port() const
{
	sockaddr_in sa{};
	socklen_t len = sizeof sa;
	if (getsockname(fd_.get(), reinterpret_cast<sockaddr *>(&sa), &len) < 0)
		return 0;
	return ntohs(sa.sin_port);
}

void DhcpResponder::onReadable()
{
	std::array<uint8_t, kMaxDhcpDatagram> buf{};
	for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
		sockaddr_in from{};
		iovec iov{buf.data(), buf.size()};
		alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
		msghdr msg{};
		msg.msg_name = &from;
		msg.msg_namelen = sizeof from;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.data();
		msg.msg_controllen = control.size();
		ssize_t n = recvmsg(fd_.get(), &msg, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				logWarn(kDhcpLog, "recvmsg: {}", std::strerror(errno));
			return;
		}
		if ((msg.msg_flags & MSG_TRUNC) != 0) {
			ignore("a datagram over " + std::to_string(kMaxDhcpDatagram) + " octets");
			continue;
		}
		const in_pktinfo *info = nullptr;
		for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				info = reinterpret_cast<const in_pktinfo *>(CMSG_DATA(c));
		if (!info)
			continue;
		if (!withinRate()) {
			ignore("over " + std::to_string(kMaxPerSecond) + " requests a second");
			continue;
		}
		onDatagram(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), info->ipi_ifindex,
		           hostOrder(info->ipi_spec_dst));
	}
}

void DhcpResponder::onDatagram(std::span<const uint8_t> datagram, int ifindex, uint32_t localAddress)
{
	auto inform = dhcp::parseInform(datagram);
	if (!inform) {
		ignore("a datagram (" + inform.error().message + ")");
		return;
	}
	std::array<char, IF_NAMESIZE> name{};
	if (!if_indextoname(static_cast<unsigned>(ifindex), name.data())) {
		ignore("an interface that went away");
		return;
	}
	std::string_view interface(name.data());
	IpAddress ciaddr = IpAddress::v4(inform->ciaddr);
	std::optional<IpAddress> client = clientOn_(interface);
	if (!client || *client != ciaddr) {
		ignore("DHCPINFORM on " + std::string(interface) + " from ciaddr " + ciaddr.str() +
		       (client ? ", not the session's client " + client->str()
		               : ", not an established session's link"));
		return;
	}
	std::vector<uint8_t> ack =
	        dhcp::buildMessage(dhcp::buildInformAck(*inform, informSettings(ppp_, localAddress)));

	sockaddr_in to{};
	to.sin_family = AF_INET;
	to.sin_port = htons(ports_.client);
	to.sin_addr.s_addr = htonl(inform->ciaddr);
	iovec iov{ack.data(), ack.size()};
	alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
	msghdr msg{};
	msg.msg_name = &to;
	msg.msg_namelen = sizeof to;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.data();
	msg.msg_controllen = control.size();
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
	in_pktinfo out{};
	// Out of the interface it came in on, from our address there.
	out.ipi_ifindex = ifindex;
	out.ipi_spec_dst.s_addr = htonl(localAddress);
	std::memcpy(CMSG_DATA(c), &out, sizeof out);
	if (sendmsg(fd_.get(), &msg, 0) < 0) {
		logWarn(kDhcpLog, "DHCPACK to {} on {}: {}", ciaddr.str(), interface, std::strerror(errno));
		return;
	}
	++answered_;
	logInfo(kDhcpLog, "DHCPINFORM from {} on {}: answered ({} routes{})", ciaddr.str(), interface,
	        ppp_.routes.size(), ppp_.domain.empty() ? "" : ", domain " + ppp_.domain);
}

void DhcpResponder::ignore(const std::string &why)
{
	++ignored_;
	++ignoredSinceLog_;
	auto now = EventLoop::Clock::now();
	if (lastLog_ && now - *lastLog_ < kLogInterval)
		return;
	if (ignoredSinceLog_ == 1)
		logInfo(kDhcpLog, "ignored {}", why);
	else
		logInfo(kDhcpLog, "ignored {} requests since the last such line, the latest: {}", ignoredSinceLog_,
		        why);
	lastLog_ = now;
	ignoredSinceLog_ = 0;
}

bool DhcpResponder::withinRate()
{
	auto now = EventLoop::Clock::now();
	if (now - second_ >= std::chrono::seconds(1)) {
		second_ = now;
		inSecond_ = 0;
	}
	return ++inSecond_ <= kMaxPerSecond;
}

} // namespace l2tpsec
