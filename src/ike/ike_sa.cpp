// The frame of an ISAKMP SA: which handler a message goes to (kRules),
// duplicate detection and retransmission (RFC 2408 §5), timers, teardown.
// The exchanges themselves are phase1_exchange.h's, quick_mode.h's and
// informational.h's.
#include "ike/ike_sa.h"

#include "common/log.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/names.h"
#include "ike/ike_log.h"
#include "ike/informational.h"
#include "ike/phase1_exchange.h"
#include "ike/quick_mode.h"

#include <algorithm>

namespace l2tpsec::ike {

namespace {
using S = Phase1State;
using X = ExchangeType;
} // namespace

std::string_view phase1StateName(Phase1State s)
{
	switch (s) {
	case S::Start: return "start";
	case S::InitSentSa: return "MM1 sent";
	case S::InitSentKe: return "MM3 sent";
	case S::InitSentAuth: return "MM5 sent";
	case S::RespSentSa: return "MM2 sent";
	case S::RespDh: return "MM3 DH";
	case S::RespSentKe: return "MM4 sent";
	case S::InitSentAm: return "AM1 sent";
	case S::RespAmDh: return "AM1 DH";
	case S::RespSentAm: return "AM2 sent";
	case S::Established: return "established";
	case S::Dead: return "dead";
	}
	return "?";
}

// (phase-1 state, exchange) -> handler. Main Mode or Aggressive Mode
// messages in order (RFC 2409 §5.4; the engine lets an Aggressive Mode 1
// in only when the config allows it), Quick Mode and protected Informational once the ISAKMP
// SA is up, cleartext Informational (an error notify from a responder that
// refused us) while it is being set up. Anything else is dropped.
const std::vector<IkeSa::Rule> IkeSa::kRules = {
        {S::Start, X::IdentityProtection, nullptr, &Phase1Exchange::respondMm1},
        {S::InitSentSa, X::IdentityProtection, nullptr, &Phase1Exchange::initiatorMm2},
        {S::RespSentSa, X::IdentityProtection, nullptr, &Phase1Exchange::respondMm3},
        {S::InitSentKe, X::IdentityProtection, nullptr, &Phase1Exchange::initiatorMm4},
        {S::RespSentKe, X::IdentityProtection, nullptr, &Phase1Exchange::respondMm5},
        {S::InitSentAuth, X::IdentityProtection, nullptr, &Phase1Exchange::initiatorMm6},
        {S::Start, X::Aggressive, nullptr, &Phase1Exchange::respondAm1},
        {S::InitSentAm, X::Aggressive, nullptr, &Phase1Exchange::initiatorAm2},
        {S::RespSentAm, X::Aggressive, nullptr, &Phase1Exchange::respondAm3},
        {S::Established, X::QuickMode, &IkeSa::onQuickMode},
        {S::Established, X::Informational, &IkeSa::onInformational},
        {S::InitSentSa, X::Informational, &IkeSa::onPlainInformational},
        {S::InitSentKe, X::Informational, &IkeSa::onPlainInformational},
        {S::InitSentAuth, X::Informational, &IkeSa::onPlainInformational},
        {S::RespSentSa, X::Informational, &IkeSa::onPlainInformational},
        {S::RespDh, X::Informational, &IkeSa::onPlainInformational},
        {S::RespSentKe, X::Informational, &IkeSa::onPlainInformational},
        {S::InitSentAm, X::Informational, &IkeSa::onPlainInformational},
        {S::RespAmDh, X::Informational, &IkeSa::onPlainInformational},
        {S::RespSentAm, X::Informational, &IkeSa::onPlainInformational},
};

IkeSa::IkeSa(IkeContext &ctx, IkeSaEvents &events, uint64_t id, bool initiator, const Cookie &ckyI, const Cookie &ckyR,
             Endpoint local, Endpoint peer)
    : ctx_(ctx), events_(events), id_(id), initiator_(initiator), ckyI_(ckyI), ckyR_(ckyR), local_(std::move(local)),
      peer_(std::move(peer)), originalPeer_(peer_), created_(ctx.now),
      phase1Exchange_(std::make_unique<Phase1Exchange>(*this)), informational_(std::make_unique<Informational>(*this))
{
}

// The owner closes an SA (close() or IkeEngine::shutdown()) before it goes;
// destroying it only frees memory, so a daemon that stops without shutdown
// leaves the kernel state for the next start-up to find.
IkeSa::~IkeSa() = default;

// ---- phase 1 ---------------------------------------------------------------

Result<void> IkeSa::start(std::optional<ChildRequest> child, bool aggressive)
{
	return phase1Exchange_->start(std::move(child), aggressive);
}

void IkeSa::completeDh(Result<DhWorkDone> done)
{
	if (state_ != S::RespDh && state_ != S::RespAmDh)
		return;
	S next = phase1Exchange_->answerDh(state_, std::move(done));
	if (next == S::Dead)
		close("the negotiation failed", false);
	else
		transition(next, "the DH answer");
	endPhase1();
}

void IkeSa::endPhase1()
{
	if (established() || dead())
		phase1Exchange_.reset();
}

void IkeSa::startOnNatT()
{
	socket_ = IkeSocket::NatT;
}

// ---- receiving -------------------------------------------------------------

void IkeSa::receive(const Message &m, Bytes datagram, IkeSocket socket, const Endpoint &local, const Endpoint &from)
{
	if (dead())
		return;
	std::vector<uint8_t> digest = datagramDigest(datagram);
	// RFC 2408 §5: a retransmission is answered with the answer it had.
	Flight *f = nullptr;
	if (m.header.messageId == 0)
		f = &phase1_;
	else if (auto it = quickModes_.find(m.header.messageId); it != quickModes_.end())
		f = &it->second->flight();
	if (f && !f->sent.empty() && !f->answered.empty() && f->answered == digest) {
		logDebug(kLog, "peer {}: retransmitted message, answered again", peerText());
		send(f->sent);
		return;
	}

	Incoming in{m, datagram, socket, local, from, std::move(digest), {}};
	if (!m.header.encrypted()) {
		auto chain = parsePayloadChain(m.header.nextPayload, m.body);
		if (!chain) {
			logWarn(kLog, "peer {}: {} dropped: {}", from.str(), exchangeTypeName(m.header.exchange),
			        chain.error().message);
			return;
		}
		in.payloads = std::move(*chain);
	}
	dispatch(in);
}

void IkeSa::dispatch(Incoming &in)
{
	for (const Rule &r : kRules) {
		if (r.state == state_ && r.exchange == in.message.header.exchange) {
			Phase1State next = r.phase1 ? (*phase1Exchange_.*r.phase1)(in) : (this->*r.handler)(in);
			if (next == S::Dead && state_ != S::Dead)
				close("the negotiation failed", false);
			else if (state_ != S::Dead)
				transition(next, exchangeTypeName(r.exchange));
			endPhase1();
			return;
		}
	}
	logDebug(kLog, "peer {}: {} in state {} dropped", in.from.str(), exchangeTypeName(in.message.header.exchange),
	         phase1StateName(state_));
}

void IkeSa::transition(Phase1State to, std::string_view why)
{
	Phase1State from = std::exchange(state_, to);
	if (from == to)
		return;
	logDebug(kLog, "peer {}: ISAKMP SA {}: {} -> {} ({})", peerText(), id_, phase1StateName(from),
	         phase1StateName(to), why);
	events_.stateChanged(*this, from, to);
}

void IkeSa::followPeer(const Incoming &in)
{
	informational_->heard();
	if (in.socket == socket_ && in.from == peer_)
		return;
	movePeerTo(in.socket, in.local, in.from);
}

void IkeSa::onNatMapping(uint32_t inboundSpi, const Endpoint &to)
{
	if (to == peer_)
		return; // a repeat, or IKE from the new port was first
	if (to.address != peer_.address) {
		if (reportedAddressChange_ == to)
			return;
		reportedAddressChange_ = to;
		logInfo(kLog,
		        "peer {}: ESP (SPI in 0x{:08x}) now comes from {}: another address, so its IPsec SAs "
		        "are kept as they are until the peer re-keys or DPD or the L2TP hello removes them",
		        peer_.str(), inboundSpi, to.str());
		return;
	}
	// ESP in UDP arrives on the NAT-T socket's port; IKE goes there too.
	Endpoint local = local_;
	if (socket_ != IkeSocket::NatT)
		local.port = ctx_.config.natTPort;
	movePeerTo(IkeSocket::NatT, local, to);
}

void IkeSa::movePeerTo(IkeSocket socket, const Endpoint &local, const Endpoint &to)
{
	Endpoint was = std::exchange(peer_, to);
	bool floated = socket == IkeSocket::NatT && socket_ != IkeSocket::NatT;
	socket_ = socket;
	local_ = local;
	reportedAddressChange_.reset();
	if (floated)
		logInfo(kLog, "peer {}: moved to {} (NAT-T)", was.str(), to.str());
	if (was.address != to.address) {
		// The SAs' ids hold the address: they stay until the peer re-keys
		// or DPD or the L2TP hello removes them.
		logInfo(kLog, "peer {}: now at {}{}", was.str(), to.str(),
		        children_.empty() ? "" : "; its IPsec SAs stay at the old address");
		return;
	}
	size_t moved = moveChildren(to);
	if (!floated)
		logInfo(kLog, "peer {}: NAT mapping moved to {}; {} of {} IPsec SAs updated", was.str(), to.str(),
		        moved, children_.size());
}

size_t IkeSa::moveChildren(const Endpoint &to)
{
	size_t complete = 0;
	for (size_t i = 0; i < children_.size(); i++) {
		ChildSa &c = children_[i];
		if (c.spec().peer.address != to.address)
			continue; // a pair left at an address the peer had before
		size_t updated = c.followPeer(ctx_.dataplane, to);
		if (!c.spec().udpEncap || updated == 2)
			complete++;
		ctx_.flows.moveHolder(c.spec().flow, to);
		childInfo_[i].peer = to;
	}
	// A Quick Mode under way holds its flow already; its pair is installed
	// with peer_, so the new port.
	for (const auto &[mid, qm] : quickModes_)
		if (const kernel::Selector *flow = qm->heldFlow())
			ctx_.flows.moveHolder(*flow, to);
	return complete;
}

bool IkeSa::hasInboundSpi(uint32_t spi) const
{
	return std::any_of(children_.begin(), children_.end(),
	                   [spi](const ChildSa &c) { return c.spec().inboundSpi == spi; });
}

// ---- sending ---------------------------------------------------------------

void IkeSa::send(const std::vector<uint8_t> &datagram)
{
	Result<void> r;
	if (socket_ == IkeSocket::NatT) {
		// RFC 3948 §2.2: IKE on port 4500 starts with four zero bytes.
		std::vector<uint8_t> marked(4, 0);
		marked.insert(marked.end(), datagram.begin(), datagram.end());
		r = ctx_.sockets.send(socket_, local_, peer_, marked);
	} else {
		r = ctx_.sockets.send(socket_, local_, peer_, datagram);
	}
	if (!r)
		logDebug(kLog, "peer {}: send: {}", peer_.str(), r.error().message);
}

void IkeSa::sendAwaiting(Flight &f, std::vector<uint8_t> datagram, std::string what,
                         const std::vector<uint8_t> &answered)
{
	f.sent = std::move(datagram);
	f.answered = answered;
	f.what = std::move(what);
	f.retransmits = 0;
	f.timeout = ctx_.config.retransmitTimeout;
	f.retransmitAt = ctx_.now + f.timeout;
	send(f.sent);
}

void IkeSa::sendAnswer(Flight &f, std::vector<uint8_t> datagram, const std::vector<uint8_t> &answered)
{
	f.sent = std::move(datagram);
	f.answered = answered;
	f.retransmitAt.reset();
	send(f.sent);
}

bool IkeSa::retransmit(Flight &f)
{
	if (!f.retransmitAt || ctx_.now < *f.retransmitAt)
		return true;
	if (f.retransmits >= ctx_.config.retransmitTries)
		return false;
	f.retransmits++;
	f.timeout = std::min(f.timeout * 2, ctx_.config.maxRetransmitTimeout);
	f.retransmitAt = ctx_.now + f.timeout;
	logDebug(kLog, "peer {}: retransmitting {} ({})", peer_.str(), f.what, f.retransmits);
	send(f.sent);
	return true;
}

Header IkeSa::header(ExchangeType exchange, uint32_t messageId) const
{
	Header h;
	h.initiatorCookie = ckyI_;
	h.responderCookie = ckyR_;
	h.exchange = exchange;
	h.messageId = messageId;
	return h;
}

Result<Opened> IkeSa::openPhase1(const Message &m)
{
	return openMessage(cipher_, m, iv_);
}

Result<std::vector<uint8_t>> IkeSa::random(size_t n)
{
	return ctx_.random.bytes(n);
}

Result<uint32_t> IkeSa::newMessageId()
{
	for (int i = 0; i < 16; i++) {
		L2S_TRY_ASSIGN(auto b, random(4));
		uint32_t mid = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
		if (mid != 0 && !quickModes_.contains(mid) && !usedMessageIds_.contains(mid))
			return mid;
	}
	return Error{EAGAIN, "no free message id"};
}

std::string IkeSa::peerText() const
{
	return peer_.str();
}

// ---- timers ----------------------------------------------------------------

std::optional<TimePoint> IkeSa::nextDeadline() const
{
	if (dead())
		return std::nullopt;
	std::optional<TimePoint> next;
	auto consider = [&](std::optional<TimePoint> t) {
		if (t && (!next || *t < *next))
			next = t;
	};
	if (!established()) {
		consider(created_ + ctx_.config.setupTimeout);
		consider(phase1_.retransmitAt);
		return next;
	}
	consider(establishedAt_ + choice_->lifetime);
	consider(reauthAt());
	for (const auto &[mid, qm] : quickModes_) {
		consider(qm->expires());
		consider(qm->flight().retransmitAt);
	}
	consider(informational_->nextDeadline());
	return next;
}

void IkeSa::onTimer()
{
	if (dead())
		return;
	if (!established()) {
		if (ctx_.now >= created_ + ctx_.config.setupTimeout) {
			fail(fmt::format("{} not complete after {}s (state: {})", phase1Name(),
			                 ctx_.config.setupTimeout.count(), phase1StateName(state_)));
			endPhase1();
			return;
		}
		if (!retransmit(phase1_))
			fail(fmt::format(
			        "no answer to {} after {} retransmissions{}", phase1_.what, phase1_.retransmits,
			        // In Aggressive Mode the initiator that cannot verify AM2 goes quiet.
			        (state_ == S::InitSentAuth && !phase1Exchange_->signatures()) || state_ == S::RespSentAm
			                ? " (pre-shared key mismatch?)"
			                : ""));
		endPhase1();
		return;
	}
	for (auto it = quickModes_.begin(); it != quickModes_.end();) {
		QuickMode &qm = *it->second;
		if (qm.state() == QuickMode::State::Done) {
			if (ctx_.now >= qm.expires()) {
				it = quickModes_.erase(it);
				continue;
			}
		} else if (ctx_.now >= qm.expires()) {
			qm.end(fmt::format("Quick Mode not complete after {}s", ctx_.config.setupTimeout.count()));
		} else if (!retransmit(qm.flight())) {
			qm.end(fmt::format("no answer to {} after {} retransmissions", qm.flight().what,
			                   qm.flight().retransmits));
		}
		++it;
	}
	informational_->onTimer();
}

bool IkeSa::expired() const
{
	return established() && ctx_.now >= establishedAt_ + choice_->lifetime;
}

std::optional<TimePoint> IkeSa::reauthAt() const
{
	if (!established() || children_.empty() || reauthStarted_)
		return std::nullopt;
	std::chrono::seconds lifetime = choice_->lifetime, margin = lifetime / 10;
	if (!initiator_)
		margin = std::max(lifetime / 20, std::min(margin, std::chrono::seconds(5)));
	return establishedAt_ + lifetime - margin;
}

// ---- teardown --------------------------------------------------------------

void IkeSa::fail(const std::string &reason)
{
	logWarn(kLog, "peer {}: {}", peerText(), reason);
	close(reason, false);
}

void IkeSa::close(const std::string &reason, bool notifyPeer)
{
	if (state_ == S::Dead && children_.empty() && quickModes_.empty())
		return;
	bool wasUp = established();
	if (notifyPeer && wasUp) {
		// RFC 2408 §3.15: the SAs go first, the ISAKMP SA that protects
		// their Delete last. Each names our inbound SPI.
		for (const ChildSa &c : children_) {
			uint32_t spi = c.spec().inboundSpi;
			DeletePayload d{Doi::Ipsec,
			                ProtocolId::IpsecEsp,
			                {{uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi)}}};
			auto body = buildDelete(d);
			if (body)
				informational_->send({OutPayload{PayloadType::Delete, *body}});
		}
		DeletePayload d{Doi::Ipsec, ProtocolId::Isakmp, {cookiePairSpi(ckyI_, ckyR_)}};
		if (auto body = buildDelete(d))
			informational_->send({OutPayload{PayloadType::Delete, *body}});
	}
	for (auto &[mid, qm] : quickModes_)
		if (qm->state() != QuickMode::State::Done)
			qm->end(reason.empty() ? "the ISAKMP SA is gone" : reason);
	quickModes_.clear();
	std::string why = reason.empty() ? "the ISAKMP SA is gone" : reason;
	while (!children_.empty())
		removeChild(children_.size() - 1, why);
	bool report = state_ != S::Dead && (wasUp || initiator_);
	transition(S::Dead, why);
	// The exchange may be on the stack (fail() from a handler): it goes
	// later (endPhase1()), its secrets now.
	if (phase1Exchange_)
		phase1Exchange_->forgetSecrets();
	if (report && ctx_.observer) {
		IkeSaInfo i = info();
		i.established = wasUp;
		ctx_.observer->ikeSaDown(i, why);
	}
	if (wasUp)
		logInfo(kLog, "peer {}: ISAKMP SA {} down: {}", peerText(), id_, why);
}

