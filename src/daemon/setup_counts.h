#pragma once
// How many setups of one stage (IKE, L2TP, PPP) completed and how many
// failed, by a short reason, since the daemon started: what `metrics`
// exports as l2tpsec_setups_total and l2tpsec_setup_failures_total. The
// reasons are a few fixed words, never text from a peer, so the label set
// stays small.

#include <cstdint>
#include <map>
#include <string>

namespace l2tpsec {

struct SetupCounts {
	uint64_t setups = 0;
	std::map<std::string, uint64_t> failures; ///< by reason

	void failed(const std::string &reason) { failures[reason]++; }
};

} // namespace l2tpsec
