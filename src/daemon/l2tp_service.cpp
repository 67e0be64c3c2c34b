#include "daemon/l2tp_service.h"

#include "common/log.h"
#include "daemon/ike_views.h"
#include "kernel/dataplane_factory.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/fake_ports.h"
#include "ppp/orphan_pppd.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <tuple>

namespace l2tpsec {

using nlohmann::json;

namespace {

constexpr std::string_view kL2tpLog = "l2tp";
// LAC reconnect back-off: 5 s, doubling, at most 5 minutes.
constexpr std::chrono::seconds kFirstBackoff{5};
constexpr std::chrono::seconds kMaxBackoff{300};
// From a LAC's IPsec SA pair up to its SCCRQ (see flowProtected()).
constexpr std::chrono::milliseconds kQuickModeSettle{200};

std::optional<uint32_t> parseNumber(std::string_view s)
{
	uint32_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc{} || end != s.data() + s.size())
		return std::nullopt;
	return v;
}

std::string hostName()
{
	char buf[256] = {};
	if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
		return "l2tpsec";
	return buf;
}

std::string roleName(bool lns)
{
	return lns ? "lns" : "lac";
}

} // namespace

L2tpService::L2tpService(EventLoop &loop, const Config &config, L2tpServiceOptions options)
    : loop_(loop), options_(std::move(options)), config_(config)
{
}

L2tpService::~L2tpService()
{
	if (options_.ike)
		options_.ike->setListener(nullptr);
	timer_.cancel();
	if (shutdownTimer_)
		loop_.cancelTimer(*shutdownTimer_);
	for (auto &[name, lac] : lacs_)
		if (lac.retry)
			loop_.cancelTimer(*lac.retry);
	// The engine first: its tunnels stop pppds and delete kernel state
	// through the ports, which must still exist.
	engine_.reset();
}

l2tp::EngineConfig L2tpService::engineConfig(const Config &c) const
{
	l2tp::EngineConfig e;
	e.hostName = hostName();
	if (c.l2tp.secret)
		e.secret = c.l2tp.secret->value;
	e.helloInterval = c.l2tp.helloInterval;
	e.receiveWindow = c.l2tp.receiveWindow;
	e.retries = c.l2tp.retries;
	e.maxTunnelsPerPeer = c.l2tp.maxTunnelsPerPeer;
	e.maxSessions = c.l2tp.maxSessions.value_or(0);
	if (c.ppp.pool)
		e.pool = std::make_pair(c.ppp.pool->first, c.ppp.pool->last);
	if (c.l2tp.ipsec == IpsecRequirement::Required) {
		// Only a peer whose L2TP flow an IPsec SA pair protects; the rest
		// are refused clearly rather than served in the clear.
		IkeService *ike = options_.ike;
		e.admitPeer = [ike](const l2tp::Endpoint &peer) -> std::optional<std::string> {
			if (ike && ike->protects(peer.address, peer.port))
				return std::nullopt;
			return "[l2tp] ipsec = \"required\" and no IPsec SA protects " + peer.str();
		};
	}
	return e;
}

