#include "kernel/xfrm/netlink_ipsec_dataplane.h"

#include "common/log.h"

#include <fmt/format.h>

#include <arpa/inet.h> // before linux/xfrm.h: glibc's in6_addr must come first
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <cerrno>

namespace l2tpsec::kernel {

using namespace xfrm;

namespace {

constexpr std::string_view kLog = "xfrm";

/// The one SA the kernel answers ALLOCSPI and GETSA with, before its ACK.
Result<SaInfo> queryOneSa(XfrmSocket &sock, std::span<const uint8_t> request, const std::string &what)
{
	L2S_TRY_ASSIGN(auto replies, sock.query(request, what));
	if (replies.size() != 1)
		return Error{EBADMSG, fmt::format("{}: {} replies instead of one SA", what, replies.size())};
	auto sa = parseSa(replies[0]);
	if (!sa)
		return Error{EBADMSG, what + ": " + sa.error().message};
	return sa;
}

/// Dumps SAs or policies into `out`: what `parse` makes of each entry and
/// `keep` accepts. An entry that does not parse is logged and skipped: a
/// foreign object of a kind we do not model (BEET, TCP encapsulation, ...);
/// ours always parse. A dump a concurrent change interrupted (EINTR, see
/// netlink/nl_exchange.h) is run again, netlink::kDumpAttempts times at most.
template <typename T, typename Parse, typename Keep>
Result<void> dump(XfrmSocket &sock, MsgBuffer &buf, std::span<const uint8_t> (*build)(MsgBuffer &, uint32_t),
                  std::string_view what, std::string_view entryName, Parse parse, Keep keep, std::vector<T> &out)
{
	return netlink::retryInterrupted([&]() -> Result<void> {
		out.clear();
		auto msg = build(buf, sock.nextSeq());
		auto r = sock.execute(msg, what, [&](const NlMessage &m) -> Result<void> {
			auto entry = parse(m.bytes);
			if (!entry) {
				logWarn(kLog, "skipping {} in the dump: {}", entryName, entry.error().message);
				return {};
			}
			if (keep(*entry))
				out.push_back(std::move(*entry));
			return {};
		});
		return r;
	});
}

} // namespace

Result<std::unique_ptr<NetlinkIpsecDataplane>> NetlinkIpsecDataplane::create(OwnedReqids owned)
{
	L2S_TRY_ASSIGN(auto sock, XfrmSocket::open());
	return std::unique_ptr<NetlinkIpsecDataplane>(new NetlinkIpsecDataplane(std::move(sock), owned));
}

Result<uint32_t> NetlinkIpsecDataplane::allocSpi(const IpAddress &src, const IpAddress &dst, uint32_t reqid,
                                                 uint32_t min, uint32_t max)
{
	std::string what = fmt::format("XFRM_MSG_ALLOCSPI {}->{}", src.str(), dst.str());
	if (!owned_.contains(reqid))
		return Error{EINVAL, fmt::format("{}: reqid 0x{:08x} is outside l2tpsec's range", what, reqid)};
	L2S_TRY_ASSIGN(auto msg, buildAllocSpi(buf_, sock_.nextSeq(),
	                                       SpiRequest{src, dst, reqid, IpsecMode::Transport, min, max}));
	// The kernel answers with the larval SA (XFRM_MSG_NEWSA), then the ACK.
	L2S_TRY_ASSIGN(auto sa, queryOneSa(sock_, msg, what));
	uint32_t spi = sa.spec.id.spi;
	// The kernel forgets a larval SA after net.core.xfrm_acq_expires (30 s
	// by default); ten minutes on, an entry only remembers a negotiation
	// that failed.
	auto now = std::chrono::steady_clock::now();
	std::erase_if(allocated_, [&](const auto &e) { return now - e.second > std::chrono::minutes(10); });
	allocated_[{dst, spi}] = now;
	logDebug(kLog, "allocated spi 0x{:08x} {}->{} reqid 0x{:08x}", spi, src.str(), dst.str(), reqid);
	return spi;
}

Result<void> NetlinkIpsecDataplane::installSpec(const SaSpec &spec, bool update)
{
	L2S_TRY_ASSIGN(auto msg, buildNewSa(buf_, sock_.nextSeq(), spec, update));
	std::string what = msgTypeName(update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA) + " " + describeSa(spec.id);
	return sock_.execute(msg, what);
}

Result<void> NetlinkIpsecDataplane::addSa(const SaId &id, const SaParams &params)
{
	L2S_TRY_ASSIGN(auto spec, makeSaSpec(id, params, owned_));
	auto key = std::make_pair(id.dst, id.spi);
	bool larval = allocated_.contains(key);
	auto r = installSpec(spec, larval);
	// The kernel drops a larval SA after net.core.xfrm_acq_expires (30 s);
	// the SPI is then free again, so a fresh SA may take it.
	if (!r && larval && r.error().code == ESRCH) {
		logWarn(kLog, "{}: the SPI allocation expired; adding the SA afresh", describeSa(id));
		r = installSpec(spec, false);
	}
	if (r)
		allocated_.erase(key);
	return r;
}

Result<void> NetlinkIpsecDataplane::updateSa(const SaId &id, const SaParams &params)
{
	L2S_TRY_ASSIGN(auto spec, makeSaSpec(id, params, owned_));
	auto r = installSpec(spec, true);
	if (r)
		allocated_.erase({id.dst, id.spi});
	return r;
}

Result<void> NetlinkIpsecDataplane::deleteSa(const SaId &id)
{
	L2S_TRY_ASSIGN(auto msg, buildDelSa(buf_, sock_.nextSeq(), id));
	L2S_TRY(sock_.execute(msg, "XFRM_MSG_DELSA " + describeSa(id)));
	allocated_.erase({id.dst, id.spi});
	return {};
}

Result<SaState> NetlinkIpsecDataplane::querySa(const SaId &id)
{
	L2S_TRY_ASSIGN(auto msg, buildGetSa(buf_, sock_.nextSeq(), id));
	L2S_TRY_ASSIGN(auto sa, queryOneSa(sock_, msg, "XFRM_MSG_GETSA " + describeSa(id)));
	return toSaState(sa);
}

Result<void> NetlinkIpsecDataplane::addPolicy(const PolicyId &id, const PolicyParams &params)
{
	L2S_TRY(checkPolicy(id, params, owned_));
	L2S_TRY_ASSIGN(auto msg, buildNewPolicy(buf_, sock_.nextSeq(), id, params));
	return sock_.execute(msg, "XFRM_MSG_NEWPOLICY " + describePolicy(id));
}

Result<void> NetlinkIpsecDataplane::deletePolicy(const PolicyId &id)
{
	L2S_TRY_ASSIGN(auto msg, buildDelPolicy(buf_, sock_.nextSeq(), id));
	return sock_.execute(msg, "XFRM_MSG_DELPOLICY " + describePolicy(id));
}

Result<void> NetlinkIpsecDataplane::listSaInfos(std::vector<SaInfo> &out)
{
	// SPI 0: a larval SA the kernel made for an ACQUIRE or kept from a
	// failed ALLOCSPI. It carries nothing, DELSA cannot name it (it is not
	// hashed by SPI), and the kernel drops it after
	// net.core.xfrm_acq_expires (30 s).
	auto ours = [this](const SaInfo &sa) {
		return sa.protocol == IPPROTO_ESP && sa.spec.id.spi != 0 && owned_.contains(sa.spec.reqid);
	};
	return dump(sock_, buf_, buildDumpSas, "XFRM_MSG_GETSA dump", "an SA", parseSa, ours, out);
}

Result<void> NetlinkIpsecDataplane::listPolicyInfos(std::vector<PolicyInfo> &out)
{
	// Ours: an SPD policy whose (first) template carries our reqid.
	auto ours = [this](const PolicyInfo &p) {
		return !p.socket && p.templates > 0 && owned_.contains(p.state.params.reqid);
	};
	return dump(sock_, buf_, buildDumpPolicies, "XFRM_MSG_GETPOLICY dump", "a policy", parsePolicy, ours, out);
}

Result<std::vector<SaState>> NetlinkIpsecDataplane::listSas()
{
	std::vector<SaInfo> infos;
	L2S_TRY(listSaInfos(infos));
	std::vector<SaState> out;
	out.reserve(infos.size());
	for (const SaInfo &i : infos)
		out.push_back(toSaState(i));
	return out;
}

Result<std::vector<PolicyState>> NetlinkIpsecDataplane::listPolicies()
{
	std::vector<PolicyInfo> infos;
	L2S_TRY(listPolicyInfos(infos));
	std::vector<PolicyState> out;
	out.reserve(infos.size());
	for (const PolicyInfo &i : infos)
		out.push_back(i.state);
	return out;
}

Result<FlushReport> NetlinkIpsecDataplane::flush()
{
	FlushReport report;
	// Policies first: were the SAs to go first, every packet of a live flow
	// would make the kernel send an ACQUIRE for the SA it no longer finds.
	std::vector<PolicyInfo> policies;
	L2S_TRY(listPolicyInfos(policies));
	for (const PolicyInfo &p : policies) {
		auto r = deletePolicy(p.state.id);
		if (!r && r.error().code != ENOENT) // ENOENT: someone else removed it meanwhile
			return std::move(r).error();
		if (r)
			report.policies++;
	}
	std::vector<SaInfo> sas;
	L2S_TRY(listSaInfos(sas));
	for (const SaInfo &s : sas) {
		auto r = deleteSa(s.spec.id);
		if (!r && r.error().code != ESRCH)
			return std::move(r).error();
		if (r)
			report.sas++;
	}
	allocated_.clear();
	logInfo(kLog, "flushed {} SAs and {} policies with reqids 0x{:08x}-0x{:08x}", report.sas, report.policies,
	        owned_.first, owned_.last);
	return report;
}

Result<void> NetlinkIpsecDataplane::bypassSocket(int fd)
{
	int domain = 0;
	socklen_t len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return sysError(fmt::format("bypass IPsec policies on fd {}", fd));
	if (domain != AF_INET && domain != AF_INET6)
		return Error{EAFNOSUPPORT, fmt::format("bypass IPsec policies on fd {}: not an IP socket", fd)};
	auto family = domain == AF_INET ? IpAddress::Family::V4 : IpAddress::Family::V6;
	int level = domain == AF_INET ? SOL_IP : SOL_IPV6;
	int option = domain == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY;
	// One ALLOW policy per direction, as strongSwan's add_socket_bypass does.
	for (PolicyDirection dir : {PolicyDirection::In, PolicyDirection::Out}) {
		auto policy = buildSocketBypass(family, dir);
		if (setsockopt(fd, level, option, policy.data(), socklen_t(policy.size())) < 0)
			return sysError(fmt::format("{} bypass ({}) on fd {}",
			                            domain == AF_INET ? "IP_XFRM_POLICY" : "IPV6_XFRM_POLICY",
			                            directionName(dir), fd));
	}
	return {};
}

Result<void> NetlinkIpsecDataplane::enableUdpEncap(int fd)
{
	// RFC 3948: the kernel takes ESP (non-zero first word) off this socket
	// and decapsulates it; IKE with its zero non-ESP marker comes up to us.
	int type = UDP_ENCAP_ESPINUDP;
	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0)
		return sysError(fmt::format("UDP_ENCAP_ESPINUDP on fd {}", fd));
	return {};
}

} // namespace l2tpsec::kernel
