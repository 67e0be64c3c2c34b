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
#include "ike/ike_sa.h"
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
		peerDpd_ |= *known == KnownVendorId::Dpd;
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

// ---- signatures ----------------------------------------------------------------

bool IkeSa::signatures() const
{
	return choice_ && isSignatureMethod(choice_->auth);
}

std::vector<IkeAuthMethod> IkeSa::authMethods() const
{
	std::vector<IkeAuthMethod> m;
	if (creds_)
		m.push_back(signatureMethod(creds_->key->kind()));
	if (!psk_.empty())
		m.push_back(IkeAuthMethod::PreSharedKey);
	return m;
}

std::vector<OutPayload> IkeSa::certRequests() const
{
	std::vector<OutPayload> out;
	if (!signatures())
		return out;
	// RFC 2408 §3.10: one per CA we accept; an empty authority asks for any.
	std::vector<std::vector<uint8_t>> cas = creds_->trust->subjects();
	if (cas.empty())
		cas.emplace_back();
	for (std::vector<uint8_t> &dn : cas)
		out.push_back(OutPayload{PayloadType::CertificateRequest,
		                         buildCertificateRequest({CertEncoding::X509Signature, std::move(dn)})});
	return out;
}

std::vector<uint8_t> IkeSa::ourIdBody() const
{
	if (signatures())
		return buildId(creds_->localId);
	return buildId(IdPayload::address(local_.address));
}

Result<std::vector<OutPayload>> IkeSa::authPayloads(bool initiatorHash, Bytes idBody) const
{
	auto hash = authHash(initiatorHash, idBody);
	if (!hash)
		return std::move(hash).error();
	std::vector<OutPayload> out{OutPayload{PayloadType::Identification, bytesOf(idBody)}};
	if (!signatures()) {
		out.push_back(OutPayload{PayloadType::Hash, std::move(*hash)});
		return out;
	}
	for (const crypto::Certificate &c : creds_->chain)
		out.push_back(
		        OutPayload{PayloadType::Certificate, buildCertificate({CertEncoding::X509Signature, c.der()})});
	auto sig = creds_->key->signIke(*hash);
	if (!sig)
		return std::move(sig).error();
	out.push_back(OutPayload{PayloadType::Signature, std::move(*sig)});
	return out;
}

std::optional<IkeSa::AuthFailure> IkeSa::verifyPeerSignature(const std::vector<RawPayload> &payloads, Bytes idBody,
                                                             bool initiatorHash)
{
	using N = NotifyType;
	auto id = parseId(idBody);
	if (!id)
		return AuthFailure{N::InvalidIdInformation, "malformed ID: " + id.error().message};
	std::vector<crypto::Certificate> certs;
	for (const RawPayload *p : findAll(payloads, PayloadType::Certificate)) {
		auto c = parseCertificate(p->body);
		if (!c || c->encoding != CertEncoding::X509Signature)
			continue; // CRLs, PKCS#7 and the like are not ours to use
		auto x = crypto::Certificate::fromDer(c->data);
		if (!x && certs.empty())
			return AuthFailure{N::InvalidCertificate,
			                   "its certificate does not parse: " + x.error().message};
		if (x)
			certs.push_back(std::move(*x));
	}
	if (certs.empty())
		return AuthFailure{N::AuthenticationFailed,
		                   fmt::format("no certificate sent (ID '{}'; we have none of it)", identityText(*id))};
	const crypto::Certificate &leaf = certs.front();
	std::span<const crypto::Certificate> intermediates = std::span(certs).subspan(1);
	if (auto r = creds_->trust->verify(leaf, intermediates, ctx_.config.wallClock()); !r)
		return AuthFailure{N::AuthenticationFailed,
		                   fmt::format("certificate '{}' (issuer '{}') not trusted: {}", leaf.subjectText(),
		                               leaf.issuerText(), r.error().message)};
	crypto::PublicKey key = leaf.publicKey();
	if (!key.kind() || signatureMethod(*key.kind()) != choice_->auth)
		return AuthFailure{N::AuthenticationFailed,
		                   fmt::format("certificate '{}' holds a{} key, not one for {}", leaf.subjectText(),
		                               key.kind() ? "n " + std::string(crypto::signatureKindName(*key.kind()))
		                                          : " unusable",
		                               authMethodName(choice_->auth))};
	if (auto r = idMatchesCertificate(*id, leaf); !r)
		return AuthFailure{N::AuthenticationFailed, r.error().message};
	if (creds_->peerId) {
		if (auto r = idMatchesCertificate(*creds_->peerId, leaf); !r)
			return AuthFailure{N::AuthenticationFailed,
			                   fmt::format("not the expected peer (peer_id '{}'): {}",
			                               identityText(*creds_->peerId), r.error().message)};
	}
	const RawPayload *sig = findPayload(payloads, PayloadType::Signature);
	if (!sig)
		return AuthFailure{N::AuthenticationFailed, "no SIG payload"};
	auto hash = authHash(initiatorHash, idBody);
	if (!hash || !key.verifyIke(*hash, sig->body))
		return AuthFailure{N::InvalidSignature, fmt::format("invalid signature ({} by '{}')",
		                                                    authMethodName(choice_->auth), leaf.subjectText())};
	peerIdText_ = identityText(*id);
	return std::nullopt;
}

