#pragma once
// The Informational exchanges of one ISAKMP SA (RFC 2409 §5.7), apart from
// its phase-1 and Quick Mode exchanges: notifies and Deletes under its
// protection, in and out; dead peer detection (RFC 3706); INITIAL-CONTACT
// (RFC 2407 §4.6.3.3); NAT keepalives (RFC 3948 §4); and the cleartext
// notify of a responder that refuses phase 1. Internal to src/ike/.

#include "ike/ike_sa.h"

namespace l2tpsec::ike {

class Informational {
public:
	explicit Informational(IkeSa &sa) : sa_(sa) {}
	Informational(const Informational &) = delete;
	Informational &operator=(const Informational &) = delete;

	/// A protected Informational once the SA is up: DPD, INITIAL-CONTACT,
	/// errors about our Quick Modes, Deletes.
	void receive(Incoming &in);
	/// One while phase 1 runs: a responder's refusal makes an initiator
	/// give up (the state it returns is Dead then).
	Phase1State receiveDuringPhase1(Incoming &in);
	/// N/D payloads under HASH(1), sealed with the phase-1 keys (none: not sent).
	void send(std::vector<OutPayload> payloads);
	/// Before keys exist: the notify in the clear (RFC 2408 §5.6).
	void sendPlainNotify(NotifyType type);

	/// The SA is up: DPD and keepalives count from now; `seq` is the
	/// first DPD sequence number.
	void start(uint32_t seq);
	/// An authenticated message `in` came from the peer: DPD counts from
	/// now, and the SA follows the peer if it floated to 4500 or its NAT
	/// mapping changed (IkeSa::movePeerTo()).
	void heard(const Incoming &in);
	/// The peer's vendor ids included RFC 3706's.
	void peerSpeaksDpd() { peerDpd_ = true; }
	bool dpdActive() const;
	std::optional<TimePoint> nextDeadline() const;
	/// DPD probes (or the peer declared dead) and keepalives due.
	void onTimer();

private:
	void onNotify(const NotifyPayload &n);
	void onDelete(const DeletePayload &d);
	void sendDpd(NotifyType type, uint32_t seq);
	void dpdTimer();
	void keepaliveTimer();

	IkeSa &sa_;
	bool peerDpd_ = false;
	TimePoint lastHeard_{};
	uint32_t dpdSeq_ = 0;
	std::optional<uint32_t> dpdFirstUnanswered_;
	TimePoint dpdProbeSince_{}, dpdNextProbe_{};
	TimePoint nextKeepalive_{};
};

} // namespace l2tpsec::ike
