#pragma once
// The firewall's view of what l2tpsecd receives: IKE (udp 500, 4500), ESP,
// and L2TP (udp 1701, which arrives again after ESP is taken off). Read from
// `nft -j list ruleset` and `iptables-save`; the check reports only what
// those show for certain: an input chain that drops by default without
// accepting these is a warning with the rules to add, and anything it cannot
// follow (jumps to other chains) is said to be so, not guessed.

#include "common/result.h"
#include "doctor/finding.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::doctor {

/// What l2tpsecd needs through the input chain, by name: "udp 500",
/// "udp 4500", "esp", "udp 1701".
std::vector<std::string> firewallNeeds(bool ipsec);

/// One input chain that drops what no rule accepts.
struct DroppingChain {
	std::string name;              ///< "inet filter input", "INPUT"
	std::set<std::string> accepts; ///< of firewallNeeds()' names
	bool jumps = false;            ///< it jumps to chains not followed
	bool operator==(const DroppingChain &) const = default;
};

/// The dropping input chains of an nft JSON ruleset. Chains iptables-nft
/// made (table filter, chain INPUT) are left to the iptables-save reading.
Result<std::vector<DroppingChain>> nftDroppingChains(std::string_view json);

/// The *filter INPUT chain of iptables-save, if it drops by default or
/// ends in a rule that drops everything.
std::vector<DroppingChain> iptablesDroppingChains(std::string_view text);

/// The finding over both; nullopt: that tool gave nothing.
Finding checkFirewall(const std::optional<std::string> &nftJson, const std::optional<std::string> &iptablesSave,
                      bool ipsec);

} // namespace l2tpsec::doctor
