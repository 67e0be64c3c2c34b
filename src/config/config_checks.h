#pragma once
// The checks that tell a config that parses from one that can serve
// clients. loadConfigFile runs them once the secret files are read, so
// l2tpsecd --check, start-up and reload all apply them; parseConfig, which
// opens no file, does not. Errors for a config that serves no one or that
// pppd would misread (IPsec required without a key, a short pre-shared key,
// a [ppp] secrets file that is missing or malformed); warnings for one that
// serves, but badly or not yet (PAP only, a listen address the host does not
// have, a secrets file others can read).

#include "common/ip_address.h"
#include "config/config.h"
#include "config/config_loader.h"

#include <optional>
#include <vector>

namespace l2tpsec {

/// What the checks need to know about the host they run on.
struct HostFacts {
	/// The addresses of the local interfaces; nullopt when they cannot be
	/// listed (the listen check is then skipped).
	std::optional<std::vector<IpAddress>> addresses;
};

/// The host this process runs on (getifaddrs).
HostFacts currentHostFacts();

/// Adds the checks' errors and warnings to `out`, against `c` as loaded
/// (secret values read; an empty value is one that could not be).
void checkCanServe(const Config &c, const HostFacts &host, ConfigLoad &out);

} // namespace l2tpsec
