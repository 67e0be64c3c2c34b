#pragma once
// SessionRate: a session's current bytes per second, from the kernel's
// counters sampled on the daemon's timer (`l2tpctl sessions` RX/S, TX/S).
// A rate needs two samples; a counter that went down (the kernel's session
// was recreated, or a counter wrapped) gives no rate for that interval
// rather than a negative or huge one.

#include <chrono>
#include <cstdint>
#include <optional>

namespace l2tpsec {

class SessionRate {
public:
	using Clock = std::chrono::steady_clock;

	/// The counters as read at `now`.
	void sample(uint64_t rxBytes, uint64_t txBytes, Clock::time_point now);

	std::optional<uint64_t> rx() const { return rx_; }
	std::optional<uint64_t> tx() const { return tx_; }

private:
	struct Sample {
		uint64_t rx = 0, tx = 0;
		Clock::time_point at;
	};
	std::optional<Sample> last_;
	std::optional<uint64_t> rx_, tx_;
};

} // namespace l2tpsec
