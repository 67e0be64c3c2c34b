#include "kernel/l2tp/l2tp_msg.h"

#include "kernel/l2tp/genl_codec.h"

#include <fmt/format.h>

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

// A request of the "l2tp" family, version L2TP_GENL_VERSION.
genl::NlMsg l2tpRequest(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd)
{
	return genl::request(family, flags, seq, cmd, L2TP_GENL_VERSION);
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
	auto msg = genl::request(GENL_ID_CTRL, kRequestAck, seq, CTRL_CMD_GETFAMILY, 1);
	genl::put(nla_put_string(msg.get(), CTRL_ATTR_FAMILY_NAME, std::string(name).c_str()));
	return genl::bytes(msg.get());
}

Result<std::vector<uint8_t>> buildTunnelCreate(uint16_t family, uint32_t seq, const TunnelParams &p)
{
	L2S_TRY(validateTunnelParams(p));
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_TUNNEL_CREATE);
	nl_msg *m = msg.get();
	genl::put(nla_put_u32(m, L2TP_ATTR_CONN_ID, p.tunnelId));
	genl::put(nla_put_u32(m, L2TP_ATTR_PEER_CONN_ID, p.peerTunnelId));
	genl::put(nla_put_u8(m, L2TP_ATTR_PROTO_VERSION, p.version));
	genl::put(nla_put_u16(m, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP));
	if (p.udpFd >= 0) {
		// Managed: the kernel takes our socket; the tunnel dies with it.
		genl::put(nla_put_u32(m, L2TP_ATTR_FD, static_cast<uint32_t>(p.udpFd)));
		return genl::bytes(m);
	}
	if (p.localAddress.isV4()) {
		// Network byte order (nla_get_in_addr), despite the NLA_U32 policy.
		genl::put(nla_put(m, L2TP_ATTR_IP_SADDR, 4, p.localAddress.bytes().data()));
		genl::put(nla_put(m, L2TP_ATTR_IP_DADDR, 4, p.peerAddress.bytes().data()));
		// The kernel reads UDP_CSUM as a flag: present means "checksum",
		// whatever the value. L2TP has no integrity of its own, so we want
		// it (IPv6 always checksums unless the ZERO_CSUM6 flags are given).
		genl::put(nla_put_u8(m, L2TP_ATTR_UDP_CSUM, 1));
	} else {
		genl::put(nla_put(m, L2TP_ATTR_IP6_SADDR, 16, p.localAddress.bytes().data()));
		genl::put(nla_put(m, L2TP_ATTR_IP6_DADDR, 16, p.peerAddress.bytes().data()));
	}
	genl::put(nla_put_u16(m, L2TP_ATTR_UDP_SPORT, p.localPort));
	genl::put(nla_put_u16(m, L2TP_ATTR_UDP_DPORT, p.peerPort));
	return genl::bytes(m);
}

std::vector<uint8_t> buildTunnelDelete(uint16_t family, uint32_t seq, uint32_t tunnelId)
{
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_TUNNEL_DELETE);
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_CONN_ID, tunnelId));
	return genl::bytes(msg.get());
}

std::vector<uint8_t> buildTunnelGet(uint16_t family, uint32_t seq, uint32_t tunnelId)
{
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_TUNNEL_GET);
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_CONN_ID, tunnelId));
	return genl::bytes(msg.get());
}

std::vector<uint8_t> buildTunnelDump(uint16_t family, uint32_t seq)
{
	return genl::bytes(l2tpRequest(family, kRequestDump, seq, L2TP_CMD_TUNNEL_GET).get());
}

Result<std::vector<uint8_t>> buildSessionCreate(uint16_t family, uint32_t seq, const SessionParams &p)
{
	L2S_TRY(validateSessionParams(p));
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_SESSION_CREATE);
	nl_msg *m = msg.get();
	genl::put(nla_put_u32(m, L2TP_ATTR_CONN_ID, p.tunnelId));
	genl::put(nla_put_u32(m, L2TP_ATTR_SESSION_ID, p.sessionId));
	genl::put(nla_put_u32(m, L2TP_ATTR_PEER_SESSION_ID, p.peerSessionId));
	genl::put(nla_put_u16(m, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP));
	// Sent even when off, so that what we asked for is in the message.
	genl::put(nla_put_u8(m, L2TP_ATTR_RECV_SEQ, p.recvSeq));
	genl::put(nla_put_u8(m, L2TP_ATTR_SEND_SEQ, p.sendSeq));
	genl::put(nla_put_u8(m, L2TP_ATTR_LNS_MODE, p.lnsMode));
	// NLA_MSECS: a u64 of milliseconds (nla_put_msecs() takes a long,
	// 32 bits on some ABIs; the attribute is 64 on all).
	if (p.reorderTimeoutMs)
		genl::put(nla_put_u64(m, L2TP_ATTR_RECV_TIMEOUT, p.reorderTimeoutMs));
	return genl::bytes(m);
}

std::vector<uint8_t> buildSessionDelete(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId)
{
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_SESSION_DELETE);
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_CONN_ID, tunnelId));
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_SESSION_ID, sessionId));
	return genl::bytes(msg.get());
}

std::vector<uint8_t> buildSessionGet(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId)
{
	auto msg = l2tpRequest(family, kRequestAck, seq, L2TP_CMD_SESSION_GET);
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_CONN_ID, tunnelId));
	genl::put(nla_put_u32(msg.get(), L2TP_ATTR_SESSION_ID, sessionId));
	return genl::bytes(msg.get());
}

std::vector<uint8_t> buildSessionDump(uint16_t family, uint32_t seq)
{
	return genl::bytes(l2tpRequest(family, kRequestDump, seq, L2TP_CMD_SESSION_GET).get());
}

} // namespace l2tpsec::kernel::l2tpgenl
