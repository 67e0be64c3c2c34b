// Aggressive Mode with a pre-shared key, RFC 2409 §5.4, in both roles, only
// when [ike] aggressive_mode allows it (the engine drops AM1 otherwise):
//
//   Initiator                                   Responder
//   HDR, SA, KE, Ni, IDii, VID...        -->                                  AM1
//                                        <--    HDR, SA, KE, Nr, IDir, HASH_R,
//                                               VID... [, NAT-D, NAT-D]       AM2
//   HDR*, HASH_I [, NAT-D, NAT-D] [, N]  -->                                  AM3 (4500 when NAT)
//
// Three messages instead of six, at a price: AM2 carries HASH_R, a PRF keyed
// with SKEYID = prf(PSK, Ni | Nr) over values all on the wire, so anyone who
// sends an AM1 (or sees one exchange) can guess at the key offline. Hence
// off by default, and a warning for every SA it makes.
//
// RFC 2409 §5.4 draws AM3 as "HDR, HASH_I"; libreswan sends "HDR*, HASH_I"
// and so do we: encrypted, an INITIAL-CONTACT in it cannot be forged, and
// charon takes it (tests/interop/strongswan_aggressive.sh). strongSwan sends
// AM3 in the clear (its message.c marks no Aggressive Mode payload
// encrypted), so the responder takes both and believes INITIAL-CONTACT only
// from an encrypted one. A phase-2 IV starts from the last phase-1 CBC
// block (Appendix B): AM3's, or after a cleartext AM3 the phase-1 IV itself,
// nothing having been encrypted (Quick Mode with charon after its cleartext
// AM3 is how the interop test checks that).
//
// NAT-T (RFC 3947 §4): vendor ids in AM1/AM2, NAT-D in AM2/AM3; the
// initiator floats to 4500 for AM3 when AM2 shows a NAT.
//
// The SA, key and hash pieces are the ones Main Mode uses too
// (phase1_exchange.h: Phase1Crypto, Phase1Steps), as are Quick Mode, DPD,
// Delete and INITIAL-CONTACT once the SA is up.
#include "common/log.h"
#include "ike/codec/message_builder.h"
#include "ike/ike_log.h"
#include "ike/informational.h"
#include "ike/payload_find.h"
#include "ike/phase1_exchange.h"

#include <algorithm>

