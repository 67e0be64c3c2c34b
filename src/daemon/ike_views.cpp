#include "daemon/ike_views.h"

#include <fmt/format.h>

namespace l2tpsec {

namespace {

int64_t secondsBetween(ike::TimePoint from, ike::TimePoint to)
{
	return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::string flowText(const kernel::Selector &s)
{
	auto end = [](const IpAddress &a, uint16_t port) {
		return a.str() + ":" + (port ? std::to_string(port) : std::string("any"));
	};
	return end(s.src, s.srcPort) + " <-> " + end(s.dst, s.dstPort) + (s.protocol == 17 ? " udp" : "");
}

} // namespace

std::optional<FlowSas> flowSasOf(const ike::IkeEngine &engine, const Endpoint &peer, bool isakmp)
{
	auto child = engine.childSaCovering(peer.address, peer.port, peer.mark);
	if (!child)
		return std::nullopt;
	FlowSas found{*child, std::nullopt};
	if (isakmp)
		found.isakmp = engine.ikeSa(child->ikeSaId);
	return found;
}

bool childProtects(const ike::ChildSaInfo &child, const IpAddress &peer, uint16_t peerPort, uint32_t mark)
{
	if (child.mark != mark)
		return false; // another client behind the same NAT
	bool address = child.flow.dst == peer || child.peer.address == peer ||
	               (child.flow.dstPrefix == 0 && child.flow.dst.isUnspecified());
	bool port = child.flow.dstPort == 0 || peerPort == 0 || child.flow.dstPort == peerPort;
	return address && port;
}

std::string spiText(uint32_t spi)
{
	return fmt::format("0x{:08x}", spi);
}

control::IsakmpSaView ikeSaView(const ike::IkeSaInfo &sa, ike::TimePoint now)
{
	control::IsakmpSaView v;
	v.id = sa.id;
	v.role = sa.initiator ? "initiator" : "responder";
	v.state = sa.established ? "established" : "connecting";
	v.local = sa.local.str();
	v.peer = sa.peer.str();
	v.peerId = sa.peerId;
	v.natLocal = sa.natLocal;
	v.natPeer = sa.natPeer;
	v.suite = sa.suite;
	v.exchange = sa.aggressive ? "aggressive" : "main";
	v.dpd = sa.dpd;
	v.vendorIds = sa.peerVendorIds;
	v.lifetimeSeconds = sa.lifetime.count();
	v.ageSeconds = secondsBetween(sa.created, now);
	if (sa.established)
		v.expiresInSeconds = sa.lifetime.count() - secondsBetween(sa.establishedAt, now);
	return v;
}

control::IpsecSaView childSaView(const ike::ChildSaInfo &c, ike::TimePoint now,
                                 const std::optional<kernel::SaState> &inbound,
                                 const std::optional<kernel::SaState> &outbound)
{
	control::IpsecSaView v;
	v.isakmp = c.ikeSaId;
	v.local = c.local.str();
	v.peer = c.peer.str();
	v.inSpi = spiText(c.inboundSpi);
	v.outSpi = spiText(c.outboundSpi);
	v.reqid = c.reqid;
	v.suite = c.suite;
	v.mode = kernel::modeName(c.mode);
	v.natT = c.natT;
	v.flow = flowText(c.flow);
	if (c.natOa)
		v.natOa = c.natOa->str();
	v.lifetimeSeconds = c.lifetime.count();
	v.expiresInSeconds = c.lifetime.count() - secondsBetween(c.established, now);
	// Only the kernel counts ESP traffic: null when it could not say.
	if (inbound) {
		v.inBytes = inbound->bytes;
		v.inPackets = inbound->packets;
	}
	if (outbound) {
		v.outBytes = outbound->bytes;
		v.outPackets = outbound->packets;
	}
	return v;
}

} // namespace l2tpsec
