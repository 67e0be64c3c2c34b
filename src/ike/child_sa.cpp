// Installing and removing one SA pair in the kernel, with rollback, and the
// flow table that lets rekeyed SAs share a flow's policies.
#include "ike/child_sa.h"

#include "common/log.h"
#include "crypto/secret_bytes.h"
#include "ike/ike_log.h"

#include <cerrno>
#include <utility>

namespace l2tpsec::ike {

namespace {

kernel::PolicyId policyId(const kernel::Selector &flow, kernel::PolicyDirection dir, uint32_t mark)
{
	kernel::PolicyId id;
	id.selector = dir == kernel::PolicyDirection::Out ? flow : reversed(flow);
	id.direction = dir;
	if (mark) {
		id.mark = mark;
		id.markMask = 0xffffffff;
	}
	return id;
}

kernel::PolicyParams policyParams(uint32_t reqid, uint32_t mark, const FlowTemplate &tmpl, kernel::PolicyDirection dir)
{
	kernel::PolicyParams p;
	p.mode = tmpl.mode;
	p.reqid = reqid;
	p.priority = mark ? kMarkedFlowPolicyPriority : kFlowPolicyPriority;
	if (tmpl.mode == kernel::IpsecMode::Tunnel) {
		bool out = dir == kernel::PolicyDirection::Out;
		p.tunnelSrc = out ? tmpl.outerLocal : tmpl.outerPeer;
		p.tunnelDst = out ? tmpl.outerPeer : tmpl.outerLocal;
	}
	return p;
}

// The keys are zeroed but keep their length: an XFRM_MSG_UPDSA (a NAT
// rebinding) must describe the SA with keys the kernel can set up, and
// xfrm_state_update() then keeps the live SA's own keys and takes only its
// encapsulation and lifetimes.
void wipe(kernel::EspKeys &k)
{
	crypto::secureWipe(k.encryptionKey.data(), k.encryptionKey.size());
	crypto::secureWipe(k.integrityKey.data(), k.integrityKey.size());
}

std::string hexSpi(uint32_t spi)
{
	return fmt::format("0x{:08x}", spi);
}

} // namespace

kernel::Selector reversed(const kernel::Selector &s)
{
	kernel::Selector r = s;
	std::swap(r.src, r.dst);
	std::swap(r.srcPrefix, r.dstPrefix);
	std::swap(r.srcPort, r.dstPort);
	return r;
}

// ---- ChildFlows ----------------------------------------------------------

ChildFlows::Key ChildFlows::key(const kernel::Selector &s)
{
	return {s.src, s.dst, s.srcPrefix, s.dstPrefix, s.protocol, s.srcPort, s.dstPort};
}

Result<uint32_t> ChildFlows::freeReqid()
{
	// The next free reqid of the range, from a cursor.
	uint64_t span = uint64_t(range_.last) - range_.first + 1;
	for (uint64_t i = 0; i < span; i++) {
		uint32_t r = next_;
		next_ = next_ == range_.last ? range_.first : next_ + 1;
		if (reqids_.contains(r))
			continue;
		reqids_.insert(r);
		return r;
	}
	return Error{ENOSPC, "every reqid of l2tpsec's range is in use"};
}

ChildFlows::Holder *ChildFlows::find(Entry &e, uint32_t mark)
{
	if (mark == 0)
		return &e.base;
	for (Holder &h : e.marked)
		if (h.mark == mark)
			return &h;
	return nullptr;
}

Result<FlowGrant> ChildFlows::acquire(const kernel::Selector &flow, const Endpoint &peer, const FlowTemplate &tmpl)
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end()) {
		L2S_TRY_ASSIGN(uint32_t r, freeReqid());
		flows_.emplace(key(flow), Entry{tmpl, Holder{peer, r, 0, 1, false}, {}});
		return FlowGrant{r, 0};
	}
	Entry &e = it->second;
	if (e.tmpl != tmpl)
		return Error{EEXIST,
		             fmt::format("the flow is already protected in {} mode", kernel::modeName(e.tmpl.mode))};
	for (Holder &h : e.marked)
		if (h.peer == peer) {
			h.users++;
			return FlowGrant{h.reqid, h.mark};
		}
	if (e.base.peer == peer || e.base.users == 0) {
		// The unmarked holder again (a rekey), or a client taking the place
		// of one that left while marked ones stayed.
		e.base.peer = peer;
		e.base.users++;
		return FlowGrant{e.base.reqid, 0};
	}
	if (peer.address != e.base.peer.address || tmpl.mode != kernel::IpsecMode::Transport)
		return Error{EEXIST, "the flow is already protected for peer " + e.base.peer.str()};
	if (!shareNat_)
		return Error{EEXIST, "the flow is already protected for peer " + e.base.peer.str() +
		                             ", another client behind the same NAT: several clients behind one NAT "
		                             "need Linux 6.10 or later (this kernel's L2TP cannot tell their tunnels "
		                             "apart); refused, the first client keeps its connection"};
	L2S_TRY_ASSIGN(uint32_t r, freeReqid());
	e.marked.push_back(Holder{peer, r, r, 1, false});
	return FlowGrant{r, r};
}

