#pragma once
// The PPPoL2TP socket pppd takes as "pppol2tp FD" (pppd's pppol2tp plugin;
// kernel net/l2tp/l2tp_ppp.c). connect() attaches it to a session the netlink
// dataplane created; if the session does not exist the kernel creates it
// implicitly (the pre-netlink way, which also works without CONFIG_L2TP_V3).
// Either way the session then lives until this socket is closed.

#include "common/result.h"
#include "common/unique_fd.h"
#include "kernel/l2tp_dataplane.h"

#include <cstdint>

namespace l2tpsec::kernel {

/// socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP), close-on-exec; connect()
/// to (tunnel, session) -> (peerTunnelId, peerSessionId); then the session's
/// flags through SOL_PPPOL2TP socket options. tunnelFd is passed to the
/// kernel as pppol2tp_addr.fd, which it reads only to create a tunnel.
Result<UniqueFd> openPppol2tpSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd);
/// PPPOL2TP_SO_SENDSEQ = params.sendSeq on such a socket.
Result<void> setPppol2tpSendSequence(const SessionParams &params, int fd);

} // namespace l2tpsec::kernel
