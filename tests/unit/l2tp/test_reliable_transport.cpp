// RFC 2661 §5.8 reliable delivery, driven with a fake clock.
#include "l2tp/reliable_transport.h"

#include <doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace l2tpsec::l2tp;
using namespace std::chrono_literals;

namespace {

const TimePoint t0{};

std::vector<uint8_t> body(uint8_t tag)
{
	return {0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, tag};
}

/// The Ns/Nr pairs of a batch of transmissions, for compact assertions.
std::string seqs(const std::vector<Transmission> &out)
{
	std::string s;
	for (const Transmission &t : out) {
		if (!s.empty())
			s += ' ';
		s += (t.isZlb() ? "zlb " : "") + std::to_string(t.ns) + "/" + std::to_string(t.nr);
	}
	return s;
}

} // namespace

TEST_CASE("sequence comparison wraps modulo 2^16")
{
	CHECK(seqBefore(0, 1));
	CHECK_FALSE(seqBefore(1, 0));
	CHECK_FALSE(seqBefore(7, 7));
	CHECK(seqBefore(65535, 0));
	CHECK(seqBefore(65000, 100));
	CHECK_FALSE(seqBefore(100, 65000));
}

TEST_CASE("messages get consecutive Ns and carry the current Nr")
{
	ReliableTransport t;
	t.send(0, body(1), t0);
	t.send(7, body(2), t0);
	auto out = t.takeTransmissions();
	REQUIRE(out.size() == 2);
	CHECK(seqs(out) == "0/0 1/0");
	CHECK(out[1].sessionId == 7);
	CHECK(out[1].body == body(2));
	CHECK(out[0].attempt == 0);
	CHECK(t.nextNs() == 2);
	CHECK_FALSE(t.allAcked());

	// The peer's SCCRP (its Ns 0) acks both of ours (Nr 2).
	CHECK(t.receive(0, 2, 0, body(9), t0 + 10ms) == ReceiveVerdict::Delivered);
	CHECK(t.allAcked());
	auto in = t.takeDeliveries();
	REQUIRE(in.size() == 1);
	CHECK(in[0].body == body(9));
	// Our next message carries Nr 1 and makes a separate ZLB unnecessary.
	t.send(0, body(3), t0 + 20ms);
	CHECK(seqs(t.takeTransmissions()) == "2/1");
	t.onTimer(t0 + 500ms);
	CHECK(t.takeTransmissions().empty());
}

TEST_CASE("an in-order message with nothing to piggyback on is acked by a ZLB after the ack delay")
{
	TransportConfig c;
	c.ackDelay = 100ms;
	ReliableTransport t(c);
	CHECK(t.receive(0, 0, 0, body(1), t0) == ReceiveVerdict::Delivered);
	REQUIRE(t.nextDeadline().has_value());
	CHECK(*t.nextDeadline() == t0 + 100ms);
	t.onTimer(t0 + 99ms);
	CHECK(t.takeTransmissions().empty());
	t.onTimer(t0 + 100ms);
	auto out = t.takeTransmissions();
	CHECK(seqs(out) == "zlb 0/1");
	CHECK_FALSE(t.nextDeadline().has_value());
	CHECK(t.counters().zlbSent == 1);
	// A ZLB consumes no Ns.
	t.send(0, body(2), t0 + 1s);
	CHECK(seqs(t.takeTransmissions()) == "0/1");
}

TEST_CASE("the peer's receive window limits what is in flight")
{
	TransportConfig c;
	c.peerReceiveWindow = 2;
	ReliableTransport t(c);
	for (uint8_t i = 0; i < 5; ++i)
		t.send(0, body(i), t0);
	CHECK(seqs(t.takeTransmissions()) == "0/0 1/0");
	// A ZLB acking Ns 0 opens one slot.
	CHECK(t.receive(0, 1, 0, {}, t0 + 1ms) == ReceiveVerdict::Zlb);
	auto out = t.takeTransmissions();
	CHECK(seqs(out) == "2/0");
	CHECK(out[0].body == body(2));
	// Acking everything sent lets the rest out, still two at a time.
	CHECK(t.receive(0, 3, 0, {}, t0 + 2ms) == ReceiveVerdict::Zlb);
	CHECK(seqs(t.takeTransmissions()) == "3/0 4/0");
	CHECK(t.receive(0, 5, 0, {}, t0 + 3ms) == ReceiveVerdict::Zlb);
	CHECK(t.allAcked());
	// A window announced later (Receive Window Size AVP in SCCRP) applies.
	t.setPeerReceiveWindow(0); // treated as 1
	t.send(0, body(5), t0 + 4ms);
	t.send(0, body(6), t0 + 4ms);
	CHECK(seqs(t.takeTransmissions()) == "5/0");
}

