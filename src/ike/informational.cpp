// Informational exchanges (RFC 2409 §5.7): notifications and deletes under
// the ISAKMP SA's protection, HDR*, HASH(1), N/D with
// HASH(1) = prf(SKEYID_a, M-ID | N/D); dead peer detection (RFC 3706);
// INITIAL-CONTACT (RFC 2407 §4.6.3.3); NAT keepalives (RFC 3948 §4); and the
// cleartext notify a responder that refuses Main Mode sends.
#include "ike/informational.h"

#include "common/log.h"
#include "crypto/constant_time.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/names.h"
#include "ike/ike_log.h"
#include "ike/payload_find.h"
#include "ike/quick_mode.h"

namespace l2tpsec::ike {

// ---- sending -----------------------------------------------------------------

void Informational::send(std::vector<OutPayload> payloads)
{
	if (!sa_.keys_ || sa_.lastPhase1Block_.empty())
		return;
	auto mid = sa_.tx_.newMessageId();
	if (!mid)
		return;
	std::vector<uint8_t> iv = phase2Iv(prfOf(*sa_.choice_), sa_.cipher_.cipher, sa_.lastPhase1Block_, *mid);
	auto after = encodeAfterHash(payloads);
	auto hash = after ? informationalHash(prfOf(*sa_.choice_), sa_.keys_->skeyidA, *mid, *after)
	                  : Result<std::vector<uint8_t>>(after.error());
	auto datagram = hash ? sa_.tx_.protectedMessage(ExchangeType::Informational, *mid, iv, *hash, payloads)
	                     : Result<std::vector<uint8_t>>(hash.error());
	if (!datagram) {
		logWarn(kLog, "peer {}: Informational not sent: {}", sa_.path_.text(), datagram.error().message);
		return;
	}
	sa_.tx_.send(*datagram);
}

void Informational::heard(const Incoming &in)
{
	lastHeard_ = sa_.ctx_.now;
	sa_.movePeerTo(in.socket, in.local, in.from);
}

void Informational::sendPlainNotify(NotifyType type)
{
	// Before keys exist the notify goes in the clear (RFC 2408 §5.6);
	// the initiator matches it by its cookie.
	NotifyPayload n{Doi::Ipsec, ProtocolId::Isakmp, type, {}, {}};
	MessageBuilder b(sa_.tx_.header(ExchangeType::Informational, 0));
	b.add(n);
	if (auto datagram = b.build())
		sa_.tx_.send(*datagram);
}

// ---- receiving ---------------------------------------------------------------

void Informational::receive(Incoming &in)
{
	const Header &h = in.message.header;
	if (!h.encrypted()) {
		logWarn(kLog, "peer {}: cleartext Informational after Main Mode dropped", in.from.str());
		return;
	}
	std::vector<uint8_t> iv = phase2Iv(prfOf(*sa_.choice_), sa_.cipher_.cipher, sa_.lastPhase1Block_, h.messageId);
	auto opened = openMessage(sa_.cipher_, in.message, iv);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash) {
		logWarn(kLog, "peer {}: Informational dropped: {}", in.from.str(),
		        opened ? "no HASH first" : opened.error().message);
		return;
	}
	auto expect = informationalHash(prfOf(*sa_.choice_), sa_.keys_->skeyidA, h.messageId,
	                                bytesAfterHash(opened->payloads));
	if (!expect || !crypto::constantTimeEqual(opened->payloads[0].body, *expect)) {
		logWarn(kLog, "peer {}: Informational with a wrong HASH dropped", in.from.str());
		return;
	}
	heard(in);
	for (const RawPayload &p : opened->payloads) {
		if (sa_.dead())
			break;
		if (p.type == PayloadType::Notification) {
			if (auto n = parseNotify(p.body))
				onNotify(*n);
		} else if (p.type == PayloadType::Delete) {
			if (auto d = parseDelete(p.body))
				onDelete(*d);
		}
	}
	return;
}

