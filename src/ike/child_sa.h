#pragma once
// The kernel state of one IPsec SA pair ("child SA") that Quick Mode
// negotiated, and the engine's table of protected flows.
//
// A pair is two transport-mode ESP SAs (inbound with our SPI, outbound with
// the peer's) and the two policies of its flow, local:1701 <-> peer:port
// UDP, all under one reqid from OwnedReqids. SAs that rekey a flow share the
// flow's reqid and policies, so old and new overlap without a gap; the last
// SA of a flow takes its policies with it.

#include "common/result.h"
#include "ike/ike_ports.h"
#include "kernel/ipsec_dataplane.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace l2tpsec::ike {

/// Our side's selector turned around: what the inbound policy and SA match.
kernel::Selector reversed(const kernel::Selector &s);

class ChildFlows {
public:
	explicit ChildFlows(kernel::OwnedReqids range) : range_(range), next_(range.first) {}

	/// The reqid of a flow for a new SA pair: the flow's own when this peer
	/// (IKE endpoint address) already has it, else a fresh one. Refused when
	/// another peer holds the same flow (two clients behind one NAT, both
	/// sending L2TP from port 1701): the kernel could not tell their
	/// traffic apart. Every acquire() needs a release().
	Result<uint32_t> acquire(const kernel::Selector &flow, const Endpoint &peer);
	/// Adds the flow's IN and OUT policies unless it has them.
	Result<void> addPolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow);
	/// One user less; the last one deletes the policies (if added) and frees the reqid.
	void release(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow);

	size_t size() const { return flows_.size(); }
	/// Who holds a flow (for log lines), if anyone.
	std::optional<Endpoint> holder(const kernel::Selector &flow) const;

private:
	using Key = std::tuple<IpAddress, IpAddress, uint8_t, uint8_t, uint8_t, uint16_t, uint16_t>;
	static Key key(const kernel::Selector &s);
	struct Entry {
		uint32_t reqid = 0;
		Endpoint peer;
		size_t users = 0;
		bool policies = false;
	};
	kernel::OwnedReqids range_;
	uint32_t next_;
	std::map<Key, Entry> flows_;
	std::set<uint32_t> reqids_;
};

/// What one SA pair needs in the kernel.
struct ChildSaSpec {
	Endpoint local, peer; ///< IKE endpoints: SA addresses, ESP-in-UDP ports
	bool udpEncap = false;
	std::optional<IpAddress> natOa; ///< the peer's original address (RFC 3947 §5.2)
	kernel::Selector flow;          ///< our side: local:1701 -> peer:port, UDP
	uint32_t reqid = 0;
	uint32_t inboundSpi = 0, outboundSpi = 0;
	kernel::EspKeys inboundKeys, outboundKeys;
	kernel::SaLifetime lifetime;
};

class ChildSa {
public:
	/// Installs the inbound SA (completing the allocSpi()), the outbound SA
	/// and the flow's policies. On a failure, whatever this call added is
	/// deleted again, the inbound SA included (larval or not), and the first
	/// error comes back. The flow stays acquired either way. The keys are
	/// wiped from the spec once in the kernel.
	static Result<ChildSa> install(kernel::IpsecDataplane &dataplane, ChildFlows &flows, ChildSaSpec spec);

	/// Deletes both SAs and releases the flow. A failure is logged: an SA the
	/// kernel expired is already gone.
	void remove(kernel::IpsecDataplane &dataplane, ChildFlows &flows);

	const ChildSaSpec &spec() const { return spec_; }
	kernel::SaId inboundId() const;
	kernel::SaId outboundId() const;

private:
	explicit ChildSa(ChildSaSpec spec) : spec_(std::move(spec)) {}
	ChildSaSpec spec_;
};

/// Deletes an inbound SA that allocSpi() reserved for a Quick Mode that did
/// not finish (best effort, logged).
void releaseSpi(kernel::IpsecDataplane &dataplane, const Endpoint &local, const Endpoint &peer, uint32_t spi);

} // namespace l2tpsec::ike