TEST_CASE("retransmission backs off exponentially, carries the current Nr, and gives up at the retry limit")
{
	TransportConfig c;
	c.initialTimeout = 1s;
	c.maxTimeout = 8s;
	c.maxRetransmits = 5;
	ReliableTransport t(c);
	t.send(0, body(1), t0);
	CHECK(seqs(t.takeTransmissions()) == "0/0");
	// Meanwhile the peer's own message arrives (it never got ours yet).
	CHECK(t.receive(0, 0, 0, body(50), t0 + 100ms) == ReceiveVerdict::Delivered);

	// Expected retransmission times: +1 s, then +2, +4, +8, +8 (capped); the
	// last gap is how long the fifth retransmission waits for its ack.
	TimePoint when = t0 + 1s;
	std::vector<std::chrono::milliseconds> gaps{2s, 4s, 8s, 8s, 8s};
	for (uint32_t attempt = 1; attempt <= 5; ++attempt) {
		REQUIRE(t.nextDeadline().has_value());
		// The ZLB for the peer's message may be due first; it is replaced by
		// the retransmission, which carries the same Nr.
		t.onTimer(when - 1ms);
		auto early = t.takeTransmissions();
		for (const Transmission &x : early)
			CHECK(x.isZlb());
		CHECK(*t.nextDeadline() == when);
		t.onTimer(when);
		auto out = t.takeTransmissions();
		REQUIRE(out.size() == 1);
		CHECK(out[0].ns == 0);
		CHECK(out[0].nr == 1);
		CHECK(out[0].attempt == attempt);
		CHECK(out[0].body == body(1));
		when += gaps[attempt - 1];
	}
	CHECK_FALSE(t.failed());
	CHECK(t.counters().retransmitted == 5);
	t.onTimer(when - 1ms);
	CHECK_FALSE(t.failed());
	t.onTimer(when);
	CHECK(t.failed());
	CHECK(t.takeTransmissions().empty());
	CHECK_FALSE(t.nextDeadline().has_value());
	// Once failed, nothing more goes out.
	t.send(0, body(2), when);
	CHECK(t.takeTransmissions().empty());
}

TEST_CASE("an ack stops retransmission")
{
	ReliableTransport t;
	t.send(0, body(1), t0);
	(void)t.takeTransmissions();
	t.onTimer(t0 + 1s);
	CHECK(seqs(t.takeTransmissions()) == "0/0");
	CHECK(t.receive(0, 1, 0, {}, t0 + 1500ms) == ReceiveVerdict::Zlb);
	CHECK(t.allAcked());
	CHECK_FALSE(t.nextDeadline().has_value());
	t.onTimer(t0 + 60s);
	CHECK(t.takeTransmissions().empty());
	CHECK_FALSE(t.failed());
}

TEST_CASE("a duplicate is not delivered again and is acked at once")
{
	ReliableTransport t;
	CHECK(t.receive(0, 0, 0, body(1), t0) == ReceiveVerdict::Delivered);
	CHECK(t.takeDeliveries().size() == 1);
	CHECK(t.receive(0, 0, 0, body(1), t0 + 1s) == ReceiveVerdict::Duplicate);
	CHECK(t.takeDeliveries().empty());
	CHECK(seqs(t.takeTransmissions()) == "zlb 0/1");
	CHECK(t.counters().duplicates == 1);
	CHECK(t.counters().received == 1);
}

TEST_CASE("a reordered message is held until the gap fills, then both are delivered in order")
{
	ReliableTransport t;
	CHECK(t.receive(1, 0, 0, body(2), t0) == ReceiveVerdict::Held);
	CHECK(t.takeDeliveries().empty());
	CHECK(t.expectedNs() == 0);
	// The same early message again changes nothing.
	CHECK(t.receive(1, 0, 0, body(2), t0) == ReceiveVerdict::Held);
	CHECK(t.receive(0, 0, 0, body(1), t0 + 1ms) == ReceiveVerdict::Delivered);
	auto in = t.takeDeliveries();
	REQUIRE(in.size() == 2);
	CHECK(in[0].ns == 0);
	CHECK(in[0].body == body(1));
	CHECK(in[1].ns == 1);
	CHECK(in[1].body == body(2));
	CHECK(t.expectedNs() == 2);
	// After the held one was delivered, its retransmission is a duplicate.
	CHECK(t.receive(1, 0, 0, body(2), t0 + 2ms) == ReceiveVerdict::Duplicate);
}

TEST_CASE("a message beyond our receive window is dropped")
{
	TransportConfig c;
	c.receiveWindow = 4;
	ReliableTransport t(c);
	CHECK(t.receive(3, 0, 0, body(3), t0) == ReceiveVerdict::Held);
	CHECK(t.receive(4, 0, 0, body(4), t0) == ReceiveVerdict::OutOfWindow);
	CHECK(t.counters().outOfWindow == 1);
	CHECK(t.takeDeliveries().empty());
}

TEST_CASE("Ns and Nr wrap around at 65535")
{
	TransportConfig c;
	c.firstNs = 65534;
	c.firstExpectedNs = 65535;
	ReliableTransport t(c);
	for (uint8_t i = 0; i < 3; ++i)
		t.send(0, body(i), t0);
	CHECK(seqs(t.takeTransmissions()) == "65534/65535 65535/65535 0/65535");
	// Nr 1 acknowledges 65534, 65535 and 0.
	CHECK(t.receive(65535, 1, 0, body(9), t0 + 1ms) == ReceiveVerdict::Delivered);
	CHECK(t.allAcked());
	CHECK(t.expectedNs() == 0);
	CHECK(t.receive(0, 1, 0, body(10), t0 + 2ms) == ReceiveVerdict::Delivered);
	CHECK(t.expectedNs() == 1);
	// 65535 is now in the past: a duplicate, not a message 65,535 ahead.
	CHECK(t.receive(65535, 1, 0, body(9), t0 + 3ms) == ReceiveVerdict::Duplicate);
	CHECK(t.takeDeliveries().size() == 2);
}

