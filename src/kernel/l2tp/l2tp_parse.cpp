// The reply parsers of l2tp_msg.h: CTRL_CMD_GETFAMILY and the L2TP tunnel
// and session answers, on libnl-genl's parsers with one nla_policy table per
// reply (genl_codec.h). A policy lists what its parser reads, so every
// attribute is of its type and size before it is read; an attribute it
// does not list is skipped (newer kernels add some).

#include "kernel/l2tp/genl_codec.h"
#include "kernel/l2tp/l2tp_msg.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>

#include <array>

namespace l2tpsec::kernel::l2tpgenl {

namespace {

using genl::exact;

Error malformedReply(std::string what)
{
	return Error{EBADMSG, "malformed L2TP netlink reply: " + std::move(what)};
}

// Strings and addresses have no size in the policies: the parsers read a
// string up to its NUL (or the end), and an address of the wrong size gets
// its own message, naming the address.
constexpr auto kFamilyPolicy = genl::policy<CTRL_ATTR_MAX + 1>({
        {CTRL_ATTR_FAMILY_ID, exact(NLA_U16)},
        {CTRL_ATTR_VERSION, exact(NLA_U32)},
        {CTRL_ATTR_MAXATTR, exact(NLA_U32)},
        {CTRL_ATTR_MCAST_GROUPS, genl::kNested},
});

constexpr auto kMcastGroupPolicy =
        genl::policy<CTRL_ATTR_MCAST_GRP_MAX + 1>({{CTRL_ATTR_MCAST_GRP_ID, exact(NLA_U32)}});

constexpr auto kStatsPolicy = genl::policy<L2TP_ATTR_STATS_MAX + 1>({
        {L2TP_ATTR_TX_PACKETS, exact(NLA_U64)},
        {L2TP_ATTR_TX_BYTES, exact(NLA_U64)},
        {L2TP_ATTR_TX_ERRORS, exact(NLA_U64)},
        {L2TP_ATTR_RX_PACKETS, exact(NLA_U64)},
        {L2TP_ATTR_RX_BYTES, exact(NLA_U64)},
        {L2TP_ATTR_RX_ERRORS, exact(NLA_U64)},
        {L2TP_ATTR_RX_SEQ_DISCARDS, exact(NLA_U64)},
        {L2TP_ATTR_RX_OOS_PACKETS, exact(NLA_U64)},
});

constexpr auto kTunnelPolicy = genl::policy<L2TP_ATTR_MAX + 1>({
        {L2TP_ATTR_CONN_ID, exact(NLA_U32)},
        {L2TP_ATTR_PEER_CONN_ID, exact(NLA_U32)},
        {L2TP_ATTR_PROTO_VERSION, exact(NLA_U8)},
        {L2TP_ATTR_UDP_SPORT, exact(NLA_U16)},
        {L2TP_ATTR_UDP_DPORT, exact(NLA_U16)},
        {L2TP_ATTR_STATS, genl::kNested},
});

constexpr auto kSessionPolicy = genl::policy<L2TP_ATTR_MAX + 1>({
        {L2TP_ATTR_CONN_ID, exact(NLA_U32)},
        {L2TP_ATTR_SESSION_ID, exact(NLA_U32)},
        {L2TP_ATTR_PEER_SESSION_ID, exact(NLA_U32)},
        {L2TP_ATTR_LNS_MODE, exact(NLA_U8)},
        {L2TP_ATTR_SEND_SEQ, exact(NLA_U8)},
        {L2TP_ATTR_RECV_SEQ, exact(NLA_U8)},
        {L2TP_ATTR_USING_IPSEC, exact(NLA_U8)},
        {L2TP_ATTR_RECV_TIMEOUT, exact(NLA_U64)}, // NLA_MSECS
        {L2TP_ATTR_STATS, genl::kNested},
});

// Reads an attribute the policy has checked, if present.
template <typename T>
void read(const genl::AttrIndex &attrs, int type, T &field, T (*get)(const nlattr *))
{
	if (const nlattr *a = attrs[type])
		field = get(a);
}

template <typename Field>
void readFlag(const genl::AttrIndex &attrs, int type, Field &field)
{
	if (const nlattr *a = attrs[type])
		field = nla_get_u8(a) != 0;
}

IpAddress ipFromBytes(std::span<const uint8_t> b)
{
	if (b.size() == 4)
		return IpAddress::v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
	// IpAddress has no raw IPv6 constructor; its text form round-trips.
	char text[INET6_ADDRSTRLEN] = {};
	inet_ntop(AF_INET6, b.data(), text, sizeof text);
	return IpAddress::parse(text).value_or(IpAddress{});
}

// Sets `field` from the address attribute `type` of `size` bytes, if present.
Result<void> readAddress(const genl::AttrIndex &attrs, int type, size_t size, IpAddress &field)
{
	const nlattr *a = attrs[type];
	if (!a)
		return {};
	auto bytes = genl::payload(a);
	if (bytes.size() != size)
		return malformedReply(
		        fmt::format("address attribute {} is {} bytes, expected {}", type, bytes.size(), size));
	field = ipFromBytes(bytes);
	return {};
}

Result<L2tpStats> parseStats(const nlattr *nest)
{
	L2S_TRY_ASSIGN(auto attrs, genl::parseNested(nest, kStatsPolicy));
	L2tpStats s;
	read(attrs, L2TP_ATTR_TX_PACKETS, s.txPackets, nla_get_u64);
	read(attrs, L2TP_ATTR_TX_BYTES, s.txBytes, nla_get_u64);
	read(attrs, L2TP_ATTR_TX_ERRORS, s.txErrors, nla_get_u64);
	read(attrs, L2TP_ATTR_RX_PACKETS, s.rxPackets, nla_get_u64);
	read(attrs, L2TP_ATTR_RX_BYTES, s.rxBytes, nla_get_u64);
	read(attrs, L2TP_ATTR_RX_ERRORS, s.rxErrors, nla_get_u64);
	read(attrs, L2TP_ATTR_RX_SEQ_DISCARDS, s.rxSeqDiscards, nla_get_u64);
	read(attrs, L2TP_ATTR_RX_OOS_PACKETS, s.rxOosPackets, nla_get_u64);
	// Not read: STATS_PAD (alignment for the u64s), the cookie and invalid counters.
	return s;
}

Result<void> readStats(const genl::AttrIndex &attrs, L2tpStats &field)
{
	if (const nlattr *a = attrs[L2TP_ATTR_STATS]) {
		L2S_TRY_ASSIGN(field, parseStats(a));
	}
	return {};
}

} // namespace

Result<FamilyInfo> parseFamily(netlink::Bytes message)
{
	L2S_TRY_ASSIGN(auto reply, genl::Reply::parse(message, kFamilyPolicy));
	const genl::AttrIndex &attrs = reply.attrs();
	if (!attrs[CTRL_ATTR_FAMILY_ID])
		return Error{EBADMSG, "malformed CTRL_CMD_GETFAMILY reply: no CTRL_ATTR_FAMILY_ID"};
	FamilyInfo f;
	f.id = nla_get_u16(attrs[CTRL_ATTR_FAMILY_ID]);
	if (const nlattr *name = attrs[CTRL_ATTR_FAMILY_NAME])
		f.name = genl::string(name);
	read(attrs, CTRL_ATTR_VERSION, f.version, nla_get_u32);
	read(attrs, CTRL_ATTR_MAXATTR, f.maxAttr, nla_get_u32);
	if (const nlattr *groups = attrs[CTRL_ATTR_MCAST_GROUPS]) {
		L2S_TRY_ASSIGN(auto nests, genl::nestedArray(groups));
		for (const nlattr *nest : nests) {
			L2S_TRY_ASSIGN(auto g, genl::parseNested(nest, kMcastGroupPolicy));
			FamilyInfo::McastGroup mg;
			if (const nlattr *name = g[CTRL_ATTR_MCAST_GRP_NAME])
				mg.name = genl::string(name);
			read(g, CTRL_ATTR_MCAST_GRP_ID, mg.id, nla_get_u32);
			f.mcastGroups.push_back(std::move(mg));
		}
	}
	// Not read: the operations and policies the family has.
	return f;
}

Result<TunnelState> parseTunnel(netlink::Bytes message)
{
	L2S_TRY_ASSIGN(auto reply, genl::Reply::parse(message, kTunnelPolicy));
	const genl::AttrIndex &attrs = reply.attrs();
	if (!attrs[L2TP_ATTR_CONN_ID])
		return malformedReply("tunnel without L2TP_ATTR_CONN_ID");
	TunnelState t;
	read(attrs, L2TP_ATTR_CONN_ID, t.tunnelId, nla_get_u32);
	read(attrs, L2TP_ATTR_PEER_CONN_ID, t.peerTunnelId, nla_get_u32);
	read(attrs, L2TP_ATTR_PROTO_VERSION, t.version, nla_get_u8);
	read(attrs, L2TP_ATTR_UDP_SPORT, t.localPort, nla_get_u16);
	read(attrs, L2TP_ATTR_UDP_DPORT, t.peerPort, nla_get_u16);
	// The kernel sends one family's pair; were both there, IPv6 would win.
	L2S_TRY(readAddress(attrs, L2TP_ATTR_IP_SADDR, 4, t.localAddress));
	L2S_TRY(readAddress(attrs, L2TP_ATTR_IP_DADDR, 4, t.peerAddress));
	L2S_TRY(readAddress(attrs, L2TP_ATTR_IP6_SADDR, 16, t.localAddress));
	L2S_TRY(readAddress(attrs, L2TP_ATTR_IP6_DADDR, 16, t.peerAddress));
	L2S_TRY(readStats(attrs, t.stats));
	return t;
}

Result<SessionState> parseSession(netlink::Bytes message)
{
	L2S_TRY_ASSIGN(auto reply, genl::Reply::parse(message, kSessionPolicy));
	const genl::AttrIndex &attrs = reply.attrs();
	if (!attrs[L2TP_ATTR_CONN_ID] || !attrs[L2TP_ATTR_SESSION_ID])
		return malformedReply("session without L2TP_ATTR_CONN_ID and L2TP_ATTR_SESSION_ID");
	SessionState s;
	read(attrs, L2TP_ATTR_CONN_ID, s.tunnelId, nla_get_u32);
	read(attrs, L2TP_ATTR_SESSION_ID, s.sessionId, nla_get_u32);
	read(attrs, L2TP_ATTR_PEER_SESSION_ID, s.peerSessionId, nla_get_u32);
	readFlag(attrs, L2TP_ATTR_LNS_MODE, s.lnsMode);
	readFlag(attrs, L2TP_ATTR_SEND_SEQ, s.sendSeq);
	readFlag(attrs, L2TP_ATTR_RECV_SEQ, s.recvSeq);
	readFlag(attrs, L2TP_ATTR_USING_IPSEC, s.usingIpsec);
	if (const nlattr *timeout = attrs[L2TP_ATTR_RECV_TIMEOUT])
		s.reorderTimeoutMs = static_cast<uint32_t>(std::min<uint64_t>(nla_get_u64(timeout), UINT32_MAX));
	if (const nlattr *ifname = attrs[L2TP_ATTR_IFNAME]) {
		// IFNAMSIZ is 16 with the NUL; anything longer is not a name.
		s.ifname = genl::string(ifname);
		if (s.ifname.size() > 15)
			return malformedReply(fmt::format("interface name of {} bytes", s.ifname.size()));
	}
	L2S_TRY(readStats(attrs, s.stats));
	return s;
}

} // namespace l2tpsec::kernel::l2tpgenl
