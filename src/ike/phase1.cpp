// The phase-1 exchange that Main Mode (main_mode.cpp) and Aggressive Mode
// (aggressive_mode.cpp) share, RFC 2409 §5: the SA offer and choice,
// vendor ids and NAT-D (RFC 3947), the key exchange and SKEYID with its
// keys, HASH_I/HASH_R, the responder's DH (here or on a DhOffload), and
// the SA becoming established. Signatures are phase1_auth.cpp's.
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

std::string vendorIdText(Bytes data)
{
	if (auto known = recogniseVendorId(data)) {
		// One log line: draft 02's typo ends in a newline.
		std::string name(vendorIdInfo(*known).name);
		for (size_t at; (at = name.find('\n')) != std::string::npos;)
			name.replace(at, 1, "\\n");
		return name;
	}
	std::string s = "unknown:";
	for (size_t i = 0; i < data.size() && i < 8; i++)
		s += fmt::format("{:02x}", data[i]);
	return s;
}

/// "/rsasig" after a suite's name; nothing for the usual pre-shared key.
std::string authSuffix(IkeAuthMethod m)
{
	return m == IkeAuthMethod::PreSharedKey ? "" : "/" + authMethodName(m);
}

} // namespace

// ---- vendor ids and NAT-D ----------------------------------------------------

std::vector<OutPayload> Phase1Steps::vendorIds() const
{
	std::vector<KnownVendorId> ids;
	if (sa_.who_.initiator) {
		// As strongSwan and libreswan: RFC 3947 and the drafts pre-RFC peers know.
		ids = {KnownVendorId::NatTRfc3947, KnownVendorId::NatTDraft03, KnownVendorId::NatTDraft02N,
		       KnownVendorId::NatTDraft02};
	} else if (natVendorId_) {
		ids = {*natVendorId_};
	}
	ids.push_back(KnownVendorId::Dpd);
	std::vector<OutPayload> out;
	for (KnownVendorId id : ids)
		out.push_back(OutPayload{PayloadType::VendorId, vendorIdBytes(id)});
	return out;
}

void Phase1Steps::readVendorIds(const std::vector<RawPayload> &payloads)
{
	bool rfc = false, draft03 = false, draft02 = false, draft02n = false;
	std::string names;
	for (const RawPayload *p : findAll(payloads, PayloadType::VendorId)) {
		if (!names.empty())
			names += ", ";
		names += vendorIdText(p->body);
		auto known = recogniseVendorId(p->body);
		if (!known)
			continue;
		rfc |= *known == KnownVendorId::NatTRfc3947;
		draft03 |= *known == KnownVendorId::NatTDraft03;
		draft02 |= *known == KnownVendorId::NatTDraft02;
		draft02n |= *known == KnownVendorId::NatTDraft02N;
		if (*known == KnownVendorId::Dpd)
			sa_.informational_->peerSpeaksDpd();
		microsoftPeer_ |= *known == KnownVendorId::MsNt5IsakmpOakley;
	}
	sa_.peerVendorIds_ = names.empty() ? "none" : names;
	sa_.natMethod_ = rfc                                ? NatTMethod::Rfc3947
	                 : (draft03 || draft02 || draft02n) ? NatTMethod::Draft
	                                                    : NatTMethod::None;
	if (rfc)
		natVendorId_ = KnownVendorId::NatTRfc3947;
	else if (draft03)
		natVendorId_ = KnownVendorId::NatTDraft03;
	else if (draft02)
		natVendorId_ = KnownVendorId::NatTDraft02;
	else if (draft02n)
		natVendorId_ = KnownVendorId::NatTDraft02N;
}

std::vector<OutPayload> Phase1Steps::natDPayloads() const
{
	if (sa_.natMethod_ == NatTMethod::None)
		return {};
	PayloadType type = sa_.natMethod_ == NatTMethod::Rfc3947 ? PayloadType::NatD : PayloadType::NatDDraft;
	const Endpoint &peer = sa_.path_.peer;
	if (concealedNatD_) {
		// The peer must still see a NAT, so that it floats to 4500 and asks
		// for ESP in UDP as we will send it: when it is not behind one, its
		// address with port 0, which no datagram comes from.
		uint16_t port = sa_.natPeer_ ? peer.port : 0;
		return {OutPayload{type, natDetectionHash(prfOf(*sa_.choice_), sa_.who_.ckyI, sa_.who_.ckyR,
		                                          peer.address, port)},
		        OutPayload{type, *concealedNatD_}};
	}
	// RFC 3947 §3.2: first the peer's address as we send to it, then ours.
	return {OutPayload{type, natDetectionHash(prfOf(*sa_.choice_), sa_.who_.ckyI, sa_.who_.ckyR, peer.address,
	                                          peer.port)},
	        OutPayload{type, natDetectionHash(prfOf(*sa_.choice_), sa_.who_.ckyI, sa_.who_.ckyR,
	                                          sa_.path_.local.address, sa_.path_.local.port)}};
}

