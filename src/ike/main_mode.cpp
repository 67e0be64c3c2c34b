// Main Mode with a pre-shared key, RFC 2409 §5.4, in both roles:
//
//   Initiator                          Responder
//   HDR, SA, VID...             -->                      MM1
//                               <--    HDR, SA, VID...   MM2
//   HDR, KE, Ni, NAT-D, NAT-D   -->                      MM3
//                               <--    HDR, KE, Nr, NAT-D, NAT-D   MM4
//   HDR*, IDii, HASH_I [, N]    -->                      MM5 (port 4500 when NAT)
//                               <--    HDR*, IDir, HASH_R          MM6
//
// NAT traversal per RFC 3947 (or the draft-02/03 numbers): vendor ids in
// MM1/MM2, NAT-D in MM3/MM4, floating to 4500 from MM5 on.
//
// With signatures (RFC 2409 §5.1; RSA, or ECDSA by RFC 4754's numbers) the
// same six messages, as strongSwan and Windows send them:
//   HDR, KE, Ni, NAT-D, NAT-D, CERTREQ...     MM3 (CERTREQ: our CAs' DNs)
//   HDR, KE, Nr, NAT-D, NAT-D, CERTREQ...     MM4
//   HDR*, IDii, CERT..., SIG_I [, N]          MM5
//   HDR*, IDir, CERT..., SIG_R                MM6
// SKEYID = prf(Ni_b | Nr_b, g^xy); SIG_I/SIG_R sign HASH_I/HASH_R
// (crypto/signature.h says how), which ECDSA computes with the HMAC of its
// own SHA-2 (authHash()). The peer's certificate must chain to one of
// our CAs and carry the ID it sent (cert_auth.h).
#include "common/log.h"
#include "crypto/constant_time.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/names.h"
#include "ike/codec/opaque_payloads.h"
#include "ike/ike_log.h"
#include "ike/informational.h"
#include "ike/nat_detection.h"
#include "ike/payload_find.h"
#include "ike/phase1_exchange.h"

#include <array>

