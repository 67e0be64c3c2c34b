// L2tpEngine: routes datagrams to tunnels, creates tunnels for new SCCRQs and
// LAC requests, keeps one deadline per tunnel, and removes finished tunnels.
#include "l2tp/engine.h"

#include "common/log.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/l2tp_log.h"
#include "l2tp/tunnel.h"

#include <algorithm>
#include <utility>

namespace l2tpsec::l2tp {

std::string_view tunnelStateName(TunnelStateName s)
{
	switch (s) {
	case TunnelStateName::Idle: return "idle";
	case TunnelStateName::WaitCtlReply: return "wait-ctl-reply";
	case TunnelStateName::WaitCtlConn: return "wait-ctl-conn";
	case TunnelStateName::Established: return "established";
	case TunnelStateName::Closing: return "closing";
	case TunnelStateName::Dead: return "dead";
	}
	return "?";
}

std::string_view sessionStateName(SessionStateName s)
{
	switch (s) {
	case SessionStateName::Idle: return "idle";
	case SessionStateName::WaitReply: return "wait-reply";
	case SessionStateName::WaitConnect: return "wait-connect";
	case SessionStateName::Established: return "established";
	case SessionStateName::Closed: return "closed";
	}
	return "?";
}

L2tpEngine::L2tpEngine(EngineConfig config, kernel::L2tpDataplane &dataplane, TunnelSockets &sockets, PppLauncher &ppp,
                       EngineObserver *observer)
    : ctx_{std::move(config), dataplane, sockets, ppp, observer, std::nullopt, std::mt19937{}, TimePoint{}, 1, false}
{
	ctx_.rng.seed(ctx_.config.seed != 0 ? ctx_.config.seed : std::random_device{}());
	const kernel::OwnedTunnelIds &ids = ctx_.config.tunnelIds;
	idBase_ = ids.first;
	byId_.assign(ids.last >= ids.first ? ids.last - ids.first + 1 : 0, nullptr);
	if (ctx_.config.pool)
		ctx_.pool.emplace(ctx_.config.pool->first, ctx_.config.pool->second);
}

void L2tpEngine::reconfigure(EngineConfig config)
{
	if (config.pool != ctx_.config.pool)
		logWarn(kLog, "[ppp] pool changed; it takes effect at restart (the addresses leased now stay)");
	config.pool = ctx_.config.pool;
	config.seed = ctx_.config.seed;
	ctx_.config = std::move(config);
}

L2tpEngine::~L2tpEngine()
{
	// Tunnels release their sessions (pppd, kernel, pool) as they go.
	std::fill(byId_.begin(), byId_.end(), nullptr);
	tunnels_.clear();
}

Tunnel **L2tpEngine::slot(uint16_t tunnelId)
{
	uint32_t i = uint32_t{tunnelId} - idBase_;
	return tunnelId >= idBase_ && i < byId_.size() ? &byId_[i] : nullptr;
}

const Tunnel *L2tpEngine::findTunnel(uint16_t tunnelId) const
{
	uint32_t i = uint32_t{tunnelId} - idBase_;
	if (tunnelId >= idBase_ && i < byId_.size())
		return byId_[i];
	// An id outside the range the index was made for (a reload changed it).
	auto it = tunnels_.find(tunnelId);
	return it == tunnels_.end() ? nullptr : it->second.get();
}

Tunnel *L2tpEngine::findTunnel(uint16_t tunnelId)
{
	return const_cast<Tunnel *>(std::as_const(*this).findTunnel(tunnelId));
}

void L2tpEngine::onDatagram(uint64_t socketId, const Endpoint &local, const Endpoint &from,
                            std::span<const uint8_t> datagram, TimePoint now)
{
	ctx_.now = now;
	auto packet = parsePacket(datagram);
	if (!packet) {
		logDebug(kLog, "datagram from {} dropped: {}", from.str(), packet.error().message);
		return;
	}
	const Header &h = packet->header;
	if (!h.control) {
		// Data messages are the kernel's; one reaching us belongs to no
		// kernel tunnel (yet, or any more).
		logDebug(kLog, "data message from {} for tunnel {} dropped", from.str(), h.tunnelId);
		return;
	}
	if (h.tunnelId == 0) {
		onSccrq(socketId, local, from, *packet);
		return;
	}
	Tunnel *t = findTunnel(h.tunnelId);
	// The mark tells apart clients behind one NAT (same address and port):
	// one cannot speak for another's tunnel.
	if (!t || t->peer().address != from.address || t->peer().mark != from.mark) {
		logDebug(kLog, "control message from {} for unknown tunnel {} dropped", from.str(), h.tunnelId);
		return;
	}
	t->receive(*packet);
	settle(h.tunnelId);
}

void L2tpEngine::onSccrq(uint64_t, const Endpoint &local, const Endpoint &from, const Packet &packet)
{
	auto msg = decodeControlMessage(packet, DecodeOptions{ctx_.config.secret});
	if (!msg) {
		logWarn(kLog, "bad SCCRQ from {}: {}", from.str(), msg.error().message);
		return;
	}
	if (msg->type != MessageType::Sccrq) {
		logDebug(kLog, "{} from {} with tunnel id 0 dropped", messageTypeName(msg->type), from.str());
		return;
	}
	uint16_t peerTid = msg->assignedTunnelId.value_or(0);

	// A retransmitted SCCRQ belongs to the tunnel it already created.
	std::vector<uint16_t> stale;
	if (auto same = byPeer_.find(from); same != byPeer_.end()) {
		for (uint16_t tid : same->second) {
			Tunnel *t = findTunnel(tid);
			if (!t->lns())
				continue;
			// (Not one the peer closed itself: a client that reconnects at
			// once, from the same port and with the same tunnel id, as the
			// stock clients do, is starting a new tunnel.)
			if (t->peerTunnelId() == peerTid && t->state() != TunnelStateName::Dead && !t->closedByPeer()) {
				t->receive(packet, &*msg);
				settle(tid);
				return;
			}
			stale.push_back(tid);
		}
	}
	// A new tunnel from the same address and port: the peer restarted and
	// forgot the old one (its socket would shadow the new one's anyway).
	for (uint16_t tid : stale) {
		logWarn(kLog, "tunnel {}: {} started a new tunnel from the same port; the old one is dropped", tid,
		        from.str());
		findTunnel(tid)->abandon("the peer started a new tunnel (restarted?)", EndCause::PeerLost);
		settle(tid);
	}
	size_t fromAddress = 0;
	if (auto n = perAddress_.find(from.address); n != perAddress_.end())
		fromAddress = n->second;
	if (fromAddress >= ctx_.config.maxTunnelsPerPeer) {
		logWarn(kLog, "SCCRQ from {} dropped: it already has {} tunnels ([l2tp] max_tunnels_per_peer)",
		        from.str(), fromAddress);
		return;
	}
	if (ctx_.config.maxTunnels != 0) {
		if (size_t lns = lnsTunnelCount(); lns >= ctx_.config.maxTunnels) {
			logWarn(kLog, "SCCRQ from {} dropped: {} tunnels ([l2tp] max_tunnels)", from.str(), lns);
			return;
		}
	}
	auto tid = allocateTunnelId();
	if (!tid) {
		logWarn(kLog, "SCCRQ from {} dropped: no free tunnel id", from.str());
		return;
	}
	auto socket = ctx_.sockets.open(local, from);
	if (!socket) {
		logError(kLog, "SCCRQ from {} dropped: {}", from.str(), socket.error().message);
		return;
	}
	Tunnel &t = addTunnel(std::make_unique<Tunnel>(ctx_, *tid, true, socket.value(), local, from));
	t.receive(packet, &*msg);
	settle(*tid);
}

size_t L2tpEngine::lnsTunnelCount() const
{
	return lnsTunnels_;
}

Result<uint16_t> L2tpEngine::connect(const LacRequest &request, TimePoint now)
{
	ctx_.now = now;
	if (ctx_.shuttingDown)
		return Error{ESHUTDOWN, "LAC " + request.profile + ": the daemon is shutting down"};
	auto tid = allocateTunnelId();
	if (!tid)
		return Error{EAGAIN, "LAC " + request.profile + ": no free tunnel id"};
	auto socket = ctx_.sockets.open(request.local, request.server);
	if (!socket)
		return Error{socket.error().code, "LAC " + request.profile + ": " + socket.error().message};
	Tunnel &t =
	        addTunnel(std::make_unique<Tunnel>(ctx_, *tid, false, socket.value(), request.local, request.server));
	t.open(request.profile);
	settle(*tid);
	return *tid;
}

Result<void> L2tpEngine::placeCall(uint16_t tunnelId, TimePoint now)
{
	ctx_.now = now;
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return Error{ENOENT, "no tunnel " + std::to_string(tunnelId)};
	auto r = t->placeCall();
	settle(tunnelId);
	return r;
}

Result<void> L2tpEngine::disconnectSession(uint16_t tunnelId, uint16_t sessionId, const std::string &reason,
                                           TimePoint now, EndCause cause)
{
	ctx_.now = now;
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return Error{ENOENT, "no tunnel " + std::to_string(tunnelId)};
	auto r = t->closeSession(sessionId, CdnResult::Administrative, reason, cause);
	settle(tunnelId);
	return r;
}

Result<void> L2tpEngine::adoptAddress(uint16_t tunnelId, uint16_t sessionId, IpAddress address)
{
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return Error{ENOENT, "no tunnel " + std::to_string(tunnelId)};
	return t->adoptAddress(sessionId, address);
}

Result<void> L2tpEngine::closeTunnel(uint16_t tunnelId, const std::string &reason, TimePoint now, EndCause cause)
{
	ctx_.now = now;
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return Error{ENOENT, "no tunnel " + std::to_string(tunnelId)};
	t->close(StopCcnResult::GeneralRequest, reason, cause);
	settle(tunnelId);
	return {};
}

void L2tpEngine::pppEnded(uint16_t tunnelId, uint16_t sessionId, const std::string &reason, TimePoint now,
                          EndCause cause)
{
	ctx_.now = now;
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return;
	t->pppEnded(sessionId, reason, cause);
	settle(tunnelId);
}

void L2tpEngine::shutdown(TimePoint now)
{
	ctx_.now = now;
	ctx_.shuttingDown = true;
	std::vector<uint16_t> ids;
	for (const auto &[tid, t] : tunnels_)
		ids.push_back(tid);
	for (uint16_t tid : ids) {
		if (Tunnel *t = findTunnel(tid))
			t->close(StopCcnResult::ShuttingDown, "the daemon is shutting down", EndCause::Shutdown);
		settle(tid);
	}
}

std::optional<TimePoint> L2tpEngine::nextDeadline() const
{
	if (deadlines_.empty())
		return std::nullopt;
	return deadlines_.begin()->first;
}

void L2tpEngine::onTimer(TimePoint now)
{
	ctx_.now = now;
	std::vector<uint16_t> due;
	for (const auto &[when, tid] : deadlines_) {
		if (when > now)
			break;
		due.push_back(tid);
	}
	for (uint16_t tid : due) {
		if (Tunnel *t = findTunnel(tid))
			t->onTimer();
		settle(tid);
	}
}

std::optional<uint16_t> L2tpEngine::allocateTunnelId()
{
	const auto &ids = ctx_.config.tunnelIds;
	uint32_t span = ids.last - ids.first + 1;
	uint32_t start = static_cast<uint32_t>(ctx_.rng()) % span;
	for (uint32_t i = 0; i < span; ++i) {
		auto id = static_cast<uint16_t>(ids.first + (start + i) % span);
		if (id != 0 && !findTunnel(id))
			return id;
	}
	return std::nullopt;
}

Tunnel &L2tpEngine::addTunnel(std::unique_ptr<Tunnel> t)
{
	uint16_t tid = t->tunnelId();
	Tunnel &ref = *t;
	byPeer_[ref.peer()].insert(tid);
	++perAddress_[ref.peer().address];
	if (ref.lns())
		++lnsTunnels_;
	tunnels_.emplace(tid, std::move(t));
	if (Tunnel **s = slot(tid))
		*s = &ref;
	return ref;
}

void L2tpEngine::settle(uint16_t tunnelId)
{
	if (auto old = deadlineOf_.find(tunnelId); old != deadlineOf_.end()) {
		deadlines_.erase({old->second, tunnelId});
		deadlineOf_.erase(old);
	}
	Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return;
	if (t->removable()) {
		if (auto peers = byPeer_.find(t->peer()); peers != byPeer_.end()) {
			peers->second.erase(tunnelId);
			if (peers->second.empty())
				byPeer_.erase(peers);
		}
		if (auto n = perAddress_.find(t->peer().address); n != perAddress_.end() && --n->second == 0)
			perAddress_.erase(n);
		if (Tunnel **s = slot(tunnelId))
			*s = nullptr;
		if (t->lns())
			--lnsTunnels_;
		tunnels_.erase(tunnelId);
		return;
	}
	if (auto d = t->deadline()) {
		deadlines_.emplace(*d, tunnelId);
		deadlineOf_[tunnelId] = *d;
	}
}

std::vector<TunnelInfo> L2tpEngine::tunnels() const
{
	std::vector<TunnelInfo> v;
	v.reserve(tunnels_.size());
	for (const auto &[tid, t] : tunnels_)
		v.push_back(t->info());
	return v;
}

std::vector<SessionInfo> L2tpEngine::sessions() const
{
	std::vector<SessionInfo> v;
	for (const auto &[tid, t] : tunnels_)
		for (SessionInfo &s : t->sessionInfos())
			v.push_back(std::move(s));
	return v;
}

std::optional<SessionInfo> L2tpEngine::findSession(uint16_t tunnelId, uint16_t sessionId) const
{
	const Tunnel *t = findTunnel(tunnelId);
	if (!t)
		return std::nullopt;
	return t->sessionInfo(sessionId);
}

} // namespace l2tpsec::l2tp