Result<std::unique_ptr<L2tpService>> L2tpService::start(EventLoop &loop, const Config &config,
                                                        L2tpServiceOptions options)
{
	std::unique_ptr<L2tpService> s(new L2tpService(loop, config, options));
	L2tpService *self = s.get();
	L2S_TRY(s->audit_.open(config.server.auditLog.path));
	auto dp = kernel::makeL2tpDataplane(options.dataplane);
	if (!dp)
		return std::move(dp).error();
	s->dataplane_ = std::move(*dp);
	// pppd goes with the kernel's dataplane. The null one has no PPPoL2TP
	// socket to give a pppd, so no pppd runs and a session is up as soon as
	// L2TP has set it up (decided here, once).
	if (options.dataplane == kernel::DataplaneKind::Null) {
		s->ppp_ = std::make_unique<l2tp::FakePppLauncher>();
		s->upWithoutPpp_ = true;
	} else {
		// And the pppds an earlier run left, still holding sockets to dead sessions.
		if (size_t n = ppp::stopOrphanPppds(); n > 0)
			logWarn(kL2tpLog, "stopped {} pppd(s) an earlier run left behind", n);
		PppdLauncher::Callbacks cb;
		cb.ended = [self](uint16_t t, uint16_t sid, const std::string &why) {
			self->engine_->pppEnded(t, sid, why, l2tp::TransportClock::now());
			self->arm();
		};
		cb.peerAuthFailed = [self](uint16_t t, uint16_t sid, const l2tp::Endpoint &peer) {
			self->pppAuthFailed(t, sid, peer);
		};
		cb.authenticated = [self](uint16_t t, uint16_t sid, const std::string &user) {
			self->extras_[{t, sid}].user = user;
		};
		cb.linkUp = [self](uint16_t t, uint16_t sid, const std::string &addr) {
			self->extras_[{t, sid}].linkAddress = addr;
			self->auditStart({t, sid});
		};
		auto launcher = std::make_unique<PppdLauncher>(loop, cb, options.pppdPlugin);
		launcher->configure(config.ppp, config.lac);
		s->pppd_ = launcher.get();
		s->ppp_ = std::move(launcher);
	}
	s->sockets_ = std::make_unique<UdpTunnelSockets>(
	        loop, [self](uint64_t id, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
	                     std::span<const uint8_t> d) { self->onDatagram(id, local, from, d); });
	s->engine_ = std::make_unique<l2tp::L2tpEngine>(s->engineConfig(config), *s->dataplane_, *s->sockets_, *s->ppp_,
	                                                self);
	if (options.ike)
		options.ike->setListener(self);
	if (config.server.listen.empty()) {
		L2S_TRY(s->sockets_->listen(IpAddress::v4(0), options.port));
	} else {
		for (const IpAddress &a : config.server.listen)
			if (a.isV4())
				L2S_TRY(s->sockets_->listen(a, options.port));
	}
	for (const LacProfile &p : config.lac) {
		Lac &lac = s->lacs_[p.name];
		lac.profile = p;
		if (p.autoconnect) {
			lac.wanted = true;
			s->connectLac(lac);
		}
	}
	return s;
}

void L2tpService::reopenAuditLog()
{
	if (audit_.path().empty())
		return;
	if (auto r = audit_.reopen(); !r)
		logError(kL2tpLog, "{}", r.error().message);
	else
		logInfo(kL2tpLog, "reopened the audit log {}", audit_.path());
}

void L2tpService::reconfigure(const Config &config)
{
	config_ = config;
	// The same file is opened again too: a reload after a rotation writes
	// to the new file at once.
	const std::string &audit = config.server.auditLog.path;
	if (auto r = audit == audit_.path() ? audit_.reopen() : audit_.open(audit); !r)
		logError(kL2tpLog, "{}", r.error().message);
	if (pppd_)
		pppd_->configure(config.ppp, config.lac);
	engine_->reconfigure(engineConfig(config));
	for (const LacProfile &p : config.lac)
		lacs_[p.name].profile = p;
	logInfo(kL2tpLog, "new settings apply to new tunnels and sessions; established ones keep theirs");
}

IpAddress L2tpService::blockingSource(const l2tp::Endpoint &peer) const
{
	if (ipsecOn())
		if (auto ike = options_.ike->ikePeerOf(peer.address, peer.port))
			return *ike;
	return peer.address;
}

void L2tpService::pppAuthFailed(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer)
{
	// (The session may be gone already: the client's CDN came first.)
	if (!options_.blocking)
		return;
	options_.blocking->failure(
	        blockingSource(peer),
	        fmt::format("PPP: the peer failed to authenticate (session {}/{})", tunnelId, sessionId));
}

