#pragma once
// ValueReader: one config value read as what its key wants (a duration, an
// address, a list of paths...), or one error at the value's line saying
// what was expected and what was there:
//   "[ike] dpd_interval: expected a duration from 0s to 1h such as ..., got "x""
// The key table (config_keys.cpp) reads every key through it; the loader
// (config_loader.cpp) owns it and collects what it reports.

#include "config/config.h"
#include "config/config_loader.h"
#include "config/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace l2tpsec {

/// The value's line in the file.
inline int lineOf(const toml::Value &n)
{
	return n.line;
}

/// The text of a string value; nothing for any other kind.
inline std::optional<std::string> stringOf(const toml::Value &n)
{
	if (n.kind == toml::Value::Kind::String)
		return n.text;
	return std::nullopt;
}

class ValueReader {
public:
	using Value = toml::Value;
	using Kind = toml::Value::Kind;

	/// Reports go to `out`; relative paths are resolved against the
	/// directory of `file`.
	ValueReader(std::string file, ConfigLoad &out);

	void error(int line, std::string msg) { out_.errors.push_back({file_, line, std::move(msg)}); }
	void warning(int line, std::string msg) { out_.warnings.push_back({file_, line, std::move(msg)}); }
	/// "[ike] dpd_interval: expected ..., got ..." at the node's line.
	void expected(const Value &n, std::string_view what);
	/// "[section] key: why" at the node's line.
	void invalid(const Value &n, std::string_view why);

	std::optional<std::string> string(const Value &n, std::string_view what = "a string");
	std::optional<bool> boolean(const Value &n);
	std::optional<int64_t> integer(const Value &n, int64_t min, int64_t max);
	std::optional<std::chrono::seconds> duration(const Value &n, std::chrono::seconds min,
	                                             std::chrono::seconds max);
	std::optional<IpAddress> address(const Value &n, bool v4Only);
	/// "A.B.C.D" or "A.B.C.D:PORT"; pppd's radius plugin takes IPv4 only.
	std::optional<RadiusServer> radiusServer(const Value &n, uint16_t defaultPort);
	/// Relative paths are relative to the config file, not to the cwd.
	std::optional<ConfigPath> path(const Value &n);
	std::optional<std::vector<ConfigPath>> caList(const Value &n);
	/// An IKE identity: an IPv4 address, a DN ("C=CH, O=Example, CN=vpn"), a
	/// host name or user@host; the IKE engine parses it at start.
	std::optional<std::string> identity(const Value &n);
	/// A secret's file; its contents are read later (loadConfigFile).
	std::optional<Secret> secret(const Value &n);

	/// Each element through `one`; duplicates are an error.
	template <typename T, typename F>
	std::optional<std::vector<T>> list(const Value &n, std::string_view what, F one);

	/// One of the named values.
	template <typename E>
	std::optional<E> choice(const Value &n, std::initializer_list<std::pair<std::string_view, E>> options);

	/// What errors are about: "[section] key".
	void setWhere(std::string w) { where_ = std::move(w); }
	const std::string &file() const { return file_; }

private:
	std::string file_;
	std::string baseDir_;
	std::string where_;
	ConfigLoad &out_;
};

template <typename T, typename F>
std::optional<std::vector<T>> ValueReader::list(const Value &n, std::string_view what, F one)
{
	if (n.kind != Kind::Array) {
		expected(n, fmt::format("an array of {}", what));
		return std::nullopt;
	}
	std::vector<T> out;
	bool good = true;
	for (const Value &e : n.items) {
		std::optional<T> v = one(e);
		if (!v) {
			good = false;
			continue;
		}
		if (std::find(out.begin(), out.end(), *v) != out.end()) {
			invalid(e, fmt::format("{} is listed twice", e.describe()));
			good = false;
			continue;
		}
		out.push_back(std::move(*v));
	}
	if (!good)
		return std::nullopt;
	return out;
}

template <typename E>
std::optional<E> ValueReader::choice(const Value &n, std::initializer_list<std::pair<std::string_view, E>> options)
{
	std::string names;
	for (auto &[name, value] : options)
		names += (names.empty() ? "" : ", ") + fmt::format("\"{}\"", name);
	if (auto s = stringOf(n))
		for (auto &[name, value] : options)
			if (*s == name)
				return value;
	expected(n, "one of " + names);
	return std::nullopt;
}

} // namespace l2tpsec
