// Phase-1 authentication by signatures (RFC 2409 §5.1; RSA, or ECDSA by
// RFC 4754's numbers), for Main Mode: what we offer and accept, CERTREQ,
// our ID with CERT(s) and SIG or HASH, the peer's certificate chain, ID and
// SIG checked (cert_auth.h), and the notify that says why not.
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

namespace l2tpsec::ike {

// ---- signatures ----------------------------------------------------------------

bool Phase1Crypto::signatures() const
{
	return sa_.choice_ && isSignatureMethod(sa_.choice_->auth);
}

std::vector<IkeAuthMethod> Phase1Crypto::authMethods() const
{
	std::vector<IkeAuthMethod> m;
	if (creds_)
		m.push_back(signatureMethod(creds_->key->kind()));
	if (!psk_.empty())
		m.push_back(IkeAuthMethod::PreSharedKey);
	return m;
}

std::vector<OutPayload> Phase1Crypto::certRequests() const
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

std::vector<uint8_t> Phase1Crypto::ourIdBody() const
{
	if (signatures())
		return buildId(creds_->localId);
	return buildId(IdPayload::address(sa_.path_.local.address));
}

Result<std::vector<OutPayload>> Phase1Crypto::authPayloads(bool initiatorHash, Bytes idBody) const
{
	L2S_TRY_ASSIGN(auto hash, authHash(initiatorHash, idBody));
	std::vector<OutPayload> out{OutPayload{PayloadType::Identification, bytesOf(idBody)}};
	if (!signatures()) {
		out.push_back(OutPayload{PayloadType::Hash, std::move(hash)});
		return out;
	}
	for (const crypto::Certificate &c : creds_->chain)
		out.push_back(
		        OutPayload{PayloadType::Certificate, buildCertificate({CertEncoding::X509Signature, c.der()})});
	L2S_TRY_ASSIGN(auto sig, creds_->key->signIke(hash));
	out.push_back(OutPayload{PayloadType::Signature, std::move(sig)});
	return out;
}

std::optional<Phase1Crypto::AuthFailure> Phase1Crypto::verifyPeerSignature(const std::vector<RawPayload> &payloads,
                                                                           Bytes idBody, bool initiatorHash)
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
	if (auto r = creds_->trust->verify(leaf, intermediates, sa_.ctx_.config.wallClock()); !r)
		return AuthFailure{N::AuthenticationFailed,
		                   fmt::format("certificate '{}' (issuer '{}') not trusted: {}", leaf.subjectText(),
		                               leaf.issuerText(), r.error().message)};
	crypto::PublicKey key = leaf.publicKey();
	if (!key.kind() || signatureMethod(*key.kind()) != sa_.choice_->auth)
		return AuthFailure{N::AuthenticationFailed,
		                   fmt::format("certificate '{}' holds a{} key, not one for {}", leaf.subjectText(),
		                               key.kind() ? "n " + std::string(crypto::signatureKindName(*key.kind()))
		                                          : " unusable",
		                               authMethodName(sa_.choice_->auth))};
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
		return AuthFailure{N::InvalidSignature,
		                   fmt::format("invalid signature ({} by '{}')", authMethodName(sa_.choice_->auth),
		                               leaf.subjectText())};
	sa_.peerIdText_ = identityText(*id);
	sa_.peerCert_ = peerCertificateOf(leaf);
	return std::nullopt;
}

void Phase1Crypto::sendAuthFailure(NotifyType notify, bool withDelete)
{
	std::vector<OutPayload> payloads;
	if (auto n = buildNotify(NotifyPayload{
	            Doi::Ipsec, ProtocolId::Isakmp, notify, cookiePairSpi(sa_.who_.ckyI, sa_.who_.ckyR), {}}))
		payloads.push_back(OutPayload{PayloadType::Notification, *n});
	if (withDelete) {
		// The responder thinks the SA is up: the Delete ends it there.
		DeletePayload d{Doi::Ipsec, ProtocolId::Isakmp, {cookiePairSpi(sa_.who_.ckyI, sa_.who_.ckyR)}};
		if (auto body = buildDelete(d))
			payloads.push_back(OutPayload{PayloadType::Delete, *body});
	}
	sa_.informational_->send(std::move(payloads));
}

} // namespace l2tpsec::ike
