#pragma once
// Phase1Exchange: the negotiation that makes an ISAKMP SA, Main Mode
// (RFC 2409 §5.4, main_mode.cpp) or Aggressive Mode with a pre-shared key
// (aggressive_mode.cpp), in either role, on the pieces both share
// (phase1.cpp; signatures in phase1_auth.cpp).
//
// One class for both modes rather than a Main/Aggressive pair: a responder
// learns the mode only from the first message, the two share all of their
// state (the offer, DH, nonces, the key or credentials, SAi_b) and most of
// their steps, and differ only in which handlers kRules (ike_sa.cpp) picks.
//
// The IkeSa owns it from its creation until phase 1 ends: what only the
// negotiation needs lives here, and goes with it (memory per SA at 10,000s
// of peers), while the SA keeps what an established ISAKMP SA needs: the
// cookies, the choice, the keys and IV, the endpoints and NAT state. The
// exchange works on that SA (a friend): its keys, endpoints, sending and
// state changes.
//
// Three layers, each one object's part, so that none is a 45-method class:
// Phase1Crypto holds the negotiation's state and computes with it (DH,
// SKEYID and keys, HASH_I/HASH_R, signatures: phase1.cpp, phase1_auth.cpp);
// Phase1Steps are the steps both modes take (offer and choice, vendor ids,
// NAT-D, sealing MM5/AM3, becoming established: phase1.cpp); Phase1Exchange
// is the messages of either mode in either role (main_mode.cpp,
// aggressive_mode.cpp), what IkeSa calls.

#include "crypto/dh.h"
#include "crypto/secret_bytes.h"
#include "ike/ike_sa.h"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::ike {

/// The negotiation's state and what is computed from it.
class Phase1Crypto {
public:
	explicit Phase1Crypto(IkeSa &sa) : sa_(sa) {}
	Phase1Crypto(const Phase1Crypto &) = delete;
	Phase1Crypto &operator=(const Phase1Crypto &) = delete;
	/// Whether the chosen method is a signature one (RFC 2409 §5.1).
	bool signatures() const;
	/// The SA closed: the key and our DH private value go at once.
	void forgetSecrets();

protected:
	~Phase1Crypto() = default;
	// phase1.cpp
	/// Our DH key pair and nonce (the initiator's; a responder's DH runs
	/// in startResponderDh()).
	Result<void> ourKeyAndNonce(crypto::DhGroup group);
	/// g^xy with our dh_, then deriveKeys().
	Result<void> keyExchange(Bytes peerKe);
	/// SKEYID and its keys, the phase-1 cipher and IV (RFC 2409 §5, Appendix B).
	Result<void> deriveKeys(crypto::SecretBytes gxy);
	Result<std::vector<uint8_t>> authHash(bool initiatorHash, Bytes idBody) const;
	/// The peer's HASH_I / HASH_R over its ID (idBody) against ours.
	bool peerHashVerifies(const std::vector<RawPayload> &payloads, Bytes idBody, bool initiatorHash) const;

	// Signatures (RFC 2409 §5.1, phase1_auth.cpp)
	/// The methods we can offer or accept with this peer (credentials and key).
	std::vector<IkeAuthMethod> authMethods() const;
	/// CERTREQ payloads for MM3/MM4 naming our CAs.
	std::vector<OutPayload> certRequests() const;
	/// Our ID; then CERT(s) and SIG, or HASH, for MM5/MM6.
	std::vector<uint8_t> ourIdBody() const;
	Result<std::vector<OutPayload>> authPayloads(bool initiatorHash, Bytes idBody) const;
	struct AuthFailure {
		NotifyType notify;
		std::string reason;
	};
	/// Checks the peer's ID, certificate (chain, validity, ID match,
	/// expected identity) and SIG; sets the SA's peerIdText_ on success.
	std::optional<AuthFailure> verifyPeerSignature(const std::vector<RawPayload> &payloads, Bytes idBody,
	                                               bool initiatorHash);
	/// Tells the peer why, under the phase-1 keys: N(notify) [, D(ISAKMP SA)].
	void sendAuthFailure(NotifyType notify, bool withDelete);

	IkeSa &sa_;
	std::vector<uint8_t> saiB_; ///< the initiator's SA payload body (RFC 2409 §5: SAi_b)
	std::optional<crypto::DhKeyPair> dh_;
	std::vector<uint8_t> gxi_, gxr_, ni_, nr_;
	crypto::SecretBytes psk_;
	std::shared_ptr<const CertCredentials> creds_; ///< ours for this peer, if any
	crypto::SecretBytes gxy_;
};