void L2tpService::onDatagram(uint64_t socketId, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
                             std::span<const uint8_t> datagram)
{
	// A new tunnel (a control message for tunnel 0: an SCCRQ) from a blocked
	// source goes before the engine decodes it or makes a tunnel for it.
	if (options_.blocking) {
		auto packet = l2tp::parsePacket(datagram);
		if (packet && packet->header.control && packet->header.tunnelId == 0 &&
		    options_.blocking->blocked(blockingSource(from))) {
			options_.blocking->tunnelDropped();
			logDebug(kL2tpLog, "SCCRQ from {} dropped: the source is blocked (failed authentications)",
			         from.str());
			return;
		}
	}
	engine_->onDatagram(socketId, local, from, datagram, l2tp::TransportClock::now());
	arm();
	// The last StopCCN acknowledgement ends a shutdown now, not at the limit.
	finishShutdownIfDone();
}

void L2tpService::finishShutdownIfDone()
{
	if (shutdownDone_ && engine_->done()) {
		if (shutdownTimer_)
			loop_.cancelTimer(*shutdownTimer_);
		shutdownTimer_.reset();
		auto done = std::move(shutdownDone_);
		shutdownDone_ = nullptr;
		done();
	}
}

void L2tpService::arm()
{
	timer_.arm(engine_->nextDeadline(), [this] { onTimer(); });
}

void L2tpService::onTimer()
{
	engine_->onTimer(l2tp::TransportClock::now());
	arm();
	finishShutdownIfDone();
}

void L2tpService::shutdown(std::chrono::milliseconds limit, std::function<void()> done)
{
	for (auto &[name, lac] : lacs_) {
		lac.wanted = false;
		if (lac.retry)
			loop_.cancelTimer(*lac.retry);
		lac.retry.reset();
	}
	engine_->shutdown(l2tp::TransportClock::now());
	arm();
	if (engine_->done()) {
		done();
		return;
	}
	shutdownDone_ = std::move(done);
	shutdownTimer_ = loop_.addTimer(limit, [this] {
		shutdownTimer_.reset();
		if (shutdownDone_) {
			logWarn(kL2tpLog, "{} tunnel(s) did not acknowledge StopCCN in time", engine_->tunnelCount());
			auto d = std::move(shutdownDone_);
			shutdownDone_ = nullptr;
			d();
		}
	});
}

// ---- LAC profiles --------------------------------------------------------------

std::pair<l2tp::Endpoint, l2tp::Endpoint> L2tpService::lacEndpoints(const Lac &lac) const
{
	// From the first listen address when there is one: a LAC and an LNS on
	// one host must not answer each other from the same address and port.
	IpAddress localAddress = IpAddress::v4(0);
	for (const IpAddress &a : config_.server.listen)
		if (a.isV4()) {
			localAddress = a;
			break;
		}
	// Tests run both ends on another port than 1701.
	return {l2tp::Endpoint{localAddress, options_.port}, l2tp::Endpoint{lac.profile.server, options_.port}};
}

void L2tpService::connectLac(Lac &lac)
{
	if (lac.retry)
		loop_.cancelTimer(*lac.retry);
	lac.retry.reset();
	lac.ikeSaId.reset();
	auto [local, server] = lacEndpoints(lac);
	if (!ipsecOn() || options_.ike->protects(server.address, server.port)) {
		startTunnel(lac);
		return;
	}
	// IPsec first: the tunnel starts when the SA pair is up (flowProtected).
	auto id = options_.ike->connect(local.address, server.address, server.port,
	                                lac.profile.mode == EspMode::Tunnel ? kernel::IpsecMode::Tunnel
	                                                                    : kernel::IpsecMode::Transport);
	if (!id) {
		scheduleReconnect(lac, "IKE: " + id.error().message);
		return;
	}
	lac.ikeSaId = *id;
	logInfo(kL2tpLog, "LAC {}: negotiating IPsec with {} (ISAKMP SA {})", lac.profile.name, server.address.str(),
	        *id);
}