void IkeSa::sendAuthFailure(NotifyType notify, bool withDelete)
{
	std::vector<OutPayload> payloads;
	if (auto n =
	            buildNotify(NotifyPayload{Doi::Ipsec, ProtocolId::Isakmp, notify, cookiePairSpi(ckyI_, ckyR_), {}}))
		payloads.push_back(OutPayload{PayloadType::Notification, *n});
	if (withDelete) {
		// The responder thinks the SA is up: the Delete ends it there.
		DeletePayload d{Doi::Ipsec, ProtocolId::Isakmp, {cookiePairSpi(ckyI_, ckyR_)}};
		if (auto body = buildDelete(d))
			payloads.push_back(OutPayload{PayloadType::Delete, *body});
	}
	sendInformational(std::move(payloads));
}

void IkeSa::becomeEstablished(Incoming &in)
{
	transition(S::Established, exchangeTypeName(in.message.header.exchange));
	establishedAt_ = ctx_.now;
	lastHeard_ = ctx_.now;
	nextKeepalive_ = ctx_.now + ctx_.config.natKeepalive;
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
	if (auto seq = random(4))
		dpdSeq_ = (uint32_t((*seq)[0]) << 24 | uint32_t((*seq)[1]) << 16 | uint32_t((*seq)[2]) << 8 |
		           (*seq)[3]) >>
		          1;
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

// ---- initiator ---------------------------------------------------------------

Result<void> IkeSa::start(std::optional<ChildRequest> child, bool aggressive)
{
	aggressive_ = aggressive;
	// Aggressive Mode here is pre-shared keys only.
	creds_ = ctx_.config.certs && !aggressive ? ctx_.config.certs(peer_.address) : nullptr;
	auto psk = ctx_.config.psk ? ctx_.config.psk(peer_.address) : std::nullopt;
	if (psk)
		psk_ = std::move(*psk);
	if (!creds_ && psk_.empty())
		return Error{ENOKEY, (aggressive ? "no pre-shared key (Aggressive Mode needs one) for "
		                                 : "no pre-shared key or certificate for ") +
		                             peer_.address.str()};
	offeredAuths_ = authMethods();
	wantChild_ = child;
	offeredSuites_ = ctx_.config.proposals.ike;
	if (offeredSuites_.empty())
		return Error{EINVAL, "no IKE proposals to offer"};
	if (aggressive) {
		// AM1 carries our KE, so every suite it offers has that one group:
		// the first suite's (the admin's preference).
		crypto::DhGroup group = offeredSuites_.front().group;
		std::erase_if(offeredSuites_, [group](const IkeSuite &s) { return s.group != group; });
	}
	SaPayload offer = phase1Offer(offeredSuites_, ctx_.config.ikeLifetime, offeredAuths_);
	auto body = buildSa(offer);
	if (!body)
		return std::move(body).error();
	saiB_ = *body;
	MessageBuilder b(header(aggressive ? ExchangeType::Aggressive : ExchangeType::IdentityProtection, 0));
	b.add(PayloadType::SecurityAssociation, *body);
	if (aggressive) {
		// AM1 (aggressive_mode.cpp) brings KE, nonce and ID at once.
		L2S_TRY(ourKeyAndNonce(offeredSuites_.front().group));
		b.add(KeyExchangePayload{gxi_}).add(NoncePayload{ni_});
		b.add(PayloadType::Identification, ourIdBody());
	}
	for (OutPayload &v : vendorIds())
		b.add(v.type, std::move(v.body));
	auto datagram = b.build();
	if (!datagram)
		return std::move(datagram).error();
	logInfo(kLog, "peer {}: initiating {} ({})", peerText(), phase1Name(), describePhase1Offer(offer));
	transition(aggressive ? S::InitSentAm : S::InitSentSa, "initiating");
	sendAwaiting(phase1_, std::move(*datagram), fmt::format("{} 1", phase1Name()), {});
	return {};
}

S IkeSa::initiatorMm2(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	if (h.encrypted() || h.messageId != 0 || !sa || h.responderCookie == Cookie{}) {
		logWarn(kLog, "peer {}: malformed Main Mode 2 dropped", in.from.str());
		return state_;
	}
	auto reply = parseSa(sa->body);
	if (!reply) {
		logWarn(kLog, "peer {}: Main Mode 2 dropped: {}", in.from.str(), reply.error().message);
		return state_;
	}
	auto choice = acceptPhase1Reply(*reply, offeredSuites_, ctx_.config.ikeLifetime, offeredAuths_);
	if (!choice) {
		fail(choice.error().message);
		return S::Dead;
	}
	ckyR_ = h.responderCookie;
	choice_ = std::move(*choice);
	readVendorIds(in.payloads);
	logInfo(kLog, "peer {}: Main Mode 2 chose {}{}; vendor ids: {}", peerText(), suiteName(choice_->suite),
	        authSuffix(choice_->auth), peerVendorIds_);
	if (auto r = ourKeyAndNonce(choice_->suite.group); !r) {
		fail("key generation failed: " + r.error().message);
		return S::Dead;
	}
	MessageBuilder b(header(ExchangeType::IdentityProtection, 0));
	b.add(KeyExchangePayload{gxi_}).add(NoncePayload{ni_});
	for (OutPayload &p : natDPayloads())
		b.add(p.type, std::move(p.body));
	for (OutPayload &p : certRequests())
		b.add(p.type, std::move(p.body));
	auto datagram = b.build();
	if (!datagram) {
		fail(datagram.error().message);
		return S::Dead;
	}
	sendAwaiting(phase1_, std::move(*datagram), "Main Mode 3", in.digest);
	return S::InitSentKe;
}

S IkeSa::initiatorMm4(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *nr = findPayload(in.payloads, PayloadType::Nonce);
	if (h.encrypted() || h.messageId != 0 || !ke || !validNonce(nr) ||
	    ke->body.size() != crypto::dhPublicValueLength(choice_->suite.group)) {
		logWarn(kLog, "peer {}: malformed Main Mode 4 dropped", in.from.str());
		return state_;
	}
	gxr_ = bytesOf(ke->body);
	nr_ = bytesOf(nr->body);
	if (auto r = keyExchange(gxr_); !r) {
		fail("Main Mode 4: " + r.error().message);
		return S::Dead;
	}
	detectNat(in.payloads, local_, in.from);
	if (natMethod_ != NatTMethod::None && (natLocal_ || natPeer_))
		floatToNatT();

	std::vector<uint8_t> idBody = ourIdBody();
	auto auth = authPayloads(true, idBody);
	if (!auth) {
		fail(auth.error().message);
		return S::Dead;
	}
	std::vector<OutPayload> payloads = std::move(*auth);
	if (sendInitialContact_) {
		if (auto n = buildNotify(NotifyPayload::initialContact(ckyI_, ckyR_)))
			payloads.push_back(OutPayload{PayloadType::Notification, *n});
	}
	auto sealed = sealMessage(cipher_, header(ExchangeType::IdentityProtection, 0), payloads, iv_);
	if (!sealed) {
		fail(sealed.error().message);
		return S::Dead;
	}
	iv_ = sealed->lastBlock;
	// A responder that refuses our signature says so in an Informational
	// whose IV starts from MM5's last block (onPlainInformational).
	lastPhase1Block_ = sealed->lastBlock;
	sendAwaiting(phase1_, std::move(sealed->datagram), "Main Mode 5", in.digest);
	return S::InitSentAuth;
}

S IkeSa::initiatorMm6(Incoming &in)
{
	if (!in.message.header.encrypted() || in.message.header.messageId != 0) {
		logWarn(kLog, "peer {}: cleartext Main Mode 6 dropped", in.from.str());
		return state_;
	}
	auto opened = openPhase1(in.message);
	const RawPayload *id = opened ? findPayload(opened->payloads, PayloadType::Identification) : nullptr;
	if (signatures() && id) {
		// It decrypted, so it is the responder's: what it proves is final.
		if (auto bad = verifyPeerSignature(opened->payloads, id->body, false)) {
			lastPhase1Block_ = opened->lastBlock;
			iv_ = opened->lastBlock;
			sendAuthFailure(bad->notify, true);
			fail("authentication of the responder failed: " + bad->reason);
			return S::Dead;
		}
	}
	bool verified = signatures() ? id != nullptr : id && peerHashVerifies(opened->payloads, id->body, false);
	if (!verified) {
		// The responder checked HASH_I with its key first, so with two keys
		// this is never reached: it is a damaged or forged MM6. Wait for the
		// answer to MM5's retransmission, IV unchanged.
		logWarn(kLog, "peer {}: Main Mode 6 does not verify (HASH_R); dropped", in.from.str());
		return state_;
	}
	iv_ = opened->lastBlock;
	lastPhase1Block_ = opened->lastBlock;
	peerIdB_ = bytesOf(id->body);
	followPeer(in);
	establishedAsInitiator(in);
	return S::Established;
}

// ---- responder -------------------------------------------------------------

bool IkeSa::chooseOffer(Incoming &in, const RawPayload &sa, std::string_view mode, const IpAddress &keyFor,
                        std::span<const IkeSuite> ours, bool pskOnly)
{
	auto offer = parseSa(sa.body);
	if (!offer) {
		logWarn(kLog, "peer {}: {} 1 dropped: {}", in.from.str(), mode, offer.error().message);
		sendPlainNotify(offer.error().code == kErrUnsupported ? NotifyType::DoiNotSupported
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
		sendPlainNotify(NotifyType::NoProposalChosen);
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

S IkeSa::respondMm1(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *sa = findPayload(in.payloads, PayloadType::SecurityAssociation);
	if (h.encrypted() || h.messageId != 0 || !sa ||
	    countPayloads(in.payloads, PayloadType::SecurityAssociation) != 1) {
		logWarn(kLog, "peer {}: malformed Main Mode 1 dropped", in.from.str());
		return S::Dead;
	}
	if (!chooseOffer(in, *sa, "Main Mode", in.from.address, ctx_.config.proposals.ike, false))
		return S::Dead;
	MessageBuilder b(header(ExchangeType::IdentityProtection, 0));
	b.add(choice_->reply);
	for (OutPayload &v : vendorIds())
		b.add(v.type, std::move(v.body));
	auto datagram = b.build();
	if (!datagram) {
		logWarn(kLog, "peer {}: Main Mode 2: {}", in.from.str(), datagram.error().message);
		return S::Dead;
	}
	sendAnswer(phase1_, std::move(*datagram), in.digest);
	return S::RespSentSa;
}

S IkeSa::respondMm3(Incoming &in)
{
	const Header &h = in.message.header;
	const RawPayload *ke = findPayload(in.payloads, PayloadType::KeyExchange);
	const RawPayload *ni = findPayload(in.payloads, PayloadType::Nonce);
	if (h.encrypted() || h.messageId != 0 || !ke || !validNonce(ni) ||
	    ke->body.size() != crypto::dhPublicValueLength(choice_->suite.group)) {
		logWarn(kLog, "peer {}: malformed Main Mode 3 dropped", in.from.str());
		return state_;
	}
	auto nr = random(kNonceLen);
	if (!nr) {
		logError(kLog, "peer {}: key generation failed", in.from.str());
		return S::Dead;
	}
	gxi_ = bytesOf(ke->body);
	ni_ = bytesOf(ni->body);
	nr_ = std::move(*nr);
	detectNat(in.payloads, in.local, in.from);
	// The NAT-D hashes name the peer as it reached us and us as it addressed us.
	local_ = in.local;
	peer_ = in.from;
	return startResponderDh(in, "Main Mode 3", S::RespDh);
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

S IkeSa::answerMm3(Result<DhWorkDone> done)
{
	if (!takeDh(std::move(done), "Main Mode 3"))
		return S::Dead;
	MessageBuilder b(header(ExchangeType::IdentityProtection, 0));
	b.add(KeyExchangePayload{gxr_}).add(NoncePayload{nr_});
	for (OutPayload &p : natDPayloads())
		b.add(p.type, std::move(p.body));
	for (OutPayload &p : certRequests())
		b.add(p.type, std::move(p.body));
	auto datagram = b.build();
	if (!datagram)
		return S::Dead;
	sendAnswer(phase1_, std::move(*datagram), dhRequestDigest_);
	dhRequestDigest_.clear();
	return S::RespSentKe;
}

void IkeSa::authenticationFailed(const Endpoint &from, const std::string &reason)
{
	if (ctx_.observer)
		ctx_.observer->authenticationFailed(from.address, reason);
}

S IkeSa::respondMm5(Incoming &in)
{
	if (!in.message.header.encrypted() || in.message.header.messageId != 0) {
		logWarn(kLog, "peer {}: cleartext Main Mode 5 dropped", in.from.str());
		return state_;
	}
	auto opened = openPhase1(in.message);
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
			lastPhase1Block_ = opened->lastBlock;
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
	iv_ = opened->lastBlock;
	peerIdB_ = bytesOf(id->body);
	readInitialContact(opened->payloads);
	followPeer(in);

	std::vector<uint8_t> idBody = ourIdBody();
	auto payloads = authPayloads(false, idBody);
	if (!payloads) {
		logWarn(kLog, "peer {}: Main Mode 6: {}", in.from.str(), payloads.error().message);
		return S::Dead;
	}
	auto sealed = sealMessage(cipher_, header(ExchangeType::IdentityProtection, 0), *payloads, iv_);
	if (!sealed)
		return S::Dead;
	iv_ = sealed->lastBlock;
	lastPhase1Block_ = sealed->lastBlock;
	sendAnswer(phase1_, std::move(sealed->datagram), in.digest);
	becomeEstablished(in);
	return S::Established;
}

} // namespace l2tpsec::ike
