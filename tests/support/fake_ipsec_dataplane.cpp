#include "tests/support/fake_ipsec_dataplane.h"

#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace l2tpsec::kernel {

using namespace xfrm;

namespace {

std::string saText(std::string_view op, const SaId &id)
{
	std::string s = fmt::format("{} spi=0x{:08x} {}->{}", op, id.spi, id.src.str(), id.dst.str());
	if (id.mark || id.markMask)
		s += fmt::format(" mark=0x{:x}/0x{:x}", id.mark, id.markMask);
	return s;
}

std::string paramsText(const SaParams &p)
{
	std::string s = fmt::format(" reqid=0x{:08x} {} {}", p.reqid, modeName(p.mode), cipherName(p.keys.cipher));
	if (p.keys.integrity != EspIntegrity::None)
		s += fmt::format(" {}/{}", integrityName(p.keys.integrity), integrityTruncationBits(p.keys.integrity));
	s += " sel=" + describeSelector(p.selector);
	if (p.encap)
		s += fmt::format(" encap={}->{}", p.encap->srcPort, p.encap->dstPort);
	if (p.setMark)
		s += fmt::format(" set-mark=0x{:x}", p.setMark);
	if (p.lifetime != SaLifetime{})
		s += fmt::format(" life=bytes:{}/{},packets:{}/{},secs:{}/{}", p.lifetime.softBytes,
		                 p.lifetime.hardBytes, p.lifetime.softPackets, p.lifetime.hardPackets,
		                 p.lifetime.softAdd.count(), p.lifetime.hardAdd.count());
	return s;
}

std::string policyText(std::string_view op, const PolicyId &id)
{
	return fmt::format("{} {}", op, describePolicy(id));
}

/// The kernel finds an SA by (dst, spi, proto) and a mark that matches
/// under the installed SA's mask (net/xfrm/xfrm_state.c __xfrm_state_lookup).
bool saMatches(const SaId &installed, const SaId &wanted)
{
	return installed.dst == wanted.dst && installed.spi == wanted.spi &&
	       ((wanted.mark & wanted.markMask) & installed.markMask) == installed.mark;
}

bool policyMatches(const PolicyId &a, const PolicyId &b)
{
	return a.selector == b.selector && a.direction == b.direction && (a.mark & a.markMask) == (b.mark & b.markMask);
}

/// What querySa() and listSas() report: a larval SA has no keys yet.
SaState saState(const FakeIpsecDataplane::Sa &s)
{
	SaState st;
	st.id = s.id;
	st.reqid = s.params.reqid;
	st.mode = s.params.mode;
	st.bytes = s.bytes;
	st.packets = s.packets;
	if (!s.larval) {
		st.cipher = cipherName(s.params.keys.cipher);
		st.integrity = integrityName(s.params.keys.integrity);
		st.encap = s.params.encap;
	}
	return st;
}

uint8_t dirIndex(PolicyDirection d)
{
	switch (d) {
	case PolicyDirection::In: return 0;
	case PolicyDirection::Out: return 1;
	case PolicyDirection::Fwd: return 2;
	}
	return 0;
}

} // namespace

std::vector<FakeIpsecDataplane::Sa>::iterator FakeIpsecDataplane::findSa(const SaId &id)
{
	return std::find_if(sas_.begin(), sas_.end(), [&](const Sa &s) { return saMatches(s.id, id); });
}

std::vector<FakeIpsecDataplane::Policy>::iterator FakeIpsecDataplane::findPolicy(const PolicyId &id)
{
	return std::find_if(policies_.begin(), policies_.end(),
	                    [&](const Policy &p) { return policyMatches(p.id, id); });
}

void FakeIpsecDataplane::insertPolicy(const PolicyId &id, const PolicyParams &params)
{
	// The kernel's index: a counter in steps of 8, the direction in the low bits.
	policies_.push_back(Policy{id, params, nextPolicyIndex_ | dirIndex(id.direction)});
	nextPolicyIndex_ += 8;
}

std::optional<Error> FakeIpsecDataplane::injected(Call &call)
{
	if (!failNext_)
		return std::nullopt;
	Error e = std::move(*failNext_);
	failNext_.reset();
	return refuse(call, std::move(e));
}

std::optional<Error> FakeIpsecDataplane::refusedSpec(Call &call)
{
	if (auto e = injected(call))
		return e;
	if (auto spec = makeSaSpec(call.sa, *call.saParams, owned_); !spec)
		return refuse(call, spec.error());
	return std::nullopt;
}

Error FakeIpsecDataplane::refuse(Call &call, Error error)
{
	call.error = error;
	call.text += " -> " + error.message;
	record(std::move(call));
	return error;
}