namespace l2tpsec::ike {

namespace {

using S = Phase1State;

} // namespace

// ---- initiator ---------------------------------------------------------------

S Phase1Exchange::initiatorAm2(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *nr = findPayload(in.payloads, PayloadType::Nonce);
	const RawPayload *id = findPayload(in.payloads, PayloadType::Identification);
	if (h.encrypted() || h.messageId != 0 || !sa || !ke || !validNonce(nr) || !id ||
	    !findPayload(in.payloads, PayloadType::Hash) || h.responderCookie == Cookie{}) {
		logWarn(kLog, "peer {}: malformed Aggressive Mode 2 dropped", in.from.str());
		return sa_.state_;
	}
	auto choice = acceptReply(in, *sa, "Aggressive Mode 2");
	if (!choice)
		return sa_.state_; // dropped, or dead
	if (ke->body.size() != crypto::dhPublicValueLength(choice->suite.group)) {
		logWarn(kLog, "peer {}: malformed Aggressive Mode 2 dropped (KE size)", in.from.str());
		return sa_.state_;
	}
	adoptReply(in, std::move(*choice), "Aggressive Mode 2");
	gxr_ = bytesOf(ke->body);
	nr_ = bytesOf(nr->body);
	if (auto r = keyExchange(gxr_); !r) {
		sa_.fail("Aggressive Mode 2: " + r.error().message);
		return S::Dead;
	}
	// Only a responder with our key computes this HASH_R; a damaged AM2
	// looks the same, but a retransmitted AM1 would only fetch the same one.
	if (!peerHashVerifies(in.payloads, id->body, false)) {
		sa_.fail("Aggressive Mode 2 does not verify (HASH_R): pre-shared key mismatch?");
		return S::Dead;
	}
	sa_.who_.peerIdBody = bytesOf(id->body);
	detectNatAndFloat(in);

	auto hashI = authHash(true, ourIdBody());
	if (!hashI) {
		sa_.fail(hashI.error().message);
		return S::Dead;
	}
	std::vector<OutPayload> payloads{OutPayload{PayloadType::Hash, std::move(*hashI)}};
	// NAT-D of AM3 itself: from our (floated) port to the peer's.
	for (OutPayload &p : natDPayloads())
		payloads.push_back(std::move(p));
	auto datagram = sealInitiatorAuth(ExchangeType::Aggressive, std::move(payloads));
	if (!datagram) {
		sa_.fail(datagram.error().message);
		return S::Dead;
	}
	// Nothing answers AM3: kept to answer a retransmitted AM2 (the
	// responder's sign that AM3 was lost).
	sa_.tx_.sendAnswer(sa_.phase1_, std::move(*datagram), in.digest);
	establishedAsInitiator(in);
	return S::Established;
}

// ---- responder -------------------------------------------------------------

S Phase1Exchange::respondAm1(Incoming &in)
{
	sa_.who_.aggressive = true;
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *ni = findPayload(in.payloads, PayloadType::Nonce);
	const RawPayload *id = findPayload(in.payloads, PayloadType::Identification);
	if (h.encrypted() || h.messageId != 0 || !sa ||
	    countPayloads(in.payloads, PayloadType::SecurityAssociation) != 1 || !ke || !validNonce(ni) || !id) {
		logWarn(kLog, "peer {}: malformed Aggressive Mode 1 dropped", in.from.str());
		return S::Dead;
	}
	auto peerId = parseId(id->body);
	if (!peerId) {
		logWarn(kLog, "peer {}: Aggressive Mode 1 dropped: {}", in.from.str(), peerId.error().message);
		return S::Dead;
	}
	// The key by the peer's ID when that is an address (the one reason for
	// Aggressive Mode: a peer behind NAT names itself), else by the source
	// address; either falls back to the [ike] key.
	IpAddress keyFor = in.from.address;
	if (peerId->type == IdType::Ipv4Addr || peerId->type == IdType::Ipv6Addr) {
		if (auto a = idAddresses(*peerId))
			keyFor = a->first;
	}
	// AM1 has committed to a group with its KE: only our suites with it.
	std::vector<IkeSuite> ours;
	std::copy_if(sa_.ctx_.config.proposals.ike.begin(), sa_.ctx_.config.proposals.ike.end(),
	             std::back_inserter(ours),
	             [&](const IkeSuite &s) { return crypto::dhPublicValueLength(s.group) == ke->body.size(); });
	if (!chooseOffer(in, *sa, "Aggressive Mode", keyFor, ours, true))
		return S::Dead;
	if (!takeInitiatorKe(in, *ke, *ni))
		return S::Dead;
	sa_.who_.peerIdBody = bytesOf(id->body);
	return startResponderDh(in, "Aggressive Mode 1", S::RespAmDh);
}

S Phase1Exchange::answerAm1(Result<DhWorkDone> done)
{
	if (!takeDh(std::move(done), "Aggressive Mode 1"))
		return S::Dead;
	std::vector<uint8_t> idBody = ourIdBody();
	auto hashR = authHash(false, idBody);
	if (!hashR)
		return S::Dead;
	MessageBuilder b(sa_.tx_.header(ExchangeType::Aggressive, 0));
	b.add(sa_.choice_->reply);
	b.add(KeyExchangePayload{gxr_}).add(NoncePayload{nr_});
	b.add(PayloadType::Identification, std::move(idBody));
	b.add(PayloadType::Hash, std::move(*hashR));
	for (OutPayload &v : vendorIds())
		b.add(v.type, std::move(v.body));
	// The NAT-D hashes name the peer as AM1 reached us and us as it addressed us.
	for (OutPayload &p : natDPayloads())
		b.add(p.type, std::move(p.body));
	auto datagram = b.build();
	if (!datagram) {
		logWarn(kLog, "peer {}: Aggressive Mode 2: {}", sa_.path_.peer.str(), datagram.error().message);
		return S::Dead;
	}
	// Retransmitted until AM3 comes (the initiator answers a repeat with
	// AM3 again); a repeated AM1 gets it too.
	sa_.tx_.sendAwaiting(sa_.phase1_, std::move(*datagram), "Aggressive Mode 2", dhRequestDigest_);
	dhRequestDigest_.clear();
	return S::RespSentAm;
}

S Phase1Exchange::respondAm3(Incoming &in)
{
	const Header &h = in.message.header;
	if (h.messageId != 0) {
		logWarn(kLog, "peer {}: malformed Aggressive Mode 3 dropped", in.from.str());
		return sa_.state_;
	}
	// Cleartext (strongSwan) or encrypted (libreswan, us): both are allowed.
	const std::vector<RawPayload> *payloads = &in.payloads;
	std::vector<uint8_t> lastBlock = sa_.iv_;
	Result<Opened> opened = Error{EBADMSG, "cleartext"};
	if (h.encrypted()) {
		opened = openMessage(sa_.cipher_, in.message, sa_.iv_);
		if (!opened) {
			logWarn(kLog, "peer {}: Aggressive Mode 3 dropped: {}", in.from.str(), opened.error().message);
			return sa_.state_;
		}
		payloads = &opened->payloads; // they point into opened's plaintext
		lastBlock = opened->lastBlock;
	}
	if (!peerHashVerifies(*payloads, sa_.who_.peerIdBody, true)) {
		// Damaged, or forged (a cleartext AM3 takes only the cookies): AM2
		// is retransmitted and the initiator answers with AM3 again. An
		// initiator with another key never sends AM3 (HASH_R fails first).
		logWarn(kLog, "peer {}: Aggressive Mode 3 does not verify (HASH_I); dropped", in.from.str());
		return sa_.state_;
	}
	sa_.iv_ = lastBlock;
	sa_.lastPhase1Block_ = std::move(lastBlock);
	detectNat(*payloads, in.local, in.from);
	// HASH_I does not cover a notify; only encryption vouches for it.
	if (h.encrypted())
		readInitialContact(*payloads);
	sa_.informational_->heard(in);
	becomeEstablished(in);
	return S::Established;
}

} // namespace l2tpsec::ike