void L2tpService::startTunnel(Lac &lac)
{
	lac.ikeSaId.reset();
	l2tp::LacRequest req;
	req.profile = lac.profile.name;
	std::tie(req.local, req.server) = lacEndpoints(lac);
	// A second tunnel to the same server takes an ephemeral port: two tunnels
	// with one address/port pair would look like one to the kernel.
	for (const l2tp::TunnelInfo &t : engine_->tunnels())
		if (!t.lns && t.peer.address == lac.profile.server)
			req.local.port = 0;
	auto tid = engine_->connect(req, l2tp::TransportClock::now());
	arm();
	if (!tid) {
		scheduleReconnect(lac, tid.error().message);
		return;
	}
	lac.tunnelId = tid.value();
	logInfo(kL2tpLog, "LAC {}: connecting to {} (tunnel {})", lac.profile.name, req.server.str(), tid.value());
}

void L2tpService::scheduleReconnect(Lac &lac, const std::string &why)
{
	lac.lastError = why;
	lac.tunnelId.reset();
	lac.ikeSaId.reset();
	if (!lac.wanted)
		return;
	lac.backoff = lac.backoff.count() == 0 ? kFirstBackoff : std::min(lac.backoff * 2, kMaxBackoff);
	logWarn(kL2tpLog, "LAC {}: {}; reconnecting in {}s", lac.profile.name, why, lac.backoff.count());
	std::string name = lac.profile.name;
	lac.retry = loop_.addTimer(lac.backoff, [this, name] {
		auto it = lacs_.find(name);
		if (it == lacs_.end())
			return;
		it->second.retry.reset();
		if (it->second.wanted)
			connectLac(it->second);
	});
}

Result<json> L2tpService::connect(const std::string &profile)
{
	auto it = lacs_.find(profile);
	if (it == lacs_.end())
		return Error{ENOENT, "no [[lac]] profile named '" + profile + "'"};
	Lac &lac = it->second;
	if (lac.wanted && lac.tunnelId)
		return json{{"profile", profile}, {"tunnel", *lac.tunnelId}, {"state", "already connecting or up"}};
	if (lac.wanted && lac.ikeSaId)
		return json{{"profile", profile}, {"tunnel", nullptr}, {"state", "already negotiating IPsec"}};
	lac.wanted = true;
	lac.backoff = std::chrono::seconds(0);
	connectLac(lac);
	if (lac.ikeSaId)
		return json{{"profile", profile}, {"tunnel", nullptr}, {"state", "negotiating IPsec"}};
	if (!lac.tunnelId)
		return Error{EAGAIN, "LAC " + profile + ": " + lac.lastError};
	return json{{"profile", profile}, {"tunnel", *lac.tunnelId}, {"state", "connecting"}};
}

Result<json> L2tpService::call(const std::string &profile)
{
	auto it = lacs_.find(profile);
	if (it == lacs_.end())
		return Error{ENOENT, "no [[lac]] profile named '" + profile + "'"};
	if (!it->second.tunnelId)
		return Error{ENOTCONN, "LAC " + profile + " has no tunnel; l2tpctl connect " + profile + " first"};
	L2S_TRY(engine_->placeCall(*it->second.tunnelId, l2tp::TransportClock::now()));
	arm();
	return json{{"profile", profile}, {"tunnel", *it->second.tunnelId}};
}

// ---- observer -------------------------------------------------------------------

void L2tpService::tunnelUp(const l2tp::TunnelInfo &t)
{
	if (!t.lns)
		if (auto it = lacs_.find(t.lacProfile); it != lacs_.end())
			it->second.backoff = std::chrono::seconds(0);
}

void L2tpService::tunnelDown(const l2tp::TunnelInfo &t, const std::string &reason)
{
	if (t.lns)
		return;
	auto it = lacs_.find(t.lacProfile);
	if (it == lacs_.end() || it->second.tunnelId != t.tunnelId)
		return;
	// Deferred: the engine is still inside this tunnel's teardown.
	std::string name = t.lacProfile;
	loop_.addTimer(std::chrono::milliseconds(0), [this, name, reason] {
		auto lac = lacs_.find(name);
		if (lac != lacs_.end())
			scheduleReconnect(lac->second, "tunnel down: " + reason);
	});
}

