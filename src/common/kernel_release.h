#pragma once
// What the running kernel can do that its uapi does not announce: features
// known by the release they came with.

#include <string>
#include <string_view>

namespace l2tpsec {

/// Whether a release string ("6.12.9+bpo-amd64", "6.1.0-27-amd64") is at
/// least major.minor; false when it does not start with two numbers.
bool releaseAtLeast(std::string_view release, int major, int minor);

/// uname's release of the running kernel ("" if uname fails).
std::string runningKernelRelease();

/// Since Linux 6.10 the kernel's L2TP finds a data packet's session by its
/// tunnel and session ids, whatever socket received it (net/l2tp/l2tp_core.c,
/// l2tp_udp_encap_recv()). Before, it looked only in the tunnel of the socket
/// the packet arrived on, and several tunnels on one address and port pair
/// (clients behind one NAT, all sending from port 1701) lost each other's
/// packets.
bool l2tpTunnelsMayShareAddressPort(std::string_view release);

} // namespace l2tpsec
