#include "daemon/dhcp_responder.h"

#include "common/log.h"
#include "daemon/udp_io.h"

#include <fmt/format.h>

#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

namespace l2tpsec {

namespace {

constexpr std::string_view kDhcpLog = "dhcp";

} // namespace

std::optional<DhcpClient> lnsClientOn(const control::SessionsView &sessions, std::string_view interface)
{
	for (const control::SessionView &s : sessions.sessions)
		if (s.role == "lns" && s.state == "established" && s.interface && *s.interface == interface &&
		    s.address) {
			auto address = IpAddress::parse(*s.address);
			if (!address)
				return std::nullopt;
			return DhcpClient{*address, s.user, s.tunnel, s.session, {}};
		}
	return std::nullopt;
}

dhcp::InformSettings informSettings(const PppConfig &ppp, uint32_t serverId, const DhcpClient &client)
{
	dhcp::InformSettings s;
	s.serverId = serverId;
	auto add = [&](const IpPrefix &p) {
		if (!p.address.isV4())
			return;
		// On a point-to-point link the server's end is the next hop.
		dhcp::ClasslessRoute r{p.address.v4HostOrder(), p.length, serverId};
		if (std::find(s.routes.begin(), s.routes.end(), r) == s.routes.end())
			s.routes.push_back(r);
	};
	std::for_each(ppp.routes.begin(), ppp.routes.end(), add);
	if (auto user = ppp.userRoutes.find(client.user); !client.user.empty() && user != ppp.userRoutes.end())
		std::for_each(user->second.begin(), user->second.end(), add);
	std::for_each(client.radiusRoutes.begin(), client.radiusRoutes.end(), add);
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
	// No SO_REUSEADDR: a DHCP server already on the port keeps it.
	L2S_TRY_ASSIGN(UniqueFd fd, udp::socket(what, udp::SocketOptions{.pktinfo = true}));
	L2S_TRY(udp::bind(fd.get(), IpAddress::v4(INADDR_ANY), ports.server, what + ": bind"));
	std::unique_ptr<DhcpResponder> r(new DhcpResponder(loop, ppp, std::move(clientOn), ports, std::move(fd)));
	DhcpResponder *self = r.get();
	L2S_TRY(loop.addFd(self->fd_.get(), EPOLLIN, [self](uint32_t) { self->onReadable(); }));
	logInfo(kDhcpLog, "answering DHCPINFORM on PPP links (UDP port {}): {} routes{}{}", self->port(),
	        ppp.routes.size(), ppp.domain.empty() ? "" : ", domain " + ppp.domain,
	        ppp.userRoutes.empty() ? "" : fmt::format(", user routes for {} users", ppp.userRoutes.size()));
	return r;
}

DhcpResponder::DhcpResponder(EventLoop &loop, const PppConfig &ppp, ClientOn clientOn, DhcpPorts ports, UniqueFd fd)
    : loop_(loop), ppp_(ppp), clientOn_(std::move(clientOn)), ports_(ports), fd_(std::move(fd)), buf_(udp::kMaxDatagram)
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
	return udp::portOf(sa);
}

void DhcpResponder::onReadable()
{
	for (int i = 0; i < udp::kReadBudget; ++i) {
		auto r = udp::receive(fd_.get(), buf_);
		if (!r)
			return;
		if (!r->local || r->ifindex == 0)
			continue;
		if (!withinRate()) {
			ignore("over " + std::to_string(kMaxPerSecond) + " requests a second");
			continue;
		}
		onDatagram(std::span<const uint8_t>(buf_.data(), r->size), r->ifindex, *r->local);
	}
}

void DhcpResponder::onDatagram(std::span<const uint8_t> datagram, int ifindex, const IpAddress &local)
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
	std::optional<DhcpClient> client = clientOn_(interface);
	if (!client || client->address != ciaddr) {
		ignore("DHCPINFORM on " + std::string(interface) + " from ciaddr " + ciaddr.str() +
		       (client ? ", not the session's client " + client->address.str()
		               : ", not an established session's link"));
		return;
	}
	dhcp::InformSettings settings = informSettings(ppp_, local.v4HostOrder(), *client);
	std::vector<uint8_t> ack = dhcp::buildMessage(dhcp::buildInformAck(*inform, settings));
	// Out of the interface it came in on, from our address there.
	std::string what = "DHCPACK to " + ciaddr.str() + " on " + std::string(interface);
	if (auto sent = udp::sendTo(fd_.get(), ciaddr, ports_.client, ack, local, what, ifindex); !sent) {
		logWarn(kDhcpLog, "{}", sent.error().message);
		return;
	}
	++answered_;
	logInfo(kDhcpLog, "DHCPINFORM from {} on {}: answered ({} routes{}{})", ciaddr.str(), interface,
	        settings.routes.size(), settings.domain.empty() ? "" : ", domain " + settings.domain,
	        client->user.empty() ? "" : ", user " + client->user);
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
