#include "kernel/l2tp/l2tp_msg.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>

namespace l2tpsec::kernel::l2tpgenl {

namespace {

constexpr uint16_t kRequestAck = NLM_F_REQUEST | NLM_F_ACK;
constexpr uint16_t kRequestDump = NLM_F_REQUEST | NLM_F_DUMP;

Error invalid(std::string what)
{
	return Error{EINVAL, std::move(what)};
}

Error malformed(std::string what)
{
	return Error{EBADMSG, "malformed L2TP netlink reply: " + std::move(what)};
}

nl::MessageWriter request(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd)
{
	return nl::MessageWriter(family, flags, seq, cmd, L2TP_GENL_VERSION);
}

IpAddress ipFromBytes(nl::Bytes b)
{
	if (b.size() == 4)
		return IpAddress::v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]);
	// IpAddress has no raw IPv6 constructor; its text form round-trips.
	char text[INET6_ADDRSTRLEN] = {};
	inet_ntop(AF_INET6, b.data(), text, sizeof text);
	return IpAddress::parse(text).value_or(IpAddress{});
}

Result<IpAddress> attrAddress(const nl::Attr &a, size_t size)
{
	if (a.payload.size() != size)
		return malformed(
		        fmt::format("address attribute {} is {} bytes, expected {}", a.type, a.payload.size(), size));
	return ipFromBytes(a.payload);
}

// Stores a parsed attribute in its field; the error stays for L2S_TRY.
template <typename Field, typename T>
Result<void> store(Field &field, Result<T> parsed)
{
	if (!parsed)
		return std::move(parsed).error();
	field = std::move(*parsed);
	return {};
}

} // namespace

std::string commandName(uint8_t cmd)
{
	switch (cmd) {
	case L2TP_CMD_NOOP: return "L2TP_CMD_NOOP";
	case L2TP_CMD_TUNNEL_CREATE: return "L2TP_CMD_TUNNEL_CREATE";
	case L2TP_CMD_TUNNEL_DELETE: return "L2TP_CMD_TUNNEL_DELETE";
	case L2TP_CMD_TUNNEL_MODIFY: return "L2TP_CMD_TUNNEL_MODIFY";
	case L2TP_CMD_TUNNEL_GET: return "L2TP_CMD_TUNNEL_GET";
	case L2TP_CMD_SESSION_CREATE: return "L2TP_CMD_SESSION_CREATE";
	case L2TP_CMD_SESSION_DELETE: return "L2TP_CMD_SESSION_DELETE";
	case L2TP_CMD_SESSION_MODIFY: return "L2TP_CMD_SESSION_MODIFY";
	case L2TP_CMD_SESSION_GET: return "L2TP_CMD_SESSION_GET";
	default: return fmt::format("L2TP_CMD_{}", cmd); // a kernel enum, not ours
	}
}

Result<void> validateTunnelParams(const TunnelParams &p)
{
	if (p.version != 2 && p.version != 3)
		return invalid(fmt::format("tunnel {}: L2TP version {} (expected 2 or 3)", p.tunnelId, p.version));
	if (p.tunnelId == 0 || p.peerTunnelId == 0)
		return invalid(
		        fmt::format("tunnel {} peer {}: tunnel ids must be non-zero", p.tunnelId, p.peerTunnelId));
	// RFC 2661 §3.1: L2TPv2 tunnel ids are 16 bits on the wire.
	if (p.version == 2 && (p.tunnelId > 0xffff || p.peerTunnelId > 0xffff))
		return invalid(
		        fmt::format("tunnel {} peer {}: L2TPv2 tunnel ids are 16 bits", p.tunnelId, p.peerTunnelId));
	if (p.udpFd >= 0)
		return {};
	if (p.localAddress.family() != p.peerAddress.family())
		return invalid(fmt::format("tunnel {}: local {} and peer {} are of different address families",
		                           p.tunnelId, p.localAddress.str(), p.peerAddress.str()));
	if (p.localAddress.isUnspecified() || p.peerAddress.isUnspecified())
		return invalid(fmt::format("tunnel {}: a static tunnel needs local and peer addresses", p.tunnelId));
	if (p.localPort == 0 || p.peerPort == 0)
		return invalid(fmt::format("tunnel {}: a static tunnel needs non-zero UDP ports", p.tunnelId));
	return {};
}

