// Daemon wiring without a process: reload keeps the old config on errors;
// how PppdLauncher reads pppd's output.

#include "common/log.h"
#include "config/config_loader.h"
#include "daemon/daemon.h"
#include "daemon/pppd_launcher.h"

#include <doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace l2tpsec;

TEST_CASE("a reload with a broken file keeps the config in force")
{
	char tmpl[] = "/tmp/l2tpsec-daemon-XXXXXX";
	REQUIRE(mkdtemp(tmpl));
	std::string dir = tmpl;
	std::string conf = dir + "/l2tpsec.conf";
	// IPsec is required (the default), so the server needs a key to serve.
	const std::string ike = "[ike]\npsk_file = \"psk\"\n";
	std::ofstream(dir + "/psk") << "a pre-shared key of 33 characters\n";
	::chmod((dir + "/psk").c_str(), 0600);
	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\"]\n" << ike;

	std::vector<std::string> lines;
	log::setSink([&](LogLevel l, std::string_view comp, std::string_view msg) {
		lines.push_back(std::string(logLevelName(l)) + " " + std::string(comp) + ": " + std::string(msg));
	});
	ConfigLoad load = loadConfigFile(conf);
	REQUIRE(load.ok());
	// The fake kernel dataplane: no root or kernel L2TP needed; the listener
	// on 192.0.2.1 binds even though the address is not here (IP_FREEBIND).
	DaemonOptions options{conf, std::nullopt, std::nullopt};
	options.fakeDataplane = true;
	options.l2tpPort = 21703;
	// [l2tp] ipsec defaults to "required": IKE starts too, on ports of its own.
	options.ikePort = 21503;
	options.natTPort = 24503;
	auto d = Daemon::start(options, *load.config);
	REQUIRE(d);
	CHECK((*d)->status()["listen"] == nlohmann::json::array({"192.0.2.1"}));

	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\"]\nlog_levl = 1\n"
	                    << ike;
	auto r = (*d)->reload();
	REQUIRE(!r);
	CHECK(r.error().message == conf + ":4: unknown key 'log_levl' in [server] (did you mean 'log_level'?)");
	auto s = (*d)->status();
	CHECK(s["reloads"] == 0);
	CHECK(s["reload_failures"] == 1);
	CHECK(s["listen"] == nlohmann::json::array({"192.0.2.1"}));
	CHECK(std::find(lines.begin(), lines.end(),
	                "error config: " + conf +
	                        ":4: unknown key 'log_levl' in [server] (did you mean 'log_level'?)") != lines.end());

	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\", \"192.0.2.2\"]\n"
	                    << ike;
	REQUIRE((*d)->reload());
	s = (*d)->status();
	CHECK(s["reloads"] == 1);
	CHECK(s["listen"] == nlohmann::json::array({"192.0.2.1", "192.0.2.2"}));
	CHECK(std::find(lines.begin(), lines.end(),
	                "warn daemon: [server] listen changed; it takes effect at restart") != lines.end());

	d->reset();
	log::setSink(nullptr);
	std::error_code ignoredError;
	std::filesystem::remove_all(dir, ignoredError);
}

// ---- what pppd says, as PppdLauncher reads it ----------------------------------

TEST_CASE("pppd lines: PAP notice, CHAP trace names (unescaped), Success, local and remote address")
{
	CHECK(pppdAuthenticatedUser("PAP peer authentication succeeded for alice") == "alice");
	CHECK_FALSE(pppdAuthenticatedUser("CHAP authentication succeeded"));
	// The packet trace of pppd 2.4.9 with `debug`, as it reached l2tpsecd.
	CHECK(pppdChapResponseName("rcvd [CHAP Response id=0x9e <b36bae6fa7fce2f4dcb4ce86ac92de64000000000000000"
	                           "04e19f739b7c369b08593de4468d0aa57826de0c2f60934f800>, name = \"alice\"]") ==
	      "alice");
	CHECK(pppdChapResponseName("rcvd [CHAP Response id=0x1 <00>, name = \"CORP\\\\bob \\\"x\\\"\\t\\001\"]") ==
	      std::string("CORP\\bob \"x\"\t\001"));
	CHECK_FALSE(pppdChapResponseName("sent [CHAP Response id=0x9e <00>, name = \"alice\"]")); // we answered
	CHECK_FALSE(pppdChapResponseName("rcvd [CHAP Response id=0x1 <00>, name = \"cut off"));   // line split
	CHECK_FALSE(pppdChapResponseName("rcvd [CHAP Challenge id=0x9e <a003>, name = \"klab\"]"));
	CHECK(pppdChapSuccessSent("sent [CHAP Success id=0x9e \"S=9875A30D M=Access granted\"]"));
	CHECK_FALSE(pppdChapSuccessSent("rcvd [CHAP Success id=0x9e \"S=9875A30D M=Access granted\"]"));
	CHECK(pppdLocalAddress("local  IP address 10.99.0.10") == "10.99.0.10");
	CHECK(pppdRemoteAddress("remote IP address 10.99.0.1") == "10.99.0.1");
	CHECK_FALSE(pppdRemoteAddress("remote LL address fe80::408b:58e1:9cd2:4c93"));
}