std::vector<std::string> FakeIpsecDataplane::calls() const
{
	std::vector<std::string> out;
	for (const Call &c : records_)
		out.push_back(c.text);
	return out;
}

std::vector<uint32_t> FakeIpsecDataplane::installedSpis() const
{
	std::vector<uint32_t> out;
	for (const Sa &s : sas_)
		if (!s.larval)
			out.push_back(s.id.spi);
	return out;
}

Result<uint32_t> FakeIpsecDataplane::allocSpi(const IpAddress &src, const IpAddress &dst, uint32_t reqid, uint32_t min,
                                              uint32_t max)
{
	Call c{.op = Op::AllocSpi, .text = fmt::format("allocSpi {}->{} reqid=0x{:08x}", src.str(), dst.str(), reqid)};
	c.sa = SaId{src, dst, 0, 0, 0};
	if (auto e = injected(c))
		return *e;
	std::string what = fmt::format("XFRM_MSG_ALLOCSPI {}->{}", src.str(), dst.str());
	if (!owned_.contains(reqid))
		return refuse(c,
		              Error{EINVAL, fmt::format("{}: reqid 0x{:08x} is outside l2tpsec's range", what, reqid)});
	if (src.family() != dst.family() || min > max || min < 0x100)
		return refuse(c, errnoError(EINVAL, what));
	// Deterministic (the kernel picks at random): the next free SPI from a
	// cursor that starts at 0xc0000001, kept inside [min, max].
	uint64_t span = uint64_t(max) - min + 1;
	for (uint64_t tries = 0; tries < span && tries < 1'000'000; tries++) {
		uint32_t spi = nextSpi_ >= min && nextSpi_ <= max ? nextSpi_ : min;
		nextSpi_ = spi == max ? min : spi + 1;
		SaId id{src, dst, spi, 0, 0};
		if (findSa(id) != sas_.end())
			continue;
		SaParams params;
		params.reqid = reqid;
		sas_.push_back(Sa{id, params, true, 0, 0});
		c.sa = id;
		c.text += fmt::format(" -> spi=0x{:08x}", spi);
		record(std::move(c));
		return spi;
	}
	return refuse(c, errnoError(ENOENT, what));
}

Result<void> FakeIpsecDataplane::addSa(const SaId &id, const SaParams &params)
{
	Call c{.op = Op::AddSa, .text = saText("addSa", id) + paramsText(params), .sa = id, .saParams = params};
	if (auto e = refusedSpec(c))
		return *e;
	auto it = findSa(id);
	if (it != sas_.end() && !it->larval)
		return refuse(c, errnoError(EEXIST, "XFRM_MSG_NEWSA " + describeSa(id)));
	if (it != sas_.end()) {
		// Completes an allocSpi() (XFRM_MSG_UPDSA on the larval SA).
		*it = Sa{id, params, false, 0, 0};
		c.text += " (completes allocSpi)";
	} else {
		sas_.push_back(Sa{id, params, false, 0, 0});
	}
	record(std::move(c));
	return {};
}

Result<void> FakeIpsecDataplane::updateSa(const SaId &id, const SaParams &params)
{
	Call c{.op = Op::UpdateSa, .text = saText("updateSa", id) + paramsText(params), .sa = id, .saParams = params};
	if (auto e = refusedSpec(c))
		return *e;
	auto it = findSa(id);
	if (it == sas_.end())
		return refuse(c, errnoError(ESRCH, "XFRM_MSG_UPDSA " + describeSa(id)));
	if (it->larval) {
		*it = Sa{id, params, false, 0, 0};
	} else {
		// The kernel changes only the encapsulation ports and the lifetimes
		// of a live SA (xfrm_state_update()).
		if (it->params.encap && params.encap)
			it->params.encap = params.encap;
		it->params.lifetime = params.lifetime;
	}
	record(std::move(c));
	return {};
}

Result<std::vector<FakeIpsecDataplane::Sa>::iterator> FakeIpsecDataplane::lookupSa(Call &call, std::string_view request)
{
	if (auto e = injected(call))
		return *e;
	auto it = findSa(call.sa);
	if (it == sas_.end())
		return refuse(call, errnoError(ESRCH, fmt::format("{} {}", request, describeSa(call.sa))));
	return it;
}

Result<void> FakeIpsecDataplane::deleteSa(const SaId &id)
{
	Call c{.op = Op::DeleteSa, .text = saText("deleteSa", id), .sa = id};
	auto it = lookupSa(c, "XFRM_MSG_DELSA");
	if (!it)
		return std::move(it).error();
	sas_.erase(*it);
	record(std::move(c));
	return {};
}

Result<SaState> FakeIpsecDataplane::querySa(const SaId &id)
{
	Call c{.op = Op::QuerySa, .text = saText("querySa", id), .sa = id};
	auto it = lookupSa(c, "XFRM_MSG_GETSA");
	if (!it)
		return std::move(it).error();
	record(std::move(c));
	return saState(**it);
}