TEST_CASE("an Nr beyond what was sent is ignored, and an old Nr does not un-ack")
{
	ReliableTransport t;
	t.send(0, body(1), t0);
	(void)t.takeTransmissions();
	CHECK(t.receive(0, 5, 0, {}, t0 + 1ms) == ReceiveVerdict::Zlb);
	CHECK_FALSE(t.allAcked());
	CHECK(t.counters().bogusAcks == 1);
	t.onTimer(t0 + 1s);
	CHECK(seqs(t.takeTransmissions()) == "0/0");

	CHECK(t.receive(0, 1, 0, {}, t0 + 1100ms) == ReceiveVerdict::Zlb);
	CHECK(t.allAcked());
	t.send(0, body(2), t0 + 1200ms);
	(void)t.takeTransmissions();
	// A late copy of the old ZLB (Nr 0) must not count as acking anything.
	CHECK(t.receive(0, 0, 0, {}, t0 + 1300ms) == ReceiveVerdict::Zlb);
	CHECK_FALSE(t.allAcked());
	CHECK(t.counters().bogusAcks == 1);
}

TEST_CASE("lastHeard follows every arrival, ZLBs included")
{
	ReliableTransport t;
	CHECK_FALSE(t.lastHeard().has_value());
	(void)t.receive(0, 0, 0, {}, t0 + 5s);
	REQUIRE(t.lastHeard().has_value());
	CHECK(*t.lastHeard() == t0 + 5s);
}

namespace {

/// Two transports joined by a link that drops, duplicates and reorders
/// datagrams from a seeded generator; time advances in 50 ms steps.
struct LossyPair {
	ReliableTransport a, b;
	std::mt19937 rng;
	struct InTransit {
		TimePoint at;
		bool toB;
		Transmission t;
	};
	std::vector<InTransit> link;
	TimePoint now = t0;

	LossyPair(TransportConfig c, uint32_t seed) : a(c), b(c), rng(seed) {}

	void carry(ReliableTransport &from, bool toB, int lossPercent)
	{
		std::uniform_int_distribution<int> pct(0, 99);
		std::uniform_int_distribution<int> delayMs(1, 300);
		for (Transmission &t : from.takeTransmissions()) {
			if (pct(rng) < lossPercent)
				continue;
			int copies = pct(rng) < 10 ? 2 : 1;
			for (int i = 0; i < copies; ++i)
				link.push_back({now + std::chrono::milliseconds(delayMs(rng)), toB, t});
		}
	}

	void step(int lossPercent)
	{
		now += 50ms;
		a.onTimer(now);
		b.onTimer(now);
		carry(a, true, lossPercent);
		carry(b, false, lossPercent);
		std::vector<InTransit> later;
		for (InTransit &x : link) {
			if (x.at > now) {
				later.push_back(std::move(x));
				continue;
			}
			ReliableTransport &to = x.toB ? b : a;
			(void)to.receive(x.t.ns, x.t.nr, x.t.sessionId, x.t.body, now);
		}
		link = std::move(later);
	}
};

} // namespace

TEST_CASE("over a lossy, duplicating, reordering link every message arrives once and in order")
{
	for (uint32_t seed : {1U, 2U, 3U, 4U}) {
		CAPTURE(seed);
		TransportConfig c;
		c.maxRetransmits = 30; // the link loses 25%; the point here is ordering
		c.firstNs = 65500;     // and cross the wrap while at it
		c.firstExpectedNs = 65500;
		LossyPair p(c, seed);
		std::vector<uint8_t> gotA, gotB;
		for (int i = 0; i < 100; ++i) {
			p.a.send(0, body(static_cast<uint8_t>(i)), p.now);
			p.b.send(0, body(static_cast<uint8_t>(200 - i)), p.now);
			p.step(25);
		}
		for (int i = 0; i < 4000 && !(p.a.allAcked() && p.b.allAcked() && p.link.empty()); ++i)
			p.step(25);
		for (const Delivery &d : p.a.takeDeliveries())
			gotA.push_back(d.body.back());
		for (const Delivery &d : p.b.takeDeliveries())
			gotB.push_back(d.body.back());
		REQUIRE_FALSE(p.a.failed());
		REQUIRE_FALSE(p.b.failed());
		REQUIRE(gotB.size() == 100);
		REQUIRE(gotA.size() == 100);
		for (int i = 0; i < 100; ++i) {
			CHECK(gotB[i] == i);
			CHECK(gotA[i] == 200 - i);
		}
		CHECK(p.a.counters().retransmitted > 0);
		CHECK(p.b.counters().duplicates + p.a.counters().duplicates > 0);
	}
}
