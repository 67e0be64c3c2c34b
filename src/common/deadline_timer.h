#pragma once
// DeadlineTimer: one event-loop timer that follows an engine's next
// deadline. The protocol engines (L2TP, IKE) do no I/O and keep their own
// timetables; their owner calls arm() with nextDeadline() after every call
// into the engine, and the timer is moved only when that deadline changed.

#include "common/event_loop.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

namespace l2tpsec {

class DeadlineTimer {
public:
	using Clock = std::chrono::steady_clock;
	explicit DeadlineTimer(EventLoop &loop) : loop_(loop) {}
	~DeadlineTimer() { cancel(); }
	DeadlineTimer(const DeadlineTimer &) = delete;
	DeadlineTimer &operator=(const DeadlineTimer &) = delete;

	/// Fires `fire` at `next` (at once if it is past); nullopt disarms.
	void arm(std::optional<Clock::time_point> next, std::function<void()> fire)
	{
		if (next == armedFor_ && timer_)
			return;
		cancel();
		armedFor_ = next;
		if (!next)
			return;
		auto delay = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
		timer_ = loop_.addTimer(std::max(delay, std::chrono::milliseconds(0)), [this, fire = std::move(fire)] {
			timer_.reset();
			armedFor_.reset();
			fire();
		});
	}

	void cancel()
	{
		if (timer_)
			loop_.cancelTimer(*timer_);
		timer_.reset();
		armedFor_.reset();
	}

private:
	EventLoop &loop_;
	std::optional<EventLoop::TimerId> timer_;
	std::optional<Clock::time_point> armedFor_;
};

} // namespace l2tpsec
