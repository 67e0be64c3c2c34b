// The config loader: every key, every kind of error with its exact text.

#include "config/config_loader.h"
#include "config/user_binding_table.h"
#include "temp_dir.h"

#include <fmt/format.h>

#include <doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace l2tpsec;
using std::chrono::seconds;

namespace {

const std::string kFile = "/etc/l2tpsec/l2tpsec.conf";

Config parseOk(const std::string &text)
{
	ConfigLoad r = parseConfig(text, kFile);
	for (auto &e : r.errors)
		FAIL_CHECK(e.str());
	REQUIRE(r.ok());
	return *r.config;
}

// The one error the text must produce, as the admin sees it.
std::string onlyError(const std::string &text)
{
	ConfigLoad r = parseConfig(text, kFile);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	return r.errors[0].str();
}

std::vector<std::string> allErrors(const std::string &text)
{
	std::vector<std::string> out;
	for (auto &e : parseConfig(text, kFile).errors)
		out.push_back(e.str());
	return out;
}

} // namespace

TEST_CASE("a config with one empty section gives every default")
{
	Config c = parseOk("[server]\n");
	CHECK(c.server.listen.empty());
	CHECK(c.server.controlSocket == "/run/l2tpsec/control");
	CHECK(c.server.auditLog.empty());
	CHECK(c.server.logLevel == LogLevel::Info);
	CHECK(!c.ike.psk);
	CHECK(c.ike.profile == ProposalProfile::Compat);
	CHECK(c.ike.ikeProposals.empty());
	CHECK(c.ike.espProposals.empty());
	CHECK(c.ike.dpdInterval == seconds(30));
	CHECK(c.ike.dpdTimeout == seconds(150));
	CHECK(c.ike.natKeepalive == seconds(20));
	CHECK(c.ike.ikeLifetime == seconds(8 * 3600));
	CHECK(c.ike.saLifetime == seconds(3600));
	CHECK(!c.ike.aggressiveMode);
	CHECK(!c.ike.concealServerNat);
	CHECK(c.ike.tunnelMode == TunnelModePolicy::Refuse);
	CHECK(!c.ike.allowShortPsk);
	CHECK(c.l2tp.ipsec == IpsecRequirement::Required);
	CHECK(c.l2tp.helloInterval == seconds(60));
	CHECK(!c.l2tp.secret);
	CHECK(c.l2tp.receiveWindow == 16);
	CHECK(c.l2tp.retries == 5);
	CHECK(c.l2tp.maxTunnelsPerPeer == 16);
	CHECK(c.ppp.auth == std::vector<PppAuth>{PppAuth::MsChapV2});
	CHECK(c.ppp.secrets.empty());
	CHECK(!c.ppp.localAddress);
	CHECK(!c.ppp.pool);
	CHECK(c.ppp.dns.empty());
	CHECK(c.ppp.mtu == 1400);
	CHECK(c.ppp.mru == 1400);
	CHECK(c.ppp.idleTimeout == seconds(0));
	CHECK(c.ppp.pppd == "/usr/sbin/pppd");
	CHECK(c.ppp.options.empty());
	CHECK(!c.ppp.radius);
	CHECK(c.lac.empty());
}

TEST_CASE("every key is read into the Config")
{
	Config c = parseOk(R"(
[server]
listen = ["192.0.2.1", "198.51.100.1"]
control_socket = "/run/test/ctl"
audit_log = "audit.jsonl"
log_level = "debug"

[ike]
psk_file = "/etc/l2tpsec/psk"
proposals = "legacy"
ike = ["aes256-sha256-modp2048", "aes128-sha1-ecp256", "3des-sha1-modp1024"]
esp = ["aes256-sha1", "aes128gcm16", "aes128-sha256_96", "aes256-sha256-modp2048"]
dpd_interval = "10s"
dpd_timeout = "1m"
nat_keepalive = 15
ike_lifetime = "1d"
sa_lifetime = "30m"
aggressive_mode = true
tunnel_mode = "accept"
allow_short_psk = true
conceal_server_nat = true

[l2tp]
ipsec = "optional"
hello_interval = "2m"
secret_file = "tunnel.secret"
receive_window = 8
retries = 7
max_tunnels_per_peer = 4

[ppp]
auth = ["mschap-v2", "chap", "pap"]
secrets = "/etc/l2tpsec/chap-secrets"
local_address = "10.99.0.1"
pool = "10.99.0.10-10.99.0.250"
dns = ["10.99.0.1", "192.0.2.53"]
mtu = 1280
mru = 1300
idle_timeout = "1h"
pppd = "/usr/local/sbin/pppd"
options = ["lcp-echo-interval 30", "lcp-echo-failure 4"]

[[lac]]
name = "office"
server = "203.0.113.5"
psk_file = "/etc/l2tpsec/office.psk"
user = "alice"
password_file = "/etc/l2tpsec/office.pass"
autoconnect = true
mode = "tunnel"

[[lac]]
name = "lab-2"
server = "198.51.100.7"
psk_file = "/etc/l2tpsec/lab.psk"
user = "bob"
password_file = "/etc/l2tpsec/lab.pass"
)");
	CHECK(c.file == kFile);
	REQUIRE(c.server.listen.size() == 2);
	CHECK(c.server.listen[0].str() == "192.0.2.1");
	CHECK(c.server.listen[1].str() == "198.51.100.1");
	CHECK(c.server.controlSocket == "/run/test/ctl");
	CHECK(c.server.auditLog.path == "/etc/l2tpsec/audit.jsonl"); // relative to the config file
	CHECK(c.server.auditLog.line == 5);
	CHECK(c.server.logLevel == LogLevel::Debug);
	REQUIRE(c.ike.psk);
	CHECK(c.ike.psk->file.path == "/etc/l2tpsec/psk");
	CHECK(c.ike.psk->file.line == 9);
	CHECK(c.ike.psk->value.empty()); // parseConfig opens no files
	CHECK(c.ike.profile == ProposalProfile::Legacy);
	CHECK(c.ike.ikeProposals ==
	      std::vector<std::string>{"aes256-sha256-modp2048", "aes128-sha1-ecp256", "3des-sha1-modp1024"});
	CHECK(c.ike.espProposals ==
	      std::vector<std::string>{"aes256-sha1", "aes128gcm16", "aes128-sha256_96", "aes256-sha256-modp2048"});
	CHECK(c.ike.dpdInterval == seconds(10));
	CHECK(c.ike.dpdTimeout == seconds(60));
	CHECK(c.ike.natKeepalive == seconds(15));
	CHECK(c.ike.ikeLifetime == seconds(86400));
	CHECK(c.ike.saLifetime == seconds(1800));
	CHECK(c.ike.aggressiveMode);
	CHECK(c.ike.tunnelMode == TunnelModePolicy::Accept);
	CHECK(c.ike.allowShortPsk);
	CHECK(c.ike.concealServerNat);
	CHECK(c.lineOf("ike.allow_short_psk") == 20);
	CHECK(c.lineOf("l2tp.ipsec") == 24);
	CHECK(c.lineOf("lac.name") == 0); // [[lac]] keys are the profile's
	CHECK(c.l2tp.ipsec == IpsecRequirement::Optional);
	CHECK(c.l2tp.helloInterval == seconds(120));
	REQUIRE(c.l2tp.secret);
	CHECK(c.l2tp.secret->file.path == "/etc/l2tpsec/tunnel.secret");
	CHECK(c.l2tp.receiveWindow == 8);
	CHECK(c.l2tp.retries == 7);
	CHECK(c.l2tp.maxTunnelsPerPeer == 4);
	CHECK(c.ppp.auth == std::vector<PppAuth>{PppAuth::MsChapV2, PppAuth::Chap, PppAuth::Pap});
	CHECK(c.ppp.secrets.path == "/etc/l2tpsec/chap-secrets");
	CHECK(c.ppp.localAddress->str() == "10.99.0.1");
	REQUIRE(c.ppp.pool);
	CHECK(c.ppp.pool->first.str() == "10.99.0.10");
	CHECK(c.ppp.pool->last.str() == "10.99.0.250");
	CHECK(c.ppp.pool->size() == 241);
	REQUIRE(c.ppp.dns.size() == 2);
	CHECK(c.ppp.dns[1].str() == "192.0.2.53");
	CHECK(c.ppp.mtu == 1280);
	CHECK(c.ppp.mru == 1300);
	CHECK(c.ppp.idleTimeout == seconds(3600));
	CHECK(c.ppp.pppd == "/usr/local/sbin/pppd");
	CHECK(c.ppp.options == std::vector<std::string>{"lcp-echo-interval 30", "lcp-echo-failure 4"});
	REQUIRE(c.lac.size() == 2);
	CHECK(c.lac[0].name == "office");
	CHECK(c.lac[0].server.str() == "203.0.113.5");
	CHECK(c.lac[0].psk->file.path == "/etc/l2tpsec/office.psk");
	CHECK(c.lac[0].user == "alice");
	CHECK(c.lac[0].password->file.path == "/etc/l2tpsec/office.pass");
	CHECK(c.lac[0].autoconnect);
	CHECK(c.lac[0].mode == EspMode::Tunnel);
	CHECK(c.lac[0].line == 43);
	CHECK(c.lac[1].name == "lab-2");
	CHECK(!c.lac[1].autoconnect);
	CHECK(c.lac[1].mode == EspMode::Transport);
}