void IkeSa::removeChild(size_t index, const std::string &reason)
{
	children_[index].remove(ctx_.dataplane, ctx_.flows);
	ChildSaInfo info = childInfo_[index];
	children_.erase(children_.begin() + static_cast<ptrdiff_t>(index));
	childInfo_.erase(childInfo_.begin() + static_cast<ptrdiff_t>(index));
	logInfo(kLog, "peer {}: IPsec SA in 0x{:08x} out 0x{:08x} down: {}", info.peer.str(), info.inboundSpi,
	        info.outboundSpi, reason);
	if (ctx_.observer)
		ctx_.observer->childSaDown(info, reason);
}

bool IkeSa::removeChildBySpi(uint32_t spi, const std::string &reason)
{
	for (size_t i = 0; i < children_.size(); i++) {
		if (children_[i].spec().inboundSpi == spi || children_[i].spec().outboundSpi == spi) {
			removeChild(i, reason);
			return true;
		}
	}
	return false;
}

bool IkeSa::childExpired(uint32_t spi, bool hard)
{
	for (size_t i = 0; i < children_.size(); i++) {
		const ChildSaSpec &c = children_[i].spec();
		if (c.inboundSpi != spi && c.outboundSpi != spi)
			continue;
		if (hard) {
			uint32_t in = c.inboundSpi;
			DeletePayload d{Doi::Ipsec,
			                ProtocolId::IpsecEsp,
			                {{uint8_t(in >> 24), uint8_t(in >> 16), uint8_t(in >> 8), uint8_t(in)}}};
			if (auto body = buildDelete(d); body && established())
				informational_->send({OutPayload{PayloadType::Delete, *body}});
			rekeyed_.erase(in);
			removeChild(i, "lifetime expired");
			return true;
		}
		// Either side rekeys: the soft limits (saLifetime()) leave the side
		// that negotiated the pair the first go. A pair already replaced by
		// a newer one (the peer rekeyed it) just runs out.
		if (!established() || hasNewerPair(i) || !rekeyed_.insert(c.inboundSpi).second)
			return true;
		ChildRequest flow;
		flow.localPort = c.flow.srcPort;
		flow.peerPort = c.flow.dstPort;
		flow.mode = c.mode;
		flow.peerId = c.natOa;
		logInfo(kLog, "peer {}: rekeying IPsec SA in 0x{:08x}", peerText(), c.inboundSpi);
		if (auto r = startQuickMode(flow); !r)
			logWarn(kLog, "peer {}: rekey of IPsec SA in 0x{:08x}: {}", peerText(), c.inboundSpi,
			        r.error().message);
		return true;
	}
	return false;
}

