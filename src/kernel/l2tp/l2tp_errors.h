#pragma once
// How L2TP dataplane errors are worded, shared by the netlink implementation
// and the fake so that a test against either sees the same text:
//   "L2TP_CMD_TUNNEL_CREATE tunnel 16385: File exists"
//   "L2TP_CMD_SESSION_CREATE tunnel 9 session 1: No such device (no such tunnel)"

#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace l2tpsec::kernel::l2tpgenl {

/// Names a request: the command, then the tunnel and session ids.
std::string requestName(uint8_t cmd, uint32_t tunnelId, std::optional<uint32_t> sessionId = std::nullopt);

/// The kernel's errno for `cmd` as an Error naming the request, with a short
/// explanation where the errno alone misleads: the L2TP core answers a
/// missing tunnel or session with ENODEV ("No such device"), and a PPP
/// pseudowire it cannot create with EPROTONOSUPPORT.
Error requestError(uint8_t cmd, int err, uint32_t tunnelId, std::optional<uint32_t> sessionId = std::nullopt);

/// Adds the same explanation to an error that already names its request
/// (the executor's, which may carry the kernel's extended-ACK text).
Error explainRequestError(uint8_t cmd, Error e);

/// "connect PPPoL2TP tunnel T session S: <errno text> (<explanation>)":
/// pppol2tp_connect() answers ENOENT for a missing tunnel and EEXIST for a
/// session that already has a PPP socket.
Error pppConnectError(int err, uint32_t tunnelId, uint32_t sessionId);

} // namespace l2tpsec::kernel::l2tpgenl