void Phase1Steps::answerMicrosoftServerNat(const std::vector<RawPayload> &payloads, const Endpoint &from)
{
	// Windows refuses a responder its NAT-D shows behind a NAT (error 809)
	// unless the client's registry says otherwise; a server on a cloud's
	// 1:1 NAT always is. natLocal_ means detectNat() read the peer's NAT-D.
	if (!microsoftPeer_ || !sa_.natLocal_)
		return;
	if (!sa_.ctx_.config.concealServerNat) {
		logWarn(kLog,
		        "peer {}: a Microsoft client sees this server behind a NAT and refuses it (Windows error 809) "
		        "unless it sets AssumeUDPEncapsulationContextOnSendRule=2, or [ike] conceal_server_nat = true",
		        from.str());
		return;
	}
	// Its own hash for the address it sent to answers as ours: we appear
	// where it addressed us (as SoftEther answers Windows).
	concealedNatD_ = bytesOf(findAll(payloads, PayloadType::NatD, PayloadType::NatDDraft).front()->body);
	logInfo(kLog, "peer {}: our NAT concealed from a Microsoft client ([ike] conceal_server_nat)", from.str());
}

void Phase1Steps::detectNat(const std::vector<RawPayload> &payloads, const Endpoint &local, const Endpoint &from)
{
	if (sa_.natMethod_ == NatTMethod::None)
		return;
	auto natd = findAll(payloads, PayloadType::NatD, PayloadType::NatDDraft);
	if (natd.size() < 2) {
		logDebug(kLog, "peer {}: NAT-T negotiated but {} NAT-D payloads", from.str(), natd.size());
		return;
	}
	// The first names us as the peer addressed us; the rest name the peer.
	auto ours = natDetectionHash(prfOf(*sa_.choice_), sa_.who_.ckyI, sa_.who_.ckyR, local.address, local.port);
	sa_.natLocal_ = !crypto::constantTimeEqual(natd[0]->body, ours);
	auto theirs = natDetectionHash(prfOf(*sa_.choice_), sa_.who_.ckyI, sa_.who_.ckyR, from.address, from.port);
	sa_.natPeer_ = true;
	for (size_t i = 1; i < natd.size(); i++)
		if (crypto::constantTimeEqual(natd[i]->body, theirs))
			sa_.natPeer_ = false;
	if (sa_.natLocal_ || sa_.natPeer_)
		logInfo(kLog, "peer {}: NAT detected ({}{}{})", from.str(), sa_.natLocal_ ? "we are behind one" : "",
		        sa_.natLocal_ && sa_.natPeer_ ? ", " : "", sa_.natPeer_ ? "the peer is behind one" : "");
}

void Phase1Steps::floatToNatT()
{
	if (sa_.path_.socket == IkeSocket::NatT)
		return; // started on it (a re-authentication behind a NAT): the peer's NAT port stays
	sa_.path_.socket = IkeSocket::NatT;
	sa_.path_.local.port = sa_.ctx_.config.natTPort;
	sa_.path_.peer.port = sa_.ctx_.config.natTPort;
	logInfo(kLog, "peer {}: floating to UDP {} (RFC 3947 §4)", sa_.path_.peer.address.str(),
	        sa_.ctx_.config.natTPort);
}

// ---- keys ------------------------------------------------------------------

void Phase1Crypto::forgetSecrets()
{
	psk_.clear();
	dh_.reset();
}

Result<void> Phase1Crypto::keyExchange(Bytes peerKe)
{
	auto gxy = dh_->sharedSecret(peerKe);
	dh_.reset();
	if (!gxy)
		return std::move(gxy).error();
	return deriveKeys(std::move(*gxy));
}

