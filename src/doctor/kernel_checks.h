#pragma once
// The kernel's side of l2tpsec: the modules it needs (loaded, built in,
// loadable, or kept from loading by modprobe.d), CONFIG_L2TP_V3 and
// net.ipv4.ip_forward. Parsers of the kernel's own files, and checks over
// what they return; no I/O (host_inputs.h gathers the text).

#include "doctor/finding.h"
#include "doctor/host_inputs.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace l2tpsec::doctor {

/// A module's name as the kernel spells it in /proc/modules: '-' becomes '_'.
std::string moduleName(std::string_view name);

/// The names in /proc/modules (first word of each line).
std::set<std::string> parseProcModules(std::string_view text);

/// The names in modules.builtin or modules.dep: each line's path
/// ("kernel/net/l2tp/l2tp_ppp.ko.xz: ..."), its file name without ".ko*".
std::set<std::string> parseModulePaths(std::string_view text);

/// `blacklist NAME` and `install NAME /bin/false` (or /bin/true) lines of
/// one modprobe.d file: module -> "FILE: the line".
void parseModprobeConf(const TextFile &file, std::map<std::string, std::string> &disabled);

/// CONFIG_X in a kernel config (/boot/config-R): "y", "m", "n" (is not
/// set), or nullopt when the file does not mention it.
std::optional<std::string> kernelConfigValue(std::string_view config, std::string_view key);

/// What the host's files say about modules.
struct ModuleFacts {
	bool loadedKnown = false; ///< /proc/modules was read
	std::set<std::string> loaded;
	std::set<std::string> builtin;
	std::set<std::string> available; ///< a .ko under /lib/modules/R
	std::map<std::string, std::string> disabled;
	std::string release;
};

ModuleFacts moduleFacts(const HostInputs &in);

/// One module: `missing` is the status when the kernel cannot have it
/// (Fatal for one l2tpsecd needs, Warn for one it can do without).
Finding checkModule(const ModuleFacts &facts, std::string_view name, Status missing, std::string_view role);

/// CONFIG_L2TP_V3, without which the kernel has no netlink operations
/// for PPP sessions (L2TP_CMD_SESSION_CREATE with L2TP_PWTYPE_PPP).
Finding checkL2tpV3(const ModuleFacts &facts, const std::optional<std::string> &kernelConfig);

/// net.ipv4.ip_forward (the text of /proc/sys/net/ipv4/ip_forward).
Finding checkIpForward(const std::optional<std::string> &value);

/// Whether the kernel (uname -r) serves several clients behind one NAT that
/// all send L2TP from port 1701 (Linux 6.10 and later); before, the second
/// one is refused: information, not a problem.
Finding checkNatSharing(const std::string &release);

} // namespace l2tpsec::doctor
