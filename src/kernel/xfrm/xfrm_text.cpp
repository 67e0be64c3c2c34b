// Human-readable names for XFRM objects: error contexts, logs and the
// fake's call records all use these, so a test can compare whole strings.

#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

namespace l2tpsec::kernel::xfrm {

std::string msgTypeName(uint16_t type)
{
	switch (type) {
	case NLMSG_NOOP: return "NLMSG_NOOP";
	case NLMSG_ERROR: return "NLMSG_ERROR";
	case NLMSG_DONE: return "NLMSG_DONE";
	case NLMSG_OVERRUN: return "NLMSG_OVERRUN";
	case XFRM_MSG_NEWSA: return "XFRM_MSG_NEWSA";
	case XFRM_MSG_DELSA: return "XFRM_MSG_DELSA";
	case XFRM_MSG_GETSA: return "XFRM_MSG_GETSA";
	case XFRM_MSG_NEWPOLICY: return "XFRM_MSG_NEWPOLICY";
	case XFRM_MSG_DELPOLICY: return "XFRM_MSG_DELPOLICY";
	case XFRM_MSG_GETPOLICY: return "XFRM_MSG_GETPOLICY";
	case XFRM_MSG_ALLOCSPI: return "XFRM_MSG_ALLOCSPI";
	case XFRM_MSG_ACQUIRE: return "XFRM_MSG_ACQUIRE";
	case XFRM_MSG_EXPIRE: return "XFRM_MSG_EXPIRE";
	case XFRM_MSG_UPDPOLICY: return "XFRM_MSG_UPDPOLICY";
	case XFRM_MSG_UPDSA: return "XFRM_MSG_UPDSA";
	case XFRM_MSG_POLEXPIRE: return "XFRM_MSG_POLEXPIRE";
	case XFRM_MSG_FLUSHSA: return "XFRM_MSG_FLUSHSA";
	case XFRM_MSG_FLUSHPOLICY: return "XFRM_MSG_FLUSHPOLICY";
	case XFRM_MSG_MAPPING: return "XFRM_MSG_MAPPING";
	default: break; // the kernel's numbering, not our enum
	}
	return fmt::format("XFRM_MSG_0x{:x}", type);
}

std::string describeSa(const SaId &id)
{
	std::string s = fmt::format("spi 0x{:08x} {}->{}", id.spi, id.src.str(), id.dst.str());
	if (id.mark || id.markMask)
		s += fmt::format(" mark 0x{:x}/0x{:x}", id.mark, id.markMask);
	return s;
}

namespace {

std::string protocolName(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP: return "udp";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "ipv6-icmp";
	case IPPROTO_ESP: return "esp";
	default: break;
	}
	return fmt::format("proto {}", proto);
}

std::string portText(uint16_t port)
{
	return port ? std::to_string(port) : std::string("any");
}

} // namespace

std::string describeSelector(const Selector &sel)
{
	std::string s = fmt::format("{}/{}->{}/{}", sel.src.str(), sel.srcPrefix, sel.dst.str(), sel.dstPrefix);
	if (sel.protocol)
		s += " " + protocolName(sel.protocol);
	if (sel.srcPort || sel.dstPort)
		s += fmt::format(" {}->{}", portText(sel.srcPort), portText(sel.dstPort));
	return s;
}

std::string_view directionName(PolicyDirection dir)
{
	switch (dir) {
	case PolicyDirection::In: return "in";
	case PolicyDirection::Out: return "out";
	case PolicyDirection::Fwd: return "fwd";
	}
	return "?";
}

std::string describePolicy(const PolicyId &id)
{
	std::string s = fmt::format("{} {}", directionName(id.direction), describeSelector(id.selector));
	if (id.mark || id.markMask)
		s += fmt::format(" mark 0x{:x}/0x{:x}", id.mark, id.markMask);
	return s;
}

} // namespace l2tpsec::kernel::xfrm