Result<void> Phase1Crypto::deriveKeys(crypto::SecretBytes gxy)
{
	gxy_ = std::move(gxy);
	L2S_TRY_ASSIGN(auto skeyid, signatures() ? skeyidSignature(prfOf(*sa_.choice_), ni_, nr_, gxy_)
	                                         : skeyidPreSharedKey(prfOf(*sa_.choice_), psk_, ni_, nr_));
	L2S_TRY_ASSIGN(auto keys,
	               derivePhase1Keys(prfOf(*sa_.choice_), std::move(skeyid), gxy_, sa_.who_.ckyI, sa_.who_.ckyR));
	sa_.keys_ = std::move(keys);
	L2S_TRY_ASSIGN(auto key,
	               phase1EncryptionKey(prfOf(*sa_.choice_), sa_.keys_->skeyidE, sa_.choice_->suite.cipher));
	sa_.cipher_ = IsakmpCipher{sa_.choice_->suite.cipher, std::move(key)};
	sa_.iv_ = phase1Iv(prfOf(*sa_.choice_), sa_.choice_->suite.cipher, gxi_, gxr_);
	return {};
}

Result<void> Phase1Crypto::ourKeyAndNonce(crypto::DhGroup group)
{
	L2S_TRY_ASSIGN(auto dh, sa_.ctx_.random.keyPair(group));
	L2S_TRY_ASSIGN(auto nonce, sa_.tx_.random(IkeSa::kNonceLen));
	dh_ = std::move(dh);
	(sa_.who_.initiator ? gxi_ : gxr_) = dh_->publicValue();
	(sa_.who_.initiator ? ni_ : nr_) = std::move(nonce);
	return {};
}

bool Phase1Crypto::peerHashVerifies(const std::vector<RawPayload> &payloads, Bytes idBody, bool initiatorHash) const
{
	const RawPayload *hash = findPayload(payloads, PayloadType::Hash);
	auto expect = authHash(initiatorHash, idBody);
	return hash && expect && crypto::constantTimeEqual(hash->body, *expect);
}

Result<std::vector<uint8_t>> Phase1Crypto::authHash(bool initiatorHash, Bytes idBody) const
{
	// With ECDSA, HASH_I and HASH_R take the HMAC of the method's SHA-2
	// (keyed with SKEYID as ever), whatever PRF the suite negotiated: what
	// strongSwan's keymat_v1 does (its prf_auth), so what its peers expect.
	crypto::HashAlgorithm alg = prfOf(*sa_.choice_);
	if (sa_.choice_->auth == IkeAuthMethod::EcdsaSha256P256)
		alg = crypto::HashAlgorithm::Sha256;
	else if (sa_.choice_->auth == IkeAuthMethod::EcdsaSha384P384)
		alg = crypto::HashAlgorithm::Sha384;
	else if (sa_.choice_->auth == IkeAuthMethod::EcdsaSha512P521)
		alg = crypto::HashAlgorithm::Sha512;
	if (initiatorHash)
		return mainModeHashI(alg, sa_.keys_->skeyid, gxi_, gxr_, sa_.who_.ckyI, sa_.who_.ckyR, saiB_, idBody);
	return mainModeHashR(alg, sa_.keys_->skeyid, gxi_, gxr_, sa_.who_.ckyI, sa_.who_.ckyR, saiB_, idBody);
}

void Phase1Steps::becomeEstablished(Incoming &in)
{
	sa_.transition(S::Established, exchangeTypeName(in.message.header.exchange));
	sa_.establishedAt_ = sa_.ctx_.now;
	sa_.phase1_.retransmitAt.reset();
	// What only Main Mode's hashes needed goes now (memory per SA at 10,000s
	// of peers): the keys stay, and the last flight, which answers a
	// retransmitted MM5 or MM6. swap() frees the storage; clear() keeps it.
	crypto::SecretBytes().swap(psk_);
	crypto::SecretBytes().swap(gxy_);
	creds_.reset();
	std::vector<IkeAuthMethod>().swap(offeredAuths_);
	for (std::vector<uint8_t> *v : {&gxi_, &gxr_, &ni_, &nr_, &saiB_})
		std::vector<uint8_t>().swap(*v);
	uint32_t dpdSeq = 0;
	if (auto seq = sa_.tx_.random(4))
		dpdSeq = (uint32_t((*seq)[0]) << 24 | uint32_t((*seq)[1]) << 16 | uint32_t((*seq)[2]) << 8 |
		          (*seq)[3]) >>
		         1;
	sa_.informational_->start(dpdSeq);
	IkeSaInfo i = sa_.info();
	logInfo(kLog, "peer {}: ISAKMP SA {} established ({}, {} s; NAT: {}; DPD: {}; peer id {})", sa_.path_.text(),
	        sa_.who_.id, i.suite, i.lifetime.count(),
	        sa_.natLocal_ || sa_.natPeer_ ? (sa_.natLocal_ ? (sa_.natPeer_ ? "both" : "local") : "peer") : "none",
	        i.dpd ? "yes" : "no", i.peerId);
	if (sa_.who_.aggressive)
		logWarn(kLog,
		        "peer {}: ISAKMP SA {} is an Aggressive Mode SA with a pre-shared key: the key's hash went "
		        "out in the clear and can be guessed at offline; prefer Main Mode",
		        sa_.path_.text(), sa_.who_.id);
	if (sa_.ctx_.observer)
		sa_.ctx_.observer->ikeSaUp(i);
}

