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
#include <vector>

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

/// Our policies' priority (lower wins). Not 0: a second client behind the
/// same NAT gets a pair that must win over the flow's first one for its
/// own packets, and an admin's priority-0 policy can still override ours.
inline constexpr uint32_t kFlowPolicyPriority = 1000;
/// A marked pair's (see ChildFlows): ahead of the flow's unmarked pair.
inline constexpr uint32_t kMarkedFlowPolicyPriority = kFlowPolicyPriority - 1;

/// What acquire() gives an SA pair: its reqid, and a mark when it shares
/// its flow with another client behind the same NAT (0: none).
struct FlowGrant {
	uint32_t reqid = 0;
	uint32_t mark = 0;
};

class ChildFlows {
public:
	/// shareNat: the kernel keeps several L2TP tunnels on one address and
	/// port pair apart (Linux 6.10 and later), so clients behind one NAT may
	/// share a flow, each under its own mark.
	explicit ChildFlows(kernel::OwnedReqids range, bool shareNat = false)
	    : range_(range), next_(range.first), shareNat_(shareNat)
	{
	}

	/// The reqid (and mark) of a flow for a new SA pair: the peer's own when
	/// this peer (IKE endpoint) already holds the flow, else a fresh one.
	/// The first holder of a flow is unmarked. Another client behind the
	/// same NAT address (all of them send L2TP from port 1701, so their
	/// flows are one selector) gets a reqid of its own and that reqid as
	/// its mark: its inbound SA marks what it decrypts, its tunnel socket
	/// marks what it sends, and its policies match only that mark, ahead of
	/// the unmarked pair (kMarkedFlowPolicyPriority). Refused when the
	/// kernel cannot keep such clients apart (!shareNat), when another
	/// address holds the flow, or when the peer asks for the flow in another
	/// mode than its SAs have. Every acquire() needs a release().
	Result<FlowGrant> acquire(const kernel::Selector &flow, const Endpoint &peer, const FlowTemplate &tmpl = {});
	/// Adds the IN and OUT policies of the flow's holder with this mark
	/// (with the template acquire() was given) unless it has them.
	Result<void> addPolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow, uint32_t mark = 0);
	/// One user less. A marked holder's last one deletes its policies and
	/// frees its reqid; the flow's unmarked policies stay while any holder
	/// is left (without an SA of their reqid they keep unmarked cleartext
	/// L2TP out of the flow), and go with the last one.
	void release(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow, uint32_t mark = 0);

	/// The flow's holder `was` moved (its NAT gave it another port): a rekey
	/// from the new endpoint is the same peer's.
	void moveHolder(const kernel::Selector &flow, const Endpoint &was, const Endpoint &to);

	size_t size() const { return flows_.size(); }
	/// Who holds a flow unmarked (for log lines), if anyone.
	std::optional<Endpoint> holder(const kernel::Selector &flow) const;

private:
	using Key = std::tuple<IpAddress, IpAddress, uint8_t, uint8_t, uint8_t, uint16_t, uint16_t>;
	static Key key(const kernel::Selector &s);
	struct Holder {
		Endpoint peer;
		uint32_t reqid = 0;
		uint32_t mark = 0;
		size_t users = 0; ///< the unmarked holder's may be 0 while marked ones remain
		bool policies = false;
	};
	struct Entry {
		FlowTemplate tmpl;
		Holder base;                ///< unmarked
		std::vector<Holder> marked; ///< clients behind the base's NAT address
	};
	Result<uint32_t> freeReqid();
	static Holder *find(Entry &e, uint32_t mark);
	kernel::OwnedReqids range_;
	uint32_t next_;
	bool shareNat_;
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
	uint32_t mark = 0; ///< FlowGrant::mark: the inbound SA sets it, the policies match it
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
