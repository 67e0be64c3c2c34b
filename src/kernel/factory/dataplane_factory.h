#pragma once
// The one place that chooses a dataplane: the kernel's (netlink) or the null
// one (--fake-dataplane, benchmarks). The services ask for a kind and get
// an interface; nothing past this point asks which one it has.

#include "kernel/dataplane_kind.h"
#include "kernel/ipsec_dataplane.h"
#include "kernel/l2tp_dataplane.h"
#include "kernel/xfrm/xfrm_events.h"

#include <memory>

namespace l2tpsec::kernel {

/// An IPsec dataplane, and the kernel's XFRM event subscription that goes
/// with it (null for the null dataplane, which never expires anything).
struct IpsecBackend {
	std::unique_ptr<IpsecDataplane> dataplane;
	std::unique_ptr<xfrm::EventSubscription> events;
};

/// Kernel: opens NETLINK_XFRM, removes the SAs and policies an earlier run
/// left (logged), and subscribes to XFRM events for `owned`.
Result<IpsecBackend> makeIpsecDataplane(DataplaneKind kind, OwnedReqids owned);

/// Kernel: opens the "l2tp" generic-netlink family and removes the tunnels
/// an earlier run left (logged).
Result<std::unique_ptr<L2tpDataplane>> makeL2tpDataplane(DataplaneKind kind, OwnedTunnelIds owned = {});

} // namespace l2tpsec::kernel
