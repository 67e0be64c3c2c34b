#include "tests/support/fake_l2tp_dataplane.h"

#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <linux/l2tp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

namespace l2tpsec::kernel {

using namespace l2tpgenl;

std::string_view opName(FakeL2tpDataplane::Op op)
{
	using Op = FakeL2tpDataplane::Op;
	switch (op) {
	case Op::CreateTunnel: return "createTunnel";
	case Op::DeleteTunnel: return "deleteTunnel";
	case Op::GetTunnel: return "getTunnel";
	case Op::ListTunnels: return "listTunnels";
	case Op::CreateSession: return "createSession";
	case Op::DeleteSession: return "deleteSession";
	case Op::GetSession: return "getSession";
	case Op::ListSessions: return "listSessions";
	case Op::OpenPppSocket: return "openPppSocket";
	case Op::SetSendSequence: return "setSendSequence";
	case Op::Flush: return "flush";
	}
	return "?";
}

void FakeL2tpDataplane::failNext(Error error, std::optional<Op> op)
{
	failures_.emplace_back(op, std::move(error));
}

std::vector<std::string> FakeL2tpDataplane::callLog() const
{
	std::vector<std::string> out;
	for (const Call &c : calls_) {
		std::string line(opName(c.op));
		if (c.sessionId)
			line += fmt::format(" {}/{}", c.tunnelId, c.sessionId);
		else if (c.tunnelId)
			line += fmt::format(" {}", c.tunnelId);
		if (c.failed)
			line += " failed";
		out.push_back(std::move(line));
	}
	return out;
}

std::optional<Error> FakeL2tpDataplane::begin(Op op, uint32_t tunnelId, uint32_t sessionId)
{
	reapClosedPppSockets();
	calls_.push_back(Call{op, tunnelId, sessionId, false});
	for (auto it = failures_.begin(); it != failures_.end(); ++it) {
		if (it->first && *it->first != op)
			continue;
		Error e = std::move(it->second);
		failures_.erase(it);
		calls_.back().failed = true;
		return e;
	}
	return std::nullopt;
}

void FakeL2tpDataplane::reapClosedPppSockets()
{
	if (!hangups_)
		return;
	epoll_event events[64];
	for (;;) {
		int n = epoll_wait(hangups_.get(), events, 64, 0);
		if (n <= 0)
			return;
		for (int i = 0; i < n; ++i) {
			SessionKey key{static_cast<uint32_t>(events[i].data.u64 >> 32),
			               static_cast<uint32_t>(events[i].data.u64 & 0xffffffff)};
			// Closing our end (a deleted session) removes it from the
			// epoll set, so an event always belongs to a live socketpair.
			auto it = sessions_.find(key);
			if (it != sessions_.end() && it->second.pppPeer)
				sessions_.erase(it);
		}
	}
}

bool FakeL2tpDataplane::hasSession(uint32_t tunnelId, uint32_t sessionId) const
{
	return sessions_.contains({tunnelId, sessionId});
}

std::optional<TunnelParams> FakeL2tpDataplane::tunnelParams(uint32_t tunnelId) const
{
	auto it = tunnels_.find(tunnelId);
	if (it == tunnels_.end())
		return std::nullopt;
	return it->second.params;
}

std::optional<SessionParams> FakeL2tpDataplane::sessionParams(uint32_t tunnelId, uint32_t sessionId) const
{
	auto it = sessions_.find({tunnelId, sessionId});
	if (it == sessions_.end())
		return std::nullopt;
	return it->second.params;
}

bool FakeL2tpDataplane::pppAttached(uint32_t tunnelId, uint32_t sessionId)
{
	reapClosedPppSockets();
	auto it = sessions_.find({tunnelId, sessionId});
	return it != sessions_.end() && it->second.pppPeer;
}

void FakeL2tpDataplane::setTunnelStats(uint32_t tunnelId, const L2tpStats &stats)
{
	if (auto it = tunnels_.find(tunnelId); it != tunnels_.end())
		it->second.stats = stats;
}

void FakeL2tpDataplane::setSessionStats(uint32_t tunnelId, uint32_t sessionId, const L2tpStats &stats)
{
	if (auto it = sessions_.find({tunnelId, sessionId}); it != sessions_.end())
		it->second.stats = stats;
}

void FakeL2tpDataplane::addExistingTunnel(const TunnelParams &params)
{
	tunnels_[params.tunnelId] = Tunnel{params, {}};
}

TunnelState FakeL2tpDataplane::tunnelState(const Tunnel &t) const
{
	TunnelState s;
	s.tunnelId = t.params.tunnelId;
	s.peerTunnelId = t.params.peerTunnelId;
	s.version = t.params.version;
	if (t.params.udpFd < 0) {
		s.localAddress = t.params.localAddress;
		s.peerAddress = t.params.peerAddress;
		s.localPort = t.params.localPort;
		s.peerPort = t.params.peerPort;
	}
	s.stats = t.stats;
	return s;
}

SessionState FakeL2tpDataplane::sessionState(const Session &s) const
{
	SessionState st;
	st.tunnelId = s.params.tunnelId;
	st.sessionId = s.params.sessionId;
	st.peerSessionId = s.params.peerSessionId;
	st.lnsMode = s.params.lnsMode;
	st.sendSeq = s.params.sendSeq;
	st.recvSeq = s.params.recvSeq;
	st.reorderTimeoutMs = s.params.reorderTimeoutMs;
	st.stats = s.stats;
	return st;
}

Result<void> FakeL2tpDataplane::createTunnel(const TunnelParams &params)
{
	if (auto e = begin(Op::CreateTunnel, params.tunnelId))
		return std::move(*e);
	auto fail = [this](Error e) -> Result<void> {
		calls_.back().failed = true;
		return e;
	};
	if (auto valid = validateTunnelParams(params); !valid)
		return fail(valid.error());
	// sockfd_lookup() in l2tp_tunnel_create() fails for a closed descriptor.
	if (params.udpFd >= 0 && fcntl(params.udpFd, F_GETFD) < 0)
		return fail(requestError(L2TP_CMD_TUNNEL_CREATE, EBADF, params.tunnelId));
	if (tunnels_.contains(params.tunnelId))
		return fail(requestError(L2TP_CMD_TUNNEL_CREATE, EEXIST, params.tunnelId));
	tunnels_[params.tunnelId] = Tunnel{params, {}};
	return {};
}

Result<void> FakeL2tpDataplane::deleteTunnel(uint32_t tunnelId)
{
	if (auto e = begin(Op::DeleteTunnel, tunnelId))
		return std::move(*e);
	if (tunnels_.erase(tunnelId) == 0) {
		calls_.back().failed = true;
		return requestError(L2TP_CMD_TUNNEL_DELETE, ENODEV, tunnelId);
	}
	// Deleting a tunnel deletes its sessions (l2tp_tunnel_closeall()).
	std::erase_if(sessions_, [tunnelId](const auto &kv) { return kv.first.first == tunnelId; });
	return {};
}

Result<TunnelState> FakeL2tpDataplane::getTunnel(uint32_t tunnelId)
{
	if (auto e = begin(Op::GetTunnel, tunnelId))
		return std::move(*e);
	auto it = tunnels_.find(tunnelId);
	if (it == tunnels_.end()) {
		calls_.back().failed = true;
		return requestError(L2TP_CMD_TUNNEL_GET, ENODEV, tunnelId);
	}
	return tunnelState(it->second);
}

Result<std::vector<TunnelState>> FakeL2tpDataplane::listTunnels()
{
	if (auto e = begin(Op::ListTunnels))
		return std::move(*e);
	std::vector<TunnelState> out;
	for (const auto &[id, t] : tunnels_)
		out.push_back(tunnelState(t));
	return out;
}

Result<void> FakeL2tpDataplane::createSession(const SessionParams &params)
{
	if (auto e = begin(Op::CreateSession, params.tunnelId, params.sessionId))
		return std::move(*e);
	auto fail = [this](Error e) -> Result<void> {
		calls_.back().failed = true;
		return e;
	};
	if (auto valid = validateSessionParams(params); !valid)
		return fail(valid.error());
	auto tunnel = tunnels_.find(params.tunnelId);
	if (tunnel == tunnels_.end())
		return fail(requestError(L2TP_CMD_SESSION_CREATE, ENODEV, params.tunnelId, params.sessionId));
	bool duplicate = sessions_.contains({params.tunnelId, params.sessionId});
	// L2TPv3 session ids are unique in the namespace, not only in the tunnel
	// (RFC 3931 §4.1; l2tp_session_register()).
	if (tunnel->second.params.version == 3)
		for (const auto &[key, s] : sessions_)
			if (key.second == params.sessionId && tunnels_.at(key.first).params.version == 3)
				duplicate = true;
	if (duplicate)
		return fail(requestError(L2TP_CMD_SESSION_CREATE, EEXIST, params.tunnelId, params.sessionId));
	sessions_[{params.tunnelId, params.sessionId}] = Session{params, {}, UniqueFd()};
	return {};
}

Result<void> FakeL2tpDataplane::deleteSession(uint32_t tunnelId, uint32_t sessionId)
{
	if (auto e = begin(Op::DeleteSession, tunnelId, sessionId))
		return std::move(*e);
	if (sessions_.erase({tunnelId, sessionId}) == 0) {
		calls_.back().failed = true;
		return requestError(L2TP_CMD_SESSION_DELETE, ENODEV, tunnelId, sessionId);
	}
	return {};
}

Result<SessionState> FakeL2tpDataplane::getSession(uint32_t tunnelId, uint32_t sessionId)
{
	if (auto e = begin(Op::GetSession, tunnelId, sessionId))
		return std::move(*e);
	auto it = sessions_.find({tunnelId, sessionId});
	if (it == sessions_.end()) {
		calls_.back().failed = true;
		return requestError(L2TP_CMD_SESSION_GET, ENODEV, tunnelId, sessionId);
	}
	return sessionState(it->second);
}

Result<std::vector<SessionState>> FakeL2tpDataplane::listSessions()
{
	if (auto e = begin(Op::ListSessions))
		return std::move(*e);
	std::vector<SessionState> out;
	for (const auto &[key, s] : sessions_)
		out.push_back(sessionState(s));
	return out;
}

Result<UniqueFd> FakeL2tpDataplane::openPppSocket(const SessionParams &params, uint32_t peerTunnelId, int)
{
	if (auto e = begin(Op::OpenPppSocket, params.tunnelId, params.sessionId))
		return std::move(*e);
	auto fail = [this](Error e) -> Result<UniqueFd> {
		calls_.back().failed = true;
		return e;
	};
	if (auto valid = validatePppSocketParams(params, peerTunnelId); !valid)
		return fail(valid.error());
	if (!tunnels_.contains(params.tunnelId))
		return fail(pppConnectError(ENOENT, params.tunnelId, params.sessionId));
	auto it = sessions_.find({params.tunnelId, params.sessionId});
	if (it != sessions_.end() && it->second.pppPeer)
		return fail(pppConnectError(EEXIST, params.tunnelId, params.sessionId));
	if (!pppDescriptors_) {
		if (it == sessions_.end())
			sessions_.emplace(std::pair{params.tunnelId, params.sessionId},
			                  Session{params, {}, UniqueFd()});
		return UniqueFd();
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return fail(sysError("socketpair for a fake PPPoL2TP socket"));
	UniqueFd mine(sv[0]), theirs(sv[1]);
	if (it == sessions_.end()) // pppol2tp_connect() creates a missing session
		it = sessions_.emplace(std::pair{params.tunnelId, params.sessionId}, Session{params, {}, UniqueFd()})
		             .first;
	else { // and the socket options apply to an existing one
		SessionParams &kept = it->second.params;
		kept.lnsMode = params.lnsMode;
		kept.sendSeq = params.sendSeq;
		kept.recvSeq = params.recvSeq;
		kept.reorderTimeoutMs = params.reorderTimeoutMs;
	}
	if (!hangups_)
		hangups_.reset(epoll_create1(EPOLL_CLOEXEC));
	epoll_event ev{};
	ev.events = EPOLLRDHUP | EPOLLHUP;
	ev.data.u64 = (uint64_t{params.tunnelId} << 32) | params.sessionId;
	if (!hangups_ || epoll_ctl(hangups_.get(), EPOLL_CTL_ADD, mine.get(), &ev) != 0)
		return fail(sysError("epoll for a fake PPPoL2TP socket"));
	it->second.pppPeer = std::move(mine);
	return theirs;
}

Result<void> FakeL2tpDataplane::setSendSequence(const SessionParams &params, int)
{
	if (auto e = begin(Op::SetSendSequence, params.tunnelId, params.sessionId))
		return std::move(*e);
	auto it = sessions_.find({params.tunnelId, params.sessionId});
	if (it == sessions_.end()) {
		calls_.back().failed = true;
		return Error{ENOENT, fmt::format("no session {}/{}", params.tunnelId, params.sessionId)};
	}
	it->second.params.sendSeq = params.sendSeq;
	return {};
}

Result<size_t> FakeL2tpDataplane::flush()
{
	if (auto e = begin(Op::Flush))
		return std::move(*e);
	size_t deleted = 0;
	for (auto it = tunnels_.begin(); it != tunnels_.end();) {
		if (!owned_.contains(it->first)) {
			++it;
			continue;
		}
		uint32_t id = it->first;
		std::erase_if(sessions_, [id](const auto &kv) { return kv.first.first == id; });
		it = tunnels_.erase(it);
		deleted++;
	}
	return deleted;
}

} // namespace l2tpsec::kernel