Phase1State Informational::receiveDuringPhase1(Incoming &in)
{
	if (in.message.header.encrypted()) {
		// Only one is expected: a responder refusing our signature after MM5
		// (its IV chains from MM5's last block, lastPhase1Block_ until MM6).
		// Other keys of an unfinished phase 1: nothing to check them with.
		if (!sa_.who_.initiator || sa_.state_ != Phase1State::InitSentAuth || !sa_.keys_ ||
		    sa_.lastPhase1Block_.empty())
			return sa_.state_;
		const Header &h = in.message.header;
		auto opened = openMessage(
		        sa_.cipher_, in.message,
		        phase2Iv(prfOf(*sa_.choice_), sa_.cipher_.cipher, sa_.lastPhase1Block_, h.messageId));
		if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash)
			return sa_.state_;
		auto expect = informationalHash(prfOf(*sa_.choice_), sa_.keys_->skeyidA, h.messageId,
		                                bytesAfterHash(opened->payloads));
		if (!expect || !crypto::constantTimeEqual(opened->payloads[0].body, *expect))
			return sa_.state_;
		for (const RawPayload *p : findAll(opened->payloads, PayloadType::Notification)) {
			auto n = parseNotify(p->body);
			if (n && isErrorNotify(n->type)) {
				sa_.fail("the peer refused our authentication: " + notifyTypeName(n->type));
				return Phase1State::Dead;
			}
		}
		return sa_.state_;
	}
	for (const RawPayload *p : findAll(in.payloads, PayloadType::Notification)) {
		auto n = parseNotify(p->body);
		if (!n || !isErrorNotify(n->type))
			continue;
		// Unauthenticated, so only an initiator waiting for an answer gives
		// up on it (as racoon and strongSwan do); a responder ignores it.
		if (sa_.who_.initiator) {
			sa_.fail(
			        fmt::format("the peer refused {}: {}", sa_.who_.phase1Name(), notifyTypeName(n->type)));
			return Phase1State::Dead;
		}
		logWarn(kLog, "peer {}: notify {} during {}", in.from.str(), notifyTypeName(n->type),
		        sa_.who_.phase1Name());
	}
	return sa_.state_;
}

void Informational::onNotify(const NotifyPayload &n)
{
	if (n.type == NotifyType::RUThere) {
		if (auto seq = dpdSequence(n))
			sendDpd(NotifyType::RUThereAck, *seq);
		return;
	}
	if (n.type == NotifyType::RUThereAck) {
		// Any probe since the first unanswered one will do (modulo 2^32).
		auto seq = dpdSequence(n);
		if (seq && dpdFirstUnanswered_ && *seq - *dpdFirstUnanswered_ <= dpdSeq_ - *dpdFirstUnanswered_)
			dpdFirstUnanswered_.reset();
		return;
	}
	if (n.type == NotifyType::InitialContact) {
		sa_.succession_.initialContactReceived = true;
		return;
	}
	if (!isErrorNotify(n.type)) {
		logDebug(kLog, "peer {}: notify {}", sa_.path_.text(), notifyTypeName(n.type));
		return;
	}
	// An error about one of our Quick Modes names the SPI we offered.
	auto spi = spiValue(n.spi);
	for (auto &[mid, qm] : sa_.quickModes_) {
		auto *ours = dynamic_cast<QuickModeInitiator *>(qm.get());
		if (ours && ours->awaits(spi)) {
			ours->end("the peer answered " + notifyTypeName(n.type));
			return;
		}
	}
	logWarn(kLog, "peer {}: notify {}", sa_.path_.text(), notifyTypeName(n.type));
}