Result<void> validateSessionParams(const SessionParams &p)
{
	if (p.tunnelId == 0)
		return invalid(fmt::format("session {}: tunnel id must be non-zero", p.sessionId));
	if (p.sessionId == 0 || p.peerSessionId == 0)
		return invalid(fmt::format("tunnel {} session {} peer {}: session ids must be non-zero", p.tunnelId,
		                           p.sessionId, p.peerSessionId));
	return {};
}

Result<void> validatePppSocketParams(const SessionParams &p, uint32_t peerTunnelId)
{
	L2S_TRY(validateSessionParams(p));
	if (peerTunnelId == 0)
		return invalid(fmt::format("tunnel {} session {}: the peer tunnel id must be non-zero", p.tunnelId,
		                           p.sessionId));
	return {};
}

std::vector<uint8_t> buildGetFamily(uint32_t seq, std::string_view name)
{
	nl::MessageWriter w(GENL_ID_CTRL, kRequestAck, seq, CTRL_CMD_GETFAMILY, 1);
	w.putString(CTRL_ATTR_FAMILY_NAME, name);
	return std::move(w).finish();
}

Result<std::vector<uint8_t>> buildTunnelCreate(uint16_t family, uint32_t seq, const TunnelParams &p)
{
	L2S_TRY(validateTunnelParams(p));
	auto w = request(family, kRequestAck, seq, L2TP_CMD_TUNNEL_CREATE);
	w.putU32(L2TP_ATTR_CONN_ID, p.tunnelId);
	w.putU32(L2TP_ATTR_PEER_CONN_ID, p.peerTunnelId);
	w.putU8(L2TP_ATTR_PROTO_VERSION, p.version);
	w.putU16(L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	if (p.udpFd >= 0) {
		// Managed: the kernel takes our socket; the tunnel dies with it.
		w.putU32(L2TP_ATTR_FD, static_cast<uint32_t>(p.udpFd));
		return std::move(w).finish();
	}
	if (p.localAddress.isV4()) {
		// Network byte order (nla_get_in_addr), despite the NLA_U32 policy.
		w.putBytes(L2TP_ATTR_IP_SADDR, nl::Bytes(p.localAddress.bytes().data(), 4));
		w.putBytes(L2TP_ATTR_IP_DADDR, nl::Bytes(p.peerAddress.bytes().data(), 4));
		// The kernel reads UDP_CSUM as a flag: present means "checksum",
		// whatever the value. L2TP has no integrity of its own, so we want
		// it (IPv6 always checksums unless the ZERO_CSUM6 flags are given).
		w.putU8(L2TP_ATTR_UDP_CSUM, 1);
	} else {
		w.putBytes(L2TP_ATTR_IP6_SADDR, nl::Bytes(p.localAddress.bytes().data(), 16));
		w.putBytes(L2TP_ATTR_IP6_DADDR, nl::Bytes(p.peerAddress.bytes().data(), 16));
	}
	w.putU16(L2TP_ATTR_UDP_SPORT, p.localPort);
	w.putU16(L2TP_ATTR_UDP_DPORT, p.peerPort);
	return std::move(w).finish();
}

std::vector<uint8_t> buildTunnelDelete(uint16_t family, uint32_t seq, uint32_t tunnelId)
{
	auto w = request(family, kRequestAck, seq, L2TP_CMD_TUNNEL_DELETE);
	w.putU32(L2TP_ATTR_CONN_ID, tunnelId);
	return std::move(w).finish();
}

std::vector<uint8_t> buildTunnelGet(uint16_t family, uint32_t seq, uint32_t tunnelId)
{
	auto w = request(family, kRequestAck, seq, L2TP_CMD_TUNNEL_GET);
	w.putU32(L2TP_ATTR_CONN_ID, tunnelId);
	return std::move(w).finish();
}

std::vector<uint8_t> buildTunnelDump(uint16_t family, uint32_t seq)
{
	return request(family, kRequestDump, seq, L2TP_CMD_TUNNEL_GET).finish();
}

Result<std::vector<uint8_t>> buildSessionCreate(uint16_t family, uint32_t seq, const SessionParams &p)
{
	L2S_TRY(validateSessionParams(p));
	auto w = request(family, kRequestAck, seq, L2TP_CMD_SESSION_CREATE);
	w.putU32(L2TP_ATTR_CONN_ID, p.tunnelId);
	w.putU32(L2TP_ATTR_SESSION_ID, p.sessionId);
	w.putU32(L2TP_ATTR_PEER_SESSION_ID, p.peerSessionId);
	w.putU16(L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	// Sent even when off, so that what we asked for is in the message.
	w.putU8(L2TP_ATTR_RECV_SEQ, p.recvSeq);
	w.putU8(L2TP_ATTR_SEND_SEQ, p.sendSeq);
	w.putU8(L2TP_ATTR_LNS_MODE, p.lnsMode);
	// NLA_MSECS: a u64 of milliseconds.
	if (p.reorderTimeoutMs)
		w.putU64(L2TP_ATTR_RECV_TIMEOUT, p.reorderTimeoutMs);
	return std::move(w).finish();
}

std::vector<uint8_t> buildSessionDelete(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId)
{
	auto w = request(family, kRequestAck, seq, L2TP_CMD_SESSION_DELETE);
	w.putU32(L2TP_ATTR_CONN_ID, tunnelId);
	w.putU32(L2TP_ATTR_SESSION_ID, sessionId);
	return std::move(w).finish();
}

std::vector<uint8_t> buildSessionGet(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId)
{
	auto w = request(family, kRequestAck, seq, L2TP_CMD_SESSION_GET);
	w.putU32(L2TP_ATTR_CONN_ID, tunnelId);
	w.putU32(L2TP_ATTR_SESSION_ID, sessionId);
	return std::move(w).finish();
}

std::vector<uint8_t> buildSessionDump(uint16_t family, uint32_t seq)
{
	return request(family, kRequestDump, seq, L2TP_CMD_SESSION_GET).finish();
}

Result<FamilyInfo> parseFamily(nl::Bytes attrs)
{
	L2S_TRY_ASSIGN(auto list, nl::splitAttrs(attrs));
	FamilyInfo f;
	bool haveId = false;
	for (const nl::Attr &a : list) {
		switch (a.type) {
		case CTRL_ATTR_FAMILY_ID:
			L2S_TRY(store(f.id, nl::attrU16(a)));
			haveId = true;
			break;
		case CTRL_ATTR_FAMILY_NAME: f.name = nl::attrString(a); break;
		case CTRL_ATTR_VERSION: L2S_TRY(store(f.version, nl::attrU32(a))); break;
		case CTRL_ATTR_MAXATTR: L2S_TRY(store(f.maxAttr, nl::attrU32(a))); break;
		case CTRL_ATTR_MCAST_GROUPS: {
			// An array: nests numbered 1..n, each {GRP_NAME, GRP_ID}.
			L2S_TRY_ASSIGN(auto groups, nl::splitAttrs(a.payload));
			for (const nl::Attr &g : groups) {
				L2S_TRY_ASSIGN(auto fields, nl::splitAttrs(g.payload));
				FamilyInfo::McastGroup mg;
				for (const nl::Attr &fa : fields) {
					if (fa.type == CTRL_ATTR_MCAST_GRP_NAME)
						mg.name = nl::attrString(fa);
					else if (fa.type == CTRL_ATTR_MCAST_GRP_ID)
						L2S_TRY(store(mg.id, nl::attrU32(fa)));
				}
				f.mcastGroups.push_back(std::move(mg));
			}
			break;
		}
		default: break; // ops, policies: not needed
		}
	}
	if (!haveId)
		return Error{EBADMSG, "malformed CTRL_CMD_GETFAMILY reply: no CTRL_ATTR_FAMILY_ID"};
	return f;
}

Result<L2tpStats> parseStats(nl::Bytes nested)
{
	L2S_TRY_ASSIGN(auto list, nl::splitAttrs(nested));
	L2tpStats s;
	for (const nl::Attr &a : list) {
		switch (a.type) {
		case L2TP_ATTR_TX_PACKETS: L2S_TRY(store(s.txPackets, nl::attrU64(a))); break;
		case L2TP_ATTR_TX_BYTES: L2S_TRY(store(s.txBytes, nl::attrU64(a))); break;
		case L2TP_ATTR_TX_ERRORS: L2S_TRY(store(s.txErrors, nl::attrU64(a))); break;
		case L2TP_ATTR_RX_PACKETS: L2S_TRY(store(s.rxPackets, nl::attrU64(a))); break;
		case L2TP_ATTR_RX_BYTES: L2S_TRY(store(s.rxBytes, nl::attrU64(a))); break;
		case L2TP_ATTR_RX_ERRORS: L2S_TRY(store(s.rxErrors, nl::attrU64(a))); break;
		case L2TP_ATTR_RX_SEQ_DISCARDS: L2S_TRY(store(s.rxSeqDiscards, nl::attrU64(a))); break;
		case L2TP_ATTR_RX_OOS_PACKETS: L2S_TRY(store(s.rxOosPackets, nl::attrU64(a))); break;
		default: break; // STATS_PAD (alignment for the u64s), cookie and invalid counters
		}
	}
	return s;
}

Result<TunnelState> parseTunnel(nl::Bytes attrs)
{
	L2S_TRY_ASSIGN(auto list, nl::splitAttrs(attrs));
	TunnelState t;
	bool haveId = false;
	for (const nl::Attr &a : list) {
		switch (a.type) {
		case L2TP_ATTR_CONN_ID:
			L2S_TRY(store(t.tunnelId, nl::attrU32(a)));
			haveId = true;
			break;
		case L2TP_ATTR_PEER_CONN_ID: L2S_TRY(store(t.peerTunnelId, nl::attrU32(a))); break;
		case L2TP_ATTR_PROTO_VERSION: L2S_TRY(store(t.version, nl::attrU8(a))); break;
		case L2TP_ATTR_IP_SADDR: L2S_TRY(store(t.localAddress, attrAddress(a, 4))); break;
		case L2TP_ATTR_IP_DADDR: L2S_TRY(store(t.peerAddress, attrAddress(a, 4))); break;
		case L2TP_ATTR_IP6_SADDR: L2S_TRY(store(t.localAddress, attrAddress(a, 16))); break;
		case L2TP_ATTR_IP6_DADDR: L2S_TRY(store(t.peerAddress, attrAddress(a, 16))); break;
		case L2TP_ATTR_UDP_SPORT: L2S_TRY(store(t.localPort, nl::attrU16(a))); break;
		case L2TP_ATTR_UDP_DPORT: L2S_TRY(store(t.peerPort, nl::attrU16(a))); break;
		case L2TP_ATTR_STATS: L2S_TRY(store(t.stats, parseStats(a.payload))); break;
		default: break;
		}
	}
	if (!haveId)
		return malformed("tunnel without L2TP_ATTR_CONN_ID");
	return t;
}

Result<SessionState> parseSession(nl::Bytes attrs)
{
	L2S_TRY_ASSIGN(auto list, nl::splitAttrs(attrs));
	SessionState s;
	bool haveTunnel = false, haveSession = false;
	uint64_t reorderMs = 0;
	for (const nl::Attr &a : list) {
		switch (a.type) {
		case L2TP_ATTR_CONN_ID:
			L2S_TRY(store(s.tunnelId, nl::attrU32(a)));
			haveTunnel = true;
			break;
		case L2TP_ATTR_SESSION_ID:
			L2S_TRY(store(s.sessionId, nl::attrU32(a)));
			haveSession = true;
			break;
		case L2TP_ATTR_PEER_SESSION_ID: L2S_TRY(store(s.peerSessionId, nl::attrU32(a))); break;
		case L2TP_ATTR_LNS_MODE: L2S_TRY(store(s.lnsMode, nl::attrU8(a))); break;
		case L2TP_ATTR_SEND_SEQ: L2S_TRY(store(s.sendSeq, nl::attrU8(a))); break;
		case L2TP_ATTR_RECV_SEQ: L2S_TRY(store(s.recvSeq, nl::attrU8(a))); break;
		case L2TP_ATTR_USING_IPSEC: L2S_TRY(store(s.usingIpsec, nl::attrU8(a))); break;
		case L2TP_ATTR_RECV_TIMEOUT: L2S_TRY(store(reorderMs, nl::attrU64(a))); break;
		case L2TP_ATTR_IFNAME:
			// IFNAMSIZ is 16 with the NUL; anything longer is not a name.
			s.ifname = nl::attrString(a);
			if (s.ifname.size() > 15)
				return malformed(fmt::format("interface name of {} bytes", s.ifname.size()));
			break;
		case L2TP_ATTR_STATS: L2S_TRY(store(s.stats, parseStats(a.payload))); break;
		default: break;
		}
	}
	if (!haveTunnel || !haveSession)
		return malformed("session without L2TP_ATTR_CONN_ID and L2TP_ATTR_SESSION_ID");
	s.reorderTimeoutMs = static_cast<uint32_t>(std::min<uint64_t>(reorderMs, UINT32_MAX));
	return s;
}

} // namespace l2tpsec::kernel::l2tpgenl
