// Parsers for what the kernel sends over NETLINK_XFRM: SAs (NEWSA replies
// and dump entries), policies, and the EXPIRE/ACQUIRE/MAPPING events. Input
// is untrusted: every struct and key length is checked before use.

#include "kernel/xfrm/nl_attrs.h"
#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netinet/udp.h>

namespace l2tpsec::kernel::xfrm {

using detail::AlignedMessage;
using detail::AttrTable;
using detail::badMessage;

namespace {

using XfrmAttrs = AttrTable<XFRMA_MAX + 1>;

Result<IpAddress> address(const xfrm_address_t &a, uint16_t family)
{
	switch (family) {
	case AF_INET: return IpAddress::v4(ntohl(a.a4));
	case AF_INET6: {
		// IpAddress builds IPv6 only from text.
		char text[INET6_ADDRSTRLEN] = {};
		inet_ntop(AF_INET6, &a, text, sizeof(text));
		return *IpAddress::parse(text);
	}
	default: break; // kernel values
	}
	return badMessage(fmt::format("unknown address family {}", family));
}

Result<Selector> selector(const xfrm_selector &x)
{
	Selector s;
	if (x.family == AF_UNSPEC) {
		// "Any", as a tunnel-mode SA may carry.
		s.srcPrefix = s.dstPrefix = 0;
	} else {
		L2S_TRY_ASSIGN(auto src, address(x.saddr, x.family));
		L2S_TRY_ASSIGN(auto dst, address(x.daddr, x.family));
		s.src = src;
		s.dst = dst;
		s.srcPrefix = x.prefixlen_s;
		s.dstPrefix = x.prefixlen_d;
		unsigned max = x.family == AF_INET ? 32 : 128;
		if (s.srcPrefix > max || s.dstPrefix > max)
			return badMessage(
			        fmt::format("selector prefix /{} or /{} out of range", s.srcPrefix, s.dstPrefix));
	}
	s.protocol = x.proto;
	s.srcPort = ntohs(x.sport);
	s.dstPort = ntohs(x.dport);
	return s;
}

Result<IpsecMode> mode(uint8_t m)
{
	switch (m) {
	case XFRM_MODE_TRANSPORT: return IpsecMode::Transport;
	case XFRM_MODE_TUNNEL: return IpsecMode::Tunnel;
	default: break; // kernel values
	}
	return badMessage(fmt::format("unsupported mode {}", m));
}

uint64_t noLimit(uint64_t v)
{
	return v == XFRM_INF ? 0 : v;
}

SaLifetime lifetime(const xfrm_lifetime_cfg &c)
{
	SaLifetime l;
	l.softBytes = noLimit(c.soft_byte_limit);
	l.hardBytes = noLimit(c.hard_byte_limit);
	l.softPackets = noLimit(c.soft_packet_limit);
	l.hardPackets = noLimit(c.hard_packet_limit);
	// Seconds beyond what a duration holds are nonsense; clamp them.
	auto secs = [](uint64_t v) { return std::chrono::seconds(int64_t(std::min<uint64_t>(v, INT64_MAX))); };
	l.softAdd = secs(c.soft_add_expires_seconds);
	l.hardAdd = secs(c.hard_add_expires_seconds);
	return l;
}

/// xfrm_algo (withBits false), xfrm_algo_auth or xfrm_algo_aead.
Result<Algorithm> algorithm(std::span<const uint8_t> p, bool withBits, std::string_view what)
{
	constexpr size_t kName = sizeof(xfrm_algo::alg_name);
	size_t head = withBits ? sizeof(xfrm_algo_auth) : sizeof(xfrm_algo);
	if (p.size() < head)
		return badMessage(fmt::format("{} attribute is {} bytes, needs at least {}", what, p.size(), head));
	const char *name = reinterpret_cast<const char *>(p.data());
	size_t nameLen = strnlen(name, kName);
	if (nameLen == kName)
		return badMessage(fmt::format("{} algorithm name is not terminated", what));
	uint32_t keyBits;
	std::memcpy(&keyBits, p.data() + kName, sizeof(keyBits));
	Algorithm a;
	a.name.assign(name, nameLen);
	if (withBits)
		std::memcpy(&a.bits, p.data() + kName + sizeof(keyBits), sizeof(a.bits));
	size_t keyBytes = (uint64_t(keyBits) + 7) / 8;
	if (keyBytes > p.size() - head)
		return badMessage(
		        fmt::format("{} key of {} bits runs past its {}-byte attribute", what, keyBits, p.size()));
	a.key.assign(p.begin() + head, p.begin() + head + keyBytes);
	return a;
}

Result<void> markInto(const XfrmAttrs &attrs, uint32_t &mark, uint32_t &mask)
{
	if (!attrs.has(XFRMA_MARK))
		return {};
	L2S_TRY_ASSIGN(auto m, attrs.read<xfrm_mark>(XFRMA_MARK, "XFRMA_MARK"));
	mark = m.v;
	mask = m.m;
	return {};
}

Error context(uint16_t type, Error e)
{
	e.message = msgTypeName(type) + ": " + e.message;
	return e;
}

template <typename T>
Result<T> fixedBody(const AlignedMessage &msg, std::string_view name)
{
	T body;
	if (!msg.body(body))
		return badMessage(
		        fmt::format("{} bytes of payload, {} needs {}", msg.payload().size(), name, sizeof(T)));
	return body;
}

Result<XfrmAttrs> attributesAfter(const AlignedMessage &msg, size_t fixed)
{
	return detail::parseAttributes<XFRMA_MAX + 1>(msg, fixed);
}

Result<SaInfo> saFromInfo(const xfrm_usersa_info &u, const XfrmAttrs &attrs)
{
	SaInfo info;
	SaSpec &s = info.spec;
	L2S_TRY_ASSIGN(auto src, address(u.saddr, u.family));
	L2S_TRY_ASSIGN(auto dst, address(u.id.daddr, u.family));
	s.id.src = src;
	s.id.dst = dst;
	s.id.spi = ntohl(u.id.spi);
	L2S_TRY_ASSIGN(auto m, mode(u.mode));
	s.mode = m;
	L2S_TRY_ASSIGN(auto sel, selector(u.sel));
	s.selector = sel;
	s.reqid = u.reqid;
	s.lifetime = lifetime(u.lft);
	s.replayWindow = u.replay_window;
	s.flags = u.flags;
	info.protocol = u.id.proto;
	info.bytes = u.curlft.bytes;
	info.packets = u.curlft.packets;
	info.addTime = u.curlft.add_time;
	info.useTime = u.curlft.use_time;
	info.replayDrops = u.stats.replay;
	info.integrityFailures = u.stats.integrity_failed;

	struct AlgAttr {
		int type;
		std::optional<Algorithm> &out;
		bool withBits;
		std::string_view name;
	};
	for (const AlgAttr &a : {AlgAttr{XFRMA_ALG_AEAD, s.aead, true, "XFRMA_ALG_AEAD"},
	                         AlgAttr{XFRMA_ALG_CRYPT, s.crypt, false, "XFRMA_ALG_CRYPT"},
	                         AlgAttr{XFRMA_ALG_AUTH_TRUNC, s.auth, true, "XFRMA_ALG_AUTH_TRUNC"}}) {
		if (!attrs.has(a.type))
			continue;
		L2S_TRY_ASSIGN(auto alg, algorithm(attrs.get(a.type), a.withBits, a.name));
		a.out = std::move(alg);
	}
	// The kernel also sends the legacy XFRMA_ALG_AUTH; only a kernel that
	// lacked XFRMA_ALG_AUTH_TRUNC would send it alone.
	if (!s.auth && attrs.has(XFRMA_ALG_AUTH)) {
		L2S_TRY_ASSIGN(auto alg, algorithm(attrs.get(XFRMA_ALG_AUTH), false, "XFRMA_ALG_AUTH"));
		s.auth = std::move(alg);
	}
	if (attrs.has(XFRMA_ENCAP)) {
		L2S_TRY_ASSIGN(auto e, attrs.read<xfrm_encap_tmpl>(XFRMA_ENCAP, "XFRMA_ENCAP"));
		if (e.encap_type != UDP_ENCAP_ESPINUDP)
			return badMessage(fmt::format("encapsulation type {} is not ESP-in-UDP", e.encap_type));
		NatTEncap n;
		n.srcPort = ntohs(e.encap_sport);
		n.dstPort = ntohs(e.encap_dport);
		auto oa = address(e.encap_oa, u.family);
		if (!oa)
			return std::move(oa).error();
		if (!oa->isUnspecified())
			n.originalAddress = *oa;
		s.encap = n;
	}
	if (attrs.has(XFRMA_REPLAY_ESN_VAL)) {
		// The bitmap that follows may be absent (our own requests).
		auto p = attrs.get(XFRMA_REPLAY_ESN_VAL);
		if (p.size() < sizeof(xfrm_replay_state_esn))
			return badMessage(fmt::format("XFRMA_REPLAY_ESN_VAL attribute is {} bytes, needs {}", p.size(),
			                              sizeof(xfrm_replay_state_esn)));
		uint32_t window;
		std::memcpy(&window, p.data() + offsetof(xfrm_replay_state_esn, replay_window), sizeof(window));
		s.replayWindow = uint8_t(std::min<uint32_t>(window, UINT8_MAX));
	}
	L2S_TRY(markInto(attrs, s.id.mark, s.id.markMask));
	return info;
}

Result<PolicyDirection> direction(uint8_t dir)
{
	switch (dir % XFRM_POLICY_MAX) {
	case XFRM_POLICY_IN: return PolicyDirection::In;
	case XFRM_POLICY_OUT: return PolicyDirection::Out;
	case XFRM_POLICY_FWD: return PolicyDirection::Fwd;
	default: break; // unreachable for % 3
	}
	return badMessage(fmt::format("policy direction {}", dir));
}

} // namespace

Result<SaInfo> parseSa(std::span<const uint8_t> bytes)
{
	L2S_TRY_ASSIGN(auto msg, AlignedMessage::from(bytes));
	uint16_t type = msg.type();
	if (type != XFRM_MSG_NEWSA && type != XFRM_MSG_UPDSA)
		return badMessage(fmt::format("expected an SA, got {}", msgTypeName(type)));
	auto u = fixedBody<xfrm_usersa_info>(msg, "xfrm_usersa_info");
	if (!u)
		return context(type, std::move(u).error());
	auto attrs = attributesAfter(msg, sizeof(xfrm_usersa_info));
	if (!attrs)
		return context(type, std::move(attrs).error());
	auto info = saFromInfo(*u, *attrs);
	if (!info)
		return context(type, std::move(info).error());
	return info;
}

Result<PolicyInfo> parsePolicy(std::span<const uint8_t> bytes)
{
	L2S_TRY_ASSIGN(auto msg, AlignedMessage::from(bytes));
	uint16_t type = msg.type();
	if (type != XFRM_MSG_NEWPOLICY && type != XFRM_MSG_UPDPOLICY)
		return badMessage(fmt::format("expected a policy, got {}", msgTypeName(type)));
	auto fail = [&](Error e) { return context(type, std::move(e)); };
	auto p = fixedBody<xfrm_userpolicy_info>(msg, "xfrm_userpolicy_info");
	if (!p)
		return fail(std::move(p).error());
	auto attrs = attributesAfter(msg, sizeof(xfrm_userpolicy_info));
	if (!attrs)
		return fail(std::move(attrs).error());

	PolicyInfo info;
	PolicyState &st = info.state;
	auto sel = selector(p->sel);
	if (!sel)
		return fail(std::move(sel).error());
	st.id.selector = *sel;
	auto dir = direction(p->dir);
	if (!dir)
		return fail(std::move(dir).error());
	st.id.direction = *dir;
	// Per-socket policies (setsockopt IP_XFRM_POLICY) show up in dumps with
	// dir + XFRM_POLICY_MAX.
	info.socket = p->dir >= XFRM_POLICY_MAX;
	st.index = p->index;
	st.params.priority = p->priority;
	info.block = p->action == XFRM_POLICY_BLOCK;
	if (auto r = markInto(*attrs, st.id.mark, st.id.markMask); !r)
		return fail(std::move(r).error());

	if (attrs->has(XFRMA_TMPL)) {
		auto t = attrs->get(XFRMA_TMPL);
		if (t.size() % sizeof(xfrm_user_tmpl) != 0)
			return fail(badMessage(
			        fmt::format("XFRMA_TMPL of {} bytes is not a whole number of {}-byte templates",
			                    t.size(), sizeof(xfrm_user_tmpl))));
		info.templates = t.size() / sizeof(xfrm_user_tmpl);
		if (info.templates) {
			xfrm_user_tmpl first;
			std::memcpy(&first, t.data(), sizeof(first));
			auto m = mode(first.mode);
			if (!m)
				return fail(std::move(m).error());
			st.params.mode = *m;
			st.params.reqid = first.reqid;
			if (*m == IpsecMode::Tunnel) {
				auto src = address(first.saddr, first.family);
				auto dst = address(first.id.daddr, first.family);
				if (!src || !dst)
					return fail(
					        badMessage(fmt::format("template address family {}", first.family)));
				st.params.tunnelSrc = *src;
				st.params.tunnelDst = *dst;
			}
		}
	}
	return info;
}

namespace {

Result<Event> expireEvent(const AlignedMessage &msg)
{
	L2S_TRY_ASSIGN(auto e, fixedBody<xfrm_user_expire>(msg, "xfrm_user_expire"));
	L2S_TRY_ASSIGN(auto attrs, attributesAfter(msg, sizeof(xfrm_user_expire)));
	// The embedded state carries no attributes of its own; the mark follows
	// the expire header.
	L2S_TRY_ASSIGN(auto sa, saFromInfo(e.state, XfrmAttrs{}));
	Event ev;
	ev.kind = EventKind::Expire;
	ev.sa = sa.spec.id;
	ev.reqid = sa.spec.reqid;
	ev.selector = sa.spec.selector;
	ev.hard = e.hard != 0;
	L2S_TRY(markInto(attrs, ev.sa.mark, ev.sa.markMask));
	return ev;
}

Result<Event> acquireEvent(const AlignedMessage &msg)
{
	L2S_TRY_ASSIGN(auto a, fixedBody<xfrm_user_acquire>(msg, "xfrm_user_acquire"));
	L2S_TRY_ASSIGN(auto attrs, attributesAfter(msg, sizeof(xfrm_user_acquire)));
	uint16_t family = a.sel.family ? a.sel.family : a.policy.sel.family;
	L2S_TRY_ASSIGN(auto src, address(a.saddr, family));
	L2S_TRY_ASSIGN(auto dst, address(a.id.daddr, family));
	L2S_TRY_ASSIGN(auto sel, selector(a.sel));
	L2S_TRY_ASSIGN(auto dir, direction(a.policy.dir));
	Event ev;
	ev.kind = EventKind::Acquire;
	ev.sa.src = src;
	ev.sa.dst = dst;
	ev.selector = sel;
	ev.policyIndex = a.policy.index;
	ev.direction = dir;
	if (attrs.has(XFRMA_TMPL)) {
		auto t = attrs.get(XFRMA_TMPL);
		if (t.size() < sizeof(xfrm_user_tmpl))
			return badMessage(fmt::format("XFRMA_TMPL of {} bytes", t.size()));
		xfrm_user_tmpl first;
		std::memcpy(&first, t.data(), sizeof(first));
		ev.reqid = first.reqid;
	}
	L2S_TRY(markInto(attrs, ev.sa.mark, ev.sa.markMask));
	return ev;
}

Result<Event> mappingEvent(const AlignedMessage &msg)
{
	L2S_TRY_ASSIGN(auto m, fixedBody<xfrm_user_mapping>(msg, "xfrm_user_mapping"));
	L2S_TRY_ASSIGN(auto attrs, attributesAfter(msg, sizeof(xfrm_user_mapping)));
	L2S_TRY_ASSIGN(auto dst, address(m.id.daddr, m.id.family));
	L2S_TRY_ASSIGN(auto oldSrc, address(m.old_saddr, m.id.family));
	L2S_TRY_ASSIGN(auto newSrc, address(m.new_saddr, m.id.family));
	Event ev;
	ev.kind = EventKind::Mapping;
	ev.sa.src = oldSrc;
	ev.sa.dst = dst;
	ev.sa.spi = ntohl(m.id.spi);
	ev.reqid = m.reqid;
	ev.newAddress = newSrc;
	ev.oldPort = ntohs(m.old_sport);
	ev.newPort = ntohs(m.new_sport);
	L2S_TRY(markInto(attrs, ev.sa.mark, ev.sa.markMask));
	return ev;
}

} // namespace

Result<Event> parseEvent(std::span<const uint8_t> bytes)
{
	L2S_TRY_ASSIGN(auto msg, AlignedMessage::from(bytes));
	uint16_t type = msg.type();
	Result<Event> ev = badMessage(fmt::format("{} is not an event we handle", msgTypeName(type)));
	switch (type) {
	case XFRM_MSG_EXPIRE: ev = expireEvent(msg); break;
	case XFRM_MSG_ACQUIRE: ev = acquireEvent(msg); break;
	case XFRM_MSG_MAPPING: ev = mappingEvent(msg); break;
	default: return ev; // kernel values
	}
	if (!ev)
		return context(type, std::move(ev).error());
	return ev;
}

namespace {

/// The first message of `bytes` (bytes past its nlmsg_len are ignored, as
/// for every parser here), which must be of `type`.
Result<NlMessage> controlMessage(std::span<const uint8_t> bytes, uint16_t type)
{
	L2S_TRY_ASSIGN(auto msg, AlignedMessage::from(bytes));
	if (msg.type() != type)
		return badMessage(fmt::format("expected {}, got {}", msgTypeName(type), msgTypeName(msg.type())));
	L2S_TRY_ASSIGN(auto msgs, splitMessages(bytes.first(msg.length())));
	return msgs.front();
}

} // namespace

Result<NlAck> parseAck(std::span<const uint8_t> bytes)
{
	L2S_TRY_ASSIGN(auto msg, controlMessage(bytes, NLMSG_ERROR));
	return netlink::parseAck(msg);
}

Result<int> parseDone(std::span<const uint8_t> bytes)
{
	L2S_TRY_ASSIGN(auto msg, controlMessage(bytes, NLMSG_DONE));
	return netlink::parseDone(msg);
}

} // namespace l2tpsec::kernel::xfrm