Result<void> ChildFlows::addPolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow, uint32_t mark)
{
	auto it = flows_.find(key(flow));
	Holder *h = it == flows_.end() ? nullptr : find(it->second, mark);
	if (!h)
		return Error{ENOENT, "flow not acquired"};
	if (h->policies)
		return {};
	auto params = [&](kernel::PolicyDirection dir) { return policyParams(h->reqid, mark, it->second.tmpl, dir); };
	L2S_TRY(dataplane.addPolicy(policyId(flow, kernel::PolicyDirection::Out, mark),
	                            params(kernel::PolicyDirection::Out)));
	if (auto r = dataplane.addPolicy(policyId(flow, kernel::PolicyDirection::In, mark),
	                                 params(kernel::PolicyDirection::In));
	    !r) {
		(void)dataplane.deletePolicy(policyId(flow, kernel::PolicyDirection::Out, mark));
		return r;
	}
	h->policies = true;
	return {};
}

namespace {

void deletePolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow, uint32_t mark,
                    const Endpoint &peer)
{
	for (auto dir : {kernel::PolicyDirection::Out, kernel::PolicyDirection::In})
		if (auto r = dataplane.deletePolicy(policyId(flow, dir, mark)); !r)
			logWarn(kLog, "removing a policy of peer {}: {}", peer.str(), r.error().message);
}

} // namespace

void ChildFlows::release(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow, uint32_t mark)
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end())
		return;
	Entry &e = it->second;
	Holder *h = find(e, mark);
	if (!h || h->users == 0 || --h->users > 0)
		return;
	if (mark) {
		if (h->policies)
			deletePolicies(dataplane, flow, mark, h->peer);
		reqids_.erase(h->reqid);
		std::erase_if(e.marked, [mark](const Holder &m) { return m.mark == mark; });
	}
	if (e.base.users > 0 || !e.marked.empty())
		return;
	if (e.base.policies)
		deletePolicies(dataplane, flow, 0, e.base.peer);
	reqids_.erase(e.base.reqid);
	flows_.erase(it);
}

void ChildFlows::moveHolder(const kernel::Selector &flow, const Endpoint &was, const Endpoint &to)
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end())
		return;
	Entry &e = it->second;
	if (e.base.peer == was) {
		e.base.peer = to;
		return;
	}
	for (Holder &h : e.marked)
		if (h.peer == was)
			h.peer = to;
}

std::optional<Endpoint> ChildFlows::holder(const kernel::Selector &flow) const
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end())
		return std::nullopt;
	return it->second.base.peer;
}

// ---- ChildSa ---------------------------------------------------------------

FlowTemplate flowTemplate(kernel::IpsecMode mode, const Endpoint &local, const Endpoint &peer)
{
	if (mode == kernel::IpsecMode::Transport)
		return {};
	return FlowTemplate{mode, local.address, peer.address};
}

kernel::SaId ChildSa::inboundId() const
{
	return kernel::SaId{spec_.peer.address, spec_.local.address, spec_.inboundSpi, 0, 0};
}

kernel::SaId ChildSa::outboundId() const
{
	return kernel::SaId{spec_.local.address, spec_.peer.address, spec_.outboundSpi, 0, 0};
}