void L2tpService::sessionUp(const l2tp::SessionInfo &s)
{
	SessionExtra &x = extras_[{s.tunnelId, s.sessionId}];
	x.started = std::chrono::system_clock::now();
	if (!s.lns)
		if (auto it = lacs_.find(s.lacProfile); it != lacs_.end())
			x.user = it->second.profile.user;
	if (upWithoutPpp_) {
		// No pppd to wait for: the session is as up as it gets.
		if (!x.audited) {
			x.audited = true;
			audit_.write(auditRecord(s, "start"));
		}
	}
}

/// The fields a start and a stop record share.
json L2tpService::auditRecord(const l2tp::SessionInfo &s, const char *event) const
{
	json rec{{"event", event},
	         {"time", isoTimeUtc(std::chrono::system_clock::now())},
	         {"role", roleName(s.lns)},
	         {"peer", s.peer.str()},
	         {"tunnel", s.tunnelId},
	         {"session", s.sessionId},
	         {"peer_tunnel", s.peerTunnelId},
	         {"peer_session", s.peerSessionId}};
	auto it = extras_.find({s.tunnelId, s.sessionId});
	rec["user"] = it != extras_.end() ? it->second.user : "";
	if (s.address)
		rec["address"] = s.address->str();
	else if (it != extras_.end() && it->second.linkAddress)
		rec["address"] = *it->second.linkAddress;
	else
		rec["address"] = nullptr;
	if (!s.lacProfile.empty())
		rec["profile"] = s.lacProfile;
	return rec;
}

void L2tpService::auditStart(const Key &key)
{
	auto info = engine_->findSession(key.first, key.second);
	auto it = extras_.find(key);
	if (!info || it == extras_.end() || it->second.audited)
		return;
	it->second.audited = true;
	audit_.write(auditRecord(*info, "start"));
}

void L2tpService::sessionDown(const l2tp::SessionEnd &e)
{
	Key key{e.session.tunnelId, e.session.sessionId};
	auto it = extras_.find(key);
	if (it == extras_.end())
		return;
	if (it->second.audited) {
		json rec = auditRecord(e.session, "stop");
		rec["duration_seconds"] =
		        std::chrono::duration_cast<std::chrono::seconds>(e.ended - e.session.started).count();
		kernel::L2tpStats st = e.stats.value_or(kernel::L2tpStats{});
		rec["rx_bytes"] = st.rxBytes;
		rec["tx_bytes"] = st.txBytes;
		rec["rx_packets"] = st.rxPackets;
		rec["tx_packets"] = st.txPackets;
		rec["reason"] = e.reason;
		audit_.write(rec);
	}
	extras_.erase(it);
}

// ---- IPsec ----------------------------------------------------------------------

void L2tpService::flowProtected(const ike::ChildSaInfo &child)
{
	for (auto &[name, lac] : lacs_) {
		if (!lac.wanted || !lac.ikeSaId || lac.tunnelId)
			continue;
		auto [local, server] = lacEndpoints(lac);
		if (*lac.ikeSaId != child.ikeSaId && !childProtects(child, server.address, server.port))
			continue;
		logInfo(kL2tpLog, "LAC {}: IPsec up (in 0x{:08x}, out 0x{:08x}); starting the L2TP tunnel", name,
		        child.inboundSpi, child.outboundSpi);
		// The server installs its SAs when our last Quick Mode message
		// reaches it; an SCCRQ that overtook it would be refused (or, on the
		// kernel, dropped and retransmitted a second later). A short pause.
		if (lac.retry)
			loop_.cancelTimer(*lac.retry);
		std::string profile = name;
		lac.retry = loop_.addTimer(kQuickModeSettle, [this, profile] {
			auto it = lacs_.find(profile);
			if (it == lacs_.end())
				return;
			it->second.retry.reset();
			if (it->second.wanted && !it->second.tunnelId)
				startTunnel(it->second);
		});
	}
}

