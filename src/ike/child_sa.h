#pragma once
// The kernel state of one IPsec SA pair ("child SA") that Quick Mode
// negotiated, and the engine's table of protected flows.
//
// A pair is two ESP SAs (inbound with our SPI, outbound with the peer's) and
// the two policies of its flow, local:1701 <-> peer:port UDP, all under one
// reqid from OwnedReqids. SAs that rekey a flow share the flow's reqid and
// policies, so old and new overlap without a gap; the last SA of a flow
// takes its policies with it. Transport mode, or tunnel mode (RFC 2401
// §4.1) between the IKE endpoints for peers that ask for it: the inner
// flow is the same L2TP flow, the policies' templates carry the outer
// addresses.

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

/// How a flow's policies send it: transport mode, or tunnel mode between
/// two outer addresses (the IKE endpoints; unset in transport mode).
struct FlowTemplate {
	kernel::IpsecMode mode = kernel::IpsecMode::Transport;
	IpAddress outerLocal, outerPeer;
	friend bool operator==(const FlowTemplate &, const FlowTemplate &) = default;
};
/// The template of a flow protected in `mode` between two IKE endpoints.
FlowTemplate flowTemplate(kernel::IpsecMode mode, const Endpoint &local, const Endpoint &peer);

class ChildFlows {
public:
	explicit ChildFlows(kernel::OwnedReqids range) : range_(range), next_(range.first) {}

	/// The reqid of a flow for a new SA pair: the flow's own when this peer
	/// (IKE endpoint address) already has it, else a fresh one. Refused when
	/// another peer holds the same flow (two clients behind one NAT, both
	/// sending L2TP from port 1701): the kernel could not tell their
	/// traffic apart. Also refused when the peer asks for the flow in
	/// another mode than its SAs have: one flow has one pair of policies.
	/// Every acquire() needs a release().
	Result<uint32_t> acquire(const kernel::Selector &flow, const Endpoint &peer, const FlowTemplate &tmpl = {});
	/// Adds the flow's IN and OUT policies (with the template acquire() was
	/// given) unless it has them.
	Result<void> addPolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow);
	/// One user less; the last one deletes the policies (if added) and frees the reqid.
	void release(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow);

	/// The flow's holder moved (its NAT gave it another port): a rekey from
	/// the new endpoint is the same peer's.
	void moveHolder(const kernel::Selector &flow, const Endpoint &peer);

	size_t size() const { return flows_.size(); }
	/// Who holds a flow (for log lines), if anyone.
	std::optional<Endpoint> holder(const kernel::Selector &flow) const;

private:
	using Key = std::tuple<IpAddress, IpAddress, uint8_t, uint8_t, uint8_t, uint16_t, uint16_t>;
	static Key key(const kernel::Selector &s);
	struct Entry {
		uint32_t reqid = 0;
		Endpoint peer;
		FlowTemplate tmpl;
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
	Endpoint local, peer; ///< IKE endpoints: SA addresses (tunnel mode: outer), ESP-in-UDP ports
	kernel::IpsecMode mode = kernel::IpsecMode::Transport;
	bool udpEncap = false;
	std::optional<IpAddress> natOa; ///< the peer's original address (RFC 3947 §5.2), transport mode
	kernel::Selector flow;          ///< our side: local:1701 -> peer:port, UDP (tunnel mode: the inner flow)
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
	/// wiped (zeroed, their length kept) from the spec once in the kernel.
	static Result<ChildSa> install(kernel::IpsecDataplane &dataplane, ChildFlows &flows, ChildSaSpec spec);

	/// Deletes both SAs and releases the flow. A failure is logged: an SA the
	/// kernel expired is already gone.
	void remove(kernel::IpsecDataplane &dataplane, ChildFlows &flows);

	/// The peer's NAT gave it another outside port (same address): the
	/// ESP-in-UDP ports follow, outbound SA's destination and inbound SA's
	/// source (XFRM_MSG_UPDSA, keys and the rest unchanged in the kernel).
	/// Returns how many of the two SAs the kernel updated (0 without ESP in
	/// UDP); a failure is logged as a warning naming the peer and the SPI.
	size_t followPeer(kernel::IpsecDataplane &dataplane, const Endpoint &peer);

	const ChildSaSpec &spec() const { return spec_; }
	kernel::SaId inboundId() const;
	kernel::SaId outboundId() const;

private:
	/// One SA of the pair as install() adds it (after it, with the wiped keys).
	kernel::SaParams saParams(bool inbound) const;
	explicit ChildSa(ChildSaSpec spec) : spec_(std::move(spec)) {}
	ChildSaSpec spec_;
};

/// Deletes an inbound SA that allocSpi() reserved for a Quick Mode that did
/// not finish (best effort, logged).
void releaseSpi(kernel::IpsecDataplane &dataplane, const Endpoint &local, const Endpoint &peer, uint32_t spi);

} // namespace l2tpsec::ike
