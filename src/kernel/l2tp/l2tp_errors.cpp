#include "kernel/l2tp/l2tp_errors.h"

#include "kernel/l2tp/l2tp_msg.h"

#include <fmt/format.h>

#include <linux/l2tp.h>

namespace l2tpsec::kernel::l2tpgenl {

namespace {

const char *explanation(uint8_t cmd, int err)
{
	switch (err) {
	case ENODEV:
		// l2tp_netlink.c: l2tp_tunnel_get() or l2tp_nl_session_get() found nothing.
		if (cmd == L2TP_CMD_SESSION_DELETE || cmd == L2TP_CMD_SESSION_GET || cmd == L2TP_CMD_SESSION_MODIFY)
			return "no such session";
		return "no such tunnel";
	case EPROTONOSUPPORT:
		// No netlink ops for L2TP_PWTYPE_PPP: l2tp_ppp is missing, or the
		// kernel lacks CONFIG_L2TP_V3 (l2tp_ppp.c registers them only then).
		if (cmd == L2TP_CMD_SESSION_CREATE)
			return "PPP pseudowires need the l2tp_ppp module and a kernel with CONFIG_L2TP_V3";
		return nullptr;
	default: return nullptr;
	}
}

} // namespace

std::string requestName(uint8_t cmd, uint32_t tunnelId, std::optional<uint32_t> sessionId)
{
	if (sessionId)
		return fmt::format("{} tunnel {} session {}", commandName(cmd), tunnelId, *sessionId);
	return fmt::format("{} tunnel {}", commandName(cmd), tunnelId);
}

Error explainRequestError(uint8_t cmd, Error e)
{
	if (const char *why = explanation(cmd, e.code))
		e.message += fmt::format(" ({})", why);
	return e;
}

Error requestError(uint8_t cmd, int err, uint32_t tunnelId, std::optional<uint32_t> sessionId)
{
	return explainRequestError(cmd, errnoError(err, requestName(cmd, tunnelId, sessionId)));
}

Error pppConnectError(int err, uint32_t tunnelId, uint32_t sessionId)
{
	Error e = errnoError(err, fmt::format("connect PPPoL2TP tunnel {} session {}", tunnelId, sessionId));
	if (err == ENOENT)
		e.message += " (no such tunnel)";
	else if (err == EEXIST)
		e.message += " (the session already has a PPP socket)";
	return e;
}

} // namespace l2tpsec::kernel::l2tpgenl
