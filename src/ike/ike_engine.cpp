// The SA manager: routing by cookie, responder SAs for new Main Modes (and
// allowed Aggressive Modes) within the limits, LAC connects, timers,
// INITIAL-CONTACT and the hand-over of IPsec SAs between a peer's ISAKMP SAs.
#include "ike/ike_engine.h"

#include "common/log.h"
#include "ike/codec/names.h"
#include "ike/ike_log.h"
#include "ike/ike_sa.h"
#include "ike/sa_table.h"

#include <algorithm>

namespace l2tpsec::ike {

namespace {

IkeContext makeContext(IkeEngineConfig config, IkeSockets &sockets, kernel::IpsecDataplane &dataplane,
                       IkeRandom &random, IkeObserver *observer)
{
	ChildFlows flows(config.reqids, config.shareNatFlows);
	return IkeContext{std::move(config), sockets, dataplane, random, observer, nullptr, std::move(flows), {}};
}

bool isZero(const Cookie &c)
{
	return c == Cookie{};
}

} // namespace

class IkeEngine::SaEvents final : public IkeSaEvents {
public:
	struct Event {
		uint64_t sa;
		std::optional<uint32_t> foreignSpi; ///< a foreign Delete; else a state change
	};
	void stateChanged(IkeSa &sa, Phase1State, Phase1State) override { pending.push_back({sa.identity().id, {}}); }
	void foreignDelete(IkeSa &sa, uint32_t spi) override { pending.push_back({sa.identity().id, spi}); }
	std::vector<Event> pending;
};

Result<IkeEngineConfig> ikeEngineConfig(const IkeConfig &config)
{
	IkeEngineConfig c;
	L2S_TRY_ASSIGN(auto proposals, proposalsFromConfig(config));
	c.proposals = std::move(proposals);
	c.ikeLifetime = config.ikeLifetime;
	c.saLifetime = config.saLifetime;
	c.acceptTunnelMode = config.tunnelMode == TunnelModePolicy::Accept;
	c.dpdInterval = config.dpdInterval;
	c.dpdTimeout = config.dpdTimeout;
	c.natKeepalive = config.natKeepalive;
	c.aggressiveMode = config.aggressiveMode;
	c.concealServerNat = config.concealServerNat;
	if (config.psk) {
		crypto::SecretBytes key = crypto::toSecret(std::span(
		        reinterpret_cast<const uint8_t *>(config.psk->value.data()), config.psk->value.size()));
		c.psk = [key](const IpAddress &) -> std::optional<crypto::SecretBytes> { return key; };
	}
	if (config.cert.enabled()) {
		L2S_TRY_ASSIGN(auto creds, loadCertCredentials(config.cert, ""));
		c.certs = [creds = creds](const IpAddress &) { return creds; };
	}
	return c;
}

IkeEngine::IkeEngine(IkeEngineConfig config, IkeSockets &sockets, kernel::IpsecDataplane &dataplane, IkeRandom &random,
                     IkeObserver *observer)
    : ctx_(makeContext(std::move(config), sockets, dataplane, random, observer)), events_(std::make_unique<SaEvents>()),
      table_(std::make_unique<SaTable>())
{
}

IkeEngine::~IkeEngine() = default;

// ---- datagrams -----------------------------------------------------------------

void IkeEngine::onDatagram(IkeSocket socket, const Endpoint &local, const Endpoint &from,
                           std::span<const uint8_t> datagram, TimePoint now)
{
	ctx_.now = now;
	stats_.datagrams++;
	std::span<const uint8_t> bytes = datagram;
	if (socket == IkeSocket::NatT) {
		// RFC 3948 §2.3: a keepalive; §2.2: IKE behind the non-ESP marker.
		if (bytes.size() == 1 && bytes[0] == 0xff)
			return;
		if (bytes.size() < 4 || bytes[0] || bytes[1] || bytes[2] || bytes[3]) {
			stats_.dropped++;
			logDebug(kLog, "{}: datagram on the NAT-T socket without the non-ESP marker dropped",
			         from.str());
			return;
		}
		bytes = bytes.subspan(4);
	}
	auto m = parseMessage(bytes);
	if (!m) {
		stats_.dropped++;
		logDebug(kLog, "{}: {}", from.str(), m.error().message);
		return;
	}
	const Header &h = m->header;
	IkeSa *sa = table_->route(h, from);
	if (!sa) {
		bool phase1 = h.exchange == ExchangeType::IdentityProtection || h.exchange == ExchangeType::Aggressive;
		if (phase1 && isZero(h.responderCookie) && h.messageId == 0 && !h.encrypted() &&
		    !isZero(h.initiatorCookie)) {
			onPhase1Start(socket, local, from, *m, bytes);
			return;
		}
		stats_.dropped++;
		logDebug(kLog, "{}: {} for no ISAKMP SA dropped", from.str(), exchangeTypeName(h.exchange));
		return;
	}
	uint64_t id = sa->identity().id;
	sa->receive(*m, bytes, socket, local, from);
	settle(id);
}

void IkeEngine::onDhDone(uint64_t sa, Result<DhWorkDone> done, TimePoint now)
{
	ctx_.now = now;
	IkeSa *s = table_->find(sa);
	if (!s)
		return; // timed out or closed while its DH ran; ids are never reused
	s->completeDh(std::move(done));
	settle(sa);
}

bool IkeEngine::aggressiveAllowed(const Endpoint &from, const Cookie &ckyI)
{
	if (ctx_.config.aggressiveMode)
		return true;
	// Dropped without an answer, as libreswan does (pluto ignores an
	// Aggressive Mode 1 no connection allows). strongSwan answers
	// AUTHENTICATION-FAILED, but a cleartext notify to an unauthenticated
	// source tells a scanner (ike-scan) what we run, can be reflected at a
	// spoofed address, and makes the peer give up no sooner than its
	// retransmissions would; the log line is what the admin needs.
	stats_.dropped++;
	stats_.refusedAggressive++;
	auto [it, fresh] = aggressiveRefused_.try_emplace(from.address, ckyI);
	if (!fresh && it->second == ckyI)
		return false; // a retransmission of the refused one
	it->second = ckyI;
	if (aggressiveRefused_.size() > 4096)
		aggressiveRefused_.clear(); // bounded; at worst a line is repeated
	logWarn(kLog, "Aggressive Mode from {} refused: [ike] aggressive_mode is off", from.str());
	return false;
}

void IkeEngine::onPhase1Start(IkeSocket socket, const Endpoint &local, const Endpoint &from, const Message &m,
                              std::span<const uint8_t> datagram)
{
	const IkeEngineConfig &c = ctx_.config;
	const char *mode = m.header.exchange == ExchangeType::Aggressive ? "Aggressive Mode" : "Main Mode";
	// A LAC-only engine answers only its servers' re-authentication (a
	// peer it holds an established ISAKMP SA with).
	auto knownPeer = [this](const IpAddress &a) {
		std::set<uint64_t> ids = table_->idsAt(a);
		return std::any_of(ids.begin(), ids.end(),
		                   [this](uint64_t id) { return table_->find(id)->established(); });
	};
	if (!c.acceptPeers && !knownPeer(from.address)) {
		stats_.dropped++;
		logDebug(kLog, "{}: {} refused: this engine does not answer peers", from.str(), mode);
		return;
	}
	// Before anything else is spent on it: no SA, no cookie, no DH.
	if (c.blocked && c.blocked(from.address)) {
		stats_.dropped++;
		ctx_.refusedBlocked++;
		logDebug(kLog, "{}: {} dropped: the source is blocked (failed authentications)", from.str(), mode);
		return;
	}
	if (m.header.exchange == ExchangeType::Aggressive && !aggressiveAllowed(from, m.header.initiatorCookie))
		return;
	size_t halfOpen = table_->halfOpen(), halfOpenHere = table_->halfOpenAt(from.address),
	       sasHere = table_->countAt(from.address);
	if (halfOpen >= c.maxHalfOpen || halfOpenHere >= c.maxHalfOpenPerPeer || sasHere >= c.maxSasPerPeer) {
		stats_.refusedMainMode++;
		if (!limitLogged_)
			logWarn(kLog,
			        "{}: {} refused: {} half-open SAs ({} from this address), {} SAs of this "
			        "address (limits {}, {}, {}); further refusals are not logged until it eases",
			        from.str(), mode, halfOpen, halfOpenHere, sasHere, c.maxHalfOpen, c.maxHalfOpenPerPeer,
			        c.maxSasPerPeer);
		limitLogged_ = true;
		return;
	}
	auto cookie = ctx_.random.bytes(8);
	if (!cookie || cookie->size() != 8) {
		logError(kLog, "{}: no responder cookie: {}", from.str(), cookie ? "short" : cookie.error().message);
		return;
	}
	Cookie ckyR;
	std::copy(cookie->begin(), cookie->end(), ckyR.begin());
	uint64_t id = nextId_++;
	const Cookie &ckyI = m.header.initiatorCookie;
	// A peer may start on 4500 (a server re-authenticating us behind a NAT):
	// the answers go back there, with the non-ESP marker.
	IkeSa &sa = table_->add(std::make_unique<IkeSa>(ctx_, *events_, SaIdentity{id, false, ckyI, ckyR},
	                                                PeerPath{socket, local, from}),
	                        false);
	sa.receive(m, datagram, socket, local, from);
	// A first message that did not parse left the SA where it started:
	// it goes now rather than hold a half-open slot until setupTimeout.
	if (sa.state() == Phase1State::Start)
		sa.close("", false);
	settle(id);
}

// ---- bookkeeping -----------------------------------------------------------------

void IkeEngine::whenEstablished(IkeSa &sa)
{
	// RFC 2407 §4.6.3.3: INITIAL-CONTACT, the peer has no other SAs with
	// us; else the newest ISAKMP SA takes over the older ones' IPsec SAs
	// (re-authentication).
	bool initialContact = std::exchange(sa.succession().initialContactReceived, false);
	bool reauthenticated = table_->reauthenticating(sa.identity().id);
	std::vector<uint64_t> closed;
	for (IkeSa *other : table_->peerSas(sa, true)) {
		if (initialContact) {
			logInfo(kLog, "peer {}: INITIAL-CONTACT: removing ISAKMP SA {} and its IPsec SAs",
			        sa.path().peer.str(), other->identity().id);
			other->close("replaced (INITIAL-CONTACT from the peer)", false);
			closed.push_back(other->identity().id);
			continue;
		}
		if (!other->established())
			continue;
		if (!other->children().empty()) {
			logInfo(kLog, "peer {}: ISAKMP SA {} takes over the IPsec SAs of ISAKMP SA {}",
			        sa.path().peer.str(), sa.identity().id, other->identity().id);
			sa.children().adopt(other->children());
		}
		// Not deleted at once: a peer adopts the IPsec SAs into the new
		// ISAKMP SA when it is ready (charon in a job it queues after Main
		// Mode), and a Delete of the old one that arrives first takes them
		// down with it. In the lab VM under load that cost 35 s of traffic.
		if (reauthenticated && !other->succession().retireAt) {
			other->succession().retireAt = ctx_.now + kReauthHandover;
			other->succession().successor = sa.identity().id;
			table_->rearm(other->identity().id);
		}
	}
	for (uint64_t id : closed)
		table_->erase(id);
}

void IkeEngine::settle(uint64_t id)
{
	std::set<uint64_t> touched{id}, died;
	while (!events_->pending.empty()) {
		std::vector<SaEvents::Event> batch = std::exchange(events_->pending, {});
		for (const SaEvents::Event &e : batch) {
			IkeSa *sa = table_->find(e.sa);
			if (!sa)
				continue; // removed meanwhile (a hand-over closed it)
			touched.insert(e.sa);
			if (e.foreignSpi)
				onForeignDelete(*sa, *e.foreignSpi);
			else if (onStateChanged(*sa))
				died.insert(e.sa);
		}
	}
	for (uint64_t d : died)
		if (IkeSa *sa = table_->find(d); sa && sa->dead())
			table_->erase(d);
	for (uint64_t t : touched)
		table_->rearm(t);
}

bool IkeEngine::onStateChanged(IkeSa &sa)
{
	if (table_->update(sa)) {
		if (table_->halfOpen() < ctx_.config.maxHalfOpen / 2)
			limitLogged_ = false;
		if (sa.established())
			whenEstablished(sa);
	}
	return sa.dead();
}

void IkeEngine::onForeignDelete(IkeSa &sa, uint32_t spi)
{
	for (IkeSa *other : table_->peerSas(sa, false))
		if (other->children().removeBySpi(spi, "deleted by the peer"))
			return;
	logDebug(kLog, "peer {}: Delete for unknown SPI 0x{:08x}", sa.path().peer.str(), spi);
}

// ---- the LAC side and local teardown -------------------------------------------------

Result<uint64_t> IkeEngine::connect(const ConnectRequest &request, TimePoint now)
{
	ctx_.now = now;
	std::set<uint64_t> existing = table_->idsAt(request.server);
	for (uint64_t id : existing) {
		IkeSa *sa = table_->find(id);
		if (sa->dead() || (request.reauthenticate && sa->established()))
			continue;
		if (sa->established()) {
			if (!request.child)
				return id;
			uint64_t saId = id;
			auto r = sa->startQuickMode(*request.child);
			settle(saId);
			if (!r)
				return std::move(r).error();
			return saId;
		}
		if (sa->identity().initiator)
			return Error{EALREADY, std::string(sa->identity().phase1Name()) + " to " +
			                               request.server.str() + " is in progress"};
	}
	if (request.aggressive && !ctx_.config.aggressiveMode)
		return Error{EPERM,
		             "Aggressive Mode to " + request.server.str() + " needs [ike] aggressive_mode = true"};
	L2S_TRY_ASSIGN(auto cookie, ctx_.random.bytes(8));
	Cookie ckyI;
	std::copy_n(cookie.begin(), std::min<size_t>(8, cookie.size()), ckyI.begin());
	uint64_t id = nextId_++;
	Endpoint local{request.local, ctx_.config.ikePort}, server{request.server, ctx_.config.ikePort};
	if (request.natTPort) {
		local.port = ctx_.config.natTPort;
		server.port = *request.natTPort;
	}
	IkeSocket socket = request.natTPort ? IkeSocket::NatT : IkeSocket::Ike;
	auto sa = std::make_unique<IkeSa>(ctx_, *events_, SaIdentity{id, true, ckyI, Cookie{}},
	                                  PeerPath{socket, local, server});
	sa->succession().sendInitialContact = existing.empty();
	L2S_TRY(sa->start(request.child, request.aggressive));
	table_->add(std::move(sa), request.reauthenticate);
	settle(id);
	return id;
}

Result<void> IkeEngine::closeSa(uint64_t id, const std::string &reason, TimePoint now)
{
	ctx_.now = now;
	IkeSa *sa = table_->find(id);
	if (!sa)
		return Error{ENOENT, "no ISAKMP SA " + std::to_string(id)};
	sa->close(reason, true);
	settle(id);
	return {};
}

void IkeEngine::shutdown(TimePoint now)
{
	ctx_.now = now;
	std::vector<uint64_t> ids;
	for (const auto &[id, sa] : table_->all())
		ids.push_back(id);
	for (uint64_t id : ids) {
		table_->find(id)->close("the daemon is stopping", true);
		table_->erase(id);
	}
	events_->pending.clear(); // of SAs that are gone
}

void IkeEngine::onSaExpired(uint32_t spi, bool hard, TimePoint now)
{
	ctx_.now = now;
	for (uint64_t id : ctx_.spis.owners(spi)) {
		IkeSa *sa = table_->find(id);
		if (sa && sa->childExpired(spi, hard)) {
			settle(id);
			return;
		}
	}
	logDebug(kLog, "{} expiry of SPI 0x{:08x}: no IPsec SA of ours", hard ? "hard" : "soft", spi);
}

void IkeEngine::onNatMapping(const kernel::SaId &inbound, const Endpoint &to, TimePoint now)
{
	ctx_.now = now;
	IkeSa *sa = table_->find(ctx_.spis.inboundOwner(inbound.spi));
	if (!sa) {
		logDebug(kLog, "NAT mapping of SPI 0x{:08x} to {}: no IPsec SA of ours", inbound.spi, to.str());
		return;
	}
	uint64_t id = sa->identity().id;
	sa->onNatMapping(inbound.spi, to);
	settle(id);
}

// ---- timers and views --------------------------------------------------------------

std::optional<TimePoint> IkeEngine::nextDeadline() const
{
	return table_->nextDeadline();
}

void IkeEngine::onTimer(TimePoint now)
{
	ctx_.now = now;
	for (uint64_t id : table_->due(now)) {
		IkeSa *found = table_->find(id);
		if (!found)
			continue;
		IkeSa &sa = *found;
		sa.onTimer();
		if (auto at = sa.reauthAt(); at && now >= *at)
			reauthenticate(sa);
		if (auto at = sa.succession().retireAt; at && now >= *at && !sa.dead())
			sa.close("re-authenticated as ISAKMP SA " + std::to_string(sa.succession().successor), true);
		if (sa.expired()) {
			// The peer's newest ISAKMP SA (if it re-authenticated) keeps the IPsec SAs.
			IkeSa *successor = nullptr;
			for (IkeSa *other : table_->peerSas(sa, true))
				if (other->established() && !other->expired() &&
				    (!successor || other->info().establishedAt > successor->info().establishedAt))
					successor = other;
			if (successor)
				successor->children().adopt(sa.children());
			sa.close("ISAKMP SA lifetime expired", true);
		}
		settle(id);
	}
}

void IkeEngine::reauthenticate(IkeSa &sa)
{
	sa.succession().reauthStarted = true;
	IkeSaInfo info = sa.info();
	for (IkeSa *other : table_->peerSas(sa, true))
		if (other->established() && other->info().establishedAt > info.establishedAt)
			return; // the peer did already: the newer SA took over the IPsec SAs
	ConnectRequest r;
	r.local = info.local.address;
	r.server = info.peer.address;
	r.child = std::nullopt;
	r.reauthenticate = true;
	// Main Mode again, unless we chose Aggressive Mode ourselves.
	r.aggressive = info.initiator && info.aggressive;
	if (!info.initiator && info.natPeer)
		r.natTPort = info.peer.port;
	logInfo(kLog, "peer {}: re-authenticating before ISAKMP SA {} runs out ({} of {} s)", info.peer.str(), info.id,
	        std::chrono::duration_cast<std::chrono::seconds>(ctx_.now - info.establishedAt).count(),
	        info.lifetime.count());
	if (auto id = connect(r, ctx_.now); !id)
		logWarn(kLog, "peer {}: re-authentication: {}", info.peer.str(), id.error().message);
}

size_t IkeEngine::saCount() const
{
	return table_->size();
}

size_t IkeEngine::halfOpenCount() const
{
	return table_->halfOpen();
}

std::vector<IkeSaInfo> IkeEngine::ikeSas() const
{
	std::vector<IkeSaInfo> out;
	for (const auto &[id, sa] : table_->all())
		out.push_back(sa->info());
	return out;
}

std::optional<ChildSaInfo> IkeEngine::childSaCovering(const IpAddress &peer, uint16_t port, uint32_t mark) const
{
	auto at = ctx_.l2tpFlows.first(peer, port, mark);
	if (!at)
		return std::nullopt;
	const IkeSa *sa = table_->find(at->owner);
	const ChildSaInfo *pair = sa ? sa->children().atPlace(at->seq) : nullptr;
	if (!pair)
		return std::nullopt; // ChildSaSet keeps the index exact: not reached
	return *pair;
}

std::optional<ChildSaInfo> IkeEngine::childSaByInboundSpi(uint32_t spi) const
{
	const IkeSa *sa = table_->find(ctx_.spis.inboundOwner(spi));
	if (!sa)
		return std::nullopt;
	for (const ChildSaInfo &c : sa->children().infos())
		if (c.inboundSpi == spi)
			return c;
	return std::nullopt;
}

std::optional<IkeSaInfo> IkeEngine::ikeSa(uint64_t id) const
{
	const IkeSa *sa = table_->find(id);
	if (!sa)
		return std::nullopt;
	return sa->info();
}

std::vector<ChildSaInfo> IkeEngine::childSas() const
{
	std::vector<ChildSaInfo> out;
	for (const auto &[id, sa] : table_->all())
		for (const ChildSaInfo &c : sa->children().infos())
			out.push_back(c);
	return out;
}

} // namespace l2tpsec::ike
