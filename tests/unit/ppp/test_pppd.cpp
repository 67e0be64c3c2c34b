#include "ppp/pppd_command.h"
#include "ppp/pppd_exit.h"
#include "ppp/radius_files.h"

#include <doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ppp;

namespace {

std::string joined(const std::vector<std::string> &v)
{
	std::string s;
	for (const std::string &w : v)
		s += (s.empty() ? "" : " ") + w;
	return s;
}

} // namespace

TEST_CASE("LNS pppd: pppol2tp and l2tpsec plugins, required auth, no debug, addresses, DNS, MTU, idle, extra "
          "options last")
{
	PppConfig cfg;
	cfg.auth = {PppAuth::MsChapV2, PppAuth::Chap};
	cfg.localAddress = IpAddress::parse("10.99.0.1");
	cfg.dns = {*IpAddress::parse("10.99.0.1"), *IpAddress::parse("192.0.2.53")};
	cfg.mtu = 1400;
	cfg.mru = 1380;
	cfg.idleTimeout = std::chrono::seconds(600);
	cfg.options = {"lcp-echo-interval 30", "  lcp-echo-failure\t4 "};
	PppdSession s;
	s.pppol2tpFd = 3;
	s.tunnelId = 16385;
	s.sessionId = 7;
	s.remoteAddress = IpAddress::parse("10.99.0.10");
	s.tag = "l2tpsec-16385-7";
	s.plugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";
	s.reportFd = 5;
	// No `debug`: its packet trace carries the MS-CHAPv2 challenge and
	// response; the l2tpsec plugin reports what the daemon needs instead.
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 16385 pppol2tp_session_id 7 "
	      "pppol2tp_lns_mode nodetach plugin /usr/lib/pppd/2.4.9/l2tpsec-pppd.so l2tpsec_fd 5 l2tpsec_listen 3000 "
	      "auth require-mschap-v2 require-chap 10.99.0.1:10.99.0.10 "
	      "ms-dns 10.99.0.1 ms-dns 192.0.2.53 noipv6 ip-up-script /nonexistent/ip-up "
	      "ip-down-script /nonexistent/ip-down mtu 1400 mru 1380 idle 600 ipparam l2tpsec-16385-7 "
	      "lcp-echo-interval 30 lcp-echo-failure 4");
}

TEST_CASE("LNS pppd without a pool leaves the addresses to pppd")
{
	PppConfig cfg;
	cfg.pppd = "/opt/ppp/pppd";
	PppdSession s;
	s.tunnelId = 1;
	s.sessionId = 2;
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/opt/ppp/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 1 pppol2tp_session_id 2 "
	      "pppol2tp_lns_mode nodetach auth require-mschap-v2 noipv6 ip-up-script /nonexistent/ip-up "
	      "ip-down-script /nonexistent/ip-down mtu 1400 mru 1400");
}

TEST_CASE("LNS pppd with [ppp] scripts runs ip-up and ip-down; a LAC pppd always does")
{
	PppConfig cfg;
	cfg.scripts = true;
	PppdSession s;
	s.tunnelId = 1;
	s.sessionId = 2;
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 1 pppol2tp_session_id 2 "
	      "pppol2tp_lns_mode nodetach auth require-mschap-v2 noipv6 mtu 1400 mru 1400");
	cfg.scripts = false;
	s.lns = false;
	std::string lac = joined(pppdArguments(cfg, s));
	CHECK(lac.find("-script") == std::string::npos);
	CHECK(lac.find("noipv6") == std::string::npos);
}

