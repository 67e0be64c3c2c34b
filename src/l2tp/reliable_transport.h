#pragma once
// Reliable delivery of L2TP control messages (RFC 2661 §5.8), for one tunnel.
//
// Pure state: no sockets, no timers of its own, no clock. The tunnel owner feeds
// it the messages it wants sent, every control message that arrives (its Ns/Nr
// and body) and the time; it answers with the messages to deliver to the tunnel
// state machine, in order and once each, and a queue of transmissions (header
// fields + body) to put on the wire. The owner arms one timer for
// nextDeadline() and calls onTimer() when it fires. That keeps every rule of
// §5.8 testable with a fake clock and no I/O.
//
// Rules implemented:
//  - Ns counts our non-ZLB control messages from 0 (mod 2^16); a ZLB carries the
//    next Ns without consuming it. Nr is the next Ns we expect from the peer.
//  - Sequence comparison is modulo 2^16 (a is "before" b when (a - b) as a signed
//    16-bit value is negative), so both counters wrap.
//  - A message whose Nr acknowledges what we sent removes it from the
//    retransmission queue. An Nr that acknowledges more than we have in flight is
//    ignored rather than trusted (a broken or spoofed peer must not make us
//    forget messages).
//  - At most `peerReceiveWindow` unacknowledged messages are in flight (the
//    peer's Receive Window Size AVP, default 4); more wait in a queue.
//  - Each unacknowledged message is retransmitted when its timeout passes, with
//    the current Nr; the timeout doubles each time up to `maxTimeout`. After
//    `maxRetransmits` retransmissions without an ack the transport fails and the
//    tunnel must be cleaned up (§5.8: no StopCCN is needed then).
//  - A duplicate (already delivered) message is not delivered again but is
//    acknowledged at once with a ZLB: the peer evidently lost our ack.
//  - A message from the future within our receive window is held and delivered
//    when the gap is filled; one beyond the window is dropped (the peer
//    retransmits it).
//  - An in-order message is acknowledged by the next message we send, or by a
//    ZLB after `ackDelay` when we have nothing to send.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace l2tpsec::l2tp {

using TransportClock = std::chrono::steady_clock;
using TimePoint = TransportClock::time_point;

struct TransportConfig {
	/// The peer's Receive Window Size (RFC 2661 §4.4.3; 4 when it sends none).
	uint16_t peerReceiveWindow = 4;
	/// How many out-of-order messages we hold; what we announce as our Receive
	/// Window Size.
	uint16_t receiveWindow = 16;
	std::chrono::milliseconds initialTimeout{1000};
	/// §5.8: the cap on the backed-off timeout SHOULD be no less than 8 s.
	std::chrono::milliseconds maxTimeout{8000};
	/// Retransmissions of one message before the tunnel is declared dead.
	uint32_t maxRetransmits = 5;
	/// How long an in-order message may wait for a piggybacked ack before a ZLB
	/// acknowledges it.
	std::chrono::milliseconds ackDelay{100};
	/// Our first Ns and the first Ns we expect: 0 by the RFC; other values exist
	/// only so tests can exercise wraparound without 65,536 messages.
	uint16_t firstNs = 0;
	uint16_t firstExpectedNs = 0;
};

/// One control message to put on the wire: the header fields the transport owns
/// and the body (encoded AVPs; empty for a ZLB). The owner encodes the header
/// (tunnel id, T/L/S bits, length) around it.
struct Transmission {
	uint16_t ns = 0;
	uint16_t nr = 0;
	uint16_t sessionId = 0;
	std::vector<uint8_t> body;
	/// 0 for the first transmission, then 1, 2, ... (for logs and counters).
	uint32_t attempt = 0;
	bool isZlb() const { return body.empty(); }
};

/// A control message received in order, for the tunnel state machine.
struct Delivery {
	uint16_t ns = 0;
	uint16_t sessionId = 0;
	std::vector<uint8_t> body;
};

