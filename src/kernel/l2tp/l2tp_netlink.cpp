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

// A command the kernel answers with an ACK alone.
Result<void> command(GenlSocket &sock, uint8_t cmd, netlink::Bytes request, const std::string &what)
{
	auto done = sock.transact(request, what);
	if (!done)
		return explainRequestError(cmd, std::move(done).error());
	return {};
}

// A GET of one tunnel or session: the one answer, parsed.
template <typename T>
Result<T> getOne(GenlSocket &sock, uint8_t cmd, const std::string &what, netlink::Bytes request,
                 Result<T> (*parse)(netlink::Bytes))
{
	std::optional<T> found;
	auto done = sock.transact(request, what, parseEachAnswer(parse, [&found](T v) { found = std::move(v); }));
	if (!done)
		return explainRequestError(cmd, std::move(done).error());
	if (!found)
		return Error{EBADMSG, what + ": acknowledged without an answer"};
	return std::move(*found);
}

// A dump: every answer, parsed. One a concurrent change interrupted is run
// again from a fresh request (netlink::retryInterrupted, as for XFRM).
template <typename T>
Result<std::vector<T>> dumpAll(GenlSocket &sock, uint8_t cmd, uint16_t family,
                               std::vector<uint8_t> (*build)(uint16_t, uint32_t), Result<T> (*parse)(netlink::Bytes))
{
	std::vector<T> all;
	auto done = netlink::retryInterrupted([&]() -> Result<void> {
		all.clear();
		auto request = build(family, sock.nextSeq());
		return sock.transact(request, commandName(cmd) + " dump",
		                     parseEachAnswer(parse, [&all](T v) { all.push_back(std::move(v)); }));
	});
	if (!done)
		return std::move(done).error();
	return all;
}

} // namespace

Result<std::unique_ptr<NetlinkL2tpDataplane>> NetlinkL2tpDataplane::open(OwnedTunnelIds owned)
{
	L2S_TRY_ASSIGN(auto sock, GenlSocket::open());
	auto family = sock.resolveFamily(L2TP_GENL_NAME);
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
	return std::unique_ptr<NetlinkL2tpDataplane>(new NetlinkL2tpDataplane(std::move(sock), family->id, owned));
}

Result<void> NetlinkL2tpDataplane::createTunnel(const TunnelParams &params)
{
	L2S_TRY_ASSIGN(auto request, buildTunnelCreate(family_, sock_.nextSeq(), params));
	return command(sock_, L2TP_CMD_TUNNEL_CREATE, request, requestName(L2TP_CMD_TUNNEL_CREATE, params.tunnelId));
}

Result<void> NetlinkL2tpDataplane::deleteTunnel(uint32_t tunnelId)
{
	return command(sock_, L2TP_CMD_TUNNEL_DELETE, buildTunnelDelete(family_, sock_.nextSeq(), tunnelId),
	               requestName(L2TP_CMD_TUNNEL_DELETE, tunnelId));
}

Result<TunnelState> NetlinkL2tpDataplane::getTunnel(uint32_t tunnelId)
{
	return getOne(sock_, L2TP_CMD_TUNNEL_GET, requestName(L2TP_CMD_TUNNEL_GET, tunnelId),
	              buildTunnelGet(family_, sock_.nextSeq(), tunnelId), parseTunnel);
}

Result<std::vector<TunnelState>> NetlinkL2tpDataplane::listTunnels()
{
	return dumpAll(sock_, L2TP_CMD_TUNNEL_GET, family_, buildTunnelDump, parseTunnel);
}

Result<void> NetlinkL2tpDataplane::createSession(const SessionParams &params)
{
	L2S_TRY_ASSIGN(auto request, buildSessionCreate(family_, sock_.nextSeq(), params));
	return command(sock_, L2TP_CMD_SESSION_CREATE, request,
	               requestName(L2TP_CMD_SESSION_CREATE, params.tunnelId, params.sessionId));
}

Result<void> NetlinkL2tpDataplane::deleteSession(uint32_t tunnelId, uint32_t sessionId)
{
	return command(sock_, L2TP_CMD_SESSION_DELETE,
	               buildSessionDelete(family_, sock_.nextSeq(), tunnelId, sessionId),
	               requestName(L2TP_CMD_SESSION_DELETE, tunnelId, sessionId));
}

Result<SessionState> NetlinkL2tpDataplane::getSession(uint32_t tunnelId, uint32_t sessionId)
{
	return getOne(sock_, L2TP_CMD_SESSION_GET, requestName(L2TP_CMD_SESSION_GET, tunnelId, sessionId),
	              buildSessionGet(family_, sock_.nextSeq(), tunnelId, sessionId), parseSession);
}

Result<std::vector<SessionState>> NetlinkL2tpDataplane::listSessions()
{
	return dumpAll(sock_, L2TP_CMD_SESSION_GET, family_, buildSessionDump, parseSession);
}

Result<UniqueFd> NetlinkL2tpDataplane::openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int tunnelFd)
{
	return openPppol2tpSocket(params, peerTunnelId, tunnelFd);
}

Result<void> NetlinkL2tpDataplane::setSendSequence(const SessionParams &params, int pppSocketFd)
{
	return setPppol2tpSendSequence(params, pppSocketFd);
}

Result<size_t> NetlinkL2tpDataplane::flush()
{
	L2S_TRY_ASSIGN(auto tunnels, listTunnels());
	std::vector<uint32_t> deleted;
	for (const TunnelState &t : tunnels) {
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