TEST_CASE("LNS pppd with [radius]: radius plugin, its config file, session tag as NAS-Port-Id, peer as "
          "Calling-Station-Id")
{
	PppConfig cfg;
	cfg.localAddress = IpAddress::parse("10.99.0.1");
	RadiusConfig r;
	r.runtimeDir = "/run/l2tpsec/radius";
	cfg.radius = r;
	PppdSession s;
	s.tunnelId = 16385;
	s.sessionId = 7;
	s.remoteAddress = IpAddress::parse("10.99.0.10");
	s.tag = "l2tpsec-16385-7";
	s.peerAddress = "192.0.2.2";
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 16385 pppol2tp_session_id 7 "
	      "pppol2tp_lns_mode nodetach plugin radius.so radius-config-file "
	      "/run/l2tpsec/radius/radiusclient.conf avpair NAS-Port-Id=l2tpsec-16385-7 remotenumber 192.0.2.2 "
	      "auth require-mschap-v2 10.99.0.1:10.99.0.10 noipv6 ip-up-script /nonexistent/ip-up ip-down-script "
	      "/nonexistent/ip-down mtu 1400 mru 1400 ipparam l2tpsec-16385-7");
	// radius.so is loaded before l2tpsec's plugin, which looks for its
	// radius_attributes_hook at plugin_init.
	s.plugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";
	s.reportFd = 5;
	std::string both = joined(pppdArguments(cfg, s));
	CHECK(both.find("plugin radius.so ") < both.find("plugin /usr/lib/pppd/2.4.9/l2tpsec-pppd.so l2tpsec_fd 5 "));
	// A LAC pppd authenticates nobody: no plugin.
	s.lns = false;
	CHECK(joined(pppdArguments(cfg, s)).find("radius") == std::string::npos);
}

