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
        {S::Start, X::IdentityProtection, Route::Phase1, &Phase1Exchange::respondMm1},
        {S::InitSentSa, X::IdentityProtection, Route::Phase1, &Phase1Exchange::initiatorMm2},
        {S::RespSentSa, X::IdentityProtection, Route::Phase1, &Phase1Exchange::respondMm3},
        {S::InitSentKe, X::IdentityProtection, Route::Phase1, &Phase1Exchange::initiatorMm4},
        {S::RespSentKe, X::IdentityProtection, Route::Phase1, &Phase1Exchange::respondMm5},
        {S::InitSentAuth, X::IdentityProtection, Route::Phase1, &Phase1Exchange::initiatorMm6},
        {S::Start, X::Aggressive, Route::Phase1, &Phase1Exchange::respondAm1},
        {S::InitSentAm, X::Aggressive, Route::Phase1, &Phase1Exchange::initiatorAm2},
        {S::RespSentAm, X::Aggressive, Route::Phase1, &Phase1Exchange::respondAm3},
        {S::Established, X::QuickMode, Route::QuickMode},
        {S::Established, X::Informational, Route::Informational},
        {S::InitSentSa, X::Informational, Route::PlainInformational},
        {S::InitSentKe, X::Informational, Route::PlainInformational},
        {S::InitSentAuth, X::Informational, Route::PlainInformational},
        {S::RespSentSa, X::Informational, Route::PlainInformational},
        {S::RespDh, X::Informational, Route::PlainInformational},
        {S::RespSentKe, X::Informational, Route::PlainInformational},
        {S::InitSentAm, X::Informational, Route::PlainInformational},
        {S::RespAmDh, X::Informational, Route::PlainInformational},
        {S::RespSentAm, X::Informational, Route::PlainInformational},
};

IkeSa::IkeSa(IkeContext &ctx, IkeSaEvents &events, SaIdentity who, PeerPath path)
    : ctx_(ctx), events_(events), who_(std::move(who)), path_(std::move(path)), created_(ctx.now),
      tx_(ctx, who_, path_, cipher_), children_(ctx, who_.id), phase1Exchange_(std::make_unique<Phase1Exchange>(*this)),
      informational_(std::make_unique<Informational>(*this))
{
	path_.original = path_.peer;
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
		logDebug(kLog, "peer {}: retransmitted message, answered again", path_.text());
		tx_.send(f->sent);
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
	for (const Rule &r : kRules) {
		if (r.state != state_ || r.exchange != m.header.exchange)
			continue;
		Phase1State next = state_;
		switch (r.route) {
		case Route::Phase1: next = (*phase1Exchange_.*r.phase1)(in); break;
		case Route::QuickMode: QuickMode::deliver(*this, in); break;
		case Route::Informational: informational_->receive(in); break;
		case Route::PlainInformational: next = informational_->receiveDuringPhase1(in); break;
		}
		if (next == S::Dead && state_ != S::Dead)
			close("the negotiation failed", false);
		else if (state_ != S::Dead)
			transition(next, exchangeTypeName(r.exchange));
		endPhase1();
		return;
	}
	logDebug(kLog, "peer {}: {} in state {} dropped", from.str(), exchangeTypeName(m.header.exchange),
	         phase1StateName(state_));
}

void IkeSa::transition(Phase1State to, std::string_view why)
{
	Phase1State from = std::exchange(state_, to);
	if (from == to)
		return;
	logDebug(kLog, "peer {}: ISAKMP SA {}: {} -> {} ({})", path_.text(), who_.id, phase1StateName(from),
	         phase1StateName(to), why);
	events_.stateChanged(*this, from, to);
}

void IkeSa::onNatMapping(uint32_t inboundSpi, const Endpoint &to)
{
	if (to == path_.peer)
		return; // a repeat, or IKE from the new port was first
	if (to.address != path_.peer.address) {
		if (reportedAddressChange_ == to)
			return;
		reportedAddressChange_ = to;
		logInfo(kLog,
		        "peer {}: ESP (SPI in 0x{:08x}) now comes from {}: another address, so its IPsec SAs "
		        "are kept as they are until the peer re-keys or DPD or the L2TP hello removes them",
		        path_.peer.str(), inboundSpi, to.str());
		return;
	}
	// ESP in UDP arrives on the NAT-T socket's port; IKE goes there too.
	Endpoint local = path_.local;
	if (path_.socket != IkeSocket::NatT)
		local.port = ctx_.config.natTPort;
	movePeerTo(IkeSocket::NatT, local, to);
}