TEST_CASE("[radius]: every key, the defaults, and where the plugin's files go")
{
	Config c = parseOk(R"(
[server]
control_socket = "/run/test/ctl"
[radius]
auth_servers = ["192.0.2.5", "192.0.2.6:11812"]
accounting_servers = ["192.0.2.7:11813"]
secret_file = "radius.secret"
nas_identifier = "vpn gw 1"
nas_ip_address = "192.0.2.1"
interim_interval = "5m"
timeout = "5s"
retries = 2
)");
	REQUIRE(c.ppp.radius);
	const RadiusConfig &r = *c.ppp.radius;
	CHECK(r.line == 4);
	REQUIRE(r.authServers.size() == 2);
	CHECK(r.authServers[0].str() == "192.0.2.5:1812");
	CHECK(r.authServers[1].str() == "192.0.2.6:11812");
	REQUIRE(r.accountingServers.size() == 1);
	CHECK(r.accountingServers[0].str() == "192.0.2.7:11813");
	REQUIRE(r.secret);
	CHECK(r.secret->file.path == "/etc/l2tpsec/radius.secret");
	CHECK(r.secret->file.line == 7);
	CHECK(r.nasIdentifier == "vpn gw 1");
	REQUIRE(r.nasIpAddress);
	CHECK(r.nasIpAddress->str() == "192.0.2.1");
	CHECK(r.interimInterval == seconds(300));
	CHECK(r.timeout == seconds(5));
	CHECK(r.retries == 2);
	CHECK(r.runtimeDir == "/run/test/radius");

	// Defaults: accounting on the auth servers' addresses, port 1813.
	c = parseOk("[radius]\nauth_servers = [\"192.0.2.5:11812\", \"192.0.2.6\"]\nsecret_file = \"s\"\n");
	REQUIRE(c.ppp.radius);
	REQUIRE(c.ppp.radius->accountingServers.size() == 2);
	CHECK(c.ppp.radius->accountingServers[0].str() == "192.0.2.5:1813");
	CHECK(c.ppp.radius->accountingServers[1].str() == "192.0.2.6:1813");
	CHECK(c.ppp.radius->nasIdentifier.empty());
	CHECK(!c.ppp.radius->nasIpAddress);
	CHECK(c.ppp.radius->interimInterval == seconds(0));
	CHECK(c.ppp.radius->timeout == seconds(3));
	CHECK(c.ppp.radius->retries == 3);
	CHECK(c.ppp.radius->runtimeDir == "/run/l2tpsec/radius");
}

