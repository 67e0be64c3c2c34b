#include "kernel/l2tp/l2tp_netlink.h"

#include "common/log.h"
#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"
#include "kernel/l2tp/pppol2tp_socket.h"

#include <fmt/format.h>

#include <linux/l2tp.h>

#include <chrono>
#include <optional>
#include <thread>

namespace l2tpsec::kernel {

namespace {

using namespace l2tpgenl;

// Parses one answer with `parse` and keeps it in `out`.
template <typename T, typename Parse>
GenlSocket::ReplyHandler keepOne(std::optional<T> &out, Parse parse)
{
	return [&out, parse](const nl::Message &m) -> Result<void> {
		auto genl = nl::parseGenl(m);
		if (!genl)
			return std::move(genl).error();
		auto value = parse(genl->attrs);
		if (!value)
			return std::move(value).error();
		out = std::move(*value);
		return {};
	};
}

// Parses every answer of a dump with `parse` into `out`.
template <typename T, typename Parse>
GenlSocket::ReplyHandler keepAll(std::vector<T> &out, Parse parse)
{
	return [&out, parse](const nl::Message &m) -> Result<void> {
		auto genl = nl::parseGenl(m);
		if (!genl)
			return std::move(genl).error();
		auto value = parse(genl->attrs);
		if (!value)
			return std::move(value).error();
		out.push_back(std::move(*value));
		return {};
	};
}

} // namespace

Result<std::unique_ptr<NetlinkL2tpDataplane>> NetlinkL2tpDataplane::open(OwnedTunnelIds owned)
{
	auto sock = GenlSocket::open();
	if (!sock)
		return std::move(sock).error();
	auto family = sock->resolveFamily(L2TP_GENL_NAME);
	if (!family) {
		Error e = std::move(family).error();
		// The controller answers ENOENT when no such family is registered and
		// the module alias "net-pf-16-proto-16-family-l2tp" did not load one.
		if (e.code == ENOENT)
			e.message = fmt::format("generic netlink family \"{}\" not found: the kernel has no L2TP "
			                        "netlink support (modprobe l2tp_netlink)",
			                        L2TP_GENL_NAME);
		return e;
	}
	return std::unique_ptr<NetlinkL2tpDataplane>(new NetlinkL2tpDataplane(std::move(*sock), family->id, owned));
}

Result<void> NetlinkL2tpDataplane::createTunnel(const TunnelParams &params)
{
	auto request = buildTunnelCreate(family_, sock_.nextSeq(), params);
	if (!request)
		return std::move(request).error();
	auto done = sock_.transact(*request, requestName(L2TP_CMD_TUNNEL_CREATE, params.tunnelId));
	if (!done)
		return explainRequestError(L2TP_CMD_TUNNEL_CREATE, std::move(done).error());
	return {};
}

Result<void> NetlinkL2tpDataplane::deleteTunnel(uint32_t tunnelId)
{
	auto request = buildTunnelDelete(family_, sock_.nextSeq(), tunnelId);
	auto done = sock_.transact(request, requestName(L2TP_CMD_TUNNEL_DELETE, tunnelId));
	if (!done)
		return explainRequestError(L2TP_CMD_TUNNEL_DELETE, std::move(done).error());
	return {};
}

Result<TunnelState> NetlinkL2tpDataplane::getTunnel(uint32_t tunnelId)
{
	std::string what = requestName(L2TP_CMD_TUNNEL_GET, tunnelId);
	std::optional<TunnelState> tunnel;
	auto request = buildTunnelGet(family_, sock_.nextSeq(), tunnelId);
	auto done = sock_.transact(request, what, keepOne(tunnel, parseTunnel));
	if (!done)
		return explainRequestError(L2TP_CMD_TUNNEL_GET, std::move(done).error());
	if (!tunnel)
		return Error{EBADMSG, what + ": acknowledged without an answer"};
	return *tunnel;
}

Result<std::vector<TunnelState>> NetlinkL2tpDataplane::listTunnels()
{
	std::string what = commandName(L2TP_CMD_TUNNEL_GET) + " dump";
	std::vector<TunnelState> tunnels;
	auto done = sock_.transact(buildTunnelDump(family_, sock_.nextSeq()), what, keepAll(tunnels, parseTunnel));
	if (!done)
		return std::move(done).error();
	return tunnels;
}

Result<void> NetlinkL2tpDataplane::createSession(const SessionParams &params)
{
	auto request = buildSessionCreate(family_, sock_.nextSeq(), params);
	if (!request)
		return std::move(request).error();
	auto done = sock_.transact(*request, requestName(L2TP_CMD_SESSION_CREATE, params.tunnelId, params.sessionId));
	if (!done)
		return explainRequestError(L2TP_CMD_SESSION_CREATE, std::move(done).error());
	return {};
}

Result<void> NetlinkL2tpDataplane::deleteSession(uint32_t tunnelId, uint32_t sessionId)
{
	auto request = buildSessionDelete(family_, sock_.nextSeq(), tunnelId, sessionId);
	auto done = sock_.transact(request, requestName(L2TP_CMD_SESSION_DELETE, tunnelId, sessionId));
	if (!done)
		return explainRequestError(L2TP_CMD_SESSION_DELETE, std::move(done).error());
	return {};
}

Result<SessionState> NetlinkL2tpDataplane::getSession(uint32_t tunnelId, uint32_t sessionId)
{
	std::string what = requestName(L2TP_CMD_SESSION_GET, tunnelId, sessionId);
	std::optional<SessionState> session;
	auto request = buildSessionGet(family_, sock_.nextSeq(), tunnelId, sessionId);
	auto done = sock_.transact(request, what, keepOne(session, parseSession));
	if (!done)
		return explainRequestError(L2TP_CMD_SESSION_GET, std::move(done).error());
	if (!session)
		return Error{EBADMSG, what + ": acknowledged without an answer"};
	return std::move(*session);
}

Result<std::vector<SessionState>> NetlinkL2tpDataplane::listSessions()
{
	std::string what = commandName(L2TP_CMD_SESSION_GET) + " dump";
	std::vector<SessionState> sessions;
	auto done = sock_.transact(buildSessionDump(family_, sock_.nextSeq()), what, keepAll(sessions, parseSession));
	if (!done)
		return std::move(done).error();
	return sessions;
}

Result<UniqueFd> NetlinkL2tpDataplane::openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd)
{
	return openPppol2tpSocket(params, peerTunnelId, tunnelFd);
}

