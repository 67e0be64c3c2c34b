#include "kernel/xfrm/xfrm_events.h"

#include "common/log.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <sys/socket.h>

#include <cerrno>

namespace l2tpsec::kernel::xfrm {

namespace {

constexpr size_t kEventReceiveBytes = 64 * 1024;
// A burst of expiries (thousands of SAs added together expire together)
// must not overflow the socket; the kernel may grant less.
constexpr int kSocketBuffer = 4 * 1024 * 1024;

} // namespace

Result<EventSubscription> EventSubscription::open(OwnedReqids owned)
{
	UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_XFRM));
	if (!fd)
		return sysError("NETLINK_XFRM event socket");
	sockaddr_nl addr{};
	addr.nl_family = AF_NETLINK;
	// Legacy group bitmask: group n is bit n-1.
	addr.nl_groups =
	        (1u << (XFRMNLGRP_EXPIRE - 1)) | (1u << (XFRMNLGRP_ACQUIRE - 1)) | (1u << (XFRMNLGRP_MAPPING - 1));
	if (bind(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0)
		return sysError("join XFRM expire/acquire/mapping groups");
	int size = kSocketBuffer;
	if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)); // unprivileged: best effort
	EventSubscription s(std::move(fd), owned);
	s.rx_.resize(kEventReceiveBytes / sizeof(uint64_t));
	return s;
}

Result<std::vector<Event>> EventSubscription::readPending()
{
	std::vector<Event> out;
	for (;;) {
		sockaddr_nl from{};
		socklen_t fromLen = sizeof(from);
		ssize_t n = recvfrom(fd_.get(), rx_.data(), rx_.size() * sizeof(uint64_t), MSG_DONTWAIT,
		                     reinterpret_cast<sockaddr *>(&from), &fromLen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return out;
			if (errno == ENOBUFS) {
				out.push_back(Event{.kind = EventKind::Overflow});
				continue;
			}
			return sysError("read XFRM events");
		}
		// Only the kernel (port 0) speaks for XFRM.
		if (from.nl_pid != 0)
			continue;
		auto msgs = splitMessages({reinterpret_cast<const uint8_t *>(rx_.data()), size_t(n)});
		if (!msgs) {
			logWarn("xfrm", "dropping an event datagram: {}", msgs.error().message);
			continue;
		}
		for (const NlMessage &m : *msgs) {
			if (m.type != XFRM_MSG_EXPIRE && m.type != XFRM_MSG_ACQUIRE && m.type != XFRM_MSG_MAPPING)
				continue;
			auto ev = parseEvent(m.bytes);
			if (!ev) {
				logWarn("xfrm", "dropping an event: {}", ev.error().message);
				continue;
			}
			if (owned_.contains(ev->reqid))
				out.push_back(*ev);
		}
	}
}

std::string describeEvent(const Event &e)
{
	switch (e.kind) {
	case EventKind::Expire:
		return fmt::format("expire {} {} reqid 0x{:08x}", e.hard ? "hard" : "soft", describeSa(e.sa), e.reqid);
	case EventKind::Acquire:
		return fmt::format("acquire {} {} policy {} reqid 0x{:08x}", directionName(e.direction),
		                   describeSelector(e.selector), e.policyIndex, e.reqid);
	case EventKind::Mapping:
		return fmt::format("mapping {} reqid 0x{:08x} peer {}:{} -> {}:{}", describeSa(e.sa), e.reqid,
		                   e.sa.src.str(), e.oldPort, e.newAddress.str(), e.newPort);
	case EventKind::Overflow: return "overflow: events were lost";
	}
	return "?";
}

} // namespace l2tpsec::kernel::xfrm