TEST_CASE("[radius]: required keys and bad values")
{
	CHECK(allErrors("[radius]\n") == std::vector<std::string>{
	                                         "/etc/l2tpsec/l2tpsec.conf:1: [radius]: missing required key "
	                                         "'auth_servers'",
	                                         "/etc/l2tpsec/l2tpsec.conf:1: [radius]: missing required key "
	                                         "'secret_file'",
	                                 });
	const std::string secret = "secret_file = \"s\"\n";
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = [\"radius.example.com\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [radius] auth_servers: expected an IPv4 address with an optional port such "
	      "as \"192.0.2.5\" or \"192.0.2.5:1812\", got \"radius.example.com\"");
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = [\"2001:db8::5\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [radius] auth_servers: expected an IPv4 address with an optional port such "
	      "as \"192.0.2.5\" or \"192.0.2.5:1812\", got \"2001:db8::5\"");
	CHECK(onlyError("[radius]\n" + secret +
	                "auth_servers = [\"192.0.2.5\"]\naccounting_servers = "
	                "[\"192.0.2.5:0\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] accounting_servers: expected an IPv4 address with an optional "
	      "port such as \"192.0.2.5\" or \"192.0.2.5:1813\", got \"192.0.2.5:0\"");
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = [\"192.0.2.5:70000\"]\n")
	              .find("got \"192.0.2.5:70000\"") != std::string::npos);
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = []\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [radius] auth_servers: at least one server is needed");
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = [\"192.0.2.5\", \"192.0.2.5:1812\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [radius] auth_servers: \"192.0.2.5:1812\" is listed twice");
	std::string nine = "[";
	for (int i = 1; i <= 9; i++)
		nine += fmt::format("{}\"192.0.2.{}\"", i > 1 ? ", " : "", i);
	CHECK(onlyError("[radius]\n" + secret + "auth_servers = " + nine + "]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [radius] auth_servers: 9 servers listed; pppd's radius plugin takes at "
	      "most 8");
	const std::string ok = "[radius]\n" + secret + "auth_servers = [\"192.0.2.5\"]\n";
	CHECK(onlyError(ok + "nas_identifier = \"\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] nas_identifier: expected a name of 1 to 253 printable characters "
	      "such as \"vpn-gw1\", got \"\"");
	CHECK(onlyError(ok + "nas_ip_address = \"2001:db8::1\"\n")
	              .starts_with("/etc/l2tpsec/l2tpsec.conf:4: [radius] nas_ip_address: expected an IPv4 address"));
	CHECK(onlyError(ok + "interim_interval = \"30s\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] interim_interval: expected a duration from 1m to 1d such as "
	      "\"30s\", \"5m\" or \"8h\", got \"30s\"");
	CHECK(onlyError(ok + "timeout = \"2m\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] timeout: expected a duration from 1s to 1m such as \"30s\", "
	      "\"5m\" or \"8h\", got \"2m\"");
	CHECK(onlyError(ok + "retries = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] retries: expected an integer from 1 to 10, got 0");
	CHECK(onlyError(ok + "secretfile = \"x\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: unknown key 'secretfile' in [radius] (did you mean 'secret_file'?)");
	CHECK(onlyError("[[radius]]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [radius] is a single section; write [radius], not [[radius]]");
	// [ppp] secrets is not used for RADIUS users: a warning says so.
	ConfigLoad r = parseConfig(ok + "[ppp]\nsecrets = \"chap-secrets\"\n", kFile);
	REQUIRE(r.ok());
	REQUIRE(r.warnings.size() == 1);
	CHECK(r.warnings[0].str() == "/etc/l2tpsec/l2tpsec.conf:5: [ppp] secrets: not used for the users of an LNS "
	                             "session; [radius] authenticates them");
}

TEST_CASE("[radius] das_*: the Disconnect-Request listener's keys")
{
	const std::string base = "[radius]\nsecret_file = \"s\"\nauth_servers = [\"192.0.2.5\"]\n";
	Config c = parseOk(base);
	CHECK(c.ppp.radius->dasListen.empty());
	CHECK(c.ppp.radius->dasPort == 3799);
	CHECK(c.ppp.radius->dasClients.empty());
	CHECK(!c.ppp.radius->dasSecret);

	c = parseOk(base + "das_listen = [\"192.0.2.1\"]\ndas_port = 13799\n"
	                   "das_clients = [\"198.51.100.7\", \"198.51.100.8\"]\ndas_secret_file = \"das.secret\"\n");
	const RadiusConfig &r = *c.ppp.radius;
	REQUIRE(r.dasListen.size() == 1);
	CHECK(r.dasListen[0].str() == "192.0.2.1");
	CHECK(r.dasPort == 13799);
	REQUIRE(r.dasClients.size() == 2);
	CHECK(r.dasClients[1].str() == "198.51.100.8");
	REQUIRE(r.dasSecret);
	CHECK(r.dasSecret->file.path == "/etc/l2tpsec/das.secret");

	CHECK(onlyError(base + "das_listen = [\"192.0.2.1\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] das_listen: needs das_clients, the addresses that may send "
	      "Disconnect-Requests");
	CHECK(onlyError(base + "das_listen = [\"2001:db8::1\"]\ndas_clients = [\"192.0.2.9\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] das_listen: expected an IPv4 address such as \"192.0.2.1\", got "
	      "\"2001:db8::1\"");
	CHECK(onlyError(base + "das_port = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] das_port: expected an integer from 1 to 65535, got 0");
	CHECK(onlyError(base + "das_clients = [\"host\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:4: [radius] das_clients: expected an IPv4 address such as \"192.0.2.1\", got "
	      "\"host\"");
	ConfigLoad w = parseConfig(base + "das_clients = [\"192.0.2.9\"]\n", kFile);
	REQUIRE(w.ok());
	REQUIRE(w.warnings.size() == 1);
	CHECK(w.warnings[0].str() == "/etc/l2tpsec/l2tpsec.conf:4: [radius] das_clients: not used without das_listen");
}

TEST_CASE("[radius] das_secret_file: read like the other secrets")
{
	TempDir dir;
	std::string conf = dir.write("l2tpsec.conf", "[radius]\nauth_servers = [\"192.0.2.5\"]\nsecret_file = "
	                                             "\"radius.secret\"\ndas_listen = [\"192.0.2.1\"]\n"
	                                             "das_clients = [\"192.0.2.5\"]\ndas_secret_file = \"das.secret\"\n"
	                                             "[l2tp]\nipsec = \"off\"\n");
	dir.write("radius.secret", "testing123\n");
	dir.write("das.secret", "das-secret\n");
	ConfigLoad r = loadConfigFile(conf);
	REQUIRE(r.ok());
	CHECK(r.config->ppp.radius->dasSecret->value == "das-secret");
	std::filesystem::remove(dir.path + "/das.secret");
	r = loadConfigFile(conf);
	CHECK_FALSE(r.ok());
}

TEST_CASE("[radius] secret_file: read like the other secrets, one word of at most 48 bytes")
{
	TempDir dir;
	std::string conf = dir.write("l2tpsec.conf", "[radius]\nauth_servers = [\"192.0.2.5\"]\nsecret_file = "
	                                             "\"radius.secret\"\n[l2tp]\nipsec = \"off\"\n");
	dir.write("radius.secret", "testing123\n");
	ConfigLoad r = loadConfigFile(conf);
	REQUIRE(r.ok());
	CHECK(r.warnings.empty());
	CHECK(r.config->ppp.radius->secret->value == "testing123");

	dir.write("radius.secret", "two words\n");
	r = loadConfigFile(conf);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == conf + ":3: [radius] secret_file: '" + dir.path +
	                                   "/radius.secret' holds a space or tab; pppd's radius plugin needs a secret "
	                                   "without them");

	dir.write("radius.secret", std::string(49, 'x') + "\n");
	r = loadConfigFile(conf);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == conf + ":3: [radius] secret_file: '" + dir.path +
	                                   "/radius.secret' holds 49 bytes; pppd's radius plugin takes at most 48");

	::unlink((dir.path + "/radius.secret").c_str());
	r = loadConfigFile(conf);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == conf + ":3: [radius] secret_file: cannot read '" + dir.path +
	                                   "/radius.secret': No such file or directory");
}

TEST_CASE("mru follows mtu unless it is set")
{
	CHECK(parseOk("[ppp]\nmtu = 1300\n").ppp.mru == 1300);
	CHECK(parseOk("[ppp]\nmtu = 1300\nmru = 1500\n").ppp.mru == 1500);
}

TEST_CASE("durations may be integer seconds")
{
	CHECK(parseOk("[l2tp]\nhello_interval = 0\n").l2tp.helloInterval == seconds(0));
	CHECK(parseOk("[ike]\ndpd_interval = 0\ndpd_timeout = 5\n").ike.dpdTimeout == seconds(5));
}

TEST_CASE("syntax errors name the line")
{
	CHECK(onlyError("[server]\nlisten = [\"192.0.2.1\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: TOML syntax error: the array opened here is never closed with ']'");
	std::string e = onlyError("[server]\n\nlog_level = info\n");
	CHECK(e.rfind("/etc/l2tpsec/l2tpsec.conf:3: TOML syntax error: ", 0) == 0);
}

TEST_CASE("unknown sections and keys, with a hint when one is close")
{
	CHECK(onlyError("[ike]\nike_lifetme = \"8h\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: unknown key 'ike_lifetme' in [ike] (did you mean 'ike_lifetime'?)");
	CHECK(onlyError("[ike]\ncolour = 1\n") == "/etc/l2tpsec/l2tpsec.conf:2: unknown key 'colour' in [ike]");
	CHECK(onlyError("\n[ikee]\n") == "/etc/l2tpsec/l2tpsec.conf:2: unknown section [ikee] (did you mean [ike]?)");
	CHECK(onlyError("[global]\n") == "/etc/l2tpsec/l2tpsec.conf:1: unknown section [global]");
	CHECK(onlyError("listen = []\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: key 'listen' is outside any section; it belongs under a header such as "
	      "[server]");
	CHECK(onlyError("[lac]\nname = \"x\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [lac] holds client profiles and must be written [[lac]], once per profile");
	CHECK(onlyError("ike = 5\n") == "/etc/l2tpsec/l2tpsec.conf:1: 'ike' must be a section, written [ike]");
	CHECK(onlyError("[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = \"p\"\n"
	                "psk_file = \"k\"\npasword = 1\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:7: unknown key 'pasword' in [lac]");
	CHECK(onlyError("[ppp]\nmtus = 1400\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: unknown key 'mtus' in [ppp] (did you mean 'mtu'?)");
}

TEST_CASE("wrong types quote the value and say what was expected")
{
	CHECK(onlyError("[ike]\ndpd_interval = \"soon\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] dpd_interval: expected a duration from 0s to 1h such as \"30s\", "
	      "\"5m\" or \"8h\", got \"soon\"");
	CHECK(onlyError("[ike]\nike_lifetime = 12.5\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] ike_lifetime: expected a duration from 1m to 7d such as \"30s\", "
	      "\"5m\" or \"8h\", got 12.5");
	CHECK(onlyError("[ike]\naggressive_mode = \"yes\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] aggressive_mode: expected true or false, got \"yes\"");
	CHECK(onlyError("[ike]\nconceal_server_nat = 1\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] conceal_server_nat: expected true or false, got 1");
	CHECK(onlyError("[ike]\nproposals = \"strong\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] proposals: expected one of \"modern\", \"compat\", \"legacy\", got "
	      "\"strong\"");
	CHECK(onlyError("[server]\nlog_level = 3\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] log_level: expected one of \"debug\", \"info\", \"warn\", "
	      "\"error\", got 3");
	CHECK(onlyError("[server]\nlisten = \"192.0.2.1\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] listen: expected an array of IPv4 addresses, got \"192.0.2.1\"");
	CHECK(onlyError("[server]\nlisten = [\"192.0.2.300\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] listen: expected an IPv4 address such as \"192.0.2.1\", got "
	      "\"192.0.2.300\"");
	CHECK(onlyError("[server]\naudit_log = true\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] audit_log: expected a file path, got true");
	CHECK(onlyError("[server]\naudit_log = \"\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] audit_log: expected a file path, got \"\"");
	CHECK(onlyError("[l2tp]\nreceive_window = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] receive_window: expected an integer from 1 to 1024, got 0");
	CHECK(onlyError("[l2tp]\nretries = \"5\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] retries: expected an integer from 1 to 100, got \"5\"");
	CHECK(onlyError("[l2tp]\nmax_tunnels_per_peer = 70000\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] max_tunnels_per_peer: expected an integer from 1 to 65535, got "
	      "70000");
	CHECK(onlyError("[l2tp]\nipsec = \"maybe\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] ipsec: expected one of \"required\", \"optional\", \"off\", got "
	      "\"maybe\"");
	CHECK(onlyError("[ppp]\nmtu = 9000\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] mtu: expected an integer from 576 to 1500, got 9000");
	CHECK(onlyError("[ppp]\nlocal_address = \"2001:db8::1\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] local_address: expected an IPv4 address such as \"192.0.2.1\", got "
	      "\"2001:db8::1\"");
	CHECK(onlyError("[ppp]\nauth = [\"eap\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] auth: expected one of \"mschap-v2\", \"chap\", \"pap\", got \"eap\"");
	CHECK(onlyError("[ppp]\noptions = [\"a\\nb\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] options: expected a pppd option on one line such as "
	      "\"lcp-echo-interval 30\", got \"a\nb\"");
	CHECK(onlyError("[ike]\nike = [\"aes256-sha256\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] ike: expected an IKE proposal such as \"aes256-sha256-modp2048\" "
	      "(cipher-integrity-group), got \"aes256-sha256\"");
	CHECK(onlyError("[ike]\nesp = [\"aes256-whirlpool\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] esp: expected an ESP proposal such as \"aes256-sha1\" or "
	      "\"aes128gcm16\", got \"aes256-whirlpool\"");
}

TEST_CASE("bad values that have the right type")
{
	CHECK(onlyError("[server]\nlisten = [\"192.0.2.1\", \"192.0.2.1\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] listen: \"192.0.2.1\" is listed twice");
	CHECK(onlyError("[ppp]\nauth = []\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] auth: at least one authentication method is needed");
	CHECK(onlyError("[ppp]\ndns = [\"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] dns: 3 servers listed; PPP can hand out at most 2");
	CHECK(onlyError("[ppp]\nlocal_address = \"10.0.0.1\"\npool = \"10.0.0.9\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ppp] pool: expected an IPv4 range \"FIRST-LAST\" such as "
	      "\"10.99.0.10-10.99.0.250\", got \"10.0.0.9\"");
	CHECK(onlyError("[ppp]\nlocal_address = \"10.0.0.1\"\npool = \"10.0.0.9-10.0.0.2\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ppp] pool: range \"10.0.0.9-10.0.0.2\" ends before it starts");
	CHECK(onlyError("[ppp]\nlocal_address = \"10.0.0.1\"\npool = \"10.1.0.0-10.2.0.0\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ppp] pool: range \"10.1.0.0-10.2.0.0\" holds 65537 addresses; at most "
	      "65536 are allowed");
	std::string longPath(120, 'x');
	CHECK(onlyError("[server]\ncontrol_socket = \"/" + longPath + "\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] control_socket: \"/" + longPath +
	              "\" is longer than a UNIX socket path may be (107 bytes)");
	CHECK(onlyError("[[lac]]\nname = \"bad name\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = \"p\"\n"
	                "psk_file = \"k\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [lac] name: expected a name of letters, digits, '-', '_' or '.' (at most "
	      "64), got \"bad name\"");
	CHECK(onlyError("[ike]\ntunnel_mode = \"allow\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] tunnel_mode: expected one of \"refuse\", \"accept\", got \"allow\"");
	CHECK(onlyError("[ike]\ntunnel_mode = true\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] tunnel_mode: expected one of \"refuse\", \"accept\", got true");
	CHECK(onlyError("[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = \"p\"\n"
	                "psk_file = \"k\"\nmode = \"beet\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:7: [lac] mode: expected one of \"transport\", \"tunnel\", got \"beet\"");
}

TEST_CASE("cross-field rules")
{
	CHECK(onlyError("[ike]\ndpd_interval = \"30s\"\ndpd_timeout = \"30s\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ike] dpd_timeout: 30s must be longer than dpd_interval (30s)");
	// With DPD off any timeout goes.
	parseOk("[ike]\ndpd_interval = 0\ndpd_timeout = \"5s\"\n");
	CHECK(onlyError("[ppp]\nlocal_address = \"10.0.0.5\"\npool = \"10.0.0.1-10.0.0.9\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ppp] pool: range contains local_address 10.0.0.5; clients would be given "
	      "the server's own address");
	CHECK(onlyError("[ppp]\npool = \"10.0.0.10-10.0.0.20\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] pool: needs local_address, the server's end of every PPP link");
}

TEST_CASE("lac profiles: required keys and unique names")
{
	CHECK(allErrors("[[lac]]\nname = \"x\"\n") ==
	      std::vector<std::string>{
	              "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'x': missing required key 'server'",
	              "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'x': missing required key 'user'",
	              "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'x': missing required key 'password_file'",
	              "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'x': missing required key 'psk_file' or 'certificate'",
	      });
	CHECK(allErrors("[[lac]]\nuser = \"u\"\n")[0] ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] profile: missing required key 'name'");
	// Without IPsec a profile needs no PSK.
	parseOk("[l2tp]\nipsec = \"off\"\n[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\n"
	        "password_file = \"p\"\n");
	const std::string profile = "[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = "
	                            "\"p\"\npsk_file = \"k\"\n";
	CHECK(onlyError(profile + profile) ==
	      "/etc/l2tpsec/l2tpsec.conf:7: [[lac]] name: 'a' is used by an earlier profile");
}

TEST_CASE("lac aggressive_mode: only with [ike] aggressive_mode and a pre-shared key")
{
	const std::string profile = "[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = "
	                            "\"p\"\n";
	Config c = parseOk("[ike]\naggressive_mode = true\n" + profile + "psk_file = \"k\"\naggressive_mode = true\n");
	REQUIRE(c.lac.size() == 1);
	CHECK(c.lac[0].aggressiveMode);
	CHECK_FALSE(parseOk(profile + "psk_file = \"k\"\n").lac[0].aggressiveMode);
	CHECK(onlyError(profile + "psk_file = \"k\"\naggressive_mode = true\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'a' aggressive_mode: needs [ike] aggressive_mode = true");
	CHECK(onlyError("[ike]\naggressive_mode = true\n" + profile +
	                "certificate = \"c.pem\"\nprivate_key = \"k.pem\"\nca = [\"ca.pem\"]\naggressive_mode = "
	                "true\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [[lac]] 'a' aggressive_mode: needs a psk_file (Aggressive Mode "
	      "authenticates with a pre-shared key only)");
	CHECK(onlyError(profile + "psk_file = \"k\"\naggressive_mode = 1\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:7: [lac] aggressive_mode: expected true or false, got 1");
}

TEST_CASE("certificate keys: read into [ike] and [[lac]], and only together")
{
	Config c = parseOk("[ike]\ncertificate = \"server.pem\"\nprivate_key = \"/k/server.key\"\n"
	                   "ca = [\"ca.pem\", \"/ca2.pem\"]\nlocal_id = \"vpn.example.com\"\n"
	                   "[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = \"p\"\n"
	                   "certificate = \"a.pem\"\nprivate_key = \"a.key\"\nca = [\"ca.pem\"]\n"
	                   "peer_id = \"C=CH, O=Example, CN=vpn\"\n");
	CHECK(c.ike.cert.enabled());
	CHECK(c.ike.cert.certificate.path == "/etc/l2tpsec/server.pem");
	CHECK(c.ike.cert.certificate.line == 2);
	CHECK(c.ike.cert.privateKey.path == "/k/server.key");
	REQUIRE(c.ike.cert.ca.size() == 2);
	CHECK(c.ike.cert.ca[0].path == "/etc/l2tpsec/ca.pem");
	CHECK(c.ike.cert.ca[1].path == "/ca2.pem");
	CHECK(c.ike.cert.localId == "vpn.example.com");
	CHECK(c.ike.cert.peerId.empty());
	REQUIRE(c.lac.size() == 1);
	CHECK(!c.lac[0].psk); // a certificate stands in for psk_file
	CHECK(c.lac[0].cert.certificate.path == "/etc/l2tpsec/a.pem");
	CHECK(c.lac[0].cert.peerId == "C=CH, O=Example, CN=vpn");

	CHECK(allErrors("[ike]\ncertificate = \"s.pem\"\n") ==
	      std::vector<std::string>{
	              "/etc/l2tpsec/l2tpsec.conf:2: [ike] certificate: needs private_key, the key it certifies",
	              "/etc/l2tpsec/l2tpsec.conf:2: [ike] certificate: needs ca, the CA certificates a peer's "
	              "certificate must chain to"});
	CHECK(onlyError("[ike]\nprivate_key = \"s.key\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] private_key: only used with certificate, which is not set");
	CHECK(onlyError("[ike]\nca = []\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] ca: at least one CA certificate file is needed");
	CHECK(onlyError("[ike]\nlocal_id = 5\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ike] local_id: expected an identity such as \"vpn.example.com\", "
	      "\"C=CH, O=Example, CN=vpn\" or \"192.0.2.1\", got 5");
	CHECK(onlyError("[[lac]]\nname = \"a\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = \"p\"\n"
	                "psk_file = \"k\"\npeer_id = \"vpn\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [[lac]] 'a' peer_id: only used with certificate, which is not set");
}

TEST_CASE("loadConfigFile: certificate files must be readable, the private key by us alone")
{
	TempDir dir;
	dir.write("s.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	std::string key = dir.write("s.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	std::string conf = dir.write("l2tpsec.conf", "[ike]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n"
	                                             "ca = [\"ca.pem\", \"none.pem\"]\n");
	ConfigLoad r = loadConfigFile(conf);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() ==
	      conf + ":4: [ike] ca: cannot read '" + dir.path + "/none.pem': No such file or directory");
	dir.write("none.pem", "", 0644);
	r = loadConfigFile(conf);
	CHECK(r.ok());
	chmod(key.c_str(), 0640);
	r = loadConfigFile(conf);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() ==
	      conf + ":3: [ike] private_key: '" + key + "' can be read by other users (mode 640); chmod 600 it");
}

TEST_CASE("every problem is reported, not just the first")
{
	auto errors = allErrors("[server]\nlog_level = \"loud\"\n[ike]\ndpd_interval = \"x\"\n[ppp]\nmtu = 1\n");
	CHECK(errors.size() == 3);
}

TEST_CASE("loadConfigFile reads secrets and reports unreadable ones at the key's line")
{
	TempDir dir;
	dir.write("psk", "a pre-shared key of 33 characters\n");
	dir.write("pass", "pw\r\n");
	std::string conf =
	        dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[[lac]]\nname = \"a\"\nserver = "
	                                  "\"192.0.2.9\"\nuser = \"u\"\npassword_file = \"pass\"\npsk_file = "
	                                  "\"psk\"\n");
	ConfigLoad r = loadConfigFile(conf);
	REQUIRE(r.ok());
	CHECK(r.warnings.empty());
	CHECK(r.config->ike.psk->value == "a pre-shared key of 33 characters");
	CHECK(r.config->lac[0].password->value == "pw");

	dir.write("psk", "a pre-shared key of 33 characters\n", 0644);
	r = loadConfigFile(conf);
	REQUIRE(r.ok());
	REQUIRE(r.warnings.size() == 2);
	CHECK(r.warnings[0].str() ==
	      conf + ":2: [ike] psk_file: '" + dir.path + "/psk' can be read by other users; chmod 600 it");

	dir.write("psk", "\n");
	r = loadConfigFile(conf);
	CHECK(!r.ok());
	CHECK(r.errors[0].str() == conf + ":2: [ike] psk_file: '" + dir.path + "/psk' is empty");

	std::string missing = dir.write("m.conf", "[l2tp]\nsecret_file = \"/nonexistent/secret\"\nipsec = \"off\"\n");
	r = loadConfigFile(missing);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() ==
	      missing + ":2: [l2tp] secret_file: cannot read '/nonexistent/secret': No such file or directory");
}

TEST_CASE("a missing config file is one clear error")
{
	ConfigLoad r = loadConfigFile("/nonexistent/l2tpsec.conf");
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == "/nonexistent/l2tpsec.conf: cannot read the config file: No such file or directory");
}

TEST_CASE("[blocking]: the defaults, every key, and bad values")
{
	Config d = parseOk("[blocking]\n");
	CHECK(d.blocking.enabled);
	CHECK(d.blocking.failures == 10);
	CHECK(d.blocking.window == std::chrono::seconds(300));
	CHECK(d.blocking.blockTime == std::chrono::seconds(600));
	CHECK(d.blocking.exempt.empty());
	Config c = parseOk("[blocking]\nenabled = false\nfailures = 5\nwindow = \"2m\"\nblock_time = 30\n"
	                   "exempt = [\"10.0.0.0/8\", \"192.0.2.7\", \"2001:db8::/32\"]\n");
	CHECK(!c.blocking.enabled);
	CHECK(c.blocking.failures == 5);
	CHECK(c.blocking.window == std::chrono::seconds(120));
	CHECK(c.blocking.blockTime == std::chrono::seconds(30));
	REQUIRE(c.blocking.exempt.size() == 3);
	CHECK(c.blocking.exempt[0].str() == "10.0.0.0/8");
	CHECK(c.blocking.exempt[1].str() == "192.0.2.7");
	CHECK(c.blocking.exempt[2].str() == "2001:db8::/32");
	CHECK(onlyError("[blocking]\nfailures = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [blocking] failures: expected an integer from 1 to 1000, got 0");
	CHECK(onlyError("[blocking]\nexempt = [\"10.1.2.3/8\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [blocking] exempt: expected an address or subnet such as "
	      "\"10.0.0.0/8\" or \"192.0.2.7\", got \"10.1.2.3/8\"");
	CHECK(onlyError("[blocking]\nexempt = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [blocking] exempt: \"10.0.0.0/8\" is listed twice");
	CHECK(onlyError("[blocking]\nblock_time = \"0s\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [blocking] block_time: expected a duration from 1s to 7d such as "
	      "\"30s\", \"5m\" or \"8h\", got \"0s\"");
	CHECK(onlyError("[blockin]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: unknown section [blockin] (did you mean [blocking]?)");
}

TEST_CASE("[l2tp] max_sessions: unset by default, 1 to 65535")
{
	CHECK_FALSE(parseOk("[l2tp]\n").l2tp.maxSessions);
	CHECK(parseOk("[l2tp]\nmax_sessions = 100\n").l2tp.maxSessions == 100u);
	CHECK(onlyError("[l2tp]\nmax_sessions = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] max_sessions: expected an integer from 1 to 65535, got 0");
}

TEST_CASE("[l2tp] max_tunnels: unset by default, 1 to 65535")
{
	CHECK_FALSE(parseOk("[l2tp]\n").l2tp.maxTunnels);
	CHECK(parseOk("[l2tp]\nmax_tunnels = 1000\n").l2tp.maxTunnels == 1000u);
	CHECK(onlyError("[l2tp]\nmax_tunnels = 0\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] max_tunnels: expected an integer from 1 to 65535, got 0");
	CHECK(onlyError("[l2tp]\nmax_tunnels = \"many\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [l2tp] max_tunnels: expected an integer from 1 to 65535, got \"many\"");
}

TEST_CASE("[metrics] listen: an address and a port, off by default")
{
	CHECK(!parseOk("[server]\n").metrics.listen);
	Config c = parseOk("[metrics]\nlisten = \"127.0.0.1:9586\"\n");
	REQUIRE(c.metrics.listen);
	CHECK(c.metrics.listen->address == *IpAddress::parse("127.0.0.1"));
	CHECK(c.metrics.listen->port == 9586);
	CHECK(c.metrics.listen->str() == "127.0.0.1:9586");
	c = parseOk("[metrics]\nlisten = \"[::1]:9100\"\n");
	REQUIRE(c.metrics.listen);
	CHECK(c.metrics.listen->address == *IpAddress::parse("::1"));
	CHECK(c.metrics.listen->str() == "[::1]:9100");
	const std::string expected = "/etc/l2tpsec/l2tpsec.conf:2: [metrics] listen: expected an address and port such "
	                             "as \"127.0.0.1:9586\" or \"[::1]:9586\", got ";
	CHECK(onlyError("[metrics]\nlisten = \"127.0.0.1\"\n") == expected + "\"127.0.0.1\"");
	CHECK(onlyError("[metrics]\nlisten = \"127.0.0.1:0\"\n") == expected + "\"127.0.0.1:0\"");
	CHECK(onlyError("[metrics]\nlisten = \"127.0.0.1:65536\"\n") == expected + "\"127.0.0.1:65536\"");
	CHECK(onlyError("[metrics]\nlisten = \"::1:9586\"\n") == expected + "\"::1:9586\"");
	CHECK(onlyError("[metrics]\nlisten = \"[127.0.0.1]:9586\"\n") == expected + "\"[127.0.0.1]:9586\"");
	CHECK(onlyError("[metrics]\nlisten = \"localhost:9586\"\n") == expected + "\"localhost:9586\"");
	CHECK(onlyError("[metrics]\nlisten = 9586\n") == expected + "9586");
	CHECK(onlyError("[metrics]\nport = 9586\n") == "/etc/l2tpsec/l2tpsec.conf:2: unknown key 'port' in [metrics]");
}

TEST_CASE("[ppp] routes and domain, for the DHCPINFORM responder")
{
	Config d;
	CHECK(d.ppp.routes.empty());
	CHECK(d.ppp.domain.empty());
	Config c = parseOk("[ppp]\nroutes = [\"203.0.113.0/24\", \"198.51.100.128/25\", \"192.0.2.7\"]\n"
	                   "domain = \"lab.example\"\n");
	REQUIRE(c.ppp.routes.size() == 3);
	CHECK(c.ppp.routes[0].str() == "203.0.113.0/24");
	CHECK(c.ppp.routes[1].str() == "198.51.100.128/25");
	CHECK(c.ppp.routes[2].str() == "192.0.2.7");
	CHECK(c.ppp.domain == "lab.example");
	CHECK(parseOk("[ppp]\ndomain = \"corp-1.example.com\"\n").ppp.domain == "corp-1.example.com");
	CHECK(onlyError("[ppp]\nroutes = [\"10.1.2.3/8\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] routes: expected an IPv4 subnet such as \"192.0.2.0/24\", got "
	      "\"10.1.2.3/8\"");
	CHECK(onlyError("[ppp]\nroutes = [\"2001:db8::/32\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] routes: expected an IPv4 subnet such as \"192.0.2.0/24\", got "
	      "\"2001:db8::/32\"");
	CHECK(onlyError("[ppp]\nroutes = [\"10.0.0.0/33\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] routes: expected an IPv4 subnet such as \"192.0.2.0/24\", got "
	      "\"10.0.0.0/33\"");
	CHECK(onlyError("[ppp]\nroutes = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] routes: \"10.0.0.0/8\" is listed twice");
	CHECK(onlyError("[ppp]\nroutes = \"10.0.0.0/8\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] routes: expected an array of IPv4 subnets, got \"10.0.0.0/8\"");
	for (const char *bad : {"", "corp..example", "-corp.example", "corp example", "corp.example."}) {
		CAPTURE(bad);
		CHECK(onlyError(fmt::format("[ppp]\ndomain = \"{}\"\n", bad)) ==
		      fmt::format("/etc/l2tpsec/l2tpsec.conf:2: [ppp] domain: expected a DNS domain such as "
		                  "\"corp.example\", got \"{}\"",
		                  bad));
	}
}

TEST_CASE("[ppp] user_routes: a user name, then that user's subnets")
{
	CHECK(Config{}.ppp.userRoutes.empty());
	Config c = parseOk("[ppp]\nuser_routes = [\"alice 10.20.0.0/24  10.30.0.0/16\", \"bob\t10.40.0.0/16\"]\n");
	REQUIRE(c.ppp.userRoutes.size() == 2);
	REQUIRE(c.ppp.userRoutes["alice"].size() == 2);
	CHECK(c.ppp.userRoutes["alice"][0].str() == "10.20.0.0/24");
	CHECK(c.ppp.userRoutes["alice"][1].str() == "10.30.0.0/16");
	REQUIRE(c.ppp.userRoutes["bob"].size() == 1);
	CHECK(c.ppp.userRoutes["bob"][0].str() == "10.40.0.0/16");
	const std::string usage =
	        "expected a user name then IPv4 subnets such as \"alice 10.20.0.0/24 10.30.0.0/16\", got ";
	const std::string subnet = "expected an IPv4 subnet such as \"192.0.2.0/24\", got ";
	const std::pair<std::string, std::string> bad[] = {
	        {R"(["alice 10.1.2.3/8"])", R"("alice 10.1.2.3/8": )" + subnet + R"("10.1.2.3/8")"},
	        {R"(["alice 10.0.0.0/8 2001:db8::/32"])",
	         R"("alice 10.0.0.0/8 2001:db8::/32": )" + subnet + R"("2001:db8::/32")"},
	        {R"(["alice"])", usage + R"("alice")"},
	        {R"([" "])", usage + R"(" ")"},
	        {"[1]", usage + "1"},
	        {R"(["alice 10.0.0.0/8 10.0.0.0/8"])", R"("alice 10.0.0.0/8 10.0.0.0/8": 10.0.0.0/8 is listed twice)"},
	        {R"(["alice 10.0.0.0/8", "alice 10.1.0.0/16"])", R"(user "alice" is listed twice)"},
	        {R"("alice 10.0.0.0/8")", R"(expected an array of strings, got "alice 10.0.0.0/8")"},
	};
	// (Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.)
	for (const auto &b : bad) {
		const std::string &value = b.first;
		CAPTURE(value);
		CHECK(onlyError("[ppp]\nuser_routes = " + value + "\n") ==
		      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] user_routes: " + b.second);
	}
}

TEST_CASE("configKeys lists each key once")
{
	auto &keys = configKeys();
	CHECK(keys.size() == 76);
	for (size_t i = 0; i < keys.size(); i++)
		for (size_t j = i + 1; j < keys.size(); j++)
			CHECK(!(keys[i].section == keys[j].section && keys[i].key == keys[j].key));
}

TEST_CASE("bytes that are not UTF-8 text are refused before parsing")
{
	CHECK(onlyError("[server]\n# caf\xe9\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: the file must be UTF-8 text; found a byte 0xe9 that is not valid UTF-8");
	CHECK(onlyError("[[\x19"
	                "ac]]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: the file must be UTF-8 text; found a control character 0x19");
	CHECK(onlyError("[ppp]\n\n\xed\xa0\x80 = 1\n") == // a UTF-16 surrogate
	      "/etc/l2tpsec/l2tpsec.conf:3: the file must be UTF-8 text; found a byte 0xed that is not valid UTF-8");
	CHECK(onlyError("\xc0\xaf") == // overlong '/'
	      "/etc/l2tpsec/l2tpsec.conf:1: the file must be UTF-8 text; found a byte 0xc0 that is not valid UTF-8");
	// Real UTF-8 in comments and strings is fine.
	parseOk("# Zürich office ✓ 𝄞\n[[lac]]\nname = \"z\"\nserver = \"192.0.2.9\"\nuser = \"jürgen\"\n"
	        "password_file = \"p\"\npsk_file = \"k\"\n");
}

TEST_CASE("section shapes: [[x]] only for lac, each [x] once")
{
	CHECK(onlyError("[[server]]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: [server] is a single section; write [server], not [[server]]");
	CHECK(onlyError("[ike]\n[ppp]\n[ike]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: TOML syntax error: [ike] is already defined at line 1");
	CHECK(onlyError("[[lac]]\n[lac]\n") == "/etc/l2tpsec/l2tpsec.conf:2: TOML syntax error: 'lac' is written both "
	                                       "[lac] and [[lac]] (first at line 1)");
	CHECK(onlyError("[[[server]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: TOML syntax error: expected a key or a [section] header, found '[server]'");
}

TEST_CASE("an IPv6 listen address is refused: the listeners bind IPv4 only")
{
	CHECK(onlyError("[server]\nlisten = [\"192.0.2.1\", \"2001:db8::1\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] listen: IPv6 listen addresses are not supported; \"2001:db8::1\" "
	      "would bind nothing (IKE and L2TP listen on IPv4 only)");
	CHECK(onlyError("[server]\nlisten = [\"::\"]\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [server] listen: IPv6 listen addresses are not supported; \"::\" would "
	      "bind nothing (IKE and L2TP listen on IPv4 only)");
	CHECK(parseOk("[server]\nlisten = [\"0.0.0.0\"]\n").server.listen.size() == 1);
}

TEST_CASE("a UTF-8 byte-order mark at the start is accepted; line numbers stay")
{
	Config c = parseOk("\xef\xbb\xbf[ppp]\nmtu = 1300\n");
	CHECK(c.ppp.mtu == 1300);
	CHECK(onlyError("\xef\xbb\xbf[ppp]\nmtu = 9000\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:2: [ppp] mtu: expected an integer from 576 to 1500, got 9000");
	// Only at the start: elsewhere it is a character TOML has no place for.
	CHECK(onlyError("[ppp]\n\xef\xbb\xbfmtu = 1300\n")
	              .rfind("/etc/l2tpsec/l2tpsec.conf:2: TOML syntax error: ", 0) == 0);
	// A BOM and nothing else is an empty file.
	CHECK(onlyError("\xef\xbb\xbf") ==
	      "/etc/l2tpsec/l2tpsec.conf: the file is empty; a server needs at least [ike] "
	      "psk_file and [ppp] secrets, see l2tpsec.conf(5)");
}

TEST_CASE("a file without any section is refused")
{
	const std::string empty = "/etc/l2tpsec/l2tpsec.conf: the file is empty; a server needs at least [ike] "
	                          "psk_file and [ppp] secrets, see l2tpsec.conf(5)";
	CHECK(onlyError("") == empty);
	CHECK(onlyError("\n  \r\n\t\n") == empty);
	CHECK(onlyError("# l2tpsec.conf\n# [ike]\n# psk_file = \"psk\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf: the file has no section, only comments; a server needs at least [ike] "
	      "psk_file and [ppp] secrets, see l2tpsec.conf(5)");
	// Keys without a header say so; the missing section is not said twice.
	CHECK(onlyError("listen = []\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:1: key 'listen' is outside any section; it belongs under a header such as "
	      "[server]");
}

TEST_CASE("a config path that is a directory is refused")
{
	TempDir dir;
	ConfigLoad r = loadConfigFile(dir.path);
	CHECK(!r.ok());
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == dir.path + ": is a directory, not a config file; name the file in it, such as " +
	                                   dir.path + "/l2tpsec.conf");
	r = loadConfigFile(dir.path + "/");
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == dir.path + "/: is a directory, not a config file; name the file in it, such as " +
	                                   dir.path + "/l2tpsec.conf");
}

TEST_CASE("[ike] bind_ppp_user: a mode or a table file, only with a certificate")
{
	const std::string cert = "[ike]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\nca = [\"ca.pem\"]\n";
	CHECK(parseOk("[server]\n").ike.bindPppUser.mode == PppUserBinding::Off);
	CHECK_FALSE(parseOk("[server]\n").ike.bindPppUser.on());
	CHECK(parseOk(cert + "bind_ppp_user = \"cn\"\n").ike.bindPppUser.mode == PppUserBinding::CommonName);
	CHECK(parseOk(cert + "bind_ppp_user = \"email\"\n").ike.bindPppUser.mode == PppUserBinding::Email);
	CHECK(parseOk(cert + "bind_ppp_user = \"dns\"\n").ike.bindPppUser.mode == PppUserBinding::Dns);
	CHECK(parseOk("[ike]\nbind_ppp_user = \"off\"\n").ike.bindPppUser.mode == PppUserBinding::Off);
	Config t = parseOk(cert + "bind_ppp_user = \"./users-by-cert\"\n");
	CHECK(t.ike.bindPppUser.mode == PppUserBinding::Table);
	CHECK(t.ike.bindPppUser.table.path == "/etc/l2tpsec/./users-by-cert");
	CHECK(t.ike.bindPppUser.table.line == 5);
	CHECK(pppUserBindingText(t.ike.bindPppUser) == "/etc/l2tpsec/./users-by-cert");
	CHECK(pppUserBindingText(parseOk(cert + "bind_ppp_user = \"cn\"\n").ike.bindPppUser) == "cn");

	const std::string expected = "expected \"off\", \"cn\", \"email\", \"dns\" or the path of a table file (with a "
	                             "'/')";
	CHECK(onlyError(cert + "bind_ppp_user = \"CN\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:5: [ike] bind_ppp_user: " + expected + ", got \"CN\"");
	CHECK(onlyError(cert + "bind_ppp_user = true\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:5: [ike] bind_ppp_user: " + expected + ", got true");
	CHECK(onlyError("[ike]\npsk_file = \"psk\"\nbind_ppp_user = \"cn\"\n") ==
	      "/etc/l2tpsec/l2tpsec.conf:3: [ike] bind_ppp_user: needs [ike] certificate (certificate "
	      "authentication): it binds PPP users to the peers' certificates");
}

TEST_CASE("loadConfigFile: the bind_ppp_user table is read, and a bad line names the file and the line")
{
	TempDir dir;
	dir.write("s.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	dir.write("s.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	dir.write("users", "# identity  users\nalice@example.test alice\n\"Bob B\" bob bob-admin\n", 0644);
	std::string conf = dir.write("l2tpsec.conf", "[ike]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n"
	                                             "ca = [\"ca.pem\"]\nbind_ppp_user = \"./users\"\n");
	ConfigLoad r = loadConfigFile(conf);
	REQUIRE(r.ok());
	const auto &entries = r.config->ike.bindPppUser.entries;
	REQUIRE(entries.size() == 2);
	CHECK(entries[0] == UserBindingEntry{"alice@example.test", {"alice"}, 2});
	CHECK(entries[1] == UserBindingEntry{"Bob B", {"bob", "bob-admin"}, 3});

	dir.write("users", "alice@example.test alice\ncarol\n", 0644);
	r = loadConfigFile(conf);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == conf + ":5: [ike] bind_ppp_user: '" + dir.path +
	                                   "/./users' line 2: 'carol' names no PPP user (IDENTITY USER...)");

	std::string missing = dir.write("m.conf", "[ike]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n"
	                                          "ca = [\"ca.pem\"]\nbind_ppp_user = \"/nonexistent/users\"\n");
	r = loadConfigFile(missing);
	REQUIRE(r.errors.size() == 1);
	CHECK(r.errors[0].str() == missing + ":5: [ike] bind_ppp_user: '/nonexistent/users': cannot read it: No such "
	                                     "file or directory");
}

TEST_CASE("the bind_ppp_user table: words, quotes, comments; each wrong line says why")
{
	auto t = parseUserBindingTable("\n  # a comment\nalice@example.test\talice  # trailing\n"
	                               "\"Alice Smith\" alice \"alice admin\"\r\nlaptop-7.example.test bob\n");
	REQUIRE(t);
	REQUIRE(t->size() == 3);
	CHECK((*t)[0] == UserBindingEntry{"alice@example.test", {"alice"}, 3});
	CHECK((*t)[1] == UserBindingEntry{"Alice Smith", {"alice", "alice admin"}, 4});
	CHECK((*t)[2] == UserBindingEntry{"laptop-7.example.test", {"bob"}, 5});
	CHECK(parseUserBindingTable("")->empty());

	CHECK(parseUserBindingTable("a b\n\"open c\n").error().message ==
	      "line 2: the quote is not closed on the line");
	CHECK(parseUserBindingTable("\"\" bob\n").error().message == "line 1: an empty word (\"\")");
	CHECK(parseUserBindingTable("alice\n").error().message ==
	      "line 1: 'alice' names no PPP user (IDENTITY USER...)");
	CHECK(parseUserBindingTable("Alice a\nALICE b\n").error().message ==
	      "line 2: 'ALICE' is listed on line 1 already (one line per identity, with all its users)");
	CHECK(sameIdentity("Laptop.Example.TEST", "laptop.example.test"));
	CHECK_FALSE(sameIdentity("alice", "alice2"));
}
