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

kernel::PolicyId policyId(const kernel::Selector &flow, kernel::PolicyDirection dir)
{
	kernel::PolicyId id;
	id.selector = dir == kernel::PolicyDirection::Out ? flow : reversed(flow);
	id.direction = dir;
	return id;
}

kernel::PolicyParams policyParams(uint32_t reqid, const FlowTemplate &tmpl, kernel::PolicyDirection dir)
{
	kernel::PolicyParams p;
	p.mode = tmpl.mode;
	p.reqid = reqid;
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

Result<uint32_t> ChildFlows::acquire(const kernel::Selector &flow, const Endpoint &peer, const FlowTemplate &tmpl)
{
	auto it = flows_.find(key(flow));
	if (it != flows_.end()) {
		if (it->second.peer.address != peer.address || it->second.peer.port != peer.port)
			return Error{EEXIST, "the flow is already protected for peer " + it->second.peer.str()};
		if (it->second.tmpl != tmpl)
			return Error{EEXIST, fmt::format("the flow is already protected in {} mode",
			                                 kernel::modeName(it->second.tmpl.mode))};
		it->second.users++;
		return it->second.reqid;
	}
	// The next free reqid of the range, from a cursor.
	uint64_t span = uint64_t(range_.last) - range_.first + 1;
	for (uint64_t i = 0; i < span; i++) {
		uint32_t r = next_;
		next_ = next_ == range_.last ? range_.first : next_ + 1;
		if (reqids_.contains(r))
			continue;
		reqids_.insert(r);
		flows_.emplace(key(flow), Entry{r, peer, tmpl, 1, false});
		return r;
	}
	return Error{ENOSPC, "every reqid of l2tpsec's range is in use"};
}

Result<void> ChildFlows::addPolicies(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow)
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end())
		return Error{ENOENT, "flow not acquired"};
	if (it->second.policies)
		return {};
	auto params = [&](kernel::PolicyDirection dir) { return policyParams(it->second.reqid, it->second.tmpl, dir); };
	L2S_TRY(dataplane.addPolicy(policyId(flow, kernel::PolicyDirection::Out),
	                            params(kernel::PolicyDirection::Out)));
	if (auto r = dataplane.addPolicy(policyId(flow, kernel::PolicyDirection::In),
	                                 params(kernel::PolicyDirection::In));
	    !r) {
		(void)dataplane.deletePolicy(policyId(flow, kernel::PolicyDirection::Out));
		return r;
	}
	it->second.policies = true;
	return {};
}

void ChildFlows::release(kernel::IpsecDataplane &dataplane, const kernel::Selector &flow)
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end() || --it->second.users > 0)
		return;
	if (it->second.policies) {
		for (auto dir : {kernel::PolicyDirection::Out, kernel::PolicyDirection::In})
			if (auto r = dataplane.deletePolicy(policyId(flow, dir)); !r)
				logWarn(kLog, "removing a policy of peer {}: {}", it->second.peer.str(),
				        r.error().message);
	}
	reqids_.erase(it->second.reqid);
	flows_.erase(it);
}

void ChildFlows::moveHolder(const kernel::Selector &flow, const Endpoint &peer)
{
	if (auto it = flows_.find(key(flow)); it != flows_.end())
		it->second.peer = peer;
}

std::optional<Endpoint> ChildFlows::holder(const kernel::Selector &flow) const
{
	auto it = flows_.find(key(flow));
	if (it == flows_.end())
		return std::nullopt;
	return it->second.peer;
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
	if (auto r = flows.addPolicies(dataplane, s.flow); !r) {
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
	flows.release(dataplane, spec_.flow);
}

void releaseSpi(kernel::IpsecDataplane &dataplane, const Endpoint &local, const Endpoint &peer, uint32_t spi)
{
	if (spi == 0)
		return;
	if (auto r = dataplane.deleteSa(kernel::SaId{peer.address, local.address, spi, 0, 0}); !r)
		logDebug(kLog, "releasing SPI {} of peer {}: {}", hexSpi(spi), peer.str(), r.error().message);
}

} // namespace l2tpsec::ike