TEST_CASE("prestarted LNS pppd: the session-free start, then the session's words")
{
	PppConfig cfg;
	cfg.localAddress = IpAddress::parse("10.99.0.1");
	cfg.options = {"lcp-echo-interval 30"};
	PppdSession s;
	s.tunnelId = 16385;
	s.sessionId = 7;
	s.remoteAddress = IpAddress::parse("10.99.0.10");
	s.tag = "l2tpsec-16385-7";
	s.plugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";
	s.reportFd = 5;
	CHECK(joined(pppdPrestartArguments(cfg, s.plugin, 5)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so nodetach plugin /usr/lib/pppd/2.4.9/l2tpsec-pppd.so l2tpsec_fd 5 "
	      "l2tpsec_wait");
	CHECK(joined(pppdSessionWords(cfg, s)) ==
	      "pppol2tp @pppol2tp pppol2tp_tunnel_id 16385 pppol2tp_session_id 7 pppol2tp_lns_mode l2tpsec_listen 3000 "
	      "auth require-mschap-v2 10.99.0.1:10.99.0.10 noipv6 ip-up-script /nonexistent/ip-up "
	      "ip-down-script /nonexistent/ip-down mtu 1400 mru 1400 ipparam l2tpsec-16385-7 lcp-echo-interval 30");

	// With [radius]: radius.so and its config file before l2tpsec's plugin
	// at the start; the session's attributes with the session.
	RadiusConfig r;
	r.runtimeDir = "/run/l2tpsec/radius";
	cfg.radius = r;
	s.peerAddress = "192.0.2.2";
	CHECK(joined(pppdPrestartArguments(cfg, s.plugin, 5)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so nodetach plugin radius.so radius-config-file "
	      "/run/l2tpsec/radius/radiusclient.conf plugin /usr/lib/pppd/2.4.9/l2tpsec-pppd.so l2tpsec_fd 5 "
	      "l2tpsec_wait");
	std::string words = joined(pppdSessionWords(cfg, s));
	CHECK(words.starts_with("pppol2tp @pppol2tp pppol2tp_tunnel_id 16385 pppol2tp_session_id 7 pppol2tp_lns_mode "
	                        "avpair NAS-Port-Id=l2tpsec-16385-7 remotenumber 192.0.2.2 l2tpsec_listen 3000 auth "));
	CHECK(words.find("plugin") == std::string::npos);
	CHECK(words.find("radius-config-file") == std::string::npos);
	CHECK(words.find("nodetach") == std::string::npos);
	// An administrator's own plugin in [ppp] options stays with the session.
	cfg.options = {"plugin minconn.so"};
	CHECK(joined(pppdSessionWords(cfg, s)).ends_with(" plugin minconn.so"));
}

TEST_CASE("LNS pppd with [radius] nas_ip_address sends NAS-IP-Address beside the NAS-Identifier")
{
	PppConfig cfg;
	RadiusConfig r;
	r.runtimeDir = "/run/l2tpsec/radius";
	r.nasIpAddress = IpAddress::parse("192.0.2.1");
	cfg.radius = r;
	PppdSession s;
	s.tag = "l2tpsec-1-2";
	std::string a = joined(pppdArguments(cfg, s));
	CHECK(a.find(" avpair NAS-Port-Id=l2tpsec-1-2 avpair NAS-IP-Address=192.0.2.1 ") != std::string::npos);
	cfg.radius->nasIpAddress.reset();
	CHECK(joined(pppdArguments(cfg, s)).find("NAS-IP-Address") == std::string::npos);
}

TEST_CASE("LNS pppd with [radius] interim_interval: no interval for pppd (l2tpsecd sends the accounting)")
{
	PppConfig cfg;
	RadiusConfig r;
	r.runtimeDir = "/run/l2tpsec/radius";
	r.interimInterval = std::chrono::seconds(300);
	cfg.radius = r;
	PppdSession s;
	s.plugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";
	s.reportFd = 5;
	std::string a = joined(pppdArguments(cfg, s));
	CHECK(a.find(" plugin radius.so ") != std::string::npos);
	CHECK(a.find(" l2tpsec_listen 3000 ") != std::string::npos);
	CHECK(a.find("interim") == std::string::npos);
}

TEST_CASE("sessionPortId: the NAS-Port-Id pppd and the accounting send")
{
	CHECK(sessionPortId(1, 2) == "l2tpsec-1-2");
	CHECK(sessionPortId(65535, 40000) == "l2tpsec-65535-40000");
}

TEST_CASE("radiusclient files: servers, timeouts, NAS-Identifier, the secret per server address, a dictionary")
{
	RadiusConfig r;
	r.runtimeDir = "/run/l2tpsec/radius";
	r.authServers = {{*IpAddress::parse("192.0.2.5"), 1812}, {*IpAddress::parse("192.0.2.6"), 11812}};
	r.accountingServers = {{*IpAddress::parse("192.0.2.5"), 1813}, {*IpAddress::parse("192.0.2.7"), 1813}};
	r.secret = Secret{{"/etc/l2tpsec/radius.secret", 3}, "s3cret"};
	r.timeout = std::chrono::seconds(4);
	r.retries = 2;
	auto files = radiusClientFiles(r, "gw1");
	REQUIRE(files.size() == 4);
	CHECK(files[0].name == "radiusclient.conf");
	CHECK(files[0].text.substr(files[0].text.find("authserver")) == "authserver 192.0.2.5:1812,192.0.2.6:11812\n"
	                                                                "acctserver 192.0.2.5:1813,192.0.2.7:1813\n"
	                                                                "servers /run/l2tpsec/radius/servers\n"
	                                                                "dictionary /run/l2tpsec/radius/dictionary\n"
	                                                                "mapfile /run/l2tpsec/radius/port-id-map\n"
	                                                                "seqfile /run/l2tpsec/radius/radius.seq\n"
	                                                                "radius_timeout 4\n"
	                                                                "radius_retries 2\n"
	                                                                "nas_identifier gw1\n");
	CHECK(files[1].name == "servers");
	CHECK(files[1].text.substr(files[1].text.find('\n') + 1) ==
	      "192.0.2.5\ts3cret\n192.0.2.6\ts3cret\n192.0.2.7\ts3cret\n");
	CHECK(files[2].name == "dictionary");
	for (const char *attr :
	     {"ATTRIBUTE\tNAS-Port-Id\t\t87\tstring\n", "ATTRIBUTE\tCalling-Station-Id\t31\tstring\n",
	      "ATTRIBUTE\tAcct-Input-Octets\t42\tinteger\n", "VENDOR\tMicrosoft\t311\n",
	      "ATTRIBUTE\tMS-CHAP2-Response\t25\tstring\tMicrosoft\n"})
		CHECK_MESSAGE(files[2].text.find(attr) != std::string::npos, attr);
	CHECK(files[3].name == "port-id-map");
	// A configured NAS-Identifier wins over the host name.
	r.nasIdentifier = "vpn gw 1";
	CHECK(radiusClientFiles(r, "gw1")[0].text.find("\nnas_identifier vpn gw 1\n") != std::string::npos);
}

TEST_CASE("radiusclient files are written 0600 into a 0700 directory, replaced, and removed")
{
	char tmpl[] = "/tmp/l2tpsec-radius-XXXXXX";
	REQUIRE(mkdtemp(tmpl));
	std::string base = tmpl;
	RadiusConfig r;
	r.runtimeDir = base + "/radius";
	r.authServers = {{*IpAddress::parse("192.0.2.5"), 1812}};
	r.accountingServers = {{*IpAddress::parse("192.0.2.5"), 1813}};
	r.secret = Secret{{"/x", 1}, "one"};
	r.nasIdentifier = "gw";
	REQUIRE(writeRadiusClientFiles(r));
	struct stat st {};
	REQUIRE(stat(r.runtimeDir.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0700);
	for (const char *f : {"radiusclient.conf", "servers", "dictionary", "port-id-map"}) {
		REQUIRE_MESSAGE(stat((r.runtimeDir + "/" + f).c_str(), &st) == 0, f);
		CHECK((st.st_mode & 0777) == 0600);
	}
	r.secret->value = "two";
	REQUIRE(writeRadiusClientFiles(r));
	std::ifstream in(r.runtimeDir + "/servers");
	std::stringstream text;
	text << in.rdbuf();
	CHECK(text.str().find("192.0.2.5\ttwo\n") != std::string::npos);
	CHECK(access((r.runtimeDir + "/servers.new").c_str(), F_OK) != 0);
	// A file where the directory should be is an error that names it.
	RadiusConfig bad = r;
	bad.runtimeDir = r.runtimeDir + "/servers";
	auto w = writeRadiusClientFiles(bad);
	REQUIRE(!w);
	CHECK(w.error().message == "[radius]: " + bad.runtimeDir + " is not a directory");
	// Removed with the directory, nothing else.
	removeRadiusClientFiles(r);
	CHECK(access(r.runtimeDir.c_str(), F_OK) != 0);
	CHECK(access(base.c_str(), F_OK) == 0);
	std::error_code ignored;
	std::filesystem::remove_all(base, ignored);
}

TEST_CASE("LAC pppd: no auth of the server, user name, password through a descriptor, never in argv")
{
	PppConfig cfg;
	cfg.localAddress = IpAddress::parse("10.99.0.1"); // an LNS setting: ignored here
	PppdSession s;
	s.lns = false;
	s.pppol2tpFd = 4;
	s.tunnelId = 16400;
	s.sessionId = 9;
	s.user = "alice";
	s.passwordFd = 5;
	s.plugin = "/build/src/ppp/plugin/l2tpsec-pppd.so"; // for IP up and down
	s.reportFd = 6;
	auto argv = pppdArguments(cfg, s);
	CHECK(joined(argv) == "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 4 pppol2tp_tunnel_id 16400 "
	                      "pppol2tp_session_id 9 nodetach plugin /build/src/ppp/plugin/l2tpsec-pppd.so "
	                      "l2tpsec_fd 6 noauth noipdefault user alice plugin passwordfd.so "
	                      "passwordfd 5 mtu 1400 mru 1400");
}

TEST_CASE("pppd exit statuses map to reasons (pppd(8) EXIT STATUS)")
{
	auto exited = [](int code) { return code << 8; }; // the wait status of exit(code)
	CHECK(describePppdExit(exited(0)).reason == "ok");
	PppdExit auth = describePppdExit(exited(11));
	CHECK(auth.exitCode == 11);
	CHECK(auth.reason == "peer-auth-failed");
	CHECK(auth.text == "the peer failed or refused to authenticate itself (pppd exit 11)");
	CHECK(describePppdExit(exited(19)).reason == "auth-failed");
	CHECK(describePppdExit(exited(12)).reason == "idle");
	CHECK(describePppdExit(exited(15)).reason == "peer-dead");
	CHECK(describePppdExit(exited(5)).reason == "terminated");
	CHECK(describePppdExit(exited(2)).text == "pppd rejected its options (check [ppp] options in the config) "
	                                          "(pppd exit 2)");
	PppdExit odd = describePppdExit(exited(42));
	CHECK(odd.reason == "unknown");
	CHECK(odd.text == "pppd exited with unknown status 42");
	PppdExit killed = describePppdExit(SIGKILL); // the wait status of a SIGKILL death
	CHECK(killed.exitCode == -1);
	CHECK(killed.signal == SIGKILL);
	CHECK(killed.reason == "killed");
	CHECK(killed.text == "pppd was killed by signal SIGKILL (9)");
}