kernel::SaParams ChildSa::saParams(bool inbound) const
{
	const ChildSaSpec &s = spec_;
	kernel::SaParams p;
	p.mode = s.mode;
	p.reqid = s.reqid;
	p.selector = inbound ? reversed(s.flow) : s.flow;
	p.keys = inbound ? s.inboundKeys : s.outboundKeys;
	if (s.udpEncap) {
		// RFC 3948: the UDP ports of the ESP-in-UDP header, from the
		// SA's source to its destination.
		kernel::NatTEncap e;
		e.srcPort = inbound ? s.peer.port : s.local.port;
		e.dstPort = inbound ? s.local.port : s.peer.port;
		if (s.mode == kernel::IpsecMode::Transport)
			e.originalAddress = s.natOa; // no checksums to fix up in tunnel mode
		p.encap = e;
	}
	p.lifetime = s.lifetime;
	p.replayWindow = inbound ? 32 : 0;
	if (inbound)
		p.setMark = s.mark;
	return p;
}

Result<ChildSa> ChildSa::install(kernel::IpsecDataplane &dataplane, ChildFlows &flows, ChildSaSpec spec)
{
	ChildSa c(std::move(spec));
	const ChildSaSpec &s = c.spec_;
	auto params = [&](bool inbound) { return c.saParams(inbound); };
	auto done = [&](Result<ChildSa> r) {
		wipe(c.spec_.inboundKeys);
		wipe(c.spec_.outboundKeys);
		return r;
	};

	if (auto r = dataplane.addSa(c.inboundId(), params(true)); !r) {
		releaseSpi(dataplane, s.local, s.peer, s.inboundSpi);
		return done(std::move(r).error());
	}
	if (auto r = dataplane.addSa(c.outboundId(), params(false)); !r) {
		(void)dataplane.deleteSa(c.inboundId());
		return done(std::move(r).error());
	}
	if (auto r = flows.addPolicies(dataplane, s.flow, s.mark); !r) {
		(void)dataplane.deleteSa(c.outboundId());
		(void)dataplane.deleteSa(c.inboundId());
		return done(std::move(r).error());
	}
	ChildSa out = std::move(c);
	wipe(out.spec_.inboundKeys);
	wipe(out.spec_.outboundKeys);
	return out;
}

size_t ChildSa::followPeer(kernel::IpsecDataplane &dataplane, const Endpoint &peer)
{
	Endpoint was = std::exchange(spec_.peer, peer);
	if (!spec_.udpEncap || was == peer)
		return 0;
	// xfrm_state_update() copies the whole encapsulation (ports and NAT-OA)
	// when the encapsulation types match, and the lifetimes; the rest of
	// saParams(), the wiped keys included, only has to pass its checks.
	size_t updated = 0;
	for (bool inbound : {false, true}) {
		kernel::SaId id = inbound ? inboundId() : outboundId();
		if (auto r = dataplane.updateSa(id, saParams(inbound)); !r)
			logWarn(kLog, "peer {}: moving {} SA {} to {}: {}", was.str(), inbound ? "inbound" : "outbound",
			        hexSpi(id.spi), peer.str(), r.error().message);
		else
			updated++;
	}
	return updated;
}

void ChildSa::remove(kernel::IpsecDataplane &dataplane, ChildFlows &flows)
{
	for (const kernel::SaId &id : {inboundId(), outboundId()})
		if (auto r = dataplane.deleteSa(id); !r)
			logDebug(kLog, "removing SA {} of peer {}: {}", hexSpi(id.spi), spec_.peer.str(),
			         r.error().message);
	flows.release(dataplane, spec_.flow, spec_.mark);
}

void releaseSpi(kernel::IpsecDataplane &dataplane, const Endpoint &local, const Endpoint &peer, uint32_t spi)
{
	if (spi == 0)
		return;
	if (auto r = dataplane.deleteSa(kernel::SaId{peer.address, local.address, spi, 0, 0}); !r)
		logDebug(kLog, "releasing SPI {} of peer {}: {}", hexSpi(spi), peer.str(), r.error().message);
}

} // namespace l2tpsec::ike
