#include "daemon/session_rate.h"

namespace l2tpsec {

namespace {

std::optional<uint64_t> perSecond(uint64_t before, uint64_t after, std::chrono::milliseconds elapsed)
{
	if (after < before)
		return std::nullopt; // reset or wrapped: the interval says nothing
	return (after - before) * 1000 / static_cast<uint64_t>(elapsed.count());
}

} // namespace

void SessionRate::sample(uint64_t rxBytes, uint64_t txBytes, Clock::time_point now)
{
	if (last_) {
		auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_->at);
		// Two reads in the same millisecond (or a clock that did not move)
		// keep the rate of the interval before.
		if (elapsed.count() <= 0)
			return;
		rx_ = perSecond(last_->rx, rxBytes, elapsed);
		tx_ = perSecond(last_->tx, txBytes, elapsed);
	}
	last_ = Sample{rxBytes, txBytes, now};
}

} // namespace l2tpsec
