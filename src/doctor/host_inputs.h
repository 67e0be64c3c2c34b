#pragma once
// Everything the doctor's checks look at, as text and plain facts: the I/O
// layer (host_gather.h) fills it from a root directory, the tests from
// fixture strings. nullopt means "could not be read", which the checks
// report as skipped or "could not tell", never as a problem.

#include "common/ip_address.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace l2tpsec::doctor {

struct TextFile {
	std::string path;
	std::string text;
};

struct HostInputs {
	std::string kernelRelease;                       ///< uname -r; "" unknown
	std::optional<std::string> procModules;          ///< /proc/modules
	std::optional<std::string> modulesBuiltin;       ///< /lib/modules/R/modules.builtin
	std::optional<std::string> modulesDep;           ///< /lib/modules/R/modules.dep
	std::vector<TextFile> modprobeConfs;             ///< modprobe.d/*.conf
	std::optional<std::string> kernelConfig;         ///< /boot/config-R
	std::optional<std::string> ipForward;            ///< /proc/sys/net/ipv4/ip_forward
	std::optional<std::string> udp4, udp6;           ///< /proc/net/udp, /proc/net/udp6
	std::map<uint64_t, std::string> socketOwners;    ///< socket inode -> process name
	std::optional<std::string> nftRuleset;           ///< `nft -j list ruleset`
	std::optional<std::string> iptablesSave;         ///< `iptables-save`
	std::set<std::string> existingFiles;             ///< of the paths the checks asked about
	std::optional<std::vector<IpAddress>> addresses; ///< the host's interface addresses
};

} // namespace l2tpsec::doctor
