#pragma once
// Loads l2tpsec.conf (TOML) into a validated Config. Every problem is reported,
// not just the first, as "FILE:LINE: message" naming the section, the key,
// what was expected and the offending value quoted, e.g.
//   /etc/l2tpsec/l2tpsec.conf:14: unknown key 'ike_lifetme' in [ike] (did you mean 'ike_lifetime'?)
// A load with any error yields no Config: a daemon keeps the one it has.

#include "config/config.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

struct ConfigDiagnostic {
	std::string file;
	int line = 0; ///< 0 when the problem has no single line
	std::string message;
	/// "FILE:LINE: message", or "FILE: message" without a line.
	std::string str() const;
};

struct ConfigLoad {
	std::optional<Config> config; ///< set exactly when errors is empty
	std::vector<ConfigDiagnostic> errors;
	std::vector<ConfigDiagnostic> warnings;
	bool ok() const { return config.has_value(); }
};

/// Parses and validates TOML text. Pure: relative paths are resolved against
/// the directory of fileName, but no file is opened (secrets stay empty).
ConfigLoad parseConfig(std::string_view text, const std::string &fileName);

/// Reads the file, parses it, reads the secret files it names (psk_file,
/// secret_file, password_file), warning about loose permissions, and then
/// checks that the result can serve clients (config_checks.h).
ConfigLoad loadConfigFile(const std::string &path);

/// Every key the loader knows, for documentation checks and completion.
struct ConfigKey {
	std::string_view section; ///< "server", "ike", "l2tp", "ppp" or "lac"
	std::string_view key;
};
const std::vector<ConfigKey> &configKeys();

} // namespace l2tpsec
