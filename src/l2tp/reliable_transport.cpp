#include "l2tp/reliable_transport.h"

#include <algorithm>
#include <utility>

namespace l2tpsec::l2tp {

ReliableTransport::ReliableTransport(TransportConfig config)
    : config_(config), nextNs_(config.firstNs), expectedNs_(config.firstExpectedNs)
{
	// A window of 0 would stall the tunnel for ever; RFC 2661 §4.4.3 makes 1 the floor.
	config_.peerReceiveWindow = std::max<uint16_t>(config_.peerReceiveWindow, 1);
	config_.receiveWindow = std::max<uint16_t>(config_.receiveWindow, 1);
}

void ReliableTransport::setPeerReceiveWindow(uint16_t window)
{
	config_.peerReceiveWindow = std::max<uint16_t>(window, 1);
}

void ReliableTransport::send(uint16_t sessionId, std::vector<uint8_t> body, TimePoint now)
{
	if (failed_)
		return;
	waiting_.push_back(Waiting{sessionId, std::move(body)});
	fillWindow(now);
}

void ReliableTransport::fillWindow(TimePoint now)
{
	while (!waiting_.empty() && inFlight_.size() < config_.peerReceiveWindow) {
		Waiting w = std::move(waiting_.front());
		waiting_.pop_front();
		InFlight m{nextNs_,
		           w.sessionId,
		           std::move(w.body),
		           0,
		           config_.initialTimeout,
		           now + config_.initialTimeout};
		out_.push_back(Transmission{m.ns, expectedNs_, m.sessionId, m.body, 0});
		inFlight_.push_back(std::move(m));
		++nextNs_;
		++counters_.sent;
		// The message carries our current Nr: no separate ack is needed.
		ackDue_.reset();
	}
}

void ReliableTransport::acknowledge(uint16_t nr)
{
	if (inFlight_.empty()) {
		if (seqBefore(nextNs_, nr))
			++counters_.bogusAcks;
		return;
	}
	// Nr acknowledges every Ns before it. How many of ours is that?
	uint16_t acked = static_cast<uint16_t>(nr - inFlight_.front().ns);
	if (acked > inFlight_.size()) {
		// Either an old Nr (already processed: acked counts "backwards" and
		// wraps to a huge value) or one beyond what we sent. Neither may
		// remove anything.
		if (seqBefore(nextNs_, nr))
			++counters_.bogusAcks;
		return;
	}
	inFlight_.erase(inFlight_.begin(), inFlight_.begin() + acked);
}

ReceiveVerdict ReliableTransport::receive(uint16_t ns, uint16_t nr, uint16_t sessionId, std::span<const uint8_t> body,
                                          TimePoint now)
{
	lastHeard_ = now;
	if (!failed_) {
		acknowledge(nr);
		fillWindow(now);
	}

	if (body.empty())
		return ReceiveVerdict::Zlb;

	if (ns == expectedNs_) {
		deliveries_.push_back(Delivery{ns, sessionId, {body.begin(), body.end()}});
		++expectedNs_;
		++counters_.received;
		deliverHeld();
		if (!ackDue_)
			ackDue_ = now + config_.ackDelay;
		return ReceiveVerdict::Delivered;
	}
	if (seqBefore(ns, expectedNs_)) {
		// Already delivered: our ack was lost. Ack again now (§5.8).
		++counters_.duplicates;
		emitZlb();
		return ReceiveVerdict::Duplicate;
	}
	uint16_t ahead = static_cast<uint16_t>(ns - expectedNs_);
	if (ahead >= config_.receiveWindow) {
		++counters_.outOfWindow;
		return ReceiveVerdict::OutOfWindow;
	}
	held_.try_emplace(ns, Delivery{ns, sessionId, {body.begin(), body.end()}});
	return ReceiveVerdict::Held;
}

void ReliableTransport::deliverHeld()
{
	for (auto it = held_.find(expectedNs_); it != held_.end(); it = held_.find(expectedNs_)) {
		deliveries_.push_back(std::move(it->second));
		held_.erase(it);
		++expectedNs_;
		++counters_.received;
	}
}

void ReliableTransport::emitZlb()
{
	out_.push_back(Transmission{nextNs_, expectedNs_, 0, {}, 0});
	++counters_.zlbSent;
	ackDue_.reset();
}

std::optional<TimePoint> ReliableTransport::nextDeadline() const
{
	if (failed_)
		return std::nullopt;
	std::optional<TimePoint> next = ackDue_;
	for (const InFlight &m : inFlight_)
		if (!next || m.deadline < *next)
			next = m.deadline;
	return next;
}

void ReliableTransport::onTimer(TimePoint now)
{
	if (failed_)
		return;
	for (InFlight &m : inFlight_) {
		if (m.deadline > now)
			continue;
		if (m.retransmits >= config_.maxRetransmits) {
			// §5.8: the peer is unreachable; the tunnel and its sessions go.
			failed_ = true;
			ackDue_.reset();
			return;
		}
		++m.retransmits;
		m.timeout = std::min(m.timeout * 2, config_.maxTimeout);
		m.deadline = now + m.timeout;
		out_.push_back(Transmission{m.ns, expectedNs_, m.sessionId, m.body, m.retransmits});
		++counters_.retransmitted;
		ackDue_.reset();
	}
	if (ackDue_ && *ackDue_ <= now)
		emitZlb();
}

void ReliableTransport::acknowledgeNow()
{
	if (ackDue_ && !failed_)
		emitZlb();
}

std::vector<Transmission> ReliableTransport::takeTransmissions()
{
	return std::exchange(out_, {});
}

std::vector<Delivery> ReliableTransport::takeDeliveries()
{
	return std::exchange(deliveries_, {});
}

} // namespace l2tpsec::l2tp
