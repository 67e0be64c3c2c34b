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

#include "crypto/dh.h"
#include "crypto/secret_bytes.h"
#include "ike/child_sa.h"
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

/// A message this SA sent and the datagram that provoked it: what a
/// retransmission of that datagram is answered with (RFC 2408 §5), and for
/// the side that waits, the retransmission schedule.
struct Flight {
	std::vector<uint8_t> sent;
	std::vector<uint8_t> answered; ///< digest of the datagram `sent` answers
	std::optional<TimePoint> retransmitAt;
	std::chrono::milliseconds timeout{0};
	uint32_t retransmits = 0;
	std::string what; ///< "Main Mode 1", for the give-up line
};

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
	IkeSa(IkeContext &ctx, IkeSaEvents &events, uint64_t id, bool initiator, const Cookie &ckyI, const Cookie &ckyR,
	      Endpoint local, Endpoint peer);
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

	/// A datagram for this SA (the engine routed it by cookie).
	void receive(const Message &m, Bytes datagram, IkeSocket socket, const Endpoint &local, const Endpoint &from);
	std::optional<TimePoint> nextDeadline() const;
	void onTimer();

	/// Local teardown: Delete notifications to the peer (when established
	/// and asked to), the kernel state removed, the observer told.
	void close(const std::string &reason, bool notifyPeer);
	/// Takes over another SA's SA pairs (the old ISAKMP SA of a peer that
	/// re-authenticated expires; its IPsec SAs live on under the new one).
	void adoptChildren(IkeSa &from);

	uint64_t id() const { return id_; }
	bool initiator() const { return initiator_; }
	const Cookie &initiatorCookie() const { return ckyI_; }
	const Cookie &responderCookie() const { return ckyR_; }
	const Endpoint &peer() const { return peer_; }
	/// The peer's first address and port (before any NAT-T float), the key
	/// the engine filed the SA under.
	const Endpoint &originalPeer() const { return originalPeer_; }
	Phase1State state() const { return state_; }
	bool established() const { return state_ == Phase1State::Established; }
	bool dead() const { return state_ == Phase1State::Dead; }
	/// The peer's phase-1 ID body (empty before MM5/MM6; an Aggressive Mode
	/// responder has AM1's IDii, proven only once AM3 verifies).
	const std::vector<uint8_t> &peerIdBody() const { return peerIdB_; }
	/// True once after the peer's MM5 carried INITIAL-CONTACT: the engine
	/// removes the peer's older SAs (RFC 2407 §4.6.3.3).
	bool takeInitialContact();
	/// Initiator: whether MM5 carries INITIAL-CONTACT (no other SA with the peer).
	void setInitialContact(bool send) { sendInitialContact_ = send; }
	/// Removes the SA pair with this inbound or outbound SPI; false if none.
	bool removeChildBySpi(uint32_t spi, const std::string &reason);
	/// The kernel expired one SA of a pair (XFRM_MSG_EXPIRE). Soft: we
	/// rekey the flow with a new Quick Mode, whichever side we are (the
	/// pairs overlap under the flow's policies, the kernel sends on the
	/// newest), unless a newer pair already took over. Hard: the pair goes,
	/// and the peer gets a Delete. False if no pair here has the SPI.
	bool childExpired(uint32_t spi, bool hard);
	/// Whether one of this SA's pairs has this inbound SPI.
	bool hasInboundSpi(uint32_t spi) const;
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
	void reauthStarted() { reauthStarted_ = true; }
	/// Phase 1 on the NAT-T socket from its first message (a server
	/// re-authenticating a peer behind a NAT, and that peer answering): it
	/// stays on its ports, it does not float.
	void startOnNatT();
	IkeSaInfo info() const;
	const std::vector<ChildSaInfo> &children() const { return childInfo_; }
	/// "Main Mode" or "Aggressive Mode", for log lines and errors.
	std::string_view phase1Name() const { return aggressive_ ? "Aggressive Mode" : "Main Mode"; }
	size_t childCount() const { return children_.size(); }

