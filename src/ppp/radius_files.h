#pragma once
// The files pppd's radius plugin (pppd-radius(8)) reads, generated from
// [radius] so that l2tpsec.conf stays the one config: a radiusclient config
// (servers, timeouts, NAS-Identifier), the servers file holding the shared
// secret, a dictionary of the attributes the plugin and the server exchange,
// and an empty port map. Debian's ppp ships the plugin but none of these.
// They live in RadiusConfig::runtimeDir (0700, files 0600), each replaced
// with rename() so that a pppd reading one never sees half of it.

#include "common/result.h"
#include "config/config.h"

#include <string>
#include <vector>

namespace l2tpsec::ppp {

struct RadiusFile {
	std::string name; ///< in runtimeDir
	std::string text;
};

/// The radiusclient config pppd gets as radius-config-file.
std::string radiusConfigPath(const RadiusConfig &r);

/// The files' names and contents; `nasIdentifier` replaces an empty
/// r.nasIdentifier (the daemon passes the host name).
std::vector<RadiusFile> radiusClientFiles(const RadiusConfig &r, const std::string &nasIdentifier);

/// Writes radiusClientFiles() into r.runtimeDir, creating it (0700) if it is
/// missing.
Result<void> writeRadiusClientFiles(const RadiusConfig &r);

/// The NAS-Identifier requests carry: nas_identifier, or else the host name.
std::string nasIdentifierOf(const RadiusConfig &r);

/// Removes them (and the directory, if that leaves it empty): when [radius]
/// goes away on a reload, or moves, the secret does not stay behind.
void removeRadiusClientFiles(const RadiusConfig &r);

} // namespace l2tpsec::ppp