void IkeSa::movePeerTo(IkeSocket socket, const Endpoint &local, const Endpoint &to)
{
	if (socket == path_.socket && to == path_.peer)
		return;
	Endpoint was = std::exchange(path_.peer, to);
	bool floated = socket == IkeSocket::NatT && path_.socket != IkeSocket::NatT;
	path_.socket = socket;
	path_.local = local;
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
	size_t moved = children_.follow(to);
	// A Quick Mode under way holds its flow already; its pair is installed
	// with path_.peer, so the new port.
	for (const auto &[mid, qm] : quickModes_)
		if (const kernel::Selector *flow = qm->heldFlow())
			ctx_.flows.moveHolder(*flow, was, to);
	if (!floated)
		logInfo(kLog, "peer {}: NAT mapping moved to {}; {} of {} IPsec SAs updated", was.str(), to.str(),
		        moved, children_.size());
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
	consider(succession_.retireAt);
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
			reportStall();
			fail(fmt::format("{} not complete after {}s (state: {})", who_.phase1Name(),
			                 ctx_.config.setupTimeout.count(), phase1StateName(state_)));
			endPhase1();
			return;
		}
		if (!tx_.retransmit(phase1_)) {
			reportStall();
			fail(fmt::format(
			        "no answer to {} after {} retransmissions{}", phase1_.what, phase1_.retransmits,
			        // In Aggressive Mode the initiator that cannot verify AM2 goes quiet.
			        (state_ == S::InitSentAuth && !phase1Exchange_->signatures()) || state_ == S::RespSentAm
			                ? " (pre-shared key mismatch?)"
			                : ""));
		}
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
		} else if (!tx_.retransmit(qm.flight())) {
			qm.end(fmt::format("no answer to {} after {} retransmissions", qm.flight().what,
			                   qm.flight().retransmits));
		}
		++it;
	}
	informational_->onTimer();
}

void IkeSa::reportStall()
{
	// Only a Main Mode we answered: the client went quiet after our MM2 or
	// MM4 (a blocked port, a NAT in the way, a Windows client that refuses a
	// server behind NAT). An Aggressive Mode responder waits for AM3 from a
	// client that could not verify AM2: a pre-shared key mismatch, said so.
	if (who_.initiator || !ctx_.observer || (state_ != S::RespSentSa && state_ != S::RespSentKe))
		return;
	std::string reason = state_ == S::RespSentSa ? "no Main Mode 3 after our Main Mode 2"
	                                             : "no Main Mode 5 after our Main Mode 4";
	ctx_.observer->negotiationRefused(IkeRefusal{IkeRefusal::Step::Phase1Timeout, path_.peer.address,
	                                             std::move(reason), peerOffer_, peerVendorIds_});
}

bool IkeSa::expired() const
{
	return established() && ctx_.now >= establishedAt_ + choice_->lifetime;
}

std::optional<TimePoint> IkeSa::reauthAt() const
{
	if (!established() || children_.empty() || succession_.reauthStarted)
		return std::nullopt;
	std::chrono::seconds lifetime = choice_->lifetime, margin = lifetime / 10;
	if (!who_.initiator)
		margin = std::max(lifetime / 20, std::min(margin, std::chrono::seconds(5)));
	return establishedAt_ + lifetime - margin;
}

// ---- teardown --------------------------------------------------------------