void L2tpService::flowUnprotected(const ike::ChildSaInfo &child, const std::string &reason)
{
	if (!ipsecOn())
		return;
	auto now = l2tp::TransportClock::now();
	for (const l2tp::TunnelInfo &t : engine_->tunnels()) {
		// "optional" admits clear L2TP at the LNS; our own LAC tunnels were
		// started over IPsec and go with it.
		if (t.lns && config_.l2tp.ipsec != IpsecRequirement::Required)
			continue;
		if (t.state == l2tp::TunnelStateName::Closing || t.state == l2tp::TunnelStateName::Dead)
			continue; // already on its way out
		if (!childProtects(child, t.peer.address, t.peer.port) ||
		    options_.ike->protects(t.peer.address, t.peer.port))
			continue;
		logInfo(kL2tpLog, "tunnel {} to {}: its IPsec SA is gone ({}); closing it", t.tunnelId, t.peer.str(),
		        reason);
		(void)engine_->closeTunnel(t.tunnelId, "IPsec SA down: " + reason, now);
	}
	arm();
}

void L2tpService::connectFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason)
{
	for (auto &[name, lac] : lacs_) {
		if (!lac.ikeSaId || (*lac.ikeSaId != ikeSaId && lac.profile.server != server))
			continue;
		scheduleReconnect(lac, reason);
	}
}

// ---- control views ----------------------------------------------------------------

json L2tpService::sessionJson(const l2tp::SessionInfo &s) const
{
	json j{{"tunnel", s.tunnelId},
	       {"session", s.sessionId},
	       {"peer_tunnel", s.peerTunnelId},
	       {"peer_session", s.peerSessionId},
	       {"peer", s.peer.str()},
	       {"role", roleName(s.lns)},
	       {"state", std::string(l2tp::sessionStateName(s.state))}};
	auto it = extras_.find({s.tunnelId, s.sessionId});
	j["user"] = it != extras_.end() ? it->second.user : "";
	if (s.address)
		j["address"] = s.address->str();
	else if (it != extras_.end() && it->second.linkAddress)
		j["address"] = *it->second.linkAddress;
	else
		j["address"] = nullptr;
	if (!s.lacProfile.empty())
		j["profile"] = s.lacProfile;
	if (s.state == l2tp::SessionStateName::Established)
		j["uptime_seconds"] =
		        std::chrono::duration_cast<std::chrono::seconds>(l2tp::TransportClock::now() - s.started)
		                .count();
	return j;
}

json L2tpService::tunnelJson(const l2tp::TunnelInfo &t) const
{
	return json{{"tunnel", t.tunnelId},
	            {"peer_tunnel", t.peerTunnelId},
	            {"role", roleName(t.lns)},
	            {"local", t.local.str()},
	            {"peer", t.peer.str()},
	            {"state", std::string(l2tp::tunnelStateName(t.state))},
	            {"peer_host", t.peerHostName},
	            {"peer_vendor", t.peerVendorName},
	            {"sessions", t.sessions},
	            {"profile", t.lacProfile},
	            {"uptime_seconds",
	             std::chrono::duration_cast<std::chrono::seconds>(l2tp::TransportClock::now() - t.created).count()},
	            {"control_sent", t.transport.sent},
	            {"control_retransmitted", t.transport.retransmitted},
	            {"control_received", t.transport.received}};
}

json L2tpService::tunnelsJson() const
{
	json a = json::array();
	for (const l2tp::TunnelInfo &t : engine_->tunnels())
		a.push_back(tunnelJson(t));
	return json{{"tunnels", a}};
}

