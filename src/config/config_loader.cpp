#include "config/config_loader.h"

#include "common/duration.h"
#include "common/suggest.h"
#include "config/config_checks.h"
#include "config/config_keys.h"
#include "config/toml_reader.h"
#include "config/user_binding_table.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace l2tpsec {

std::string ConfigDiagnostic::str() const
{
	if (line > 0)
		return fmt::format("{}:{}: {}", file, line, message);
	return fmt::format("{}: {}", file, message);
}

std::string_view proposalProfileName(ProposalProfile p)
{
	switch (p) {
	case ProposalProfile::Modern: return "modern";
	case ProposalProfile::Compat: return "compat";
	case ProposalProfile::Legacy: return "legacy";
	}
	return "?";
}

std::string_view ipsecRequirementName(IpsecRequirement r)
{
	switch (r) {
	case IpsecRequirement::Required: return "required";
	case IpsecRequirement::Optional: return "optional";
	case IpsecRequirement::Off: return "off";
	}
	return "?";
}

std::string_view pppAuthName(PppAuth a)
{
	switch (a) {
	case PppAuth::MsChapV2: return "mschap-v2";
	case PppAuth::Chap: return "chap";
	case PppAuth::Pap: return "pap";
	}
	return "?";
}

std::string pppUserBindingText(const PppUserBindingConfig &b)
{
	switch (b.mode) {
	case PppUserBinding::Off: return "off";
	case PppUserBinding::CommonName: return "cn";
	case PppUserBinding::Email: return "email";
	case PppUserBinding::Dns: return "dns";
	case PppUserBinding::Table: return b.table.path;
	}
	return "?";
}

namespace {

// TOML is UTF-8 without control characters (TOML 1.0, "Spec"); checking that
// first gives a clear error and keeps malformed bytes away from toml++ 3.3,
// whose key parser asserts on some of them (found by tests/fuzz/fuzz_config).
// Returns the 1-based line and a description of the first bad byte.
std::optional<std::pair<int, std::string>> firstBadByte(std::string_view text)
{
	int line = 1;
	for (size_t i = 0; i < text.size();) {
		auto c = static_cast<unsigned char>(text[i]);
		if (c == '\n')
			line++;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return std::make_pair(line, fmt::format("control character 0x{:02x}", c));
			i++;
			continue;
		}
		// Multi-byte sequence: lead byte, length, and the smallest code
		// point that length may encode (no overlong forms, no surrogates).
		size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		bool good = len > 0 && c < 0xf5 && i + len <= text.size();
		uint32_t cp = len == 4 ? c & 0x07 : len == 3 ? c & 0x0f : c & 0x1f;
		for (size_t k = 1; good && k < len; k++) {
			auto cc = static_cast<unsigned char>(text[i + k]);
			good = (cc & 0xc0) == 0x80;
			cp = (cp << 6) | (cc & 0x3f);
		}
		if (good)
			good = (len == 3 && cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) ||
			       (len == 4 && cp >= 0x10000 && cp <= 0x10ffff) || len == 2;
		if (!good)
			return std::make_pair(line, fmt::format("byte 0x{:02x} that is not valid UTF-8", c));
		i += len;
	}
	return std::nullopt;
}

class Loader {
public:
	Loader(std::string fileName) : file_(std::move(fileName)), reader_(file_, out_) {}

	ConfigLoad run(std::string_view text);

private:
	void error(int line, std::string msg) { reader_.error(line, std::move(msg)); }
	void warning(int line, std::string msg) { reader_.warning(line, std::move(msg)); }
	void section(std::string_view name, const std::vector<toml::KeyValue> &entries, LacProfile *lac);
	void crossCheck();
	void checkCert(const CertConfig &cert, const std::string &where, const std::function<int(const char *)> &line);

	std::string file_;
	Config config_;
	ConfigLoad out_;
	ValueReader reader_; ///< reports into out_
};

const std::vector<std::string_view> kSections = {"server", "blocking", "ike", "l2tp",
                                                 "ppp",    "radius",   "lac", "metrics"};

