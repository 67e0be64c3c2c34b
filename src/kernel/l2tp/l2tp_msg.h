#pragma once
// The L2TP generic-netlink messages (family "l2tp", version 1; uapi
// <linux/l2tp.h>, kernel net/l2tp/l2tp_netlink.c) as pure functions: requests
// are built into bytes, replies are parsed from bytes, both with libnl-genl's
// message and attribute API (genl_codec.h). No socket: l2tp_netlink.cpp sends
// and receives, these decide what the bytes mean.
//
// Request flags: commands ask for an ACK (NLM_F_REQUEST | NLM_F_ACK) so that
// success is confirmed, not assumed; dumps use NLM_F_DUMP and end with
// NLMSG_DONE.

#include "kernel/l2tp_dataplane.h"
#include "kernel/netlink/nl_frame.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel::l2tpgenl {

/// The family-id resolution answer (CTRL_CMD_GETFAMILY on GENL_ID_CTRL).
struct FamilyInfo {
	uint16_t id = 0;
	std::string name;
	uint32_t version = 0;
	uint32_t maxAttr = 0;
	struct McastGroup {
		std::string name;
		uint32_t id = 0;
	};
	std::vector<McastGroup> mcastGroups;
};

/// "L2TP_CMD_TUNNEL_CREATE" etc., for error context; "L2TP_CMD_<n>" otherwise.
std::string commandName(uint8_t cmd);

/// Checks what the kernel would refuse with a bare EINVAL, so the caller
/// gets a reason: ids non-zero, L2TPv2 ids within 16 bits (RFC 2661 §3.1),
/// a static tunnel's addresses of one family and its ports non-zero.
Result<void> validateTunnelParams(const TunnelParams &p);
/// Session ids are non-zero: session 0 names the tunnel itself (RFC 2661
/// §3.1, and pppol2tp's tunnel-management socket).
Result<void> validateSessionParams(const SessionParams &p);
/// validateSessionParams(), and the peer's tunnel id non-zero.
Result<void> validatePppSocketParams(const SessionParams &p, uint32_t peerTunnelId);

// Requests. `family` is the resolved "l2tp" family id, `seq` the sequence
// number the answer will carry.
std::vector<uint8_t> buildGetFamily(uint32_t seq, std::string_view name);
/// Managed (params.udpFd >= 0: L2TP_ATTR_FD) or static (IP or IPv6
/// addresses, UDP ports, UDP checksums on); UDP encapsulation either way.
Result<std::vector<uint8_t>> buildTunnelCreate(uint16_t family, uint32_t seq, const TunnelParams &params);
std::vector<uint8_t> buildTunnelDelete(uint16_t family, uint32_t seq, uint32_t tunnelId);
std::vector<uint8_t> buildTunnelGet(uint16_t family, uint32_t seq, uint32_t tunnelId);
std::vector<uint8_t> buildTunnelDump(uint16_t family, uint32_t seq);
/// A PPP pseudowire (L2TP_PWTYPE_PPP, the only one L2TPv2 allows).
Result<std::vector<uint8_t>> buildSessionCreate(uint16_t family, uint32_t seq, const SessionParams &params);
std::vector<uint8_t> buildSessionDelete(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId);
std::vector<uint8_t> buildSessionGet(uint16_t family, uint32_t seq, uint32_t tunnelId, uint32_t sessionId);
std::vector<uint8_t> buildSessionDump(uint16_t family, uint32_t seq);

// Replies: one generic-netlink message, header included (what
// netlink::Message::bytes holds). Unknown attributes are skipped (newer
// kernels add some); a known one of the wrong size is an error, and so is a
// torn attribute stream, the L2TP_ATTR_STATS nest's included.
Result<FamilyInfo> parseFamily(netlink::Bytes message);
Result<TunnelState> parseTunnel(netlink::Bytes message);
Result<SessionState> parseSession(netlink::Bytes message);

} // namespace l2tpsec::kernel::l2tpgenl