json L2tpService::sessionsJson() const
{
	json a = json::array();
	for (const l2tp::SessionInfo &s : engine_->sessions()) {
		json j = sessionJson(s);
		// Counters come from the kernel: data never passes through us.
		if (auto st = dataplane_->getSession(s.tunnelId, s.sessionId)) {
			j["rx_bytes"] = st->stats.rxBytes;
			j["tx_bytes"] = st->stats.txBytes;
			j["rx_packets"] = st->stats.rxPackets;
			j["tx_packets"] = st->stats.txPackets;
		}
		a.push_back(j);
	}
	return json{{"sessions", a}};
}

Result<json> L2tpService::show(const std::string &id) const
{
	auto slash = id.find('/');
	auto tid = parseNumber(std::string_view(id).substr(0, slash));
	if (!tid || *tid > 0xffff)
		return Error{EINVAL, "'" + id + "' is not a tunnel id or TUNNEL/SESSION"};
	auto tunnels = engine_->tunnels();
	auto t = std::find_if(tunnels.begin(), tunnels.end(), [&](const auto &x) { return x.tunnelId == *tid; });
	if (t == tunnels.end())
		return Error{ENOENT, "no tunnel " + std::to_string(*tid)};
	json sessions = json::array();
	json all = sessionsJson(); // a named object: range-for over a temporary's member dangles
	for (const json &s : all["sessions"])
		if (s["tunnel"] == *tid)
			sessions.push_back(s);
	if (slash == std::string::npos)
		return json{{"tunnel", tunnelJson(*t)}, {"sessions", sessions}};
	auto sid = parseNumber(std::string_view(id).substr(slash + 1));
	for (const json &s : sessions)
		if (sid && s["session"] == *sid)
			return json{{"session", s}};
	return Error{ENOENT, "no session " + id};
}

Result<json> L2tpService::disconnect(const std::string &arg)
{
	auto now = l2tp::TransportClock::now();
	if (auto it = lacs_.find(arg); it != lacs_.end()) {
		Lac &lac = it->second;
		lac.wanted = false;
		if (lac.retry)
			loop_.cancelTimer(*lac.retry);
		lac.retry.reset();
		if (lac.tunnelId)
			(void)engine_->closeTunnel(*lac.tunnelId, "l2tpctl disconnect " + arg, now);
		lac.tunnelId.reset();
		// An IPsec negotiation under way finishes; its SA stays for the next connect.
		lac.ikeSaId.reset();
		arm();
		return json{{"profile", arg}, {"disconnected", true}};
	}
	auto slash = arg.find('/');
	auto first = parseNumber(std::string_view(arg).substr(0, slash));
	if (first && slash != std::string::npos) {
		auto sid = parseNumber(std::string_view(arg).substr(slash + 1));
		if (!sid || *first > 0xffff || *sid > 0xffff)
			return Error{EINVAL, "'" + arg + "' is not TUNNEL/SESSION"};
		L2S_TRY(engine_->disconnectSession(static_cast<uint16_t>(*first), static_cast<uint16_t>(*sid),
		                                   "l2tpctl disconnect", now));
		arm();
		return json{{"sessions", json::array({arg})}};
	}
	if (first) {
		if (*first > 0xffff)
			return Error{EINVAL, "no tunnel " + arg};
		L2S_TRY(engine_->closeTunnel(static_cast<uint16_t>(*first), "l2tpctl disconnect", now));
		arm();
		return json{{"tunnels", json::array({*first})}};
	}
	// A user name: every session of that user.
	json cleared = json::array();
	for (const auto &[key, x] : std::map<Key, SessionExtra>(extras_)) {
		if (x.user != arg)
			continue;
		if (engine_->disconnectSession(key.first, key.second, "l2tpctl disconnect " + arg, now))
			cleared.push_back(std::to_string(key.first) + "/" + std::to_string(key.second));
	}
	arm();
	if (cleared.empty())
		return Error{ENOENT, "no LAC profile, tunnel, session or user '" + arg + "'"};
	return json{{"sessions", cleared}};
}

} // namespace l2tpsec
