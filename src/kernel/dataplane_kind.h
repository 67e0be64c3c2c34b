#pragma once
// Which dataplane a daemon runs on (kernel/factory/dataplane_factory.h makes it).

namespace l2tpsec::kernel {

enum class DataplaneKind {
	Kernel, ///< NETLINK_XFRM / generic netlink: the real thing (root)
	Null,   ///< NullIpsecDataplane / NullL2tpDataplane: counts, keeps nothing
};

} // namespace l2tpsec::kernel
