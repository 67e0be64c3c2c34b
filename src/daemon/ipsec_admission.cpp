#include "daemon/ipsec_admission.h"

#include "daemon/ike_service.h"
#include "daemon/ike_views.h"

namespace l2tpsec {

IpsecFlows ikeFlows(IkeService *ike)
{
	if (!ike)
		return {};
	return IpsecFlows{
	        [ike](const Endpoint &peer) { return ike->protects(peer); },
	        [ike](const Endpoint &peer) { return ike->ikePeerOf(peer); },
	        [ike](const Endpoint &peer, bool isakmp) { return ike->sasOf(peer, isakmp); },
	        [ike](const ike::ChildSaInfo &child) { return ike->pairView(child); },
	};
}

IpsecAdmission::IpsecAdmission(IpsecRequirement requirement, IpsecFlows flows)
    : requirement_(requirement), flows_(std::move(flows))
{
}

bool IpsecAdmission::protects(const l2tp::Endpoint &peer) const
{
	return flows_.protects && flows_.protects(peer);
}

std::function<std::optional<std::string>(const l2tp::Endpoint &)>
IpsecAdmission::admitPeer(IpsecRequirement requirement) const
{
	if (requirement != IpsecRequirement::Required)
		return nullptr;
	// Only a peer whose L2TP flow an IPsec SA pair protects; the rest are
	// refused clearly rather than served in the clear.
	return [protects = flows_.protects](const l2tp::Endpoint &peer) -> std::optional<std::string> {
		if (protects && protects(peer))
			return std::nullopt;
		return "[l2tp] ipsec = \"required\" and no IPsec SA protects " + peer.str();
	};
}

IpAddress IpsecAdmission::blockingSource(const l2tp::Endpoint &peer) const
{
	if (on() && flows_.ikePeerOf)
		if (auto ike = flows_.ikePeerOf(peer))
			return *ike;
	return peer.address;
}

std::vector<l2tp::TunnelInfo> IpsecAdmission::tunnelsLosing(const ike::ChildSaInfo &child,
                                                            const std::vector<l2tp::TunnelInfo> &tunnels) const
{
	std::vector<l2tp::TunnelInfo> losing;
	if (!on())
		return losing;
	for (const l2tp::TunnelInfo &t : tunnels) {
		// "optional" admits clear L2TP at the LNS; our own LAC tunnels were
		// started over IPsec and go with it.
		if (t.lns && requirement_ != IpsecRequirement::Required)
			continue;
		if (t.state == l2tp::TunnelStateName::Closing || t.state == l2tp::TunnelStateName::Dead)
			continue; // already on its way out
		if (!childProtects(child, t.peer.address, t.peer.port, t.peer.mark) || protects(t.peer))
			continue;
		losing.push_back(t);
	}
	return losing;
}

std::optional<FlowSas> IpsecAdmission::sasOf(const l2tp::Endpoint &peer, bool isakmp) const
{
	if (!flows_.sasOf)
		return std::nullopt;
	return flows_.sasOf(peer, isakmp);
}

std::optional<control::IpsecSaView> IpsecAdmission::pairView(const ike::ChildSaInfo &child) const
{
	if (!flows_.pairView)
		return std::nullopt;
	return flows_.pairView(child);
}

} // namespace l2tpsec