/// What receive() made of one arriving message.
enum class ReceiveVerdict {
	Delivered,   ///< in order: delivered (with any held messages it released)
	Held,        ///< ahead of a gap, inside our window: held until the gap fills
	Duplicate,   ///< seen before: not delivered again, acked with a ZLB
	OutOfWindow, ///< too far ahead: dropped, the peer will retransmit
	Zlb,         ///< an acknowledgement only
};

struct TransportCounters {
	uint64_t sent = 0;          ///< first transmissions of non-ZLB messages
	uint64_t retransmitted = 0; ///< retransmissions
	uint64_t zlbSent = 0;
	uint64_t received = 0; ///< non-ZLB messages delivered
	uint64_t duplicates = 0;
	uint64_t outOfWindow = 0;
	uint64_t bogusAcks = 0; ///< Nr values that acknowledged more than was in flight
};

/// Modulo-2^16 "a comes before b" (RFC 2661 §5.8; RFC 1982 serial arithmetic).
constexpr bool seqBefore(uint16_t a, uint16_t b)
{
	return static_cast<int16_t>(static_cast<uint16_t>(a - b)) < 0;
}

class ReliableTransport {
public:
	explicit ReliableTransport(TransportConfig config = {});

	/// Queues a control message; it goes out at once if the peer's window
	/// has room, else when acks open it.
	void send(uint16_t sessionId, std::vector<uint8_t> body, TimePoint now);

	/// Processes one arriving control message (body empty for a ZLB). In-order
	/// messages, and held ones they release, are appended to takeDeliveries().
	ReceiveVerdict receive(uint16_t ns, uint16_t nr, uint16_t sessionId, std::span<const uint8_t> body,
	                       TimePoint now);

	/// When onTimer() next has work (a retransmission or a delayed ack); nullopt
	/// when nothing is pending.
	std::optional<TimePoint> nextDeadline() const;

	/// Retransmits what has timed out and sends a due ZLB.
	void onTimer(TimePoint now);
	/// Sends the pending acknowledgement now rather than after the ack delay
	/// (a StopCCN must be acknowledged before the tunnel goes, §5.7).
	void acknowledgeNow();

	/// Transmissions produced since the last call, in order.
	std::vector<Transmission> takeTransmissions();
	/// Messages to hand to the tunnel state machine, in Ns order.
	std::vector<Delivery> takeDeliveries();

	/// The retry limit was reached: the peer is gone; clean up the tunnel.
	bool failed() const { return failed_; }
	/// Nothing of ours is waiting for an ack or for window space (e.g. a StopCCN
	/// has been acknowledged).
	bool allAcked() const { return inFlight_.empty() && waiting_.empty(); }
	/// When the last message (ZLB included) arrived from the peer; the tunnel
	/// sends a HELLO when this is older than its hello interval.
	std::optional<TimePoint> lastHeard() const { return lastHeard_; }

	void setPeerReceiveWindow(uint16_t window);
	uint16_t nextNs() const { return nextNs_; }
	uint16_t expectedNs() const { return expectedNs_; }
	const TransportCounters &counters() const { return counters_; }

private:
	struct InFlight {
		uint16_t ns;
		uint16_t sessionId;
		std::vector<uint8_t> body;
		uint32_t retransmits = 0;
		std::chrono::milliseconds timeout;
		TimePoint deadline;
	};
	struct Waiting {
		uint16_t sessionId;
		std::vector<uint8_t> body;
	};

	void acknowledge(uint16_t nr);
	void fillWindow(TimePoint now);
	void emitZlb();
	void deliverHeld();

	TransportConfig config_;
	uint16_t nextNs_;
	uint16_t expectedNs_;
	std::deque<InFlight> inFlight_;     ///< oldest first, consecutive Ns
	std::deque<Waiting> waiting_;       ///< not yet sent: the peer's window is full
	std::map<uint16_t, Delivery> held_; ///< by Ns; all within receiveWindow ahead of expectedNs_
	std::optional<TimePoint> ackDue_;
	std::optional<TimePoint> lastHeard_;
	std::vector<Transmission> out_;
	std::vector<Delivery> deliveries_;
	TransportCounters counters_;
	bool failed_ = false;
};

} // namespace l2tpsec::l2tp
