#pragma once
// IpsecAdmission: what [l2tp] ipsec means for L2TP peers, decided from what
// IKE says protects their flows. With "required" an LNS admits a new tunnel
// only while an IPsec SA pair protects the peer's L2TP flow; when a pair goes,
// the tunnels it protected and no other pair does are closed ("optional"
// keeps the LNS's, which it admitted in the clear anyway, and closes the
// LAC's, which were started over IPsec). Brute-force blocking knows a peer
// behind a NAT by the IKE peer's address.

#include "config/config.h"
#include "daemon/ike_views.h"
#include "ike/ike_context.h"
#include "l2tp/engine.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec {

class IkeService;

/// What admission asks IKE about L2TP from peer:port. Empty: no IKE.
struct IpsecFlows {
	/// Whether an IPsec SA pair up now covers it (with the peer's mark:
	/// clients behind one NAT are told apart by it).
	std::function<bool(const Endpoint &peer)> protects;
	/// The IKE peer of the SA pair that covers it (behind a NAT, the NAT's address).
	std::function<std::optional<IpAddress>(const Endpoint &peer)> ikePeerOf;
	/// The SAs that cover it (IkeService::sasOf).
	std::function<std::optional<FlowSas>(const Endpoint &peer, bool isakmp)> sasOf;
	/// An SA pair's view with the kernel's counters (IkeService::pairView).
	std::function<control::IpsecSaView(const ike::ChildSaInfo &child)> pairView;
};

/// IkeService's answers (it outlives whoever holds them); none without IKE.
IpsecFlows ikeFlows(IkeService *ike);

class IpsecAdmission {
public:
	IpsecAdmission(IpsecRequirement requirement, IpsecFlows flows);

	/// A reloaded [l2tp] ipsec.
	void setRequirement(IpsecRequirement requirement) { requirement_ = requirement; }
	/// IKE is there and [l2tp] ipsec is not "off".
	bool on() const { return flows_.protects && requirement_ != IpsecRequirement::Off; }
	/// Whether an IPsec SA pair protects L2TP from `peer` now (false without IKE).
	bool protects(const l2tp::Endpoint &peer) const;

	/// The engine's EngineConfig::admitPeer for `requirement`: with "required"
	/// the reason a tunnel from a peer no SA pair protects is refused; else
	/// none (every peer admitted). It holds no reference to this object.
	std::function<std::optional<std::string>(const l2tp::Endpoint &)> admitPeer(IpsecRequirement requirement) const;

	/// The address brute-force blocking knows an L2TP peer by: the IKE peer
	/// of the SA pair that protects its flow, else its own.
	IpAddress blockingSource(const l2tp::Endpoint &peer) const;

	/// The tunnels to close now that the SA pair `child` is gone: those it
	/// protected, still open, that no other pair protects (an LNS's only with
	/// "required"). None when IPsec is off.
	std::vector<l2tp::TunnelInfo> tunnelsLosing(const ike::ChildSaInfo &child,
	                                            const std::vector<l2tp::TunnelInfo> &tunnels) const;

	/// The SAs that protect L2TP from `peer`, whatever [l2tp] ipsec says
	/// (none without IKE); with its ISAKMP SA only if `isakmp`.
	std::optional<FlowSas> sasOf(const l2tp::Endpoint &peer, bool isakmp) const;
	/// The pair's view for `show`, its counters read from the kernel now.
	std::optional<control::IpsecSaView> pairView(const ike::ChildSaInfo &child) const;

private:
	IpsecRequirement requirement_;
	IpsecFlows flows_;
};

} // namespace l2tpsec
