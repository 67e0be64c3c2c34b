// Phase-2 values as they go on the wire: the encapsulation modes (RFC 2407
// §4.5, RFC 3947 §5.2 and the drafts' numbers), SA lifetimes as attributes
// (RESPONDER-LIFETIME, RFC 2407 §4.6.3.1) and SPIs as bytes. The proposal
// matching that uses them is proposals.cpp.
#include "ike/proposals.h"

namespace l2tpsec::ike {

namespace {

constexpr uint16_t kLifeType = static_cast<uint16_t>(IpsecAttribute::SaLifeType);
constexpr uint16_t kLifeDuration = static_cast<uint16_t>(IpsecAttribute::SaLifeDuration);

} // namespace

EncapsulationMode encapsulationMode(kernel::IpsecMode mode, bool udpEncap, NatTMethod method)
{
	bool tunnel = mode == kernel::IpsecMode::Tunnel;
	if (!udpEncap)
		return tunnel ? EncapsulationMode::Tunnel : EncapsulationMode::Transport;
	if (method == NatTMethod::Draft)
		return tunnel ? EncapsulationMode::UdpTunnelDraft : EncapsulationMode::UdpTransportDraft;
	return tunnel ? EncapsulationMode::UdpTunnel : EncapsulationMode::UdpTransport;
}

EncapsulationMode transportMode(bool udpEncap, NatTMethod method)
{
	return encapsulationMode(kernel::IpsecMode::Transport, udpEncap, method);
}

kernel::IpsecMode ipsecMode(EncapsulationMode mode)
{
	switch (mode) {
	case EncapsulationMode::Tunnel:
	case EncapsulationMode::UdpTunnel:
	case EncapsulationMode::UdpTunnelDraft: return kernel::IpsecMode::Tunnel;
	case EncapsulationMode::Transport:
	case EncapsulationMode::UdpTransport:
	case EncapsulationMode::UdpTransportDraft: break;
	}
	return kernel::IpsecMode::Transport;
}

std::string encapsulationModeName(EncapsulationMode mode)
{
	switch (mode) {
	case EncapsulationMode::Tunnel: return "tunnel";
	case EncapsulationMode::Transport: return "transport";
	case EncapsulationMode::UdpTunnel: return "udp-tunnel";
	case EncapsulationMode::UdpTransport: return "udp-transport";
	case EncapsulationMode::UdpTunnelDraft: return "udp-tunnel-draft";
	case EncapsulationMode::UdpTransportDraft: return "udp-transport-draft";
	}
	return "mode" + std::to_string(static_cast<uint16_t>(mode));
}

std::vector<DataAttribute> lifetimeAttributes(std::chrono::seconds lifetime)
{
	return {DataAttribute::basic(kLifeType, uint16_t(LifeType::Seconds)),
	        DataAttribute::integer(kLifeDuration, uint64_t(lifetime.count()))};
}

std::optional<std::chrono::seconds> lifetimeSeconds(std::span<const DataAttribute> attrs)
{
	std::optional<uint64_t> type;
	for (const DataAttribute &a : attrs) {
		if (a.type == kLifeType)
			type = a.asInteger();
		else if (a.type == kLifeDuration && type == uint64_t(LifeType::Seconds)) {
			if (auto v = a.asInteger(); v && *v > 0 && *v < (uint64_t(1) << 40))
				return std::chrono::seconds(static_cast<int64_t>(*v));
		}
	}
	return std::nullopt;
}

std::vector<uint8_t> spiBytes(uint32_t spi)
{
	return {uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi)};
}

std::optional<uint32_t> spiValue(const std::vector<uint8_t> &spi)
{
	if (spi.size() != 4)
		return std::nullopt;
	return uint32_t(spi[0]) << 24 | uint32_t(spi[1]) << 16 | uint32_t(spi[2]) << 8 | spi[3];
}

} // namespace l2tpsec::ike