bool IkeSa::hasNewerPair(size_t i) const
{
	for (size_t j = 0; j < children_.size(); j++)
		if (j != i && children_[j].spec().flow == children_[i].spec().flow &&
		    childInfo_[j].established > childInfo_[i].established)
			return true;
	return false;
}

void IkeSa::adoptChildren(IkeSa &from)
{
	for (size_t i = 0; i < from.children_.size(); i++) {
		children_.push_back(std::move(from.children_[i]));
		ChildSaInfo info = from.childInfo_[i];
		info.ikeSaId = id_;
		childInfo_.push_back(info);
	}
	from.children_.clear();
	from.childInfo_.clear();
}

bool IkeSa::takeInitialContact()
{
	return std::exchange(initialContact_, false);
}

// ---- views -----------------------------------------------------------------

IkeSaInfo IkeSa::info() const
{
	IkeSaInfo i;
	i.id = id_;
	i.initiator = initiator_;
	i.established = established();
	i.phase = phase1StateName(state_);
	i.local = local_;
	i.peer = peer_;
	i.natLocal = natLocal_;
	i.natPeer = natPeer_;
	if (choice_) {
		i.suite = suiteName(choice_->suite);
		i.lifetime = choice_->lifetime;
	}
	if (!peerIdText_.empty()) {
		i.peerId = peerIdText_; // a DN as text, not its DER
	} else if (auto id = parseId(peerIdB_); id && !peerIdB_.empty()) {
		if (auto a = idAddresses(*id))
			i.peerId = a->first.str();
		else
			i.peerId = std::string(id->data.begin(), id->data.end());
	}
	i.peerVendorIds = peerVendorIds_;
	i.dpd = informational_->dpdActive();
	i.aggressive = aggressive_;
	i.created = created_;
	i.establishedAt = establishedAt_;
	return i;
}

} // namespace l2tpsec::ike
