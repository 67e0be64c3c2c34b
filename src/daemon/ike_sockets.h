#pragma once
// The IKE engine's sockets on the real network: for each [server] listen
// address (or one wildcard) a UDP socket on the IKE port (500) and one on the
// NAT-T port (4500). Each learns a datagram's destination with IP_PKTINFO
// and sends from the address the engine names, so that a multi-homed server
// answers from the address the client talked to.
//
// The NAT-T socket carries UDP_ENCAP_ESPINUDP: the kernel decapsulates
// ESP-in-UDP itself (RFC 3948) and hands up only IKE (non-ESP marker) and
// NAT keepalives. Both sockets bypass IPsec policy, so that IKE is never
// caught by the policies it negotiates.

#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "ike/ike_ports.h"
#include "kernel/ipsec_dataplane.h"

#include <functional>
#include <span>
#include <vector>

namespace l2tpsec {

class IkeUdpSockets final : public ike::IkeSockets {
public:
	/// A datagram arrived on `socket`: where it arrived (address and port)
	/// and who sent it.
	using Receiver = std::function<void(ike::IkeSocket socket, const ike::Endpoint &local,
	                                    const ike::Endpoint &from, std::span<const uint8_t> datagram)>;

	IkeUdpSockets(EventLoop &loop, kernel::IpsecDataplane &dataplane, Receiver receiver);
	~IkeUdpSockets() override;
	IkeUdpSockets(const IkeUdpSockets &) = delete;
	IkeUdpSockets &operator=(const IkeUdpSockets &) = delete;

	/// Binds the IKE and the NAT-T socket on address (0.0.0.0 for every IPv4 address).
	Result<void> listen(const IpAddress &address, uint16_t ikePort, uint16_t natTPort);

	Result<void> send(ike::IkeSocket socket, const ike::Endpoint &local, const ike::Endpoint &peer,
	                  std::span<const uint8_t> datagram) override;

	/// The address the kernel's routing would send from to reach peer: the
	/// local address of a LAC with no [server] listen address.
	static Result<IpAddress> sourceAddressFor(const IpAddress &peer);

private:
	struct Listener {
		UniqueFd fd;
		ike::IkeSocket kind = ike::IkeSocket::Ike;
		ike::Endpoint bound; ///< the port, and the address unless a wildcard
	};
	Result<void> bind(const ike::Endpoint &local, ike::IkeSocket kind);
	void read(size_t index);

	EventLoop &loop_;
	kernel::IpsecDataplane &dataplane_;
	Receiver receiver_;
	std::vector<Listener> listeners_;
	std::vector<uint8_t> buf_;
};

} // namespace l2tpsec