void Phase1Steps::establishedAsInitiator(Incoming &in)
{
	becomeEstablished(in);
	if (wantChild_) {
		if (auto r = sa_.startQuickMode(*wantChild_); !r) {
			logError(kLog, "peer {}: Quick Mode not started: {}", sa_.path_.text(), r.error().message);
			if (sa_.ctx_.observer)
				sa_.ctx_.observer->childSaFailed(sa_.who_.id, r.error().message);
		}
		wantChild_.reset();
	}
}

void Phase1Steps::readInitialContact(const std::vector<RawPayload> &payloads)
{
	for (const RawPayload *p : findAll(payloads, PayloadType::Notification)) {
		auto n = parseNotify(p->body);
		if (n && n->type == NotifyType::InitialContact)
			sa_.succession_.initialContactReceived = true;
	}
}

std::optional<Phase1Choice> Phase1Steps::acceptReply(const Incoming &in, const RawPayload &sa, std::string_view message)
{
	auto reply = parseSa(sa.body);
	if (!reply) {
		logWarn(kLog, "peer {}: {} dropped: {}", in.from.str(), message, reply.error().message);
		return std::nullopt;
	}
	auto choice = acceptPhase1Reply(*reply, offeredSuites_, sa_.ctx_.config.ikeLifetime, offeredAuths_);
	if (!choice) {
		sa_.fail(choice.error().message);
		return std::nullopt;
	}
	return std::move(*choice);
}

void Phase1Steps::adoptReply(const Incoming &in, Phase1Choice choice, std::string_view message)
{
	sa_.who_.ckyR = in.message.header.responderCookie;
	sa_.choice_ = std::move(choice);
	readVendorIds(in.payloads);
	logInfo(kLog, "peer {}: {} chose {}{}; vendor ids: {}", sa_.path_.text(), message,
	        suiteName(sa_.choice_->suite), authSuffix(sa_.choice_->auth), sa_.peerVendorIds_);
}

void Phase1Steps::detectNatAndFloat(const Incoming &in)
{
	detectNat(in.payloads, sa_.path_.local, in.from);
	if (sa_.natMethod_ != NatTMethod::None && (sa_.natLocal_ || sa_.natPeer_))
		floatToNatT();
}

Result<std::vector<uint8_t>> Phase1Steps::sealInitiatorAuth(ExchangeType exchange, std::vector<OutPayload> payloads)
{
	if (sa_.succession_.sendInitialContact) {
		if (auto n = buildNotify(NotifyPayload::initialContact(sa_.who_.ckyI, sa_.who_.ckyR)))
			payloads.push_back(OutPayload{PayloadType::Notification, *n});
	}
	L2S_TRY_ASSIGN(auto sealed, sealMessage(sa_.cipher_, sa_.tx_.header(exchange, 0), payloads, sa_.iv_));
	sa_.iv_ = sealed.lastBlock;
	sa_.lastPhase1Block_ = sealed.lastBlock;
	return std::move(sealed.datagram);
}

bool Phase1Steps::takeInitiatorKe(const Incoming &in, const RawPayload &ke, const RawPayload &ni)
{
	auto nr = sa_.tx_.random(IkeSa::kNonceLen);
	if (!nr) {
		logError(kLog, "peer {}: key generation failed", in.from.str());
		return false;
	}
	gxi_ = bytesOf(ke.body);
	ni_ = bytesOf(ni.body);
	nr_ = std::move(*nr);
	return true;
}