void Informational::onDelete(const DeletePayload &d)
{
	if (d.protocol == ProtocolId::Isakmp) {
		for (const auto &spi : d.spis) {
			if (spi == cookiePairSpi(sa_.who_.ckyI, sa_.who_.ckyR)) {
				logInfo(kLog, "peer {}: deleted ISAKMP SA {}", sa_.path_.text(), sa_.who_.id);
				sa_.close("deleted by the peer", false);
				return;
			}
		}
		return;
	}
	if (d.protocol != ProtocolId::IpsecEsp)
		return;
	// By convention the sender names its inbound SPI, our outbound one.
	for (const auto &bytes : d.spis) {
		auto spi = spiValue(bytes);
		if (spi && !sa_.children_.removeBySpi(*spi, "deleted by the peer"))
			sa_.events_.foreignDelete(sa_, *spi);
	}
}

// ---- DPD and keepalives --------------------------------------------------------

void Informational::start(uint32_t seq)
{
	lastHeard_ = sa_.ctx_.now;
	nextKeepalive_ = sa_.ctx_.now + sa_.ctx_.config.natKeepalive;
	dpdSeq_ = seq;
}

std::optional<TimePoint> Informational::nextDeadline() const
{
	const IkeEngineConfig &config = sa_.ctx_.config;
	std::optional<TimePoint> next;
	auto consider = [&](TimePoint t) {
		if (!next || t < *next)
			next = t;
	};
	if (dpdActive()) {
		if (dpdFirstUnanswered_) {
			consider(dpdNextProbe_);
			consider(dpdProbeSince_ + config.dpdTimeout);
		} else {
			consider(lastHeard_ + config.dpdInterval);
		}
	}
	if (sa_.natLocal_ && config.natKeepalive.count() > 0)
		consider(nextKeepalive_);
	return next;
}

void Informational::onTimer()
{
	dpdTimer();
	if (!sa_.dead())
		keepaliveTimer();
}

bool Informational::dpdActive() const
{
	return sa_.established() && peerDpd_ && sa_.ctx_.config.dpdInterval.count() > 0;
}

void Informational::sendDpd(NotifyType type, uint32_t seq)
{
	if (auto body = buildNotify(NotifyPayload::dpd(type, sa_.who_.ckyI, sa_.who_.ckyR, seq)))
		send({OutPayload{PayloadType::Notification, *body}});
}

void Informational::dpdTimer()
{
	if (!dpdActive())
		return;
	TimePoint now = sa_.ctx_.now;
	if (dpdFirstUnanswered_) {
		if (now >= dpdProbeSince_ + sa_.ctx_.config.dpdTimeout) {
			sa_.fail(fmt::format("dead peer: no answer to DPD for {} s; removing its SAs",
			                     sa_.ctx_.config.dpdTimeout.count()));
			return;
		}
		if (now >= dpdNextProbe_) {
			// RFC 3706 §5.5: each R-U-THERE has a new sequence number.
			sendDpd(NotifyType::RUThere, ++dpdSeq_);
			dpdNextProbe_ = now + sa_.ctx_.config.dpdRetry;
		}
		return;
	}
	if (now >= lastHeard_ + sa_.ctx_.config.dpdInterval) {
		dpdFirstUnanswered_ = ++dpdSeq_;
		dpdProbeSince_ = now;
		dpdNextProbe_ = now + sa_.ctx_.config.dpdRetry;
		logDebug(kLog, "peer {}: silent for {} s, R-U-THERE", sa_.path_.text(),
		         sa_.ctx_.config.dpdInterval.count());
		sendDpd(NotifyType::RUThere, dpdSeq_);
	}
}

void Informational::keepaliveTimer()
{
	if (!sa_.natLocal_ || sa_.ctx_.config.natKeepalive.count() <= 0 || sa_.ctx_.now < nextKeepalive_)
		return;
	// RFC 3948 §2.3: one 0xFF byte, no non-ESP marker.
	static const std::vector<uint8_t> kKeepalive{0xff};
	if (auto r = sa_.ctx_.sockets.send(IkeSocket::NatT, sa_.path_.local, sa_.path_.peer, kKeepalive); !r)
		logDebug(kLog, "peer {}: keepalive: {}", sa_.path_.text(), r.error().message);
	nextKeepalive_ = sa_.ctx_.now + sa_.ctx_.config.natKeepalive;
}

} // namespace l2tpsec::ike
