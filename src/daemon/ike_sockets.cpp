#include "daemon/ike_sockets.h"

#include "common/log.h"
#include "daemon/udp_io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace l2tpsec {

namespace {

ike::Endpoint ikeEndpointOf(const sockaddr_in &sa)
{
	return ike::Endpoint{udp::addressOf(sa), udp::portOf(sa)};
}

const char *kindName(ike::IkeSocket kind)
{
	return kind == ike::IkeSocket::Ike ? "IKE" : "NAT-T";
}

} // namespace

IkeUdpSockets::IkeUdpSockets(EventLoop &loop, kernel::IpsecDataplane &dataplane, Receiver receiver)
    : loop_(loop), dataplane_(dataplane), receiver_(std::move(receiver)), buf_(udp::kMaxDatagram)
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
	// A listen address that is not up yet still binds, as for L2TP.
	L2S_TRY_ASSIGN(UniqueFd fd, udp::socket(what, udp::SocketOptions{.freebind = true, .pktinfo = true}));
	if (kind == ike::IkeSocket::NatT) {
		int type = UDP_ENCAP_ESPINUDP;
		if (::setsockopt(fd.get(), IPPROTO_UDP, UDP_ENCAP, &type, sizeof type) < 0)
			return sysError(what + ": UDP_ENCAP_ESPINUDP");
	}
	if (auto r = dataplane_.bypassSocket(fd.get()); !r)
		return Error{r.error().code, what + ": " + r.error().message};
	L2S_TRY(udp::bind(fd.get(), local.address, local.port,
	                  what + ": bind (ports below 1024 need CAP_NET_BIND_SERVICE; tests use --ike-port)"));
	size_t index = listeners_.size();
	L2S_TRY(loop_.addFd(fd.get(), EPOLLIN, [this, index](uint32_t) { read(index); }));
	listeners_.push_back(Listener{std::move(fd), kind, local});
	logInfo("ike", "listening on {} ({})", local.str(), kindName(kind));
	return {};
}

void IkeUdpSockets::read(size_t index)
{
	for (int i = 0; i < udp::kReadBudget; ++i) {
		const Listener &l = listeners_[index];
		auto r = udp::receive(l.fd.get(), buf_);
		if (!r)
			return; // drained; or an error (ICMP): nothing to do but wait
		ike::Endpoint local = l.bound;
		if (r->to)
			local.address = *r->to;
		receiver_(l.kind, local, ikeEndpointOf(r->from), std::span<const uint8_t>(buf_.data(), r->size));
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
	// A wildcard socket sends from the address the peer talked to.
	std::optional<IpAddress> source;
	if (chosen->bound.address.isUnspecified() && local.address.isV4() && !local.address.isUnspecified())
		source = local.address;
	return udp::sendTo(chosen->fd.get(), peer.address, peer.port, datagram, source, "IKE send to " + peer.str());
}

Result<IpAddress> IkeUdpSockets::sourceAddressFor(const IpAddress &peer)
{
	// connect() on a UDP socket sends nothing; it only picks the route.
	UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError("route to " + peer.str() + ": socket");
	sockaddr_in to = udp::toSockaddr(peer, 9);
	if (::connect(fd.get(), reinterpret_cast<const sockaddr *>(&to), sizeof to) < 0)
		return sysError("no route to " + peer.str());
	sockaddr_in local{};
	socklen_t len = sizeof local;
	if (::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&local), &len) < 0)
		return sysError("route to " + peer.str() + ": getsockname");
	return ikeEndpointOf(local).address;
}

} // namespace l2tpsec
