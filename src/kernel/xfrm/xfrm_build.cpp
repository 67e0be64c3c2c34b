// Builders for XFRM requests (linux/xfrm.h). Each writes exactly one
// netlink message into the caller's MsgBuffer with libmnl and hands back
// the bytes; nothing here does I/O, so the golden tests see what the kernel
// would see.

#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <cerrno>
#include <cstring>

namespace l2tpsec::kernel::xfrm {

namespace {

/// Bits in xfrm_replay_state.bitmap.
constexpr unsigned kLegacyReplayWindow = 32;

uint16_t familyOf(const IpAddress &a)
{
	return a.isV4() ? AF_INET : AF_INET6;
}

void putAddress(xfrm_address_t &out, const IpAddress &a)
{
	std::memset(&out, 0, sizeof(out));
	std::memcpy(&out, a.bytes().data(), a.isV4() ? 4 : 16);
}

/// A zero limit means "none" in our API; the kernel compares counters
/// against the limit, so none must be XFRM_INF.
uint64_t limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

xfrm_lifetime_cfg lifetimeCfg(const SaLifetime &l)
{
	xfrm_lifetime_cfg c;
	std::memset(&c, 0, sizeof(c));
	c.soft_byte_limit = limit(l.softBytes);
	c.hard_byte_limit = limit(l.hardBytes);
	c.soft_packet_limit = limit(l.softPackets);
	c.hard_packet_limit = limit(l.hardPackets);
	// Lifetimes count from when the SA was added, not first used (as
	// strongSwan does): a rekey must not wait for traffic.
	c.soft_add_expires_seconds = uint64_t(l.softAdd.count());
	c.hard_add_expires_seconds = uint64_t(l.hardAdd.count());
	return c;
}

/// A selector "any" of tunnel mode keeps family 0 (XFRM_STATE_AF_UNSPEC);
/// everything else carries its addresses' family.
xfrm_selector toXfrmSelector(const Selector &s, bool anyFamily)
{
	xfrm_selector x;
	std::memset(&x, 0, sizeof(x));
	x.family = anyFamily ? AF_UNSPEC : familyOf(s.src);
	putAddress(x.saddr, s.src);
	putAddress(x.daddr, s.dst);
	x.prefixlen_s = s.srcPrefix;
	x.prefixlen_d = s.dstPrefix;
	x.proto = s.protocol;
	x.sport = htons(s.srcPort);
	x.sport_mask = s.srcPort ? 0xffff : 0;
	x.dport = htons(s.dstPort);
	x.dport_mask = s.dstPort ? 0xffff : 0;
	return x;
}

bool isAny(const Selector &s)
{
	return s.src.isUnspecified() && s.dst.isUnspecified() && s.srcPrefix == 0 && s.dstPrefix == 0;
}

Error tooLarge(uint16_t type)
{
	return Error{EMSGSIZE, msgTypeName(type) + ": message does not fit in its buffer"};
}

/// A message under construction in a MsgBuffer.
class Builder {
public:
	Builder(MsgBuffer &buf, uint16_t type, uint16_t flags, uint32_t seq) : buf_(buf), type_(type)
	{
		// Zeroed first so padding bytes are deterministic for golden tests.
		buf_.bytes.fill(0);
		nlh_ = mnl_nlmsg_put_header(buf_.bytes.data());
		nlh_->nlmsg_type = type;
		nlh_->nlmsg_flags = flags;
		nlh_->nlmsg_seq = seq;
	}

	template <typename T>
	void body(const T &value)
	{
		static_assert(sizeof(T) + MNL_NLMSG_HDRLEN < kMsgBufferSize);
		std::memcpy(mnl_nlmsg_put_extra_header(nlh_, sizeof(T)), &value, sizeof(T));
	}

	bool attr(uint16_t type, const void *data, size_t len)
	{
		if (len > UINT16_MAX - MNL_ATTR_HDRLEN)
			return ok_ = false;
		ok_ = ok_ && mnl_attr_put_check(nlh_, buf_.bytes.size(), type, len, data);
		return ok_;
	}

	template <typename T>
	bool attr(uint16_t type, const T &value)
	{
		return attr(type, &value, sizeof(T));
	}

