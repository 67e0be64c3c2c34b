#pragma once
// The IPv4 UDP plumbing that the L2TP and IKE listeners share: address
// conversion, a non-blocking socket with the options both want, and a
// receive that also reports the address each datagram was sent to
// (IP_PKTINFO), so that an answer leaves from the address the peer used.

#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace l2tpsec::udp {

/// The largest UDP payload: the size of a receive buffer.
inline constexpr size_t kMaxDatagram = 65535;
/// Datagrams read per wakeup, so that a flood on one socket cannot starve
/// the event loop.
inline constexpr int kReadBudget = 64;

sockaddr_in toSockaddr(const IpAddress &address, uint16_t port);
IpAddress addressOf(const sockaddr_in &sa);
uint16_t portOf(const sockaddr_in &sa);

struct SocketOptions {
	/// SO_REUSEADDR: the L2TP port, which the listener shares with one
	/// connected socket per tunnel. Nothing else: a second daemon must fail
	/// to bind IKE's ports rather than take half of their datagrams.
	bool shareAddress = false;
	/// A listen address that is not up yet (the daemon started before the
	/// network) still binds; datagrams arrive once it is.
	bool freebind = false;
	/// recvmsg() reports each datagram's destination address.
	bool pktinfo = false;
	/// recvmsg() reports each datagram's mark (SO_RCVMARK, Linux 5.19):
	/// the L2TP sockets learn which IPsec SA pair a datagram came through
	/// (ike::ChildFlows marks clients behind one NAT). Best effort: an
	/// older kernel reports no mark, and shares no flow either.
	bool rcvmark = false;
};

/// A non-blocking IPv4 UDP socket with `options`, not yet
/// bound (callers may set more options first). Errors start with `what`.
Result<UniqueFd> socket(const std::string &what, SocketOptions options = {});
Result<void> bind(int fd, const IpAddress &address, uint16_t port, const std::string &what);

struct Received {
	size_t size = 0;
	sockaddr_in from{};
	/// Where it was sent to (with SocketOptions::pktinfo).
	std::optional<IpAddress> to;
	/// With SocketOptions::pktinfo: the interface it came in on, and our
	/// address an answer should leave from (ipi_spec_dst: for a broadcast,
	/// the interface's address towards the sender).
	int ifindex = 0;
	std::optional<IpAddress> local;
	/// With SocketOptions::rcvmark: the datagram's mark (0: none).
	uint32_t mark = 0;
};
/// One waiting datagram into `buf`; nullopt when none waits (EAGAIN) or the
/// socket reports an error (an ICMP error for an earlier send: nothing to do
/// but wait for the next datagram).
std::optional<Received> receive(int fd, std::span<uint8_t> buf);

/// Sends to address:port, from `source` when it is set (IP_PKTINFO: for a
/// socket bound to the wildcard address), and out of interface `ifindex`
/// when it is not 0.
Result<void> sendTo(int fd, const IpAddress &address, uint16_t port, std::span<const uint8_t> datagram,
                    const std::optional<IpAddress> &source, const std::string &what, int ifindex = 0);

} // namespace l2tpsec::udp
