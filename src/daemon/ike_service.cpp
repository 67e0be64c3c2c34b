#include "daemon/ike_service.h"

#include "common/kernel_release.h"
#include "common/log.h"
#include "daemon/client_kind.h"
#include "daemon/failure_hint.h"
#include "daemon/ike_views.h"
#include "kernel/factory/dataplane_factory.h"
#include "kernel/xfrm/xfrm_events.h"

#include <sys/epoll.h>

#include <algorithm>
#include <set>

namespace l2tpsec {

namespace {

constexpr std::string_view kIkeLog = "ike";

bool sameCerts(const CertConfig &a, const CertConfig &b)
{
	return a.certificate == b.certificate && a.privateKey == b.privateKey && a.ca == b.ca &&
	       a.localId == b.localId && a.peerId == b.peerId;
}

crypto::SecretBytes keyOf(const Secret &s)
{
	return crypto::toSecret(std::span(reinterpret_cast<const uint8_t *>(s.value.data()), s.value.size()));
}

} // namespace

IkeService::IkeService(EventLoop &loop, IkeServiceOptions options) : loop_(loop), options_(options)
{
}

IkeService::~IkeService()
{
	timer_.cancel();
	if (postTimer_)
		loop_.cancelTimer(*postTimer_);
	if (events_)
		loop_.removeFd(events_->fd());
	if (dhWorkers_)
		loop_.removeFd(dhWorkers_->fd());
	// The engine before its ports.
	engine_.reset();
	dhWorkers_.reset();
	sockets_.reset();
}

Result<std::unique_ptr<IkeService>> IkeService::start(EventLoop &loop, const Config &config, IkeServiceOptions options)
{
	std::unique_ptr<IkeService> s(new IkeService(loop, options));
	IkeService *self = s.get();
	auto engineConfig = ike::ikeEngineConfig(config.ike);
	if (!engineConfig)
		return Error{engineConfig.error().code, "[ike]: " + engineConfig.error().message};
	engineConfig->ikePort = options.ikePort;
	engineConfig->natTPort = options.natTPort;
	engineConfig->l2tpPort = options.l2tpPort;
	// Several clients behind one NAT share an L2TP flow only where the
	// kernel keeps their tunnels apart; the null dataplane has no such limit.
	std::string release = runningKernelRelease();
	engineConfig->shareNatFlows =
	        options.dataplane == kernel::DataplaneKind::Null || l2tpTunnelsMayShareAddressPort(release);
	if (!engineConfig->shareNatFlows)
		logInfo(kIkeLog,
		        "kernel {}: one client per NAT address (several clients behind one NAT need Linux 6.10 "
		        "or later)",
		        release);
	engineConfig->psk = [self](const IpAddress &peer) { return self->pskFor(peer); };
	if (BlockingService *blocking = options.blocking)
		engineConfig->blocked = [blocking](const IpAddress &source) { return blocking->blocked(source); };
	// Certificates: a [[lac]] profile's for its server, else the [ike] ones
	// (ikeEngineConfig() read those). Read once here; a bad file stops the start.
	std::map<IpAddress, std::shared_ptr<const ike::CertCredentials>> profileCerts;
	for (const LacProfile &p : config.lac) {
		if (!p.cert.enabled())
			continue;
		L2S_TRY_ASSIGN(auto creds, ike::loadCertCredentials(p.cert, fmt::format("[[lac]] '{}'", p.name)));
		profileCerts.insert_or_assign(p.server, std::move(creds));
	}
	if (!profileCerts.empty()) {
		auto fallback = engineConfig->certs;
		engineConfig->certs = [profileCerts = std::move(profileCerts),
		                       fallback](const IpAddress &peer) -> std::shared_ptr<const ike::CertCredentials> {
			if (auto it = profileCerts.find(peer); it != profileCerts.end())
				return it->second;
			return fallback ? fallback(peer) : nullptr;
		};
	}
	s->setKeys(config);
	s->started_ = config.ike;
	s->startedLac_ = config.lac;
	L2S_TRY_ASSIGN(auto backend, kernel::makeIpsecDataplane(options.dataplane, engineConfig->reqids));
	s->dataplane_ = std::move(backend.dataplane);
	s->events_ = std::move(backend.events);
	if (s->events_) // the kernel's: the null dataplane expires nothing
		L2S_TRY(loop.addFd(s->events_->fd(), EPOLLIN, [self](uint32_t) { self->readXfrmEvents(); }));
	s->sockets_ = std::make_unique<IkeUdpSockets>(
	        loop, *s->dataplane_,
	        [self](ike::IkeSocket k, const ike::Endpoint &local, const ike::Endpoint &from,
	               std::span<const uint8_t> d) { self->onDatagram(k, local, from, d); });
	s->engine_ = std::make_unique<ike::IkeEngine>(std::move(*engineConfig), *s->sockets_, *s->dataplane_,
	                                              s->random_, self);
	L2S_TRY_ASSIGN(auto workers, ike::DhWorkers::start(ike::DhWorkers::defaultThreads()));
	s->dhWorkers_ = std::move(workers);
	s->engine_->offloadDh(*s->dhWorkers_);
	L2S_TRY(loop.addFd(s->dhWorkers_->fd(), EPOLLIN, [self](uint32_t) {
		self->dhWorkers_->deliver(*self->engine_, ike::IkeClock::now());
		self->arm();
	}));
	logInfo(kIkeLog, "phase-1 Diffie-Hellman (Main Mode 3, Aggressive Mode 1) on {} worker thread(s)",
	        s->dhWorkers_->threads());
	if (config.server.listen.empty()) {
		L2S_TRY(s->sockets_->listen(IpAddress::v4(0), options.ikePort, options.natTPort));
	} else {
		for (const IpAddress &a : config.server.listen)
			if (a.isV4())
				L2S_TRY(s->sockets_->listen(a, options.ikePort, options.natTPort));
	}
	return s;
}

void IkeService::setKeys(const Config &config)
{
	wildcardPsk_.reset();
	if (config.ike.psk)
		wildcardPsk_ = keyOf(*config.ike.psk);
	serverPsks_.clear();
	aggressiveServers_.clear();
	for (const LacProfile &p : config.lac) {
		if (p.psk)
			serverPsks_.insert_or_assign(p.server, keyOf(*p.psk));
		if (p.aggressiveMode)
			aggressiveServers_.insert(p.server);
	}
}

void IkeService::reconfigure(const Config &config)
{
	setKeys(config);
	// The engine's settings are fixed when it starts; say so rather than
	// silently keep the old ones.
	const IkeConfig &a = started_, &b = config.ike;
	bool same = a.profile == b.profile && a.ikeProposals == b.ikeProposals && a.espProposals == b.espProposals &&
	            a.dpdInterval == b.dpdInterval && a.dpdTimeout == b.dpdTimeout &&
	            a.natKeepalive == b.natKeepalive && a.ikeLifetime == b.ikeLifetime &&
	            a.saLifetime == b.saLifetime && a.aggressiveMode == b.aggressiveMode &&
	            a.concealServerNat == b.concealServerNat && a.tunnelMode == b.tunnelMode &&
	            sameCerts(a.cert, b.cert);
	// A [[lac]] mode is read at each connect, like the profile's server.
	for (const LacProfile &p : config.lac)
		same = same && std::any_of(startedLac_.begin(), startedLac_.end(), [&](const LacProfile &q) {
			       return q.server == p.server && sameCerts(q.cert, p.cert);
		       });
	if (!same)
		logWarn(kIkeLog, "[ike] settings other than psk_file (or a [[lac]] certificate) changed; they take "
		                 "effect at restart");
}

std::optional<crypto::SecretBytes> IkeService::pskFor(const IpAddress &peer) const
{
	// A profile's key for its own server first: it is the more specific.
	if (auto it = serverPsks_.find(peer); it != serverPsks_.end())
		return it->second;
	return wildcardPsk_;
}

void IkeService::onDatagram(ike::IkeSocket socket, const ike::Endpoint &local, const ike::Endpoint &from,
                            std::span<const uint8_t> datagram)
{
	engine_->onDatagram(socket, local, from, datagram, ike::IkeClock::now());
	arm();
}

void IkeService::readXfrmEvents()
{
	auto events = events_->readPending();
	if (!events) {
		logWarn(kIkeLog, "XFRM events: {}", events.error().message);
		return;
	}
	for (const kernel::xfrm::Event &e : *events) {
		switch (e.kind) {
		case kernel::xfrm::EventKind::Expire:
			logDebug(kIkeLog, "{}", kernel::xfrm::describeEvent(e));
			engine_->onSaExpired(e.sa.spi, e.hard, ike::IkeClock::now());
			break;
		case kernel::xfrm::EventKind::Overflow: resynchronise(); break;
		case kernel::xfrm::EventKind::Mapping:
			// The peer's NAT rebound: its ESP comes from a new port.
			logDebug(kIkeLog, "{}", kernel::xfrm::describeEvent(e));
			engine_->onNatMapping(e.sa, ike::Endpoint{e.newAddress, e.newPort}, ike::IkeClock::now());
			break;
		case kernel::xfrm::EventKind::Acquire:
			// Nothing to start on demand (the peers initiate; LAC profiles
			// connect themselves).
			logDebug(kIkeLog, "{}", kernel::xfrm::describeEvent(e));
			break;
		}
	}
	arm();
}

void IkeService::resynchronise()
{
	// Expiry events were lost: an SA the kernel removed (hard expiry) is
	// found missing from its list and handled as that event would have been.
	logWarn(kIkeLog, "the kernel dropped XFRM events; comparing our IPsec SAs with the kernel's");
	auto sas = dataplane_->listSas();
	if (!sas) {
		logWarn(kIkeLog, "listing the kernel's IPsec SAs: {}", sas.error().message);
		return;
	}
	std::set<uint32_t> present;
	for (const kernel::SaState &st : *sas)
		present.insert(st.id.spi);
	for (const ike::ChildSaInfo &c : engine_->childSas()) {
		if (!present.contains(c.inboundSpi))
			engine_->onSaExpired(c.inboundSpi, true, ike::IkeClock::now());
		else if (!present.contains(c.outboundSpi))
			engine_->onSaExpired(c.outboundSpi, true, ike::IkeClock::now());
	}
}

void IkeService::arm()
{
	timer_.arm(engine_->nextDeadline(), [this] {
		engine_->onTimer(ike::IkeClock::now());
		arm();
	});
}

void IkeService::post(std::function<void(IpsecListener &)> call)
{
	posted_.push_back(std::move(call));
	if (!postTimer_)
		postTimer_ = loop_.addTimer(std::chrono::milliseconds(0), [this] { runPosted(); });
}

void IkeService::runPosted()
{
	postTimer_.reset();
	auto calls = std::move(posted_);
	posted_.clear();
	for (auto &c : calls)
		if (listener_)
			c(*listener_);
}

Result<uint64_t> IkeService::connect(const IpAddress &local, const IpAddress &server, uint16_t serverPort,
                                     kernel::IpsecMode mode)
{
	ike::ConnectRequest req;
	req.local = local;
	if (local.isUnspecified()) {
		// The flow to protect needs our real address, not the wildcard.
		L2S_TRY_ASSIGN(auto source, IkeUdpSockets::sourceAddressFor(server));
		req.local = source;
	}
	req.server = server;
	req.child = ike::ChildRequest{options_.l2tpPort, serverPort, mode};
	req.aggressive = aggressiveServers_.contains(server);
	auto id = engine_->connect(req, ike::IkeClock::now());
	arm();
	if (id)
		connecting_.insert_or_assign(*id, server);
	return id;
}

bool IkeService::protects(const Endpoint &peer) const
{
	return flowSasOf(*engine_, peer, false).has_value();
}

std::optional<IpAddress> IkeService::ikePeerOf(const Endpoint &peer) const
{
	if (auto sas = flowSasOf(*engine_, peer, false))
		return sas->child.peer.address;
	return std::nullopt;
}

control::IkeBlockingView IkeService::blockingView() const
{
	ike::IkeEngineStats s = engine_->stats();
	return control::IkeBlockingView{s.responderDh, s.refusedBlocked};
}

void IkeService::shutdown()
{
	size_t n = engine_->saCount();
	engine_->shutdown(ike::IkeClock::now());
	arm();
	if (n > 0)
		logInfo(kIkeLog, "closed {} ISAKMP SA(s); Delete notifications sent to the peers of established ones",
		        n);
}

control::SasView IkeService::sasView() const
{
	auto now = ike::IkeClock::now();
	control::SasView v;
	for (const ike::IkeSaInfo &sa : engine_->ikeSas())
		v.isakmp.push_back(ikeSaView(sa, now));
	for (const ike::ChildSaInfo &c : engine_->childSas())
		v.ipsec.push_back(pairView(c));
	return v;
}

control::IpsecSaView IkeService::pairView(const ike::ChildSaInfo &c) const
{
	auto query = [&](const kernel::SaId &id) -> std::optional<kernel::SaState> {
		auto st = dataplane_->querySa(id);
		return st ? std::optional(*st) : std::nullopt;
	};
	auto in = query(kernel::SaId{c.peer.address, c.local.address, c.inboundSpi, 0, 0});
	auto out = query(kernel::SaId{c.local.address, c.peer.address, c.outboundSpi, 0, 0});
	return childSaView(c, ike::IkeClock::now(), in, out);
}

std::optional<FlowSas> IkeService::sasOf(const Endpoint &peer, bool isakmp) const
{
	return flowSasOf(*engine_, peer, isakmp);
}

// ---- observer ------------------------------------------------------------------

void IkeService::ikeSaUp(const ike::IkeSaInfo &)
{
}

IkeService::SaCounts IkeService::saCounts() const
{
	SaCounts c;
	for (const ike::IkeSaInfo &sa : engine_->ikeSas())
		(sa.established ? c.isakmpEstablished : c.isakmpConnecting)++;
	c.ipsecSaPairs = engine_->childSas().size();
	return c;
}

void IkeService::ikeSaDown(const ike::IkeSaInfo &sa, const std::string &reason)
{
	// (The engine reports a responder's SA only once it was up.)
	if (!sa.established)
		setups_.failed("phase1");
	auto it = connecting_.find(sa.id);
	if (it == connecting_.end())
		return;
	// Down before its Quick Mode gave an SA pair, established or not.
	IpAddress server = it->second;
	connecting_.erase(it);
	uint64_t id = sa.id;
	post([id, server, reason](IpsecListener &l) { l.connectFailed(id, server, "IKE: " + reason); });
}

void IkeService::childSaUp(const ike::ChildSaInfo &child)
{
	setups_.setups++;
	connecting_.erase(child.ikeSaId);
	post([child](IpsecListener &l) { l.flowProtected(child); });
}

void IkeService::childSaDown(const ike::ChildSaInfo &child, const std::string &reason)
{
	post([child, reason](IpsecListener &l) { l.flowUnprotected(child, reason); });
}

void IkeService::childSaFailed(uint64_t ikeSaId, const std::string &reason)
{
	setups_.failed("quick-mode");
	auto it = connecting_.find(ikeSaId);
	IpAddress server = it != connecting_.end() ? it->second : IpAddress{};
	if (it != connecting_.end())
		connecting_.erase(it);
	post([ikeSaId, server, reason](IpsecListener &l) {
		l.connectFailed(ikeSaId, server, "Quick Mode: " + reason);
	});
}

void IkeService::authenticationFailed(const IpAddress &peer, const std::string &reason)
{
	// (Counted by negotiationRefused(), which follows.)
	if (options_.blocking)
		options_.blocking->failure(peer, "IKE: " + reason);
}

void IkeService::negotiationRefused(const ike::IkeRefusal &refusal)
{
	SetupFailure f;
	switch (refusal.step) {
	case ike::IkeRefusal::Step::Phase1Proposal: f.kind = FailureKind::Phase1Proposal; break;
	case ike::IkeRefusal::Step::Phase1Authentication:
		f.kind = FailureKind::Phase1Authentication;
		f.detail = refusal.reason;
		break;
	case ike::IkeRefusal::Step::Phase1Timeout:
		f.kind = FailureKind::Phase1Timeout;
		f.detail = refusal.reason;
		break;
	case ike::IkeRefusal::Step::QuickModeProposal: f.kind = FailureKind::QuickModeProposal; break;
	}
	f.peer = refusal.peer.str();
	f.offered = refusal.offered;
	f.client = clientKind("", "", refusal.vendorIds);
	setups_.failed(std::string(classifyFailure(f.kind).reason));
	logWarn(kIkeLog, "{}", failureLine(f));
	if (audit_)
		audit_(failureRecord(f));
}

} // namespace l2tpsec