	Result<std::span<const uint8_t>> finish() const
	{
		if (!ok_)
			return tooLarge(type_);
		return std::span<const uint8_t>(buf_.bytes.data(), nlh_->nlmsg_len);
	}

private:
	MsgBuffer &buf_;
	uint16_t type_;
	nlmsghdr *nlh_;
	bool ok_ = true;
};

/// xfrm_algo / xfrm_algo_auth / xfrm_algo_aead: a 64-byte name, the key
/// length in bits, for the last two a length in bits, then the key.
Result<std::vector<uint8_t>> algoBytes(const Algorithm &a, bool withBits)
{
	constexpr size_t kName = sizeof(xfrm_algo::alg_name);
	if (a.name.empty() || a.name.size() >= kName)
		return Error{EINVAL, fmt::format("algorithm name '{}' must be 1 to {} characters", a.name, kName - 1)};
	if (a.key.size() > 1024)
		return Error{EINVAL, fmt::format("{}: a {}-byte key is too long", a.name, a.key.size())};
	size_t head = withBits ? sizeof(xfrm_algo_auth) : sizeof(xfrm_algo);
	std::vector<uint8_t> out(head + a.key.size(), 0);
	std::memcpy(out.data(), a.name.data(), a.name.size());
	uint32_t keyBits = uint32_t(a.key.size() * 8);
	std::memcpy(out.data() + kName, &keyBits, sizeof(keyBits));
	if (withBits) {
		uint32_t bits = a.bits;
		std::memcpy(out.data() + kName + sizeof(keyBits), &bits, sizeof(bits));
	}
	if (!a.key.empty())
		std::memcpy(out.data() + head, a.key.data(), a.key.size());
	return out;
}

bool putMark(Builder &b, uint32_t mark, uint32_t mask)
{
	if (!mark && !mask)
		return true;
	xfrm_mark m{mark, mask};
	return b.attr(XFRMA_MARK, m);
}

Result<void> sameFamily(uint16_t type, const IpAddress &a, const IpAddress &b)
{
	if (a.family() != b.family())
		return Error{EINVAL, fmt::format("{}: {} and {} are of different address families", msgTypeName(type),
		                                 a.str(), b.str())};
	return {};
}

xfrm_usersa_id usersaId(const SaId &id)
{
	xfrm_usersa_id u;
	std::memset(&u, 0, sizeof(u));
	putAddress(u.daddr, id.dst);
	u.spi = htonl(id.spi);
	u.family = familyOf(id.dst);
	u.proto = IPPROTO_ESP;
	return u;
}

uint8_t kernelMode(IpsecMode m)
{
	switch (m) {
	case IpsecMode::Transport: return XFRM_MODE_TRANSPORT;
	case IpsecMode::Tunnel: return XFRM_MODE_TUNNEL;
	}
	return XFRM_MODE_TRANSPORT;
}

uint8_t kernelDir(PolicyDirection d)
{
	switch (d) {
	case PolicyDirection::In: return XFRM_POLICY_IN;
	case PolicyDirection::Out: return XFRM_POLICY_OUT;
	case PolicyDirection::Fwd: return XFRM_POLICY_FWD;
	}
	return XFRM_POLICY_OUT;
}

Result<void> checkSelector(uint16_t type, const Selector &s)
{
	L2S_TRY(sameFamily(type, s.src, s.dst));
	unsigned max = s.src.isV4() ? 32 : 128;
	if (s.srcPrefix > max || s.dstPrefix > max)
		return Error{EINVAL, fmt::format("{}: selector {}: prefix length out of range", msgTypeName(type),
		                                 describeSelector(s))};
	return {};
}

} // namespace

Result<std::span<const uint8_t>> buildNewSa(MsgBuffer &buf, uint32_t seq, const SaSpec &sa, bool update)
{
	uint16_t type = update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA;
	L2S_TRY(sameFamily(type, sa.id.src, sa.id.dst));
	bool anyFamily = sa.mode == IpsecMode::Tunnel && isAny(sa.selector);
	if (!anyFamily)
		L2S_TRY(checkSelector(type, sa.selector));

	xfrm_usersa_info info;
	std::memset(&info, 0, sizeof(info));
	info.sel = toXfrmSelector(sa.selector, anyFamily);
	putAddress(info.id.daddr, sa.id.dst);
	info.id.spi = htonl(sa.id.spi);
	info.id.proto = IPPROTO_ESP;
	putAddress(info.saddr, sa.id.src);
	info.lft = lifetimeCfg(sa.lifetime);
	info.reqid = sa.reqid;
	info.family = familyOf(sa.id.src);
	info.mode = kernelMode(sa.mode);
	info.replay_window = sa.replayWindow > kLegacyReplayWindow ? 0 : sa.replayWindow;
	info.flags = sa.flags;

	Builder b(buf, type, NLM_F_REQUEST | NLM_F_ACK, seq);
	b.body(info);
	struct AlgAttr {
		uint16_t type;
		const std::optional<Algorithm> &alg;
		bool withBits;
	};
	for (const AlgAttr &a : {AlgAttr{XFRMA_ALG_AEAD, sa.aead, true}, AlgAttr{XFRMA_ALG_CRYPT, sa.crypt, false},
	                         AlgAttr{XFRMA_ALG_AUTH_TRUNC, sa.auth, true}}) {
		if (!a.alg)
			continue;
		auto bytes = algoBytes(*a.alg, a.withBits);
		if (!bytes)
			return Error{EINVAL, msgTypeName(type) + ": " + bytes.error().message};
		b.attr(a.type, bytes->data(), bytes->size());
	}
	if (sa.encap) {
		xfrm_encap_tmpl e;
		std::memset(&e, 0, sizeof(e));
		e.encap_type = UDP_ENCAP_ESPINUDP; // RFC 3948
		e.encap_sport = htons(sa.encap->srcPort);
		e.encap_dport = htons(sa.encap->dstPort);
		// NAT-OA (RFC 3947 §5.2); the kernel keeps it but does not use it:
		// transport-mode checksums are simply not checked behind NAT-T.
		if (sa.encap->originalAddress)
			putAddress(e.encap_oa, *sa.encap->originalAddress);
		b.attr(XFRMA_ENCAP, e);
	}
	if (sa.replayWindow > kLegacyReplayWindow) {
		// The legacy bitmap holds 32 packets and the kernel would clamp a
		// larger window silently; a bigger one travels in
		// XFRMA_REPLAY_ESN_VAL, with the legacy field 0 (verify_replay()).
		// The bitmap itself may be left out: the kernel allocates it.
		xfrm_replay_state_esn esn;
		std::memset(&esn, 0, sizeof(esn));
		esn.bmp_len = (sa.replayWindow + 31u) / 32u;
		esn.replay_window = sa.replayWindow;
		b.attr(XFRMA_REPLAY_ESN_VAL, &esn, sizeof(esn));
	}
	putMark(b, sa.id.mark, sa.id.markMask);
	if (sa.setMark) {
		b.attr(XFRMA_SET_MARK, sa.setMark);
		b.attr(XFRMA_SET_MARK_MASK, uint32_t{0xffffffff});
	}
	return b.finish();
}

namespace {

Result<std::span<const uint8_t>> buildSaIdMsg(MsgBuffer &buf, uint16_t type, uint32_t seq, const SaId &id)
{
	L2S_TRY(sameFamily(type, id.src, id.dst));
	Builder b(buf, type, NLM_F_REQUEST | NLM_F_ACK, seq);
	b.body(usersaId(id));
	// ESP SAs are found by (dst, spi, proto); the source narrows it down
	// for protocols without SPI and costs nothing here.
	xfrm_address_t src;
	putAddress(src, id.src);
	b.attr(XFRMA_SRCADDR, src);
	putMark(b, id.mark, id.markMask);
	return b.finish();
}

} // namespace

Result<std::span<const uint8_t>> buildDelSa(MsgBuffer &buf, uint32_t seq, const SaId &id)
{
	return buildSaIdMsg(buf, XFRM_MSG_DELSA, seq, id);
}

Result<std::span<const uint8_t>> buildGetSa(MsgBuffer &buf, uint32_t seq, const SaId &id)
{
	return buildSaIdMsg(buf, XFRM_MSG_GETSA, seq, id);
}

Result<std::span<const uint8_t>> buildAllocSpi(MsgBuffer &buf, uint32_t seq, const SpiRequest &req)
{
	L2S_TRY(sameFamily(XFRM_MSG_ALLOCSPI, req.src, req.dst));
	if (req.min > req.max || req.min < 0x100)
		return Error{EINVAL, fmt::format("XFRM_MSG_ALLOCSPI {}->{}: bad SPI range 0x{:x}-0x{:x}", req.src.str(),
		                                 req.dst.str(), req.min, req.max)};
	xfrm_userspi_info u;
	std::memset(&u, 0, sizeof(u));
	u.info.family = familyOf(req.src);
	putAddress(u.info.saddr, req.src);
	putAddress(u.info.id.daddr, req.dst);
	u.info.id.proto = IPPROTO_ESP;
	u.info.mode = kernelMode(req.mode);
	u.info.reqid = req.reqid;
	u.min = req.min;
	u.max = req.max;
	Builder b(buf, XFRM_MSG_ALLOCSPI, NLM_F_REQUEST | NLM_F_ACK, seq);
	b.body(u);
	return b.finish();
}

Result<std::span<const uint8_t>> buildNewPolicy(MsgBuffer &buf, uint32_t seq, const PolicyId &id,
                                                const PolicyParams &params, bool update)
{
	uint16_t type = update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY;
	L2S_TRY(checkSelector(type, id.selector));

	xfrm_userpolicy_info p;
	std::memset(&p, 0, sizeof(p));
	p.sel = toXfrmSelector(id.selector, false);
	p.lft = lifetimeCfg(SaLifetime{});
	p.priority = params.priority;
	p.dir = kernelDir(id.direction);
	p.action = XFRM_POLICY_ALLOW;
	p.share = XFRM_SHARE_ANY;

	xfrm_user_tmpl t;
	std::memset(&t, 0, sizeof(t));
	t.id.proto = IPPROTO_ESP;
	t.family = familyOf(id.selector.src);
	t.reqid = params.reqid;
	t.mode = kernelMode(params.mode);
	t.share = XFRM_SHARE_ANY;
	// Any algorithm: the SA, not the policy, decides (as strongSwan does).
	t.aalgos = t.ealgos = t.calgos = ~0u;
	switch (params.mode) {
	case IpsecMode::Transport: break; // addresses come from the packet
	case IpsecMode::Tunnel:
		L2S_TRY(sameFamily(type, params.tunnelSrc, params.tunnelDst));
		if (params.tunnelSrc.isUnspecified() || params.tunnelDst.isUnspecified())
			return Error{EINVAL, fmt::format("{} {}: tunnel mode needs both outer addresses",
			                                 msgTypeName(type), describePolicy(id))};
		t.family = familyOf(params.tunnelSrc);
		putAddress(t.saddr, params.tunnelSrc);
		putAddress(t.id.daddr, params.tunnelDst);
		break;
	}

	Builder b(buf, type, NLM_F_REQUEST | NLM_F_ACK, seq);
	b.body(p);
	b.attr(XFRMA_TMPL, t);
	putMark(b, id.mark, id.markMask);
	return b.finish();
}

Result<std::span<const uint8_t>> buildDelPolicy(MsgBuffer &buf, uint32_t seq, const PolicyId &id)
{
	L2S_TRY(checkSelector(XFRM_MSG_DELPOLICY, id.selector));
	xfrm_userpolicy_id p;
	std::memset(&p, 0, sizeof(p));
	p.sel = toXfrmSelector(id.selector, false);
	p.dir = kernelDir(id.direction);
	Builder b(buf, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, seq);
	b.body(p);
	putMark(b, id.mark, id.markMask);
	return b.finish();
}

namespace {

std::span<const uint8_t> buildDump(MsgBuffer &buf, uint16_t type, uint32_t seq)
{
	// No body: the kernel parses a dump request's attributes (filters)
	// straight after the header, and we filter on reqid ourselves.
	Builder b(buf, type, NLM_F_REQUEST | NLM_F_DUMP, seq);
	return *b.finish();
}

} // namespace

std::span<const uint8_t> buildDumpSas(MsgBuffer &buf, uint32_t seq)
{
	return buildDump(buf, XFRM_MSG_GETSA, seq);
}

std::span<const uint8_t> buildDumpPolicies(MsgBuffer &buf, uint32_t seq)
{
	return buildDump(buf, XFRM_MSG_GETPOLICY, seq);
}

std::vector<uint8_t> buildSocketBypass(IpAddress::Family family, PolicyDirection dir)
{
	xfrm_userpolicy_info p;
	std::memset(&p, 0, sizeof(p));
	p.sel.family = family == IpAddress::Family::V4 ? AF_INET : AF_INET6;
	p.lft = lifetimeCfg(SaLifetime{});
	p.dir = kernelDir(dir);
	p.action = XFRM_POLICY_ALLOW;
	std::vector<uint8_t> out(sizeof(p));
	std::memcpy(out.data(), &p, sizeof(p));
	return out;
}

} // namespace l2tpsec::kernel::xfrm
