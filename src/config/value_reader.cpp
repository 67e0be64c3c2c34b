#include "config/value_reader.h"

#include "common/duration.h"

namespace l2tpsec {

ValueReader::ValueReader(std::string file, ConfigLoad &out) : file_(std::move(file)), out_(out)
{
	auto slash = file_.rfind('/');
	baseDir_ = slash == std::string::npos ? "." : file_.substr(0, slash == 0 ? 1 : slash);
}

void ValueReader::expected(const Value &n, std::string_view what)
{
	error(lineOf(n), fmt::format("{}: expected {}, got {}", where_, what, n.describe()));
}

void ValueReader::invalid(const Value &n, std::string_view why)
{
	error(lineOf(n), fmt::format("{}: {}", where_, why));
}

std::optional<std::string> ValueReader::string(const Value &n, std::string_view what)
{
	if (auto s = stringOf(n))
		return s;
	expected(n, what);
	return std::nullopt;
}

std::optional<bool> ValueReader::boolean(const Value &n)
{
	if (n.kind == Kind::Boolean)
		return n.boolean;
	expected(n, "true or false");
	return std::nullopt;
}

std::optional<int64_t> ValueReader::integer(const Value &n, int64_t min, int64_t max)
{
	auto what = fmt::format("an integer from {} to {}", min, max);
	if (n.kind != Kind::Integer) {
		expected(n, what);
		return std::nullopt;
	}
	int64_t v = n.integer;
	if (v < min || v > max) {
		expected(n, what);
		return std::nullopt;
	}
	return v;
}

std::optional<std::chrono::seconds> ValueReader::duration(const Value &n, std::chrono::seconds min,
                                                          std::chrono::seconds max)
{
	std::optional<std::chrono::seconds> d;
	if (n.kind == Kind::Integer && n.integer >= 0)
		d = std::chrono::seconds(n.integer);
	else if (n.kind == Kind::String)
		d = parseDuration(n.text);
	auto what = fmt::format("a duration from {} to {} such as \"30s\", \"5m\" or \"8h\"", formatDuration(min),
	                        formatDuration(max));
	if (!d || *d < min || *d > max) {
		expected(n, what);
		return std::nullopt;
	}
	return d;
}

std::optional<IpAddress> ValueReader::address(const Value &n, bool v4Only)
{
	auto what = v4Only ? "an IPv4 address such as \"192.0.2.1\"" : "an IP address such as \"192.0.2.1\"";
	if (auto s = stringOf(n)) {
		auto a = IpAddress::parse(*s);
		if (a && (!v4Only || a->isV4()))
			return a;
	}
	expected(n, what);
	return std::nullopt;
}

std::optional<RadiusServer> ValueReader::radiusServer(const Value &n, uint16_t defaultPort)
{
	if (auto s = stringOf(n)) {
		std::string_view text = *s, host = text;
		unsigned long port = defaultPort;
		if (auto colon = text.find(':'); colon != std::string_view::npos) {
			host = text.substr(0, colon);
			std::string_view digits = text.substr(colon + 1);
			bool good = !digits.empty() && digits.size() <= 5 &&
			            std::all_of(digits.begin(), digits.end(),
			                        [](char ch) { return ch >= '0' && ch <= '9'; });
			port = good ? std::stoul(std::string(digits)) : 0;
		}
		auto a = IpAddress::parse(host);
		if (a && a->isV4() && port >= 1 && port <= 65535)
			return RadiusServer{*a, static_cast<uint16_t>(port)};
	}
	expected(n, fmt::format("an IPv4 address with an optional port such as \"192.0.2.5\" or "
	                        "\"192.0.2.5:{}\"",
	                        defaultPort));
	return std::nullopt;
}

std::optional<ConfigPath> ValueReader::path(const Value &n)
{
	auto s = string(n, "a file path");
	if (!s)
		return std::nullopt;
	if (s->empty()) {
		expected(n, "a file path");
		return std::nullopt;
	}
	// Relative paths are relative to the config file, not to the cwd.
	std::string p = (*s)[0] == '/' ? *s : baseDir_ + "/" + *s;
	return ConfigPath{p, lineOf(n)};
}

std::optional<std::vector<ConfigPath>> ValueReader::caList(const Value &n)
{
	auto v = list<ConfigPath>(n, "CA certificate files", [&](const Value &e) { return path(e); });
	if (v && v->empty()) {
		invalid(n, "at least one CA certificate file is needed");
		return std::nullopt;
	}
	return v;
}

std::optional<std::string> ValueReader::identity(const Value &n)
{
	auto s = stringOf(n);
	if (!s || s->empty() || s->size() > 1024) {
		expected(n, "an identity such as \"vpn.example.com\", \"C=CH, O=Example, CN=vpn\" or "
		            "\"192.0.2.1\"");
		return std::nullopt;
	}
	return s;
}

std::optional<Secret> ValueReader::secret(const Value &n)
{
	auto p = path(n);
	if (!p)
		return std::nullopt;
	return Secret{*p, ""};
}

} // namespace l2tpsec
