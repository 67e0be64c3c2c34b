#pragma once
// IkeSa: one ISAKMP SA (RFC 2408) with its exchanges: while phase 1 runs,
// its Phase1Exchange (phase1_exchange.h: Main Mode or Aggressive Mode in
// either role, RFC 2409 §5.4), dropped once phase 1 is over; the Quick
// Modes under it (§5.5, the exchange objects of quick_mode.h); its
// Informational exchanges with Delete, DPD (RFC 3706) and INITIAL-CONTACT
// (informational.h); NAT-T (RFC 3947) and the SA pairs it installed
// (child_sa.h). Internal to src/ike/: the daemon sees ike_engine.h.
//
// The engine routes datagrams to it by cookie and asks it for its next
// deadline; it answers through the context's ports, and tells the engine
// of its state changes (transition(), IkeSaEvents). Which handler a message
// goes to is the table kRules in ike_sa.cpp: (phase-1 state, exchange type).
//
// IkeSa itself is the frame: routing, state changes, timers, teardown,
// the kernel's expiry and NAT-mapping events, and the state its exchanges
// share. The parts with a job of their own are members it exposes rather
// than forwards to: its plain values as one struct each (SaIdentity and
// PeerPath, sa_identity.h; Succession, which the engine sets), the sending
// of its messages (SaTransport, sa_transport.h) and its SA pairs
// (ChildSaSet, child_sa_set.h).

#include "crypto/dh.h"
#include "crypto/secret_bytes.h"
#include "ike/child_sa_set.h"
#include "ike/codec/delete_payload.h"
#include "ike/codec/header.h"
#include "ike/codec/id_payload.h"
#include "ike/codec/notify_payload.h"
#include "ike/codec/sa_payload.h"
#include "ike/codec/vendor_ids.h"
#include "ike/ike_context.h"
#include "ike/keymat.h"
#include "ike/message_protection.h"
#include "ike/proposals.h"
#include "ike/sa_identity.h"
#include "ike/sa_transport.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace l2tpsec::ike {

enum class Phase1State : uint8_t {
	Start,        ///< initiator before MM1; responder before MM1 was answered
	InitSentSa,   ///< initiator: MM1 sent, waits for MM2
	InitSentKe,   ///< initiator: MM3 sent, waits for MM4
	InitSentAuth, ///< initiator: MM5 sent, waits for MM6
	RespSentSa,   ///< responder: MM2 sent, waits for MM3
	RespDh,       ///< responder: MM3 in, its DH runs on a DhOffload
	RespSentKe,   ///< responder: MM4 sent, waits for MM5
	InitSentAm,   ///< initiator: AM1 sent, waits for AM2
	RespAmDh,     ///< responder: AM1 in, its DH runs on a DhOffload
	RespSentAm,   ///< responder: AM2 sent, waits for AM3
	Established,
	Dead,
};
std::string_view phase1StateName(Phase1State s);

/// One received message on its way through the handlers.
struct Incoming {
	const Message &message;
	Bytes datagram;
	IkeSocket socket;
	Endpoint local, from;
	std::vector<uint8_t> digest;
	/// The cleartext payloads (encrypted messages are opened by their handler,
	/// which knows the IV).
	std::vector<RawPayload> payloads;
};

class QuickMode;
class Informational;
class Phase1Exchange;
class IkeSa;

/// What an SA tells its engine as it happens, instead of the engine
/// polling every SA after each call. The engine acts on them once the call
/// that raised them returns (IkeEngine::settle()): an SA is never removed
/// under its own feet.
class IkeSaEvents {
public:
	virtual ~IkeSaEvents() = default;
	/// transition() changed the SA's state: its responder cookie may be
	/// known now, it may be up (hand-overs, INITIAL-CONTACT) or dead (removed).
	virtual void stateChanged(IkeSa &sa, Phase1State from, Phase1State to) = 0;
	/// The peer deleted an SPI none of this SA's pairs has: the engine looks
	/// for it under the peer's other ISAKMP SAs.
	virtual void foreignDelete(IkeSa &sa, uint32_t spi) = 0;
};

