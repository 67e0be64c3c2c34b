#pragma once
// `l2tpctl doctor`: every check of the host, in the order l2tpctl(8) lists
// them, over inputs gathered beforehand (host_gather.h). Pure: the tests run
// it over fixture strings.

#include "common/ip_address.h"
#include "doctor/finding.h"
#include "doctor/host_inputs.h"

#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::doctor {

/// What the config tells the checks; the defaults without a config.
struct ConfigFacts {
	bool ipsec = true;   ///< [l2tp] ipsec is not "off"
	bool radius = false; ///< [radius] is set: pppd loads radius.so
	bool lac = false;    ///< [[lac]] profiles: pppd loads passwordfd.so
	std::string pppd = "/usr/sbin/pppd";
	std::vector<IpAddress> listen; ///< empty: every IPv4 address
};

/// The config at `path` (`text` nullopt: it could not be read; `given`:
/// named by --config, so a missing file is fatal). Parsed without reading
/// the secret files it names, so a user who cannot read them can run it.
Finding checkConfig(const std::string &path, const std::optional<std::string> &text, bool given, ConfigFacts &facts);

/// The config's listen addresses against the host's interfaces.
Finding checkListen(const ConfigFacts &facts, const std::optional<std::vector<IpAddress>> &addresses);

/// The plugins pppd loads for this config; `plugin` is l2tpsec-pppd.so,
/// and pppd's own plugins are beside it (the same pppd version).
std::vector<std::string> pppdPlugins(const ConfigFacts &facts, const std::string &plugin);

/// The paths whose existence the checks look at (HostInputs::existingFiles).
std::vector<std::string> probedPaths(const ConfigFacts &facts, const std::string &plugin);

/// Every host check after the config's.
std::vector<Finding> checkHost(const HostInputs &in, const ConfigFacts &facts, const std::string &plugin);

} // namespace l2tpsec::doctor