Result<void> FakeIpsecDataplane::addPolicy(const PolicyId &id, const PolicyParams &params)
{
	Call c{.op = Op::AddPolicy,
	       .text = policyText("addPolicy", id) +
	               fmt::format(" reqid=0x{:08x} {}{} priority={}", params.reqid, modeName(params.mode),
	                           params.mode == IpsecMode::Tunnel
	                                   ? " " + params.tunnelSrc.str() + "->" + params.tunnelDst.str()
	                                   : std::string(),
	                           params.priority),
	       .policy = id,
	       .policyParams = params};
	if (auto e = injected(c))
		return *e;
	if (auto r = checkPolicy(id, params, owned_); !r)
		return refuse(c, r.error());
	if (findPolicy(id) != policies_.end())
		return refuse(c, errnoError(EEXIST, "XFRM_MSG_NEWPOLICY " + describePolicy(id)));
	insertPolicy(id, params);
	record(std::move(c));
	return {};
}

Result<void> FakeIpsecDataplane::deletePolicy(const PolicyId &id)
{
	Call c{.op = Op::DeletePolicy, .text = policyText("deletePolicy", id), .policy = id};
	if (auto e = injected(c))
		return *e;
	auto it = findPolicy(id);
	if (it == policies_.end())
		return refuse(c, errnoError(ENOENT, "XFRM_MSG_DELPOLICY " + describePolicy(id)));
	policies_.erase(it);
	record(std::move(c));
	return {};
}

Result<std::vector<SaState>> FakeIpsecDataplane::listSas()
{
	Call c{.op = Op::ListSas, .text = "listSas"};
	if (auto e = injected(c))
		return *e;
	std::vector<SaState> out;
	for (const Sa &s : sas_) {
		if (!owned_.contains(s.params.reqid))
			continue;
		out.push_back(saState(s));
	}
	record(std::move(c));
	return out;
}

Result<std::vector<PolicyState>> FakeIpsecDataplane::listPolicies()
{
	Call c{.op = Op::ListPolicies, .text = "listPolicies"};
	if (auto e = injected(c))
		return *e;
	std::vector<PolicyState> out;
	for (const Policy &p : policies_)
		if (owned_.contains(p.params.reqid))
			out.push_back(PolicyState{p.id, p.params, p.index});
	record(std::move(c));
	return out;
}

Result<FlushReport> FakeIpsecDataplane::flush()
{
	Call c{.op = Op::Flush, .text = "flush"};
	if (auto e = injected(c))
		return *e;
	FlushReport r;
	r.policies = size_t(std::erase_if(policies_, [&](const Policy &p) { return owned_.contains(p.params.reqid); }));
	r.sas = size_t(std::erase_if(sas_, [&](const Sa &s) { return owned_.contains(s.params.reqid); }));
	c.text += fmt::format(" -> {} SAs, {} policies", r.sas, r.policies);
	record(std::move(c));
	return r;
}

Result<void> FakeIpsecDataplane::socketOption(Call call, std::string_view what, std::vector<int> &applied)
{
	if (auto e = injected(call))
		return *e;
	if (call.fd < 0)
		return refuse(call, errnoError(EBADF, fmt::format("{} on fd {}", what, call.fd)));
	applied.push_back(call.fd);
	record(std::move(call));
	return {};
}

Result<void> FakeIpsecDataplane::bypassSocket(int fd)
{
	return socketOption(Call{.op = Op::BypassSocket, .text = fmt::format("bypassSocket fd={}", fd), .fd = fd},
	                    "bypass IPsec policies", bypassed_);
}

Result<void> FakeIpsecDataplane::enableUdpEncap(int fd)
{
	return socketOption(Call{.op = Op::EnableUdpEncap, .text = fmt::format("enableUdpEncap fd={}", fd), .fd = fd},
	                    "UDP_ENCAP_ESPINUDP", encap_);
}

Result<void> FakeIpsecDataplane::addTraffic(const SaId &id, uint64_t bytes, uint64_t packets)
{
	auto it = findSa(id);
	if (it == sas_.end())
		return errnoError(ESRCH, "addTraffic " + describeSa(id));
	it->bytes += bytes;
	it->packets += packets;
	return {};
}

void FakeIpsecDataplane::addForeignSa(const SaId &id, uint32_t reqid)
{
	SaParams params;
	params.reqid = reqid;
	sas_.push_back(Sa{id, params, false, 0, 0});
}

void FakeIpsecDataplane::addForeignPolicy(const PolicyId &id, uint32_t reqid)
{
	PolicyParams params;
	params.reqid = reqid;
	insertPolicy(id, params);
}

} // namespace l2tpsec::kernel
