#include "kernel/factory/dataplane_factory.h"

#include "common/log.h"
#include "kernel/l2tp/l2tp_netlink.h"
#include "kernel/null_ipsec_dataplane.h"
#include "kernel/null_l2tp_dataplane.h"
#include "kernel/xfrm/netlink_ipsec_dataplane.h"

namespace l2tpsec::kernel {

Result<IpsecBackend> makeIpsecDataplane(DataplaneKind kind, OwnedReqids owned)
{
	if (kind == DataplaneKind::Null)
		return IpsecBackend{std::make_unique<NullIpsecDataplane>(owned), nullptr};
	auto dp = NetlinkIpsecDataplane::create(owned);
	if (!dp)
		return Error{dp.error().code, "kernel IPsec (XFRM): " + dp.error().message};
	// SAs and policies an earlier run left protect nothing now.
	if (auto n = (*dp)->flush(); !n)
		logWarn("ike", "clearing earlier IPsec state: {}", n.error().message);
	else if (n->sas + n->policies > 0)
		logWarn("ike", "removed {} IPsec SA(s) and {} policy(ies) an earlier run left in the kernel", n->sas,
		        n->policies);
	auto events = xfrm::EventSubscription::open(owned);
	if (!events)
		return Error{events.error().code, "XFRM events: " + events.error().message};
	return IpsecBackend{std::move(*dp), std::make_unique<xfrm::EventSubscription>(std::move(*events))};
}

Result<std::unique_ptr<L2tpDataplane>> makeL2tpDataplane(DataplaneKind kind, OwnedTunnelIds owned)
{
	if (kind == DataplaneKind::Null)
		return std::unique_ptr<L2tpDataplane>(std::make_unique<NullL2tpDataplane>());
	auto dp = NetlinkL2tpDataplane::open(owned);
	if (!dp)
		return Error{dp.error().code, "kernel L2TP: " + dp.error().message};
	// Whatever an earlier run left in the kernel goes first.
	if (auto n = (*dp)->flush(); !n)
		logWarn("l2tp", "clearing earlier tunnels: {}", n.error().message);
	else if (n.value() > 0)
		logWarn("l2tp", "removed {} tunnel(s) an earlier run left in the kernel", n.value());
	return std::unique_ptr<L2tpDataplane>(std::move(*dp));
}

} // namespace l2tpsec::kernel
