#include "daemon/ike_views.h"

#include <fmt/format.h>

namespace l2tpsec {

using nlohmann::json;

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

bool childProtects(const ike::ChildSaInfo &child, const IpAddress &peer, uint16_t peerPort)
{
	bool address = child.flow.dst == peer || child.peer.address == peer ||
	               (child.flow.dstPrefix == 0 && child.flow.dst.isUnspecified());
	bool port = child.flow.dstPort == 0 || peerPort == 0 || child.flow.dstPort == peerPort;
	return address && port;
}

std::string spiText(uint32_t spi)
{
	return fmt::format("0x{:08x}", spi);
}

json ikeSaJson(const ike::IkeSaInfo &sa, ike::TimePoint now)
{
	json j{{"id", sa.id},
	       {"role", sa.initiator ? "initiator" : "responder"},
	       {"state", sa.established ? "established" : "connecting"},
	       {"local", sa.local.str()},
	       {"peer", sa.peer.str()},
	       {"peer_id", sa.peerId},
	       {"nat_local", sa.natLocal},
	       {"nat_peer", sa.natPeer},
	       {"suite", sa.suite},
	       {"exchange", sa.aggressive ? "aggressive" : "main"},
	       {"dpd", sa.dpd},
	       {"vendor_ids", sa.peerVendorIds},
	       {"lifetime_seconds", sa.lifetime.count()},
	       {"age_seconds", secondsBetween(sa.created, now)}};
	if (sa.established)
		j["expires_in_seconds"] = sa.lifetime.count() - secondsBetween(sa.establishedAt, now);
	return j;
}

json childSaJson(const ike::ChildSaInfo &c, ike::TimePoint now, const std::optional<kernel::SaState> &inbound,
                 const std::optional<kernel::SaState> &outbound)
{
	json j{{"isakmp", c.ikeSaId},
	       {"local", c.local.str()},
	       {"peer", c.peer.str()},
	       {"in_spi", spiText(c.inboundSpi)},
	       {"out_spi", spiText(c.outboundSpi)},
	       {"reqid", c.reqid},
	       {"suite", c.suite},
	       {"mode", kernel::modeName(c.mode)},
	       {"nat_t", c.natT},
	       {"flow", flowText(c.flow)},
	       {"nat_oa", c.natOa ? json(c.natOa->str()) : json(nullptr)},
	       {"lifetime_seconds", c.lifetime.count()},
	       {"expires_in_seconds", c.lifetime.count() - secondsBetween(c.established, now)}};
	// Only the kernel counts ESP traffic: null when it could not say.
	j["in_bytes"] = inbound ? json(inbound->bytes) : json(nullptr);
	j["in_packets"] = inbound ? json(inbound->packets) : json(nullptr);
	j["out_bytes"] = outbound ? json(outbound->bytes) : json(nullptr);
	j["out_packets"] = outbound ? json(outbound->packets) : json(nullptr);
	return j;
}

} // namespace l2tpsec