namespace l2tpsec::ike {

namespace {

using S = Phase1State;

} // namespace

// ---- initiator ---------------------------------------------------------------

Result<void> Phase1Exchange::start(std::optional<ChildRequest> child, bool aggressive)
{
	sa_.who_.aggressive = aggressive;
	// Aggressive Mode here is pre-shared keys only.
	creds_ = sa_.ctx_.config.certs && !aggressive ? sa_.ctx_.config.certs(sa_.path_.peer.address) : nullptr;
	auto psk = sa_.ctx_.config.psk ? sa_.ctx_.config.psk(sa_.path_.peer.address) : std::nullopt;
	if (psk)
		psk_ = std::move(*psk);
	if (!creds_ && psk_.empty())
		return Error{ENOKEY, (aggressive ? "no pre-shared key (Aggressive Mode needs one) for "
		                                 : "no pre-shared key or certificate for ") +
		                             sa_.path_.peer.address.str()};
	offeredAuths_ = authMethods();
	wantChild_ = child;
	offeredSuites_ = sa_.ctx_.config.proposals.ike;
	if (offeredSuites_.empty())
		return Error{EINVAL, "no IKE proposals to offer"};
	if (aggressive) {
		// AM1 carries our KE, so every suite it offers has that one group:
		// the first suite's (the admin's preference).
		crypto::DhGroup group = offeredSuites_.front().group;
		std::erase_if(offeredSuites_, [group](const IkeSuite &s) { return s.group != group; });
	}
	SaPayload offer = phase1Offer(offeredSuites_, sa_.ctx_.config.ikeLifetime, offeredAuths_);
	L2S_TRY_ASSIGN(auto body, buildSa(offer));
	saiB_ = body;
	MessageBuilder b(sa_.tx_.header(aggressive ? ExchangeType::Aggressive : ExchangeType::IdentityProtection, 0));
	b.add(PayloadType::SecurityAssociation, body);
	if (aggressive) {
		// AM1 (aggressive_mode.cpp) brings KE, nonce and ID at once.
		L2S_TRY(ourKeyAndNonce(offeredSuites_.front().group));
		b.add(KeyExchangePayload{gxi_}).add(NoncePayload{ni_});
		b.add(PayloadType::Identification, ourIdBody());
	}
	for (OutPayload &v : vendorIds())
		b.add(v.type, std::move(v.body));
	L2S_TRY_ASSIGN(auto datagram, b.build());
	logInfo(kLog, "peer {}: initiating {} ({})", sa_.path_.text(), sa_.who_.phase1Name(),
	        describePhase1Offer(offer));
	sa_.transition(aggressive ? S::InitSentAm : S::InitSentSa, "initiating");
	sa_.tx_.sendAwaiting(sa_.phase1_, std::move(datagram), fmt::format("{} 1", sa_.who_.phase1Name()), {});
	return {};
}

S Phase1Exchange::initiatorMm2(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	if (h.encrypted() || h.messageId != 0 || !sa || h.responderCookie == Cookie{}) {
		logWarn(kLog, "peer {}: malformed Main Mode 2 dropped", in.from.str());
		return sa_.state_;
	}
	auto choice = acceptReply(in, *sa, "Main Mode 2");
	if (!choice)
		return sa_.state_; // dropped, or dead
	adoptReply(in, std::move(*choice), "Main Mode 2");
	if (auto r = ourKeyAndNonce(sa_.choice_->suite.group); !r) {
		sa_.fail("key generation failed: " + r.error().message);
		return S::Dead;
	}
	MessageBuilder b(sa_.tx_.header(ExchangeType::IdentityProtection, 0));
	b.add(KeyExchangePayload{gxi_}).add(NoncePayload{ni_});
	for (OutPayload &p : natDPayloads())
		b.add(p.type, std::move(p.body));
	for (OutPayload &p : certRequests())
		b.add(p.type, std::move(p.body));
	auto datagram = b.build();
	if (!datagram) {
		sa_.fail(datagram.error().message);
		return S::Dead;
	}
	sa_.tx_.sendAwaiting(sa_.phase1_, std::move(*datagram), "Main Mode 3", in.digest);
	return S::InitSentKe;
}

S Phase1Exchange::initiatorMm4(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *nr = findPayload(in.payloads, PayloadType::Nonce);
	if (h.encrypted() || h.messageId != 0 || !ke || !validNonce(nr) ||
	    ke->body.size() != crypto::dhPublicValueLength(sa_.choice_->suite.group)) {
		logWarn(kLog, "peer {}: malformed Main Mode 4 dropped", in.from.str());
		return sa_.state_;
	}
	gxr_ = bytesOf(ke->body);
	nr_ = bytesOf(nr->body);
	if (auto r = keyExchange(gxr_); !r) {
		sa_.fail("Main Mode 4: " + r.error().message);
		return S::Dead;
	}
	detectNatAndFloat(in);

	auto auth = authPayloads(true, ourIdBody());
	if (!auth) {
		sa_.fail(auth.error().message);
		return S::Dead;
	}
	auto datagram = sealInitiatorAuth(ExchangeType::IdentityProtection, std::move(*auth));
	if (!datagram) {
		sa_.fail(datagram.error().message);
		return S::Dead;
	}
	// A responder that refuses our signature says so in an Informational
	// whose IV starts from MM5's last block (Informational::receiveDuringPhase1).
	sa_.tx_.sendAwaiting(sa_.phase1_, std::move(*datagram), "Main Mode 5", in.digest);
	return S::InitSentAuth;
}

S Phase1Exchange::initiatorMm6(Incoming &in)
{
	if (!in.message.header.encrypted() || in.message.header.messageId != 0) {
		logWarn(kLog, "peer {}: cleartext Main Mode 6 dropped", in.from.str());
		return sa_.state_;
	}
	auto opened = openMessage(sa_.cipher_, in.message, sa_.iv_);
	const RawPayload *id = opened ? findPayload(opened->payloads, PayloadType::Identification) : nullptr;
	if (signatures() && id) {
		// It decrypted, so it is the responder's: what it proves is final.
		if (auto bad = verifyPeerSignature(opened->payloads, id->body, false)) {
			sa_.lastPhase1Block_ = opened->lastBlock;
			sa_.iv_ = opened->lastBlock;
			sendAuthFailure(bad->notify, true);
			sa_.fail("authentication of the responder failed: " + bad->reason);
			return S::Dead;
		}
	}
	bool verified = signatures() ? id != nullptr : id && peerHashVerifies(opened->payloads, id->body, false);
	if (!verified) {
		// The responder checked HASH_I with its key first, so with two keys
		// this is never reached: it is a damaged or forged MM6. Wait for the
		// answer to MM5's retransmission, IV unchanged.
		logWarn(kLog, "peer {}: Main Mode 6 does not verify (HASH_R); dropped", in.from.str());
		return sa_.state_;
	}
	sa_.iv_ = opened->lastBlock;
	sa_.lastPhase1Block_ = opened->lastBlock;
	sa_.who_.peerIdBody = bytesOf(id->body);
	sa_.informational_->heard(in);
	establishedAsInitiator(in);
	return S::Established;
}

// ---- responder -------------------------------------------------------------

S Phase1Exchange::respondMm1(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	if (h.encrypted() || h.messageId != 0 || !sa ||
	    countPayloads(in.payloads, PayloadType::SecurityAssociation) != 1) {
		logWarn(kLog, "peer {}: malformed Main Mode 1 dropped", in.from.str());
		return S::Dead;
	}
	if (!chooseOffer(in, *sa, "Main Mode", in.from.address, sa_.ctx_.config.proposals.ike, false))
		return S::Dead;
	MessageBuilder b(sa_.tx_.header(ExchangeType::IdentityProtection, 0));
	b.add(sa_.choice_->reply);
	for (OutPayload &v : vendorIds())
		b.add(v.type, std::move(v.body));
	auto datagram = b.build();
	if (!datagram) {
		logWarn(kLog, "peer {}: Main Mode 2: {}", in.from.str(), datagram.error().message);
		return S::Dead;
	}
	sa_.tx_.sendAnswer(sa_.phase1_, std::move(*datagram), in.digest);
	return S::RespSentSa;
}

S Phase1Exchange::respondMm3(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *ni = findPayload(in.payloads, PayloadType::Nonce);
	if (h.encrypted() || h.messageId != 0 || !ke || !validNonce(ni) ||
	    ke->body.size() != crypto::dhPublicValueLength(sa_.choice_->suite.group)) {
		logWarn(kLog, "peer {}: malformed Main Mode 3 dropped", in.from.str());
		return sa_.state_;
	}
	if (!takeInitiatorKe(in, *ke, *ni))
		return S::Dead;
	detectNat(in.payloads, in.local, in.from);
	answerMicrosoftServerNat(in.payloads, in.from);
	// The NAT-D hashes name the peer as it reached us and us as it addressed us.
	sa_.path_.local = in.local;
	sa_.path_.peer = in.from;
	return startResponderDh(in, "Main Mode 3", S::RespDh);
}

S Phase1Exchange::answerMm3(Result<DhWorkDone> done)
{
	if (!takeDh(std::move(done), "Main Mode 3"))
		return S::Dead;
	MessageBuilder b(sa_.tx_.header(ExchangeType::IdentityProtection, 0));
	b.add(KeyExchangePayload{gxr_}).add(NoncePayload{nr_});
	for (OutPayload &p : natDPayloads())
		b.add(p.type, std::move(p.body));
	for (OutPayload &p : certRequests())
		b.add(p.type, std::move(p.body));
	auto datagram = b.build();
	if (!datagram)
		return S::Dead;
	sa_.tx_.sendAnswer(sa_.phase1_, std::move(*datagram), dhRequestDigest_);
	dhRequestDigest_.clear();
	return S::RespSentKe;
}

S Phase1Exchange::respondMm5(Incoming &in)
{
	if (!in.message.header.encrypted() || in.message.header.messageId != 0) {
		logWarn(kLog, "peer {}: cleartext Main Mode 5 dropped", in.from.str());
		return sa_.state_;
	}
	auto opened = openMessage(sa_.cipher_, in.message, sa_.iv_);
	const RawPayload *id = opened ? findPayload(opened->payloads, PayloadType::Identification) : nullptr;
	if (signatures()) {
		if (!id) {
			logWarn(kLog, "peer {}: authentication failed: Main Mode 5 does not decrypt to an ID",
			        in.from.str());
			authenticationFailed(in.from, "Main Mode 5 does not decrypt to an ID");
			return S::Dead;
		}
		if (auto bad = verifyPeerSignature(opened->payloads, id->body, true)) {
			logWarn(kLog, "peer {}: authentication failed: {}", in.from.str(), bad->reason);
			sa_.lastPhase1Block_ = opened->lastBlock;
			sendAuthFailure(bad->notify, false);
			authenticationFailed(in.from, bad->reason);
			return S::Dead;
		}
	}
	if (!signatures() && (!id || !peerHashVerifies(opened->payloads, id->body, true))) {
		// With another key MM5 decrypts to noise: no ID/HASH, or a wrong HASH_I.
		logWarn(kLog, "peer {}: authentication failed (pre-shared key mismatch?)", in.from.str());
		authenticationFailed(in.from, "Main Mode 5: pre-shared key mismatch?");
		return S::Dead;
	}
	sa_.iv_ = opened->lastBlock;
	sa_.who_.peerIdBody = bytesOf(id->body);
	readInitialContact(opened->payloads);
	sa_.informational_->heard(in);

	std::vector<uint8_t> idBody = ourIdBody();
	auto payloads = authPayloads(false, idBody);
	if (!payloads) {
		logWarn(kLog, "peer {}: Main Mode 6: {}", in.from.str(), payloads.error().message);
		return S::Dead;
	}
	auto sealed = sealMessage(sa_.cipher_, sa_.tx_.header(ExchangeType::IdentityProtection, 0), *payloads, sa_.iv_);
	if (!sealed)
		return S::Dead;
	sa_.iv_ = sealed->lastBlock;
	sa_.lastPhase1Block_ = sealed->lastBlock;
	sa_.tx_.sendAnswer(sa_.phase1_, std::move(sealed->datagram), in.digest);
	becomeEstablished(in);
	return S::Established;
}

} // namespace l2tpsec::ike
