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
#include "ike/ike_sa.h"
#include "ike/informational.h"
#include "ike/nat_detection.h"
#include "ike/payload_find.h"

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

std::vector<OutPayload> IkeSa::vendorIds() const
{
	std::vector<KnownVendorId> ids;
	if (initiator_) {
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

void IkeSa::readVendorIds(const std::vector<RawPayload> &payloads)
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
			informational_->peerSpeaksDpd();
	}
	peerVendorIds_ = names.empty() ? "none" : names;
	natMethod_ = rfc                                ? NatTMethod::Rfc3947
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

std::vector<OutPayload> IkeSa::natDPayloads() const
{
	if (natMethod_ == NatTMethod::None)
		return {};
	PayloadType type = natMethod_ == NatTMethod::Rfc3947 ? PayloadType::NatD : PayloadType::NatDDraft;
	// RFC 3947 §3.2: first the peer's address as we send to it, then ours.
	return {OutPayload{type, natDetectionHash(prf(), ckyI_, ckyR_, peer_.address, peer_.port)},
	        OutPayload{type, natDetectionHash(prf(), ckyI_, ckyR_, local_.address, local_.port)}};
}

void IkeSa::detectNat(const std::vector<RawPayload> &payloads, const Endpoint &local, const Endpoint &from)
{
	if (natMethod_ == NatTMethod::None)
		return;
	auto natd = findAll(payloads, PayloadType::NatD, PayloadType::NatDDraft);
	if (natd.size() < 2) {
		logDebug(kLog, "peer {}: NAT-T negotiated but {} NAT-D payloads", from.str(), natd.size());
		return;
	}
	// The first names us as the peer addressed us; the rest name the peer.
	auto ours = natDetectionHash(prf(), ckyI_, ckyR_, local.address, local.port);
	natLocal_ = !crypto::constantTimeEqual(natd[0]->body, ours);
	auto theirs = natDetectionHash(prf(), ckyI_, ckyR_, from.address, from.port);
	natPeer_ = true;
	for (size_t i = 1; i < natd.size(); i++)
		if (crypto::constantTimeEqual(natd[i]->body, theirs))
			natPeer_ = false;
	if (natLocal_ || natPeer_)
		logInfo(kLog, "peer {}: NAT detected ({}{}{})", from.str(), natLocal_ ? "we are behind one" : "",
		        natLocal_ && natPeer_ ? ", " : "", natPeer_ ? "the peer is behind one" : "");
}

void IkeSa::startOnNatT()
{
	socket_ = IkeSocket::NatT;
}

void IkeSa::floatToNatT()
{
	if (socket_ == IkeSocket::NatT)
		return; // started there (startOnNatT): the peer's NAT port stays
	socket_ = IkeSocket::NatT;
	local_.port = ctx_.config.natTPort;
	peer_.port = ctx_.config.natTPort;
	logInfo(kLog, "peer {}: floating to UDP {} (RFC 3947 §4)", peer_.address.str(), ctx_.config.natTPort);
}

// ---- keys ------------------------------------------------------------------

Result<void> IkeSa::keyExchange(Bytes peerKe)
{
	auto gxy = dh_->sharedSecret(peerKe);
	dh_.reset();
	if (!gxy)
		return std::move(gxy).error();
	return deriveKeys(std::move(*gxy));
}

Result<void> IkeSa::deriveKeys(crypto::SecretBytes gxy)
{
	gxy_ = std::move(gxy);
	auto skeyid = signatures() ? skeyidSignature(prf(), ni_, nr_, gxy_) : skeyidPreSharedKey(prf(), psk_, ni_, nr_);
	if (!skeyid)
		return std::move(skeyid).error();
	auto keys = derivePhase1Keys(prf(), std::move(*skeyid), gxy_, ckyI_, ckyR_);
	if (!keys)
		return std::move(keys).error();
	keys_ = std::move(*keys);
	auto key = phase1EncryptionKey(prf(), keys_->skeyidE, choice_->suite.cipher);
	if (!key)
		return std::move(key).error();
	cipher_ = IsakmpCipher{choice_->suite.cipher, std::move(*key)};
	iv_ = phase1Iv(prf(), choice_->suite.cipher, gxi_, gxr_);
	return {};
}

Result<void> IkeSa::ourKeyAndNonce(crypto::DhGroup group)
{
	auto dh = ctx_.random.keyPair(group);
	if (!dh)
		return std::move(dh).error();
	auto nonce = random(kNonceLen);
	if (!nonce)
		return std::move(nonce).error();
	dh_ = std::move(*dh);
	(initiator_ ? gxi_ : gxr_) = dh_->publicValue();
	(initiator_ ? ni_ : nr_) = std::move(*nonce);
	return {};
}

bool IkeSa::peerHashVerifies(const std::vector<RawPayload> &payloads, Bytes idBody, bool initiatorHash) const
{
	const RawPayload *hash = findPayload(payloads, PayloadType::Hash);
	auto expect = authHash(initiatorHash, idBody);
	return hash && expect && crypto::constantTimeEqual(hash->body, *expect);
}

Result<std::vector<uint8_t>> IkeSa::authHash(bool initiatorHash, Bytes idBody) const
{
	// With ECDSA, HASH_I and HASH_R take the HMAC of the method's SHA-2
	// (keyed with SKEYID as ever), whatever PRF the suite negotiated: what
	// strongSwan's keymat_v1 does (its prf_auth), so what its peers expect.
	crypto::HashAlgorithm alg = prf();
	if (choice_->auth == IkeAuthMethod::EcdsaSha256P256)
		alg = crypto::HashAlgorithm::Sha256;
	else if (choice_->auth == IkeAuthMethod::EcdsaSha384P384)
		alg = crypto::HashAlgorithm::Sha384;
	else if (choice_->auth == IkeAuthMethod::EcdsaSha512P521)
		alg = crypto::HashAlgorithm::Sha512;
	if (initiatorHash)
		return mainModeHashI(alg, keys_->skeyid, gxi_, gxr_, ckyI_, ckyR_, saiB_, idBody);
	return mainModeHashR(alg, keys_->skeyid, gxi_, gxr_, ckyI_, ckyR_, saiB_, idBody);
}

void IkeSa::becomeEstablished(Incoming &in)
{
	transition(S::Established, exchangeTypeName(in.message.header.exchange));
	establishedAt_ = ctx_.now;
	phase1_.retransmitAt.reset();
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
	if (auto seq = random(4))
		dpdSeq = (uint32_t((*seq)[0]) << 24 | uint32_t((*seq)[1]) << 16 | uint32_t((*seq)[2]) << 8 |
		          (*seq)[3]) >>
		         1;
	informational_->start(dpdSeq);
	IkeSaInfo i = info();
	logInfo(kLog, "peer {}: ISAKMP SA {} established ({}, {} s; NAT: {}; DPD: {}; peer id {})", peerText(), id_,
	        i.suite, i.lifetime.count(),
	        natLocal_ || natPeer_ ? (natLocal_ ? (natPeer_ ? "both" : "local") : "peer") : "none",
	        i.dpd ? "yes" : "no", i.peerId);
	if (aggressive_)
		logWarn(kLog,
		        "peer {}: ISAKMP SA {} is an Aggressive Mode SA with a pre-shared key: the key's hash went "
		        "out in the clear and can be guessed at offline; prefer Main Mode",
		        peerText(), id_);
	if (ctx_.observer)
		ctx_.observer->ikeSaUp(i);
}

void IkeSa::establishedAsInitiator(Incoming &in)
{
	becomeEstablished(in);
	if (wantChild_) {
		if (auto r = startQuickMode(*wantChild_); !r) {
			logError(kLog, "peer {}: Quick Mode not started: {}", peerText(), r.error().message);
			if (ctx_.observer)
				ctx_.observer->childSaFailed(id_, r.error().message);
		}
		wantChild_.reset();
	}
}

void IkeSa::readInitialContact(const std::vector<RawPayload> &payloads)
{
	for (const RawPayload *p : findAll(payloads, PayloadType::Notification)) {
		auto n = parseNotify(p->body);
		if (n && n->type == NotifyType::InitialContact)
			initialContact_ = true;
	}
}

std::optional<Phase1Choice> IkeSa::acceptReply(const Incoming &in, const RawPayload &sa, std::string_view message)
{
	auto reply = parseSa(sa.body);
	if (!reply) {
		logWarn(kLog, "peer {}: {} dropped: {}", in.from.str(), message, reply.error().message);
		return std::nullopt;
	}
	auto choice = acceptPhase1Reply(*reply, offeredSuites_, ctx_.config.ikeLifetime, offeredAuths_);
	if (!choice) {
		fail(choice.error().message);
		return std::nullopt;
	}
	return std::move(*choice);
}

void IkeSa::adoptReply(const Incoming &in, Phase1Choice choice, std::string_view message)
{
	ckyR_ = in.message.header.responderCookie;
	choice_ = std::move(choice);
	readVendorIds(in.payloads);
	logInfo(kLog, "peer {}: {} chose {}{}; vendor ids: {}", peerText(), message, suiteName(choice_->suite),
	        authSuffix(choice_->auth), peerVendorIds_);
}

void IkeSa::detectNatAndFloat(const Incoming &in)
{
	detectNat(in.payloads, local_, in.from);
	if (natMethod_ != NatTMethod::None && (natLocal_ || natPeer_))
		floatToNatT();
}

Result<std::vector<uint8_t>> IkeSa::sealInitiatorAuth(ExchangeType exchange, std::vector<OutPayload> payloads)
{
	if (sendInitialContact_) {
		if (auto n = buildNotify(NotifyPayload::initialContact(ckyI_, ckyR_)))
			payloads.push_back(OutPayload{PayloadType::Notification, *n});
	}
	auto sealed = sealMessage(cipher_, header(exchange, 0), payloads, iv_);
	if (!sealed)
		return std::move(sealed).error();
	iv_ = sealed->lastBlock;
	lastPhase1Block_ = sealed->lastBlock;
	return std::move(sealed->datagram);
}

bool IkeSa::takeInitiatorKe(const Incoming &in, const RawPayload &ke, const RawPayload &ni)
{
	auto nr = random(kNonceLen);
	if (!nr) {
		logError(kLog, "peer {}: key generation failed", in.from.str());
		return false;
	}
	gxi_ = bytesOf(ke.body);
	ni_ = bytesOf(ni.body);
	nr_ = std::move(*nr);
	return true;
}

bool IkeSa::chooseOffer(Incoming &in, const RawPayload &sa, std::string_view mode, const IpAddress &keyFor,
                        std::span<const IkeSuite> ours, bool pskOnly)
{
	auto offer = parseSa(sa.body);
	if (!offer) {
		logWarn(kLog, "peer {}: {} 1 dropped: {}", in.from.str(), mode, offer.error().message);
		informational_->sendPlainNotify(offer.error().code == kErrUnsupported ? NotifyType::DoiNotSupported
		                                                                      : NotifyType::PayloadMalformed);
		return false;
	}
	readVendorIds(in.payloads);
	logInfo(kLog, "peer {}: {} offer: {}; vendor ids: {}", in.from.str(), mode, describePhase1Offer(*offer),
	        peerVendorIds_);
	auto psk = ctx_.config.psk ? ctx_.config.psk(keyFor) : std::nullopt;
	if (psk)
		psk_ = std::move(*psk);
	creds_ = ctx_.config.certs && !pskOnly ? ctx_.config.certs(keyFor) : nullptr;
	if (psk_.empty() && !creds_) {
		logWarn(kLog, "peer {}: no pre-shared key{} for this peer; {} refused", in.from.str(),
		        pskOnly ? "" : " or certificate", mode);
		return false;
	}
	std::vector<IkeAuthMethod> auths = authMethods();
	auto choice = choosePhase1(*offer, ours, ctx_.config.ikeLifetime, auths);
	if (!choice) {
		logWarn(kLog, "peer {}: no proposal chosen ({}); we accept {}", in.from.str(), mode,
		        describePhase1Offer(phase1Offer(ctx_.config.proposals.ike, ctx_.config.ikeLifetime, auths)));
		informational_->sendPlainNotify(NotifyType::NoProposalChosen);
		return false;
	}
	choice_ = std::move(*choice);
	// What the choice does not use goes now.
	if (signatures())
		crypto::SecretBytes().swap(psk_);
	else
		creds_.reset();
	saiB_ = bytesOf(sa.body);
	logInfo(kLog, "peer {}: chose {}{} ({} s)", in.from.str(), suiteName(choice_->suite), authSuffix(choice_->auth),
	        choice_->lifetime.count());
	return true;
}

S IkeSa::startResponderDh(const Incoming &in, std::string_view message, S waiting)
{
	// An exchange the source began before its block does not get its DH either.
	if (ctx_.config.blocked && ctx_.config.blocked(in.from.address)) {
		ctx_.refusedBlocked++;
		logDebug(kLog, "peer {}: {} dropped: the source is blocked (failed authentications)", in.from.str(),
		         message);
		return S::Dead;
	}
	dhRequestDigest_ = in.digest;
	if (ctx_.dhOffload) {
		if (!ctx_.dhOffload->submit(DhWork{id_, choice_->suite.group, gxi_})) {
			logWarn(kLog, "peer {}: {} dropped: the DH workers are busy", in.from.str(), message);
			// Main Mode 3 waits in its state for the retransmission; a
			// first Aggressive Mode 1 has no state to wait in.
			return waiting == S::RespDh ? state_ : S::Dead;
		}
		ctx_.responderDh++;
		return waiting;
	}
	ctx_.responderDh++;
	return answerDh(waiting, computeDh(ctx_.random.keyPair(choice_->suite.group), gxi_));
}

void IkeSa::completeDh(Result<DhWorkDone> done)
{
	if (state_ != S::RespDh && state_ != S::RespAmDh)
		return;
	S next = answerDh(state_, std::move(done));
	if (next == S::Dead)
		close("the negotiation failed", false);
	else
		transition(next, "the DH answer");
}

S IkeSa::answerDh(S waiting, Result<DhWorkDone> done)
{
	return waiting == S::RespDh ? answerMm3(std::move(done)) : answerAm1(std::move(done));
}

bool IkeSa::takeDh(Result<DhWorkDone> done, std::string_view message)
{
	if (!done) {
		logWarn(kLog, "peer {}: {}: {}", peer_.str(), message, done.error().message);
		return false;
	}
	gxr_ = std::move(done->ourPublic);
	if (auto r = deriveKeys(std::move(done->sharedSecret)); !r) {
		logWarn(kLog, "peer {}: {}: {}", peer_.str(), message, r.error().message);
		return false;
	}
	return true;
}

void IkeSa::authenticationFailed(const Endpoint &from, const std::string &reason)
{
	if (ctx_.observer)
		ctx_.observer->authenticationFailed(from.address, reason);
}

} // namespace l2tpsec::ike