Result<size_t> NetlinkL2tpDataplane::flush()
{
	auto tunnels = listTunnels();
	if (!tunnels)
		return std::move(tunnels).error();
	std::vector<uint32_t> deleted;
	for (const TunnelState &t : *tunnels) {
		if (!owned_.contains(t.tunnelId))
			continue; // another program's tunnel (xl2tpd, ip l2tp, ...)
		auto done = deleteTunnel(t.tunnelId);
		if (!done && done.error().code == ENODEV)
			continue; // gone between the dump and the delete
		if (!done)
			return std::move(done).error();
		logInfo("l2tp", "flush: deleted tunnel {} (peer {}) left behind", t.tunnelId, t.peerTunnelId);
		deleted.push_back(t.tunnelId);
	}
	// The kernel acknowledges TUNNEL_DELETE before its workqueue has removed
	// the tunnel (l2tp_tunnel_delete() queues del_work), and until then the
	// id is still listed and taken. Wait, briefly, so that what follows a
	// flush at start-up finds the range free.
	auto deadline = std::chrono::steady_clock::now() + kFlushSettleTime;
	std::vector<uint32_t> pending = deleted;
	while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
		std::erase_if(pending, [this](uint32_t id) {
			auto t = getTunnel(id);
			return !t && t.error().code == ENODEV;
		});
		if (!pending.empty())
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	for (uint32_t id : pending)
		logWarn("l2tp", "flush: tunnel {} still listed {} ms after its deletion", id, kFlushSettleTime.count());
	return deleted.size();
}

} // namespace l2tpsec::kernel