void IkeSa::fail(const std::string &reason)
{
	logWarn(kLog, "peer {}: {}", path_.text(), reason);
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
		for (size_t c = 0; c < children_.size(); c++) {
			uint32_t spi = children_.spec(c).inboundSpi;
			DeletePayload d{Doi::Ipsec,
			                ProtocolId::IpsecEsp,
			                {{uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi)}}};
			auto body = buildDelete(d);
			if (body)
				informational_->send({OutPayload{PayloadType::Delete, *body}});
		}
		DeletePayload d{Doi::Ipsec, ProtocolId::Isakmp, {cookiePairSpi(who_.ckyI, who_.ckyR)}};
		if (auto body = buildDelete(d))
			informational_->send({OutPayload{PayloadType::Delete, *body}});
	}
	for (auto &[mid, qm] : quickModes_)
		if (qm->state() != QuickMode::State::Done)
			qm->end(reason.empty() ? "the ISAKMP SA is gone" : reason);
	quickModes_.clear();
	std::string why = reason.empty() ? "the ISAKMP SA is gone" : reason;
	while (!children_.empty())
		children_.remove(children_.size() - 1, why);
	bool report = state_ != S::Dead && (wasUp || who_.initiator);
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
		logInfo(kLog, "peer {}: ISAKMP SA {} down: {}", path_.text(), who_.id, why);
}

bool IkeSa::childExpired(uint32_t spi, bool hard)
{
	std::optional<size_t> found = children_.indexOf(spi);
	if (!found)
		return false;
	size_t i = *found;
	const ChildSaSpec &c = children_.spec(i);
	if (hard) {
		// The kernel deletes a state before it reports its hard expiry. An
		// SA still there under this SPI means another state ran out: the
		// larval one allocSpi() reserved, which the dataplane replaced by a
		// fresh SA when the Quick Mode outlasted net.core.xfrm_acq_expires
		// (30 s); its expiry must not take the pair that now uses the SPI.
		if (children_.inKernel(i, spi)) {
			logInfo(kLog,
			        "peer {}: hard expiry of SPI 0x{:08x} ignored: the kernel still holds the SA (an older "
			        "state under the same SPI ran out)",
			        path_.text(), spi);
			return true;
		}
		uint32_t in = c.inboundSpi;
		DeletePayload d{Doi::Ipsec,
		                ProtocolId::IpsecEsp,
		                {{uint8_t(in >> 24), uint8_t(in >> 16), uint8_t(in >> 8), uint8_t(in)}}};
		if (auto body = buildDelete(d); body && established())
			informational_->send({OutPayload{PayloadType::Delete, *body}});
		rekeyed_.erase(in);
		children_.remove(i, "lifetime expired");
		return true;
	}
	// Either side rekeys: the soft limits (saLifetime()) leave the side
	// that negotiated the pair the first go. A pair already replaced by
	// a newer one (the peer rekeyed it) just runs out.
	if (!established() || children_.hasNewerPair(i) || !rekeyed_.insert(c.inboundSpi).second)
		return true;
	ChildRequest flow;
	flow.localPort = c.flow.srcPort;
	flow.peerPort = c.flow.dstPort;
	flow.mode = c.mode;
	flow.peerId = c.natOa;
	logInfo(kLog, "peer {}: rekeying IPsec SA in 0x{:08x}", path_.text(), c.inboundSpi);
	if (auto r = startQuickMode(flow); !r)
		logWarn(kLog, "peer {}: rekey of IPsec SA in 0x{:08x}: {}", path_.text(), c.inboundSpi,
		        r.error().message);
	return true;
}

// ---- views -----------------------------------------------------------------

IkeSaInfo IkeSa::info() const
{
	IkeSaInfo i;
	i.id = who_.id;
	i.initiator = who_.initiator;
	i.established = established();
	i.phase = phase1StateName(state_);
	i.local = path_.local;
	i.peer = path_.peer;
	i.natLocal = natLocal_;
	i.natPeer = natPeer_;
	if (choice_) {
		i.suite = suiteName(choice_->suite);
		i.lifetime = choice_->lifetime;
	}
	if (!peerIdText_.empty()) {
		i.peerId = peerIdText_; // a DN as text, not its DER
	} else if (auto id = parseId(who_.peerIdBody); id && !who_.peerIdBody.empty()) {
		if (auto a = idAddresses(*id))
			i.peerId = a->first.str();
		else
			i.peerId = std::string(id->data.begin(), id->data.end());
	}
	i.peerCert = peerCert_;
	i.peerVendorIds = peerVendorIds_;
	i.peerOffer = peerOffer_;
	i.dpd = informational_->dpdActive();
	i.aggressive = who_.aggressive;
	i.created = created_;
	i.establishedAt = establishedAt_;
	return i;
}

} // namespace l2tpsec::ike