private:
	/// Whether a pair installed after pair `i` protects the same flow.
	bool hasNewerPair(size_t i) const;
	/// Our nonces in phase 1 and Quick Mode: 32 bytes (RFC 2409 §5 allows 8..256).
	static constexpr size_t kNonceLen = 32;
	using Handler = Phase1State (IkeSa::*)(Incoming &);
	using Phase1Handler = Phase1State (Phase1Exchange::*)(Incoming &);
	/// A message goes to `handler`, or in phase 1 to the exchange's `phase1`.
	struct Rule {
		Phase1State state;
		ExchangeType exchange;
		Handler handler;
		Phase1Handler phase1 = nullptr;
	};
	static const std::vector<Rule> kRules;

	// The phase-1 negotiation (phase1_exchange.h), which uses this SA's
	// keys, endpoints, sending and state changes.
	friend class Phase1Crypto;
	friend class Phase1Steps;
	friend class Phase1Exchange;
	/// Drops the phase-1 exchange once phase 1 is over (established or dead);
	/// called where no exchange handler is running.
	void endPhase1();

	// quick_mode.cpp (RFC 2409 §5.5): the exchanges are quick_mode.h's
	// objects, which use this SA's keys, endpoints and sending.
	friend class QuickMode;
	friend class QuickModeInitiator;
	friend class QuickModeResponder;
	Phase1State onQuickMode(Incoming &in);
	Result<std::vector<uint8_t>> protectedMessage(ExchangeType exchange, uint32_t messageId,
	                                              std::vector<uint8_t> &iv, Bytes hash,
	                                              std::span<const OutPayload> rest);

	// informational.cpp (RFC 2409 §5.7, RFC 3706, RFC 2407 §4.6.3.3): the
	// Informational object, which uses this SA's keys and state.
	friend class Informational;
	Phase1State onInformational(Incoming &in);
	Phase1State onPlainInformational(Incoming &in);

	// ike_sa.cpp
	/// The one place the state changes: logged (old, new, why) and told to
	/// the engine. Nothing happens when `to` is the state already.
	void transition(Phase1State to, std::string_view why);
	void dispatch(Incoming &in);
	void send(const std::vector<uint8_t> &datagram);
	/// Sends a message that waits for an answer, and arms its retransmission.
	void sendAwaiting(Flight &f, std::vector<uint8_t> datagram, std::string what,
	                  const std::vector<uint8_t> &answered);
	/// Sends an answer, kept for retransmissions of the datagram it answers.
	void sendAnswer(Flight &f, std::vector<uint8_t> datagram, const std::vector<uint8_t> &answered);
	/// Returns false when the flight gave up.
	bool retransmit(Flight &f);
	Result<Opened> openPhase1(const Message &m);
	Header header(ExchangeType exchange, uint32_t messageId) const;
	void fail(const std::string &reason);
	void removeChild(size_t index, const std::string &reason);
	std::string peerText() const;
	Result<std::vector<uint8_t>> random(size_t n);
	Result<uint32_t> newMessageId();
	/// The peer floated to 4500 or its NAT mapping changed: follow it
	/// (after the message authenticated).
	void followPeer(const Incoming &in);
	/// IKE goes to `to` through `socket` from `local`; when only the port
	/// changed, the pairs' ESP-in-UDP ports and the flows' holder follow
	/// too. followPeer() and onNatMapping() share it, and its log line.
	void movePeerTo(IkeSocket socket, const Endpoint &local, const Endpoint &to);
	/// The pairs follow the peer to `to` (same address); how many of them
	/// the kernel took completely.
	size_t moveChildren(const Endpoint &to);
	crypto::HashAlgorithm prf() const { return choice_->suite.hash; }

	IkeContext &ctx_;
	IkeSaEvents &events_;
	uint64_t id_;
	bool initiator_;
	Cookie ckyI_, ckyR_;
	Endpoint local_, peer_, originalPeer_;
	IkeSocket socket_ = IkeSocket::Ike;
	Phase1State state_ = Phase1State::Start;
	TimePoint created_, establishedAt_{};

	// negotiation
	std::optional<Phase1Choice> choice_;
	NatTMethod natMethod_ = NatTMethod::None;
	std::string peerVendorIds_;
	bool natLocal_ = false, natPeer_ = false;
	bool aggressive_ = false; ///< Aggressive Mode, not Main Mode
	std::string peerIdText_;  ///< the peer's ID for logs and info(), once verified
	std::optional<Phase1Keys> keys_;
	IsakmpCipher cipher_;
	std::vector<uint8_t> iv_;              ///< phase-1 CBC chain
	std::vector<uint8_t> lastPhase1Block_; ///< starts every phase-2 IV (Appendix B)
	std::vector<uint8_t> peerIdB_;
	bool initialContact_ = false;
	bool sendInitialContact_ = true;
	Flight phase1_;

	// phase 2 and informational
	std::map<uint32_t, std::unique_ptr<QuickMode>> quickModes_;
	/// Message ids of every Quick Mode this SA ran: a replayed QM1 is
	/// dropped even after its exchange was forgotten.
	std::set<uint32_t> usedMessageIds_;
	std::vector<ChildSa> children_;
	std::vector<ChildSaInfo> childInfo_;
	std::set<uint32_t> rekeyed_; ///< inbound SPIs whose soft expiry started a rekey
	bool reauthStarted_ = false;

	/// The last endpoint at another address the kernel reported ESP from
	/// (onNatMapping()): logged once, not per packet.
	std::optional<Endpoint> reportedAddressChange_;

	/// Phase 1 under way (phase1_exchange.h); null once it is over.
	std::unique_ptr<Phase1Exchange> phase1Exchange_;
	/// Informational exchanges, DPD and keepalives (informational.h).
	std::unique_ptr<Informational> informational_;
};

} // namespace l2tpsec::ike