class IkeSa {
public:
	/// `who` without the peer's ID yet; `path.original` is set from `path.peer`.
	IkeSa(IkeContext &ctx, IkeSaEvents &events, SaIdentity who, PeerPath path);
	~IkeSa();
	IkeSa(const IkeSa &) = delete;
	IkeSa &operator=(const IkeSa &) = delete;

	/// Initiator: sends Main Mode 1 (or Aggressive Mode 1, which
	/// aggressive_mode.cpp goes on from); the flow to ask for once established.
	Result<void> start(std::optional<ChildRequest> child, bool aggressive = false);
	/// Initiator, established: a Quick Mode for one more flow.
	Result<void> startQuickMode(const ChildRequest &child);
	/// Responder: the DhOffload's answer to this SA's Main Mode 3 or
	/// Aggressive Mode 1; Main Mode 4 or Aggressive Mode 2 goes out (or the
	/// SA fails). Ignored in any other state.
	void completeDh(Result<DhWorkDone> done);

	/// A datagram for this SA (the engine routed it by cookie): answered
	/// again if it is a retransmission, else parsed and handed to the
	/// handler kRules names for the state and exchange type.
	void receive(const Message &m, Bytes datagram, IkeSocket socket, const Endpoint &local, const Endpoint &from);
	std::optional<TimePoint> nextDeadline() const;
	void onTimer();

	/// Local teardown: Delete notifications to the peer (when established
	/// and asked to), the kernel state removed, the observer told.
	void close(const std::string &reason, bool notifyPeer);

	/// Its id, role, cookies, mode and the peer's phase-1 ID.
	const SaIdentity &identity() const { return who_; }
	/// Where the peer is now, and where it first was. An SA that starts on
	/// the NAT-T socket (a server re-authenticating a peer behind a NAT,
	/// and that peer answering) stays on its ports: it does not float.
	const PeerPath &path() const { return path_; }
	Phase1State state() const { return state_; }
	bool established() const { return state_ == Phase1State::Established; }
	bool dead() const { return state_ == Phase1State::Dead; }
	/// INITIAL-CONTACT and re-authentication, which the engine reads and sets.
	Succession &succession() { return succession_; }
	/// The kernel expired one SA of a pair (XFRM_MSG_EXPIRE). Soft: we
	/// rekey the flow with a new Quick Mode, whichever side we are (the
	/// pairs overlap under the flow's policies, the kernel sends on the
	/// newest), unless a newer pair already took over. Hard: the pair goes,
	/// and the peer gets a Delete. False if no pair here has the SPI.
	bool childExpired(uint32_t spi, bool hard);
	/// The kernel saw authenticated ESP for the pair with this inbound SPI
	/// from `to` (XFRM_MSG_MAPPING). Another port of the peer's address:
	/// its NAT rebound, and IKE and every pair's ESP-in-UDP ports follow
	/// (one info line). Another address: logged once, nothing moves (the
	/// SAs' ids hold the address). A repeat of the last mapping costs a
	/// comparison: the kernel raises one for every such packet until the
	/// inbound SA's encapsulation is updated.
	void onNatMapping(uint32_t inboundSpi, const Endpoint &to);
	/// The lifetime ran out: the engine moves the children to a successor, then closes.
	bool expired() const;
	/// When to re-authenticate, so that the IPsec SAs move to a new ISAKMP SA
	/// before this one runs out: the initiator at 90 % of the lifetime, the
	/// responder at 95 % (at least 5 s before the end, if the lifetime
	/// allows), if the peer has not by then. nullopt without IPsec SAs, or
	/// once started.
	std::optional<TimePoint> reauthAt() const;
	IkeSaInfo info() const;
	/// The SA pairs it installed or took over (the engine hands them over
	/// between a peer's ISAKMP SAs with ChildSaSet::adopt()).
	ChildSaSet &children() { return children_; }
	const ChildSaSet &children() const { return children_; }

private:
	/// Our nonces in phase 1 and Quick Mode: 32 bytes (RFC 2409 §5 allows 8..256).
	static constexpr size_t kNonceLen = 32;
	/// Who handles a message: the phase-1 exchange (the rule's `phase1`
	/// handler), the Quick Modes, or the Informational object.
	enum class Route : uint8_t { Phase1, QuickMode, Informational, PlainInformational };
	using Phase1Handler = Phase1State (Phase1Exchange::*)(Incoming &);
	struct Rule {
		Phase1State state;
		ExchangeType exchange;
		Route route;
		Phase1Handler phase1 = nullptr;
	};
	static const std::vector<Rule> kRules;

