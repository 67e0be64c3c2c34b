#include "daemon/l2tp_service.h"

#include "common/iso_time.h"
#include "common/log.h"
#include "daemon/cert_binding.h"
#include "daemon/client_kind.h"
#include "daemon/failure_hint.h"
#include "daemon/ike_views.h"
#include "daemon/l2tp_views.h"
#include "daemon/ppp_fingerprint.h"
#include "kernel/factory/dataplane_factory.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/fake_ports.h"
#include "ppp/orphan_pppd.h"
#include "ppp/pppd_command.h"

#include <unistd.h>

#include <algorithm>
#include <random>

namespace l2tpsec {

namespace {

constexpr std::string_view kL2tpLog = "l2tp";
/// How often the sessions' kernel counters are read for their rates.
constexpr std::chrono::seconds kRateInterval{5};
// Up to this many sessions in a view, their counters come from a kernel
// request each; above, from one dump of all sessions.
constexpr size_t kSessionsPerGet = 8;

std::string hostName()
{
	char buf[256] = {};
	if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
		return "l2tpsec";
	return buf;
}

/// A new random number at every start: the first half of each
/// Acct-Session-Id (radius::acctSessionId says why).
uint64_t randomBootId()
{
	std::random_device rd;
	return static_cast<uint64_t>(rd()) << 32 | rd();
}

} // namespace

L2tpService::L2tpService(EventLoop &loop, const Config &config, L2tpServiceOptions options)
    : loop_(loop), options_(std::move(options)), config_(config),
      accounting_(loop, randomBootId(), [this](uint16_t t, uint16_t s) { return countersOf(t, s); }),
      admission_(config.l2tp.ipsec, ikeFlows(options_.ike))
{
	accounting_.configure(config.ppp.radius);
}

L2tpService::~L2tpService()
{
	if (options_.ike)
		options_.ike->setListener(nullptr);
	timer_.cancel();
	if (shutdownTimer_)
		loop_.cancelTimer(*shutdownTimer_);
	if (sampleTimer_)
		loop_.cancelTimer(*sampleTimer_);
	// The engine first: its tunnels stop pppds and delete kernel state
	// through the ports, which must still exist (and tell the LAC
	// supervisor, which goes after it).
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
	e.maxTunnels = c.l2tp.maxTunnels.value_or(0);
	e.maxSessions = c.l2tp.maxSessions.value_or(0);
	if (c.ppp.pool)
		e.pool = std::make_pair(c.ppp.pool->first, c.ppp.pool->last);
	e.admitPeer = admission_.admitPeer(c.l2tp.ipsec);
	return e;
}

Result<std::unique_ptr<L2tpService>> L2tpService::start(EventLoop &loop, const Config &config,
                                                        L2tpServiceOptions options)
{
	std::unique_ptr<L2tpService> s(new L2tpService(loop, config, options));
	L2tpService *self = s.get();
	L2S_TRY(s->audit_.open(config.server.auditLog.path));
	L2S_TRY_ASSIGN(auto dp, kernel::makeL2tpDataplane(options.dataplane));
	s->dataplane_ = std::move(dp);
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
		cb.ended = [self](uint16_t t, uint16_t sid, const std::string &why, l2tp::EndCause cause) {
			self->engine_->pppEnded(t, sid, why, l2tp::TransportClock::now(), cause);
			self->arm();
		};
		cb.peerAuthFailed = [self](uint16_t t, uint16_t sid, const l2tp::Endpoint &peer,
		                           const ppp::PluginAuthFailed *refusal) {
			self->pppAuthFailed(t, sid, peer, refusal);
		};
		cb.authenticated = [self](uint16_t t, uint16_t sid, const std::string &user) {
			self->extras_[{t, sid}].user = user;
			self->checkBinding({t, sid}, user);
		};
		cb.radiusRoutes = [self](uint16_t t, uint16_t sid, const std::vector<IpPrefix> &routes) {
			self->extras_[{t, sid}].radiusRoutes = routes;
		};
		cb.peerOptions = [self](uint16_t t, uint16_t sid, const ppp::PluginPeerOptions &peer) {
			self->extras_[{t, sid}].ppp = pppFingerprint(peer);
		};
		cb.linkUp = [self](uint16_t t, uint16_t sid, const std::string &addr, const std::string &interface) {
			self->extras_[{t, sid}].linkAddress = addr;
			self->extras_[{t, sid}].interface = interface;
			if (self->adoptLinkAddress({t, sid}, addr))
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
	s->lacs_ = std::make_unique<LacSupervisor>(loop, *s->engine_, s->admission_, options.ike, options.port,
	                                           [self] { self->arm(); });
	s->lacs_->configure(config, true);
	s->sampleTimer_ = loop.addTimer(kRateInterval, [self] { self->sampleRates(); });
	return s;
}

void L2tpService::reopenAuditLog()
{
	audit_.reopen();
}

void L2tpService::reconfigure(const Config &config)
{
	config_ = config;
	audit_.reconfigure(config.server.auditLog.path);
	accounting_.configure(config.ppp.radius);
	admission_.setRequirement(config.l2tp.ipsec);
	if (pppd_)
		pppd_->configure(config.ppp, config.lac);
	engine_->reconfigure(engineConfig(config));
	lacs_->configure(config, false);
	logInfo(kL2tpLog, "new settings apply to new tunnels and sessions; established ones keep theirs");
}

void L2tpService::pppAuthFailed(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer,
                                const ppp::PluginAuthFailed *refusal)
{
	// (The session may be gone already: the client's CDN came first.)
	SetupFailure f;
	f.kind = FailureKind::PppAuthentication;
	f.peer = admission_.blockingSource(peer).str();
	f.client = clientKindOf(tunnelId, peer);
	f.factor = pppRefusedFactor(refusal ? &refusal->said : nullptr);
	if (refusal) {
		f.user = refusal->peerName;
		f.detail = serverWords(refusal->said);
	}
	logWarn("ppp", "{}", failureLine(f));
	audit_.write(failureRecord(f));
	if (!options_.blocking)
		return;
	// A wrong one-time code counts as a wrong password does.
	options_.blocking->failure(
	        admission_.blockingSource(peer),
	        fmt::format("PPP: the peer failed to authenticate ({}; session {}/{})", f.factor, tunnelId, sessionId));
}

void L2tpService::checkBinding(const Key &key, const std::string &user)
{
	const PppUserBindingConfig &binding = config_.ike.bindPppUser;
	auto info = binding.on() ? engine_->findSession(key.first, key.second) : std::nullopt;
	if (!info)
		return;
	// The certificate of the ISAKMP SA whose pair protects the session's flow.
	auto sas = admission_.sasOf(info->peer, true);
	std::optional<ike::PeerCertificate> cert;
	if (sas && sas->isakmp)
		cert = sas->isakmp->peerCert;
	IpAddress source = admission_.blockingSource(info->peer);
	auto refusal = bindingRefusal(binding, cert, user, source.str());
	if (!refusal)
		return;
	logWarn("ppp", "{}", *refusal);
	SetupFailure f;
	f.kind = FailureKind::CertificateBinding;
	f.peer = source.str();
	f.user = user;
	f.detail = cert ? "certificate " + boundIdentityText(binding, *cert) : "no device certificate";
	f.client = clientKindOf(key.first, info->peer);
	audit_.write(failureRecord(f));
	if (pppd_)
		pppd_->countFailure(std::string(classifyFailure(f.kind).reason));
	if (options_.blocking)
		options_.blocking->failure(source, fmt::format("PPP: user {} is not bound to the device certificate "
		                                               "(session {}/{})",
		                                               user, key.first, key.second));
	// pppd goes with the session (its CDN), before IPCP brings the link up.
	(void)engine_->disconnectSession(key.first, key.second, "PPP user not bound to the device certificate",
	                                 l2tp::TransportClock::now(), l2tp::EndCause::Error);
	arm();
}

bool L2tpService::adoptLinkAddress(const Key &key, const std::string &address)
{
	auto info = engine_->findSession(key.first, key.second);
	auto a = IpAddress::parse(address);
	if (!info || !info->lns || !a || info->address == *a)
		return true;
	if (info->address)
		logInfo("ppp", "session {}/{}: the client got {} from RADIUS (Framed-IP-Address), not the pool's {}",
		        key.first, key.second, a->str(), info->address->str());
	auto r = engine_->adoptAddress(key.first, key.second, *a);
	if (r)
		return true;
	logError("ppp", "session {}/{}: {}; session ended", key.first, key.second, r.error().message);
	(void)engine_->disconnectSession(key.first, key.second, "client address in use", l2tp::TransportClock::now(),
	                                 l2tp::EndCause::Error);
	arm();
	return false;
}

std::string L2tpService::clientKindOf(uint16_t tunnelId, const l2tp::Endpoint &peer) const
{
	std::optional<l2tp::TunnelInfo> tunnel;
	for (l2tp::TunnelInfo &t : engine_->tunnels())
		if (t.tunnelId == tunnelId)
			tunnel = std::move(t);
	auto sas = admission_.sasOf(peer, true);
	auto fingerprint = clientFingerprint(tunnel ? &*tunnel : nullptr, sas ? &*sas : nullptr);
	return clientKind(fingerprint.value_or(control::ClientFingerprintView{}));
}

void L2tpService::onDatagram(uint64_t socketId, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
                             std::span<const uint8_t> datagram)
{
	// A new tunnel (a control message for tunnel 0: an SCCRQ) from a blocked
	// source goes before the engine decodes it or makes a tunnel for it.
	if (options_.blocking) {
		auto packet = l2tp::parsePacket(datagram);
		if (packet && packet->header.control && packet->header.tunnelId == 0 &&
		    options_.blocking->blocked(admission_.blockingSource(from))) {
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
	lacs_->checkTunnels();
	arm();
	finishShutdownIfDone();
}

void L2tpService::shutdown(std::chrono::milliseconds limit, std::function<void()> done)
{
	lacs_->stopAll();
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

Result<control::ConnectView> L2tpService::connect(const std::string &profile)
{
	L2S_TRY_ASSIGN(auto progress, lacs_->connect(profile));
	return control::ConnectView{profile, progress.tunnel, progress.state};
}

control::ProfilesView L2tpService::profiles() const
{
	control::ProfilesView v = lacs_->view();
	// Up is PPP up: pppd reported its link (or no pppd runs). The session of
	// a profile's own tunnel; `call` may have placed more.
	for (control::ProfileView &p : v.profiles) {
		if (p.state != "tunnel up")
			continue;
		for (const l2tp::SessionInfo &s : engine_->sessions()) {
			if (s.lns || s.tunnelId != p.tunnel || s.state != l2tp::SessionStateName::Established)
				continue;
			auto x = extras_.find({s.tunnelId, s.sessionId});
			if (x == extras_.end() || (!upWithoutPpp_ && !x->second.linkAddress))
				continue;
			p.state = "up";
			p.session = std::to_string(s.tunnelId) + "/" + std::to_string(s.sessionId);
			p.address = x->second.linkAddress;
			break;
		}
	}
	return v;
}

Result<control::CallView> L2tpService::call(const std::string &profile)
{
	L2S_TRY_ASSIGN(uint16_t tunnel, lacs_->call(profile));
	return control::CallView{profile, tunnel};
}

// ---- observer -------------------------------------------------------------------

void L2tpService::tunnelUp(const l2tp::TunnelInfo &t)
{
	lacs_->tunnelUp(t);
}

void L2tpService::tunnelDown(const l2tp::TunnelInfo &t, const std::string &reason)
{
	lacs_->tunnelDown(t, reason);
}

void L2tpService::sessionUp(const l2tp::SessionInfo &s)
{
	sessionSetups_++;
	SessionExtra &x = extras_[{s.tunnelId, s.sessionId}];
	x.started = std::chrono::system_clock::now();
	if (!s.lns)
		if (const LacProfile *p = lacs_->profile(s.lacProfile))
			x.user = p->user;
	if (upWithoutPpp_) {
		// No pppd to wait for: the session is as up as it gets.
		x.auditStarted = isoTimeUtc(std::chrono::system_clock::now());
		audit_.start(s, {x.user, x.linkAddress});
	}
}

std::vector<IpPrefix> L2tpService::radiusRoutes(uint16_t tunnelId, uint16_t sessionId) const
{
	auto it = extras_.find({tunnelId, sessionId});
	return it == extras_.end() ? std::vector<IpPrefix>{} : it->second.radiusRoutes;
}

void L2tpService::auditStart(const Key &key)
{
	auto info = engine_->findSession(key.first, key.second);
	auto it = extras_.find(key);
	if (!info || it == extras_.end())
		return;
	it->second.auditStarted = isoTimeUtc(std::chrono::system_clock::now());
	audit_.start(*info, {it->second.user, it->second.linkAddress});
	if (!info->lns)
		return;
	SessionAccountant::Facts facts;
	facts.user = it->second.user;
	facts.nasPortId = ppp::sessionPortId(key.first, key.second);
	facts.framedIpAddress = info->address;
	if (!facts.framedIpAddress && it->second.linkAddress)
		facts.framedIpAddress = IpAddress::parse(*it->second.linkAddress);
	facts.callingStationId = info->peer.address.str();
	for (const l2tp::TunnelInfo &t : engine_->tunnels())
		if (t.tunnelId == key.first)
			facts.calledStationId = t.local.address.str();
	accounting_.start(key.first, key.second, std::move(facts));
}

std::optional<radius::SessionCounters> L2tpService::countersOf(uint16_t tunnelId, uint16_t sessionId) const
{
	auto st = dataplane_->getSession(tunnelId, sessionId);
	if (!st)
		return std::nullopt;
	return radius::SessionCounters{st->stats.rxBytes, st->stats.txBytes, st->stats.rxPackets, st->stats.txPackets};
}

void L2tpService::sessionDown(const l2tp::SessionEnd &e)
{
	lacs_->sessionDown(e);
	Key key{e.session.tunnelId, e.session.sessionId};
	deadlines_.forget(key.first, key.second);
	auto it = extras_.find(key);
	if (it == extras_.end())
		return;
	audit_.stop(e, {it->second.user, it->second.linkAddress});
	kernel::L2tpStats st = e.stats.value_or(kernel::L2tpStats{});
	accounting_.stop(key.first, key.second, {st.rxBytes, st.txBytes, st.rxPackets, st.txPackets},
	                 terminateCauseOf(e.cause));
	extras_.erase(it);
}

// ---- IPsec ----------------------------------------------------------------------

void L2tpService::flowProtected(const ike::ChildSaInfo &child)
{
	lacs_->ipsecUp(child);
}

void L2tpService::flowUnprotected(const ike::ChildSaInfo &child, const std::string &reason)
{
	if (!admission_.on())
		return;
	auto now = l2tp::TransportClock::now();
	for (const l2tp::TunnelInfo &t : admission_.tunnelsLosing(child, engine_->tunnels())) {
		logInfo(kL2tpLog, "tunnel {} to {}: its IPsec SA is gone ({}); closing it", t.tunnelId, t.peer.str(),
		        reason);
		(void)engine_->closeTunnel(t.tunnelId, "IPsec SA down: " + reason, now, l2tp::EndCause::PeerLost);
	}
	arm();
}

void L2tpService::connectFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason)
{
	lacs_->ipsecFailed(ikeSaId, server, reason);
}

// ---- control views ----------------------------------------------------------------

control::TunnelsView L2tpService::tunnels() const
{
	return tunnelsView(engine_->tunnels(), l2tp::TransportClock::now());
}

control::SessionsView L2tpService::sessions() const
{
	return control::SessionsView{sessionViews([](const l2tp::SessionInfo &) { return true; })};
}

Result<control::ShowView> L2tpService::show(const std::string &id) const
{
	// A user name unless it starts as an id does (TUNNEL, TUNNEL/SESSION).
	if (id.empty() || id[0] < '0' || id[0] > '9')
		return showUser(id);
	auto tid = parseIdNumber(std::string_view(id).substr(0, id.find('/')));
	auto ofTunnel = [&](const l2tp::SessionInfo &s) { return tid && s.tunnelId == *tid; };
	L2S_TRY_ASSIGN(auto v, showView(id, engine_->tunnels(), control::SessionsView{sessionViews(ofTunnel)},
	                                l2tp::TransportClock::now()));
	if (v.session)
		v.chains = std::vector<control::SessionChainView>{chainOf(*v.session)};
	return v;
}

Result<control::ShowView> L2tpService::showUser(const std::string &user) const
{
	auto hers = [&](const l2tp::SessionInfo &s) {
		auto it = extras_.find({s.tunnelId, s.sessionId});
		return it != extras_.end() && it->second.user == user;
	};
	std::vector<control::SessionChainView> chains;
	for (const control::SessionView &v : sessionViews(hers))
		chains.push_back(chainOf(v));
	return userShowView(user, std::move(chains));
}

std::vector<control::SessionView>
L2tpService::sessionViews(const std::function<bool(const l2tp::SessionInfo &)> &want) const
{
	auto now = l2tp::TransportClock::now();
	std::map<uint16_t, l2tp::TunnelInfo> tunnels;
	for (l2tp::TunnelInfo &t : engine_->tunnels())
		tunnels.emplace(t.tunnelId, std::move(t));
	std::vector<l2tp::SessionInfo> wanted;
	for (l2tp::SessionInfo &s : engine_->sessions())
		if (want(s))
			wanted.push_back(std::move(s));
	// The kernel's counters: for many sessions one dump, not a request per
	// session (1,000 of them made `l2tpctl sessions` slow); for a few, a get
	// each (a dump reads every session the kernel holds). A session missing
	// from the dump is asked for on its own.
	std::map<std::pair<uint32_t, uint32_t>, kernel::L2tpStats> dumped;
	if (wanted.size() > kSessionsPerGet)
		if (auto states = dataplane_->listSessions())
			for (const kernel::SessionState &st : *states)
				dumped.emplace(std::pair{st.tunnelId, st.sessionId}, st.stats);
	std::vector<control::SessionView> views;
	views.reserve(wanted.size());
	for (const l2tp::SessionInfo &s : wanted) {
		SessionExtras x;
		if (auto it = extras_.find({s.tunnelId, s.sessionId}); it != extras_.end()) {
			x.user = it->second.user;
			x.linkAddress = it->second.linkAddress;
			x.interface = it->second.interface;
			x.rxRate = it->second.rate.rx();
			x.txRate = it->second.rate.tx();
		}
		x.acctSessionId = accounting_.sessionIdOf(s.tunnelId, s.sessionId);
		if (auto d = dumped.find({s.tunnelId, s.sessionId}); d != dumped.end())
			x.stats = d->second;
		else if (auto st = dataplane_->getSession(s.tunnelId, s.sessionId))
			x.stats = st->stats;
		auto t = tunnels.find(s.tunnelId);
		auto sas = admission_.sasOf(s.peer, true);
		if (sas)
			x.ikePeer = sas->child.peer.str();
		x.fingerprint = clientFingerprint(t != tunnels.end() ? &t->second : nullptr, sas ? &*sas : nullptr);
		if (auto it = extras_.find({s.tunnelId, s.sessionId}); x.fingerprint && it != extras_.end())
			x.fingerprint->ppp = it->second.ppp;
		x.client = clientKind(x.fingerprint.value_or(control::ClientFingerprintView{}));
		views.push_back(sessionView(s, x, now));
	}
	return views;
}

control::SessionChainView L2tpService::chainOf(const control::SessionView &view) const
{
	control::SessionChainView c;
	c.session = view;
	auto now = l2tp::TransportClock::now();
	for (const l2tp::TunnelInfo &t : engine_->tunnels())
		if (t.tunnelId == view.tunnel)
			c.tunnel = tunnelView(t, now);
	if (pppd_)
		if (auto pid = pppd_->pid(view.tunnel, view.session))
			c.pppdPid = *pid;
	if (auto it = extras_.find({view.tunnel, view.session}); it != extras_.end())
		c.auditStarted = it->second.auditStarted;
	auto info = engine_->findSession(view.tunnel, view.session);
	if (auto sas = info ? admission_.sasOf(info->peer, true) : std::nullopt) {
		if (sas->isakmp)
			c.isakmp = ikeSaView(*sas->isakmp, ike::IkeClock::now());
		c.ipsec = admission_.pairView(sas->child);
	}
	return c;
}

void L2tpService::sampleRates()
{
	sampleTimer_ = loop_.addTimer(kRateInterval, [this] { sampleRates(); });
	if (extras_.empty())
		return;
	auto states = dataplane_->listSessions();
	if (!states) {
		logDebug(kL2tpLog, "sampling the sessions' counters: {}", states.error().message);
		return;
	}
	auto now = SessionRate::Clock::now();
	for (const kernel::SessionState &st : *states) {
		if (st.tunnelId > 0xffff || st.sessionId > 0xffff)
			continue; // not one of ours
		auto it = extras_.find({static_cast<uint16_t>(st.tunnelId), static_cast<uint16_t>(st.sessionId)});
		if (it != extras_.end())
			it->second.rate.sample(st.stats.rxBytes, st.stats.txBytes, now);
	}
}

Result<void> L2tpService::endSession(uint16_t tunnelId, uint16_t sessionId, const std::string &reason)
{
	auto r = engine_->disconnectSession(tunnelId, sessionId, reason, l2tp::TransportClock::now());
	arm();
	return r;
}

Result<void> L2tpService::limitSession(uint16_t tunnelId, uint16_t sessionId, std::chrono::seconds limit)
{
	if (!engine_->findSession(tunnelId, sessionId))
		return Error{ENOENT, fmt::format("no session {}/{}", tunnelId, sessionId)};
	deadlines_.set(tunnelId, sessionId, limit);
	return {};
}

void L2tpService::sessionTimedOut(uint16_t tunnelId, uint16_t sessionId, std::chrono::milliseconds limit)
{
	auto it = extras_.find({tunnelId, sessionId});
	std::string user = it != extras_.end() && !it->second.user.empty() ? " (" + it->second.user + ")" : "";
	logInfo(kL2tpLog, "session {}/{}{}: the Session-Timeout of {}s a CoA-Request set has passed; ending it",
	        tunnelId, sessionId, user, std::chrono::duration_cast<std::chrono::seconds>(limit).count());
	if (auto r = engine_->disconnectSession(tunnelId, sessionId, "radius-session-timeout",
	                                        l2tp::TransportClock::now(), l2tp::EndCause::SessionTimeout);
	    !r)
		logWarn(kL2tpLog, "session {}/{}: {}", tunnelId, sessionId, r.error().message);
	arm();
}

Result<control::DisconnectView> L2tpService::disconnect(const std::string &arg)
{
	auto now = l2tp::TransportClock::now();
	if (lacs_->disconnect(arg, now))
		return disconnectedProfile(arg);
	auto slash = arg.find('/');
	auto first = parseIdNumber(std::string_view(arg).substr(0, slash));
	if (first && slash != std::string::npos) {
		auto sid = parseIdNumber(std::string_view(arg).substr(slash + 1));
		if (!sid || *first > 0xffff || *sid > 0xffff)
			return Error{EINVAL, "'" + arg + "' is not TUNNEL/SESSION"};
		L2S_TRY(endSession(static_cast<uint16_t>(*first), static_cast<uint16_t>(*sid), "l2tpctl disconnect"));
		return disconnectedSessions({arg});
	}
	if (first) {
		if (*first > 0xffff)
			return Error{EINVAL, "no tunnel " + arg};
		L2S_TRY(engine_->closeTunnel(static_cast<uint16_t>(*first), "l2tpctl disconnect", now));
		arm();
		return disconnectedTunnel(static_cast<uint16_t>(*first));
	}
	// A user name: every session of that user.
	std::vector<std::string> cleared;
	for (const auto &[key, x] : std::map<Key, SessionExtra>(extras_)) {
		if (x.user != arg)
			continue;
		if (engine_->disconnectSession(key.first, key.second, "l2tpctl disconnect " + arg, now))
			cleared.push_back(std::to_string(key.first) + "/" + std::to_string(key.second));
	}
	arm();
	if (cleared.empty())
		return Error{ENOENT, "no LAC profile, tunnel, session or user '" + arg + "'"};
	return disconnectedSessions(std::move(cleared));
}

} // namespace l2tpsec