void Loader::section(std::string_view name, const std::vector<toml::KeyValue> &entries, LacProfile *lac)
{
	std::vector<std::string_view> known;
	for (auto &e : keyTable())
		if (e.section == name)
			known.push_back(e.key);
	for (const toml::KeyValue &kv : entries) {
		const KeyEntry *entry = nullptr;
		for (auto &e : keyTable())
			if (e.section == name && e.key == kv.key)
				entry = &e;
		if (!entry) {
			std::string hint = suggestion(kv.key, known);
			error(kv.line, fmt::format("unknown key '{}' in [{}]{}", kv.key, name,
			                           hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
			continue;
		}
		reader_.setWhere(fmt::format("[{}] {}", name, kv.key));
		if (!lac)
			config_.keyLines[fmt::format("{}.{}", name, kv.key)] = kv.line;
		entry->handle(reader_, kv.value, config_, lac);
	}
}

// The certificate keys come together: certificate, private_key and ca,
// with local_id and peer_id only beside a certificate.
void Loader::checkCert(const CertConfig &cert, const std::string &where, const std::function<int(const char *)> &line)
{
	if (cert.enabled()) {
		if (cert.privateKey.empty())
			error(line("certificate"),
			      fmt::format("{} certificate: needs private_key, the key it certifies", where));
		if (cert.ca.empty())
			error(line("certificate"), fmt::format("{} certificate: needs ca, the CA certificates a peer's "
			                                       "certificate must chain to",
			                                       where));
		return;
	}
	for (auto [key, set] :
	     {std::pair{"private_key", !cert.privateKey.empty()}, std::pair{"ca", !cert.ca.empty()},
	      std::pair{"local_id", !cert.localId.empty()}, std::pair{"peer_id", !cert.peerId.empty()}})
		if (set)
			error(line(key),
			      fmt::format("{} {}: only used with certificate, which is not set", where, key));
}

void Loader::crossCheck()
{
	Config &c = config_;
	auto lineFor = [&](std::string_view k) { return c.lineOf(k); };
	if (!c.keyLines.count("ppp.mru"))
		c.ppp.mru = c.ppp.mtu;
	if (c.ike.dpdInterval.count() > 0 && c.ike.dpdTimeout <= c.ike.dpdInterval)
		error(lineFor("ike.dpd_timeout"),
		      fmt::format("[ike] dpd_timeout: {} must be longer than dpd_interval ({})",
		                  formatDuration(c.ike.dpdTimeout), formatDuration(c.ike.dpdInterval)));
	if (c.ppp.pool && c.ppp.localAddress) {
		uint32_t a = c.ppp.localAddress->v4HostOrder();
		if (a >= c.ppp.pool->first.v4HostOrder() && a <= c.ppp.pool->last.v4HostOrder())
			error(lineFor("ppp.pool"),
			      fmt::format("[ppp] pool: range contains local_address {}; clients would be given "
			                  "the server's own address",
			                  c.ppp.localAddress->str()));
	}
	checkCert(c.ike.cert, "[ike]", [&](const char *key) { return lineFor(fmt::format("ike.{}", key)); });
	if (c.ike.bindPppUser.on() && !c.ike.cert.enabled())
		error(lineFor("ike.bind_ppp_user"),
		      "[ike] bind_ppp_user: needs [ike] certificate (certificate authentication): it binds PPP "
		      "users to the peers' certificates");
	if (c.ppp.pool && !c.ppp.localAddress)
		error(lineFor("ppp.pool"), "[ppp] pool: needs local_address, the server's end of every PPP link");

	if (c.ppp.radius) {
		RadiusConfig &r = *c.ppp.radius;
		if (r.authServers.empty())
			error(r.line, "[radius]: missing required key 'auth_servers'");
		if (!r.secret)
			error(r.line, "[radius]: missing required key 'secret_file'");
		if (r.accountingServers.empty())
			for (const RadiusServer &s : r.authServers)
				r.accountingServers.push_back({s.address, 1813});
		// The radiusclient files go next to the control socket (a runtime
		// directory such as /run/l2tpsec).
		const std::string &sock = c.server.controlSocket;
		auto slash = sock.rfind('/');
		r.runtimeDir =
		        (slash == std::string::npos ? std::string(".") : sock.substr(0, slash == 0 ? 1 : slash)) +
		        "/radius";
		if (c.keyLines.count("ppp.secrets"))
			warning(lineFor("ppp.secrets"),
			        "[ppp] secrets: not used for the users of an LNS session; [radius] authenticates them");
		if (!r.dasListen.empty() && r.dasClients.empty())
			error(lineFor("radius.das_listen"), "[radius] das_listen: needs das_clients, the addresses "
			                                    "that may send Disconnect-Requests");
		for (const char *key : {"radius.das_port", "radius.das_clients", "radius.das_secret_file"})
			if (r.dasListen.empty() && c.keyLines.count(key))
				warning(lineFor(key), fmt::format("[radius] {}: not used without das_listen",
				                                  std::string_view(key).substr(7)));
	}

	// [[lac]] profiles: required keys and unique names.
	std::set<std::string> names;
	for (auto &p : c.lac) {
		auto missing = [&](const char *key) {
			error(p.line, fmt::format("[[lac]] {}: missing required key '{}'",
			                          p.name.empty() ? "profile" : "'" + p.name + "'", key));
		};
		if (p.name.empty())
			missing("name");
		else if (!names.insert(p.name).second)
			error(p.line, fmt::format("[[lac]] name: '{}' is used by an earlier profile", p.name));
		if (p.server.isUnspecified())
			missing("server");
		if (p.user.empty())
			missing("user");
		if (!p.password)
			missing("password_file");
		if (!p.psk && !p.cert.enabled() && c.l2tp.ipsec != IpsecRequirement::Off)
			missing("psk_file' or 'certificate");
		checkCert(p.cert, fmt::format("[[lac]] '{}'", p.name), [&](const char *) { return p.line; });
		// [ike] aggressive_mode is the one switch that allows Aggressive
		// Mode at all; a profile only chooses it for its own server.
		if (p.aggressiveMode && !c.ike.aggressiveMode)
			error(p.line,
			      fmt::format("[[lac]] '{}' aggressive_mode: needs [ike] aggressive_mode = true", p.name));
		else if (p.aggressiveMode && !p.psk)
			error(p.line, fmt::format("[[lac]] '{}' aggressive_mode: needs a psk_file (Aggressive Mode "
			                          "authenticates with a pre-shared key only)",
			                          p.name));
	}
}

ConfigLoad Loader::run(std::string_view text)
{
	// Windows editors (Notepad among them) start UTF-8 files with a
	// byte-order mark; TOML does not allow one, but it carries no meaning.
	constexpr std::string_view kBom = "\xef\xbb\xbf";
	if (text.starts_with(kBom))
		text.remove_prefix(kBom.size());
	if (auto bad = firstBadByte(text)) {
		error(bad->first, fmt::format("the file must be UTF-8 text; found a {}", bad->second));
		return std::move(out_);
	}
	toml::ReadResult parsed = toml::read(text);
	if (!parsed.document) {
		error(parsed.error.line, fmt::format("TOML syntax error: {}", parsed.error.message));
		return std::move(out_);
	}
	const toml::Document &doc = *parsed.document;
	config_.file = file_;
	auto isSection = [](std::string_view name) {
		return std::find(kSections.begin(), kSections.end(), name) != kSections.end();
	};
	for (const toml::KeyValue &kv : doc.root) {
		if (isSection(kv.key))
			error(kv.line, fmt::format("'{}' must be a section, written [{}]", kv.key, kv.key));
		else
			error(kv.line, fmt::format("key '{}' is outside any section; it belongs under a header "
			                           "such as [server]",
			                           kv.key));
	}
	for (const toml::Table &t : doc.tables) {
		if (!isSection(t.name)) {
			std::string hint = suggestion(t.name, kSections);
			error(t.line, fmt::format("unknown section [{}]{}", t.name,
			                          hint.empty() ? "" : fmt::format(" (did you mean [{}]?)", hint)));
			continue;
		}
		if (t.name == "lac") {
			if (!t.arrayElement) {
				error(t.line,
				      "[lac] holds client profiles and must be written [[lac]], once per profile");
				continue;
			}
			LacProfile p;
			p.line = t.line;
			section("lac", t.entries, &p);
			config_.lac.push_back(std::move(p));
			continue;
		}
		if (t.arrayElement) {
			error(t.line,
			      fmt::format("[{}] is a single section; write [{}], not [[{}]]", t.name, t.name, t.name));
			continue;
		}
		if (t.name == "radius") {
			config_.ppp.radius.emplace();
			config_.ppp.radius->line = t.line;
		}
		section(t.name, t.entries, nullptr);
	}
	// A file without a section (empty, or comments only: a truncated copy,
	// the wrong file) sets nothing, and the defaults serve no one.
	if (out_.errors.empty() && doc.tables.empty()) {
		bool blank = std::all_of(text.begin(), text.end(),
		                         [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
		error(0, fmt::format("{}; a server needs at least [ike] psk_file and [ppp] secrets, see "
		                     "l2tpsec.conf(5)",
		                     blank ? "the file is empty" : "the file has no section, only comments"));
	}
	if (out_.errors.empty())
		crossCheck();
	if (out_.errors.empty())
		out_.config = std::move(config_);
	return std::move(out_);
}

// Reads a one-line secret; loose permissions are a warning, not an error,
// so that a test or a first try works, but the admin is told.
void readSecret(Secret &s, std::string_view what, const std::string &file, ConfigLoad &out)
{
	std::ifstream in(s.file.path);
	if (!in) {
		out.errors.push_back(
		        {file, s.file.line,
		         fmt::format("{}: cannot read '{}': {}", what, s.file.path, std::strerror(errno))});
		return;
	}
	std::getline(in, s.value);
	while (!s.value.empty() && (s.value.back() == '\r' || s.value.back() == ' ' || s.value.back() == '\t'))
		s.value.pop_back();
	if (s.value.empty()) {
		out.errors.push_back({file, s.file.line, fmt::format("{}: '{}' is empty", what, s.file.path)});
		return;
	}
	struct stat st {};
	if (stat(s.file.path.c_str(), &st) == 0 && (st.st_mode & 077))
		out.warnings.push_back(
		        {file, s.file.line,
		         fmt::format("{}: '{}' can be read by other users; chmod 600 it", what, s.file.path)});
}

// The table of [ike] bind_ppp_user, read now so that a reload reads it
// again and a bad line stops it like a bad key.
void readUserBindingTable(PppUserBindingConfig &b, const std::string &file, ConfigLoad &out)
{
	std::string what = fmt::format("[ike] bind_ppp_user: '{}'", b.table.path);
	std::ifstream in(b.table.path, std::ios::binary);
	struct stat st {};
	if (!in || (stat(b.table.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
		out.errors.push_back(
		        {file, b.table.line,
		         fmt::format("{}: cannot read it: {}", what, in ? "is a directory" : std::strerror(errno))});
		return;
	}
	std::stringstream text;
	text << in.rdbuf();
	auto entries = parseUserBindingTable(text.str());
	if (!entries) {
		out.errors.push_back({file, b.table.line, fmt::format("{} {}", what, entries.error().message)});
		return;
	}
	if (entries->empty())
		out.warnings.push_back(
		        {file, b.table.line, fmt::format("{}: no entries; no certificate may sign anyone in", what)});
	b.entries = std::move(*entries);
}

// The certificate files must be readable, and the private key by us alone
// (unlike a loose psk_file, which only warns: a key others could read has
// to be replaced, not just chmod-ed). Their contents are the IKE engine's
// to check (it parses them with the crypto library at start).
void checkCertFiles(const CertConfig &cert, const std::string &where, const std::string &file, ConfigLoad &out)
{
	if (!cert.enabled())
		return;
	auto readable = [&](const ConfigPath &p, std::string_view key) {
		std::ifstream in(p.path, std::ios::binary);
		if (!in) {
			out.errors.push_back(
			        {file, p.line,
			         fmt::format("{} {}: cannot read '{}': {}", where, key, p.path, std::strerror(errno))});
			return false;
		}
		return true;
	};
	readable(cert.certificate, "certificate");
	for (const ConfigPath &ca : cert.ca)
		readable(ca, "ca");
	struct stat st {};
	if (readable(cert.privateKey, "private_key") && stat(cert.privateKey.path.c_str(), &st) == 0 &&
	    (st.st_mode & 077))
		out.errors.push_back({file, cert.privateKey.line,
		                      fmt::format("{} private_key: '{}' can be read by other users (mode {:03o}); "
		                                  "chmod 600 it",
		                                  where, cert.privateKey.path, st.st_mode & 0777)});
}

} // namespace

ConfigLoad parseConfig(std::string_view text, const std::string &fileName)
{
	return Loader(fileName).run(text);
}

ConfigLoad loadConfigFile(const std::string &path)
{
	// An ifstream opens a directory and reads it as an empty file.
	struct stat st {};
	if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
		ConfigLoad out;
		out.errors.push_back({path, 0,
		                      fmt::format("is a directory, not a config file; name the file in it, "
		                                  "such as {}/l2tpsec.conf",
		                                  path.ends_with('/') ? path.substr(0, path.size() - 1) : path)});
		return out;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		ConfigLoad out;
		out.errors.push_back({path, 0, fmt::format("cannot read the config file: {}", std::strerror(errno))});
		return out;
	}
	std::stringstream text;
	text << in.rdbuf();
	ConfigLoad out = parseConfig(text.str(), path);
	if (!out.config)
		return out;
	Config &c = *out.config;
	if (c.ike.psk)
		readSecret(*c.ike.psk, "[ike] psk_file", path, out);
	if (c.l2tp.secret)
		readSecret(*c.l2tp.secret, "[l2tp] secret_file", path, out);
	if (c.ppp.radius && c.ppp.radius->secret) {
		Secret &s = *c.ppp.radius->secret;
		constexpr std::string_view what = "[radius] secret_file";
		size_t errors = out.errors.size();
		readSecret(s, what, path, out);
		// pppd's radius plugin reads it as one word of its servers file,
		// and uses at most 48 bytes of it.
		if (out.errors.size() == errors && s.value.find_first_of(" \t") != std::string::npos)
			out.errors.push_back({path, s.file.line,
			                      fmt::format("{}: '{}' holds a space or tab; pppd's radius plugin needs "
			                                  "a secret without them",
			                                  what, s.file.path)});
		else if (out.errors.size() == errors && s.value.size() > 48)
			out.errors.push_back(
			        {path, s.file.line,
			         fmt::format("{}: '{}' holds {} bytes; pppd's radius plugin takes at most 48", what,
			                     s.file.path, s.value.size())});
	}
	if (c.ppp.radius && c.ppp.radius->dasSecret)
		readSecret(*c.ppp.radius->dasSecret, "[radius] das_secret_file", path, out);
	checkCertFiles(c.ike.cert, "[ike]", path, out);
	if (c.ike.bindPppUser.mode == PppUserBinding::Table)
		readUserBindingTable(c.ike.bindPppUser, path, out);
	for (auto &p : c.lac) {
		checkCertFiles(p.cert, fmt::format("[[lac]] '{}'", p.name), path, out);
		if (p.psk)
			readSecret(*p.psk, fmt::format("[[lac]] '{}' psk_file", p.name), path, out);
		if (p.password)
			readSecret(*p.password, fmt::format("[[lac]] '{}' password_file", p.name), path, out);
	}
	checkCanServe(c, currentHostFacts(), out);
	if (!out.errors.empty())
		out.config.reset();
	return out;
}

const std::vector<ConfigKey> &configKeys()
{
	static const std::vector<ConfigKey> keys = [] {
		std::vector<ConfigKey> k;
		for (auto &e : keyTable())
			k.push_back({e.section, e.key});
		return k;
	}();
	return keys;
}

} // namespace l2tpsec