/// The steps Main Mode and Aggressive Mode share (phase1.cpp).
class Phase1Steps : public Phase1Crypto {
public:
	using Phase1Crypto::Phase1Crypto;

protected:
	~Phase1Steps() = default;
	/// Responder: the initiator's SA payload parsed, our key or credentials
	/// for the peer (keyFor) and the choice; false when refused (logged,
	/// and the peer told when it helps).
	bool chooseOffer(Incoming &in, const RawPayload &sa, std::string_view mode, const IpAddress &keyFor,
	                 std::span<const IkeSuite> ours, bool pskOnly);
	/// Initiator: the responder's choice in its SA payload (MM2, AM2:
	/// `message`); nullopt when dropped (logged) or refused (failed: dead).
	std::optional<Phase1Choice> acceptReply(const Incoming &in, const RawPayload &sa, std::string_view message);
	/// Initiator: the responder's cookie, its choice and vendor ids taken (logged).
	void adoptReply(const Incoming &in, Phase1Choice choice, std::string_view message);
	/// Initiator: NAT-D of MM4 or AM2; to 4500 when there is a NAT.
	void detectNatAndFloat(const Incoming &in);
	/// Initiator: MM5 or AM3, with INITIAL-CONTACT when asked for, sealed
	/// under the phase-1 keys; the CBC chain goes on from it.
	Result<std::vector<uint8_t>> sealInitiatorAuth(ExchangeType exchange, std::vector<OutPayload> payloads);
	/// Responder: the initiator's KE and nonce (MM3, AM1) and our nonce;
	/// false (logged) when no nonce could be made.
	bool takeInitiatorKe(const Incoming &in, const RawPayload &ke, const RawPayload &ni);
	/// Our public value and the keys from a DH answer; false (logged,
	/// naming `message`) when it failed.
	bool takeDh(Result<DhWorkDone> done, std::string_view message);
	void readInitialContact(const std::vector<RawPayload> &payloads);
	/// Initiator: established; the Quick Mode asked for starts.
	void establishedAsInitiator(Incoming &in);
	std::vector<OutPayload> vendorIds() const;
	void readVendorIds(const std::vector<RawPayload> &payloads);
	void detectNat(const std::vector<RawPayload> &payloads, const Endpoint &local, const Endpoint &from);
	std::vector<OutPayload> natDPayloads() const;
	/// Responder, after detectNat() on Main Mode 3: when a Microsoft peer
	/// finds us behind a NAT, conceal it ([ike] conceal_server_nat) or
	/// warn that Windows will refuse us.
	void answerMicrosoftServerNat(const std::vector<RawPayload> &payloads, const Endpoint &from);
	void floatToNatT();
	void becomeEstablished(Incoming &in);
	/// Responder: the peer failed to authenticate; the observer counts it.
	void authenticationFailed(const Endpoint &from, const std::string &reason);
	/// Responder: the observer's negotiationRefused(), with the peer's offer.
	void refused(const Endpoint &from, IkeRefusal::Step step, const std::string &reason);

	std::optional<ChildRequest> wantChild_;
	std::vector<IkeAuthMethod> offeredAuths_; ///< initiator
	std::vector<IkeSuite> offeredSuites_;     ///< initiator: the suites MM1/AM1 offered
	/// Responder: the MM3 or AM1 that the answer after the DH answers
	/// (RespDh, RespAmDh).
	std::vector<uint8_t> dhRequestDigest_;
	std::optional<KnownVendorId> natVendorId_; ///< the NAT-T vendor id we answer with
	bool microsoftPeer_ = false;               ///< its phase-1 vendor ids include MS NT5 ISAKMPOAKLEY
	/// Responder: the NAT-D we send for our own address when concealing our
	/// NAT from a Microsoft peer (the peer's own hash of where it sent).
	std::optional<std::vector<uint8_t>> concealedNatD_;
};

/// The messages of Main Mode or Aggressive Mode, in either role.
class Phase1Exchange final : public Phase1Steps {
public:
	using Phase1Steps::Phase1Steps;

	/// Initiator: sends Main Mode 1 (or Aggressive Mode 1); the flow to ask
	/// for once established.
	Result<void> start(std::optional<ChildRequest> child, bool aggressive);

	// The handlers kRules (ike_sa.cpp) names: the next state, S::Dead when
	// the negotiation failed.
	// main_mode.cpp (RFC 2409 §5.4)
	Phase1State respondMm1(Incoming &in);
	Phase1State initiatorMm2(Incoming &in);
	Phase1State respondMm3(Incoming &in);
	Phase1State initiatorMm4(Incoming &in);
	Phase1State respondMm5(Incoming &in);
	Phase1State initiatorMm6(Incoming &in);
	// aggressive_mode.cpp (RFC 2409 §5.4, Aggressive Mode with a pre-shared key)
	Phase1State respondAm1(Incoming &in);
	Phase1State initiatorAm2(Incoming &in);
	Phase1State respondAm3(Incoming &in);

	/// The answer of the request that waits in `waiting` (RespDh: Main Mode
	/// 3, RespAmDh: Aggressive Mode 1), once g^xy is known.
	Phase1State answerDh(Phase1State waiting, Result<DhWorkDone> done);

private:
	/// Responder, gxi_ known: g^xy on the DhOffload (the SA waits in
	/// `waiting`, RespDh or RespAmDh) or, without one, here and answered at
	/// once. `message` names the request for the log.
	Phase1State startResponderDh(const Incoming &in, std::string_view message, Phase1State waiting);
	/// Main Mode 3's and Aggressive Mode 1's answers once g^xy is known
	/// (here or on a DhOffload).
	Phase1State answerMm3(Result<DhWorkDone> done);
	Phase1State answerAm1(Result<DhWorkDone> done);
};

} // namespace l2tpsec::ike