	// The exchanges use this SA's keys, endpoints, sending (tx_) and state
	// changes: the phase-1 negotiation (phase1_exchange.h), Quick Mode
	// (quick_mode.h, RFC 2409 §5.5) and the Informational exchanges
	// (informational.h: RFC 2409 §5.7, RFC 3706, RFC 2407 §4.6.3.3).
	friend class Phase1Crypto;
	friend class Phase1Steps;
	friend class Phase1Exchange;
	friend class QuickMode;
	friend class QuickModeInitiator;
	friend class QuickModeResponder;
	friend class Informational;

	/// The one place the state changes: logged (old, new, why) and told to
	/// the engine. Nothing happens when `to` is the state already.
	void transition(Phase1State to, std::string_view why);
	/// A responder's Main Mode that never completed: told to the observer
	/// (IkeRefusal::Step::Phase1Timeout) before it goes.
	void reportStall();
	/// Logged as a warning, then closed without telling the peer.
	void fail(const std::string &reason);
	/// Drops the phase-1 exchange once phase 1 is over (established or dead);
	/// called where no exchange handler is running.
	void endPhase1();
	/// IKE goes to `to` through `socket` from `local` (nothing happens when
	/// that is the path already); when only the port changed, the pairs'
	/// ESP-in-UDP ports and the flows' holder follow too. An authenticated
	/// message from elsewhere (Informational::heard(): the peer floated to
	/// 4500 or its NAT mapping changed) and onNatMapping() move it, with
	/// one log line.
	void movePeerTo(IkeSocket socket, const Endpoint &local, const Endpoint &to);

	IkeContext &ctx_;
	IkeSaEvents &events_;
	SaIdentity who_;
	PeerPath path_;
	Phase1State state_ = Phase1State::Start;
	TimePoint created_, establishedAt_{};

	// negotiation
	std::optional<Phase1Choice> choice_;
	NatTMethod natMethod_ = NatTMethod::None;
	std::string peerVendorIds_;
	std::string peerOffer_; ///< responder: compactPhase1Offer()
	bool natLocal_ = false, natPeer_ = false;
	std::string peerIdText_;                  ///< the peer's ID for logs and info(), once verified
	std::optional<PeerCertificate> peerCert_; ///< with signatures, once verified
	std::optional<Phase1Keys> keys_;
	IsakmpCipher cipher_;
	std::vector<uint8_t> iv_;              ///< phase-1 CBC chain
	std::vector<uint8_t> lastPhase1Block_; ///< starts every phase-2 IV (Appendix B)
	Succession succession_;
	Flight phase1_;
	SaTransport tx_;

	// phase 2 and informational
	std::map<uint32_t, std::unique_ptr<QuickMode>> quickModes_;
	ChildSaSet children_;
	std::set<uint32_t> rekeyed_; ///< inbound SPIs whose soft expiry started a rekey

	/// The last endpoint at another address the kernel reported ESP from
	/// (onNatMapping()): logged once, not per packet.
	std::optional<Endpoint> reportedAddressChange_;

	/// Phase 1 under way (phase1_exchange.h); null once it is over.
	std::unique_ptr<Phase1Exchange> phase1Exchange_;
	/// Informational exchanges, DPD and keepalives (informational.h).
	std::unique_ptr<Informational> informational_;
};

/// The PRF of a phase-1 choice: the HMAC of its hash (proposals.h: IkeSuite).
inline crypto::HashAlgorithm prfOf(const Phase1Choice &choice)
{
	return choice.suite.hash;
}

} // namespace l2tpsec::ike