bool Phase1Steps::chooseOffer(Incoming &in, const RawPayload &sa, std::string_view mode, const IpAddress &keyFor,
                              std::span<const IkeSuite> ours, bool pskOnly)
{
	auto offer = parseSa(sa.body);
	if (!offer) {
		logWarn(kLog, "peer {}: {} 1 dropped: {}", in.from.str(), mode, offer.error().message);
		sa_.informational_->sendPlainNotify(offer.error().code == kErrUnsupported
		                                            ? NotifyType::DoiNotSupported
		                                            : NotifyType::PayloadMalformed);
		return false;
	}
	readVendorIds(in.payloads);
	sa_.peerOffer_ = compactPhase1Offer(*offer);
	logInfo(kLog, "peer {}: {} offer: {}; vendor ids: {}", in.from.str(), mode, describePhase1Offer(*offer),
	        sa_.peerVendorIds_);
	auto psk = sa_.ctx_.config.psk ? sa_.ctx_.config.psk(keyFor) : std::nullopt;
	if (psk)
		psk_ = std::move(*psk);
	creds_ = sa_.ctx_.config.certs && !pskOnly ? sa_.ctx_.config.certs(keyFor) : nullptr;
	if (psk_.empty() && !creds_) {
		logWarn(kLog, "peer {}: no pre-shared key{} for this peer; {} refused", in.from.str(),
		        pskOnly ? "" : " or certificate", mode);
		return false;
	}
	std::vector<IkeAuthMethod> auths = authMethods();
	auto choice = choosePhase1(*offer, ours, sa_.ctx_.config.ikeLifetime, auths);
	if (!choice) {
		logWarn(kLog, "peer {}: no proposal chosen ({}); we accept {}", in.from.str(), mode,
		        describePhase1Offer(
		                phase1Offer(sa_.ctx_.config.proposals.ike, sa_.ctx_.config.ikeLifetime, auths)));
		sa_.informational_->sendPlainNotify(NotifyType::NoProposalChosen);
		refused(in.from, IkeRefusal::Step::Phase1Proposal, std::string(mode) + ": no proposal chosen");
		return false;
	}
	sa_.choice_ = std::move(*choice);
	// What the choice does not use goes now.
	if (signatures())
		crypto::SecretBytes().swap(psk_);
	else
		creds_.reset();
	saiB_ = bytesOf(sa.body);
	logInfo(kLog, "peer {}: chose {}{} ({} s)", in.from.str(), suiteName(sa_.choice_->suite),
	        authSuffix(sa_.choice_->auth), sa_.choice_->lifetime.count());
	return true;
}

S Phase1Exchange::startResponderDh(const Incoming &in, std::string_view message, S waiting)
{
	// An exchange the source began before its block does not get its DH either.
	if (sa_.ctx_.config.blocked && sa_.ctx_.config.blocked(in.from.address)) {
		sa_.ctx_.refusedBlocked++;
		logDebug(kLog, "peer {}: {} dropped: the source is blocked (failed authentications)", in.from.str(),
		         message);
		return S::Dead;
	}
	dhRequestDigest_ = in.digest;
	if (sa_.ctx_.dhOffload) {
		if (!sa_.ctx_.dhOffload->submit(DhWork{sa_.who_.id, sa_.choice_->suite.group, gxi_})) {
			logWarn(kLog, "peer {}: {} dropped: the DH workers are busy", in.from.str(), message);
			// Main Mode 3 waits in its state for the retransmission; a
			// first Aggressive Mode 1 has no state to wait in.
			return waiting == S::RespDh ? sa_.state_ : S::Dead;
		}
		sa_.ctx_.responderDh++;
		return waiting;
	}
	sa_.ctx_.responderDh++;
	return answerDh(waiting, computeDh(sa_.ctx_.random.keyPair(sa_.choice_->suite.group), gxi_));
}

S Phase1Exchange::answerDh(S waiting, Result<DhWorkDone> done)
{
	return waiting == S::RespDh ? answerMm3(std::move(done)) : answerAm1(std::move(done));
}

bool Phase1Steps::takeDh(Result<DhWorkDone> done, std::string_view message)
{
	if (!done) {
		logWarn(kLog, "peer {}: {}: {}", sa_.path_.peer.str(), message, done.error().message);
		return false;
	}
	gxr_ = std::move(done->ourPublic);
	if (auto r = deriveKeys(std::move(done->sharedSecret)); !r) {
		logWarn(kLog, "peer {}: {}: {}", sa_.path_.peer.str(), message, r.error().message);
		return false;
	}
	return true;
}

void Phase1Steps::authenticationFailed(const Endpoint &from, const std::string &reason)
{
	if (sa_.ctx_.observer)
		sa_.ctx_.observer->authenticationFailed(from.address, reason);
	refused(from, IkeRefusal::Step::Phase1Authentication, reason);
}

void Phase1Steps::refused(const Endpoint &from, IkeRefusal::Step step, const std::string &reason)
{
	if (sa_.ctx_.observer)
		sa_.ctx_.observer->negotiationRefused(
		        IkeRefusal{step, from.address, reason, sa_.peerOffer_, sa_.peerVendorIds_});
}

} // namespace l2tpsec::ike