namespace {

// A stand-in for pppd: a script that prints what a real pppd 2.4.9 printed in
// the interop suite, then waits to be stopped.
struct FakePppd {
	std::string dir, path;
	explicit FakePppd(const std::string &output)
	{
		char tmpl[] = "/tmp/l2tpsec-fakepppd-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		dir = tmpl;
		path = dir + "/pppd";
		std::ofstream(path) << "#!/bin/sh\ncat <<'OUT'\n" << output << "OUT\nexec sleep 30\n";
		REQUIRE(::chmod(path.c_str(), 0755) == 0);
	}
	~FakePppd()
	{
		std::error_code ignoredError;
		std::filesystem::remove_all(dir, ignoredError);
	}
};

struct LauncherRun {
	std::unique_ptr<EventLoop> loop = std::move(EventLoop::create().value());
	std::vector<std::string> users, links;

	void run(const FakePppd &fake, bool lns)
	{
		PppdLauncher::Callbacks cb;
		cb.authenticated = [this](uint16_t, uint16_t, const std::string &u) { users.push_back(u); };
		cb.linkUp = [this](uint16_t, uint16_t, const std::string &a) { links.push_back(a); };
		PppdLauncher launcher(*loop, cb);
		PppConfig ppp;
		ppp.pppd = fake.path;
		LacProfile office;
		office.name = "office";
		office.user = "alice";
		launcher.configure(ppp, {office});
		l2tp::PppStart start;
		start.tunnelId = 16385;
		start.sessionId = 7;
		start.lns = lns;
		start.lacProfile = "office";
		start.pppSocket = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
		REQUIRE(launcher.start(std::move(start)));
		for (int i = 0; i < 500 && links.empty(); ++i)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
		launcher.stop(16385, 7);
	}
};

} // namespace

TEST_CASE("PppdLauncher (LNS): the user is the CHAP name pppd accepted, later Responses change nothing")
{
	FakePppd fake("rcvd [CHAP Response id=0x9d <00>, name = \"mallory\"]\n"
	              "rcvd [CHAP Response id=0x9e <b36bae6f>, name = \"alice\"]\n"
	              "sent [CHAP Success id=0x9e \"S=9875A30D M=Access granted\"]\n"
	              "rcvd [CHAP Response id=0x9e <b36bae6f>, name = \"mallory\"]\n"
	              "sent [CHAP Success id=0x9e \"S=9875A30D M=Access granted\"]\n"
	              "local  IP address 10.99.0.1\n"
	              "remote IP address 10.99.0.10\n");
	LauncherRun r;
	r.run(fake, true);
	CHECK(r.users == std::vector<std::string>{"alice"});
	CHECK(r.links == std::vector<std::string>{"10.99.0.10"});
}

TEST_CASE("PppdLauncher (LAC): the link's address is ours, the one the server gave us")
{
	FakePppd fake("CHAP authentication succeeded\n"
	              "local  IP address 10.99.1.10\n"
	              "remote IP address 10.99.1.1\n");
	LauncherRun r;
	r.run(fake, false);
	CHECK(r.users.empty()); // a LAC knows its user from the profile
	CHECK(r.links == std::vector<std::string>{"10.99.1.10"});
}
