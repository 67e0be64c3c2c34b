#pragma once
// The table of every config key: its section, its name, and how its value is
// read into Config (through ValueReader, which reports a bad value). Adding
// a key starts here (CONTRIBUTING.md, "Adding a config key").

#include "config/config.h"
#include "config/toml_reader.h"
#include "config/value_reader.h"

#include <functional>
#include <string_view>
#include <vector>

namespace l2tpsec {

struct KeyEntry {
	std::string_view section;
	std::string_view key;
	/// Reads the value into the config, or into the [[lac]] profile being
	/// read (null outside [[lac]]).
	std::function<void(ValueReader &, const toml::Value &, Config &, LacProfile *)> handle;
};

/// Every key, in the order l2tpsec.conf(5) documents them.
const std::vector<KeyEntry> &keyTable();

} // namespace l2tpsec
