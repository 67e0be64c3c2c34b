// Daemon wiring without a process: reload keeps the old config on errors;
// how PppdLauncher reads what pppd's plugin reports.

#include "../support/pppd_launcher_harness.h"
#include "common/log.h"
#include "config/config_loader.h"
#include "daemon/daemon.h"
#include "daemon/pppd_launcher.h"
#include "ppp/plugin_message.h"

#include <fmt/format.h>

#include <doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
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

// ---- what pppd's plugin says, as PppdLauncher reads it -------------------------

namespace {

using test::pluginSend;

const ppp::PluginHello kHello{ppp::kPluginProtocol, "2.4.9"};
// The LNS's view of a link: 10.99.0.1 here, the client 10.99.0.10.
const ppp::PluginLink kLink{IpAddress::v4(0x0a630001), IpAddress::v4(0x0a63000a), "ppp0"};

// One session's fake_pppd, sending what its `options` say, run until it has
// ended or `until` holds; then stopped.
struct LauncherRun : test::PppdLauncherHarness {
	/// After the launcher stopped pppd: run the loop until this holds.
	std::function<bool()> afterStop;

	void run(std::vector<std::string> options, bool lns, const std::function<bool()> &until)
	{
		captureLog();
		start(L2TPSEC_FAKE_PPPD, std::move(options), lns);
		runUntil([&] { return !ended.empty() || until(); });
		stop();
		if (afterStop)
			runUntil(afterStop);
	}
};

} // namespace

TEST_CASE("PppdLauncher (LNS): the user and the link come from the plugin, in order, then the exit")
{
	LauncherRun r;
	r.run({pluginSend(kHello), pluginSend(ppp::PluginAuthUp{"alice"}), pluginSend(ppp::PluginIpUp{kLink}),
	       pluginSend(ppp::PluginIpDown{kLink, ppp::PluginLinkStats{20000, 30000, 20, 30, 42}}),
	       pluginSend(ppp::PluginExit{0}), "fake-exit 0"},
	      true, [] { return false; });
	CHECK(r.users == std::vector<std::string>{"alice"});
	CHECK(r.links == std::vector<std::string>{"10.99.0.10"}); // the client's end: the peer's
	// Reported before the end although pppd had exited when they were read.
	CHECK(r.ended == std::vector<std::string>{"the link ended normally (pppd exit 0)"});
	// For `metrics`: one link up, no failure, one exit.
	CHECK(r.launcher().setupCounts().setups == 1);
	CHECK(r.launcher().setupCounts().failures.empty());
	CHECK(r.launcher().exits() == std::map<std::string, uint64_t>{{"ok", 1}});
	CHECK(r.logged("info ppp: session 16385/7: the peer authenticated as 'alice'"));
	CHECK(r.logged("info ppp: session 16385/7: IP up on ppp0: local 10.99.0.1, peer 10.99.0.10"));
	CHECK(r.logged("info ppp: session 16385/7: IP down on ppp0: local 10.99.0.1, peer 10.99.0.10; 42 s up, "
	               "20000 bytes (20 packets) in, 30000 bytes (30 packets) out"));
}

TEST_CASE("PppdLauncher (LNS): a prestarted pppd takes the session, its options and socket through the plugin's "
          "socket, and another is started")
{
	// Needs root for the secrets bind (CI and tools/test run as root).
	LauncherRun r;
	char secrets[] = "/tmp/l2tpsec-prestart-XXXXXX";
	int fd = ::mkstemp(secrets);
	REQUIRE(fd >= 0);
	::close(fd);
	r.secrets = secrets;
	r.prestart = 1;
	size_t waiting = 0;
	std::vector<pid_t> idle;
	r.beforeStart = [&] {
		waiting = r.launcher().prestarted();
		// Until the prestarted pppd waits in the plugin ("pppd-idle" for a
		// real one; the fake has sent nothing yet).
		r.runUntil([] { return false; });
	};
	r.run({pluginSend(kHello), pluginSend(ppp::PluginAuthUp{"alice"}), pluginSend(ppp::PluginIpUp{kLink})}, true,
	      [&] { return !r.links.empty(); });
	::unlink(secrets);
	CHECK(waiting == 1);
	CHECK(r.users == std::vector<std::string>{"alice"});
	CHECK(r.links == std::vector<std::string>{"10.99.0.10"});
	auto started = std::find_if(r.log.begin(), r.log.end(), [](const std::string &l) {
		return l.starts_with("info ppp: session 16385/7: pppd started (pid ") && l.ends_with("), prestarted");
	});
	CHECK(started != r.log.end());
	// The socket arrived as a descriptor of the fake's own, in place of
	// "@pppol2tp" in its options.
	CHECK(std::any_of(r.log.begin(), r.log.end(), [](const std::string &l) {
		return l.starts_with("info pppd: session 16385/7: fake pppd: session with socket ");
	}));
	// Another waits for the next session.
	CHECK(r.launcher().prestarted() == 1);
}

TEST_CASE("PppdLauncher (LNS): prestarted pppds that keep exiting turn prestarting off with one line")
{
	LauncherRun r;
	char secrets[] = "/tmp/l2tpsec-prestart-XXXXXX";
	int fd = ::mkstemp(secrets);
	REQUIRE(fd >= 0);
	::close(fd);
	r.secrets = secrets;
	r.prestart = 2;
	r.captureLog();
	r.beforeStart = [&] {
		r.runUntil([&] {
			return std::any_of(r.log.begin(), r.log.end(), [](const std::string &l) {
				return l.starts_with("error ppp: prestarted pppd");
			});
		});
	};
	// /bin/false exits at once, whatever its arguments: the session's too.
	r.start("/bin/false", {}, true);
	r.runUntil([&] { return !r.ended.empty(); });
	::unlink(secrets);
	CHECK(r.launcher().prestarted() == 0);
	CHECK(std::count_if(r.log.begin(), r.log.end(), [](const std::string &l) {
		      return l.starts_with("error ppp: prestarted pppd") &&
		             l.ends_with(
		                     "that is 3 in a row, so each session's pppd now starts when the session comes (a "
		                     "reload tries again)");
	      }) == 1);
	// The session's own pppd was started for it, not handed to one.
	CHECK(std::any_of(r.log.begin(), r.log.end(), [](const std::string &l) {
		return l.starts_with("info ppp: session 16385/7: pppd started (pid ") && l.ends_with(")");
	}));
	CHECK(r.ended.size() == 1);
}

TEST_CASE("PppdLauncher (LNS): the RADIUS Framed-Routes' subnets, those that parse, each once")
{
	LauncherRun r;
	r.run({pluginSend(kHello),
	       pluginSend(ppp::PluginRadiusRoutes{
	               {"10.20.0.0/24 0.0.0.0 1", "fe80::/64 :: 1", "10.20.0.0/24", "10.30.0.7 10.99.0.1 2"}}),
	       pluginSend(ppp::PluginAuthUp{"alice"}), pluginSend(ppp::PluginExit{0}), "fake-exit 0"},
	      true, [] { return false; });
	REQUIRE(r.radiusRoutes.size() == 1);
	CHECK(r.radiusRoutes[0] ==
	      std::vector<IpPrefix>{*IpPrefix::parse("10.20.0.0/24"), *IpPrefix::parse("10.30.0.7")});
	CHECK(r.logged("warn ppp: session 16385/7: Framed-Route destination \"fe80::/64\" is not an IPv4 subnet such "
	               "as 10.20.0.0/24 or an IPv4 address; skipped"));
	CHECK(r.logged("info ppp: session 16385/7: RADIUS Framed-Route subnets for the client: 10.20.0.0/24, "
	               "10.30.0.7"));
	CHECK(r.users == std::vector<std::string>{"alice"});
	CHECK(r.ended == std::vector<std::string>{"the link ended normally (pppd exit 0)"});
}

TEST_CASE("PppdLauncher (LAC): the link's address is ours; after we stop pppd its IP down is still logged")
{
	LauncherRun r;
	ppp::PluginLink lac{IpAddress::v4(0x0a63010a), IpAddress::v4(0x0a630101), "ppp3"};
	const std::string down =
	        "info ppp: session 16385/7: IP down on ppp3: local 10.99.1.10, peer 10.99.1.1; 9 s up, "
	        "100 bytes (1 packets) in, 200 bytes (2 packets) out";
	r.afterStop = [&] { return r.logged(down); };
	r.run({pluginSend(kHello), pluginSend(ppp::PluginIpUp{lac}),
	       test::pluginSendOnTerm(ppp::PluginIpDown{lac, ppp::PluginLinkStats{100, 200, 1, 2, 9}})},
	      false, [&] { return !r.links.empty(); });
	CHECK(r.users.empty()); // a LAC knows its user from the profile
	CHECK(r.links == std::vector<std::string>{"10.99.1.10"});
	CHECK(r.logged(down));  // sent on SIGTERM, read from the stopped pppd's socket
	CHECK(r.ended.empty()); // we stopped it: the engine knows
	// Stopped after its link came up: a setup, no failure.
	CHECK(r.launcher().setupCounts().setups == 1);
	CHECK(r.launcher().setupCounts().failures.empty());
}

TEST_CASE("PppdLauncher: a plugin of another protocol version is refused with one line, and nothing it says "
          "counts")
{
	LauncherRun r;
	r.plugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";
	r.run({pluginSend(ppp::PluginHello{static_cast<uint16_t>(ppp::kPluginProtocol + 1), ""}),
	       pluginSend(ppp::PluginAuthUp{"alice"}), pluginSend(ppp::PluginIpUp{kLink})},
	      true, [] { return false; });
	std::string why = fmt::format("the pppd plugin /usr/lib/pppd/2.4.9/l2tpsec-pppd.so speaks protocol version "
	                              "{}, this l2tpsecd speaks {}: install the plugin that came with this l2tpsecd",
	                              ppp::kPluginProtocol + 1, ppp::kPluginProtocol);
	CHECK(r.logged("error ppp: session 16385/7: " + why + "; session refused"));
	CHECK(std::count_if(r.log.begin(), r.log.end(), [](const std::string &l) { return l.starts_with("error"); }) ==
	      1);
	CHECK(r.users.empty());
	CHECK(r.links.empty());
	// Stopped by the launcher (SIGTERM: the fake exits 5, or dies of it if it
	// comes before its handler) and reported as ended, with the reason.
	REQUIRE(r.ended.size() == 1);
	CHECK(r.ended[0].starts_with(why + " (pppd "));
}

TEST_CASE("PppdLauncher: a malformed message, or one before the hello, refuses the session")
{
	LauncherRun bad;
	bad.run({pluginSend(kHello), "fake-send 0200"}, true, [] { return false; });
	REQUIRE(bad.ended.size() == 1);
	CHECK(bad.ended[0].starts_with("pppd plugin auth-up message: ends inside the peer name (2 bytes) (pppd "));
	CHECK(bad.logged("error ppp: session 16385/7: pppd plugin auth-up message: ends inside the peer name (2 "
	                 "bytes); session refused"));

	LauncherRun early;
	early.run({pluginSend(ppp::PluginIpUp{kLink}), pluginSend(kHello)}, true, [] { return false; });
	CHECK(early.links.empty());
	REQUIRE(early.ended.size() == 1);
	CHECK(early.ended[0].starts_with("the pppd plugin sent a message before its hello (IP up on ppp0: "));
}

TEST_CASE("PppdLauncher: pppd's exit status reaches `ended` (peer authentication failed)")
{
	LauncherRun r;
	r.run({pluginSend(kHello), pluginSend(ppp::PluginExit{11}), "fake-exit 11"}, true, [] { return false; });
	CHECK(r.users.empty());
	CHECK(r.ended == std::vector<std::string>{"the peer failed or refused to authenticate itself (pppd exit 11)"});
	CHECK(r.endCauses == std::vector<l2tp::EndCause>{l2tp::EndCause::Error});
	// For `metrics`: a PPP setup that failed, by pppd's reason.
	CHECK(r.launcher().setupCounts().setups == 0);
	CHECK(r.launcher().setupCounts().failures == std::map<std::string, uint64_t>{{"peer-auth-failed", 1}});
	CHECK(r.launcher().exits() == std::map<std::string, uint64_t>{{"peer-auth-failed", 1}});
}

TEST_CASE("PppdLauncher: pppd's exit status says why the session ended (accounting's Terminate-Cause)")
{
	const std::vector<std::pair<int, l2tp::EndCause>> cases{
	        {0, l2tp::EndCause::PeerRequest},  {5, l2tp::EndCause::PeerRequest},
	        {12, l2tp::EndCause::IdleTimeout}, {13, l2tp::EndCause::SessionTimeout},
	        {15, l2tp::EndCause::PeerLost},    {16, l2tp::EndCause::PeerLost},
	        {1, l2tp::EndCause::Error},        {10, l2tp::EndCause::Error}};
	for (const auto &c : cases) {
		CAPTURE(c.first);
		LauncherRun r;
		r.run({pluginSend(kHello), "fake-exit " + std::to_string(c.first)}, true, [] { return false; });
		CHECK(r.endCauses == std::vector<l2tp::EndCause>{c.second});
	}
}

TEST_CASE("the pppd plugin must be there at start-up")
{
	auto missing = checkPppdPlugin("/nonexistent/l2tpsec-pppd.so");
	REQUIRE_FALSE(missing);
	CHECK(missing.error().message ==
	      "pppd plugin /nonexistent/l2tpsec-pppd.so: No such file or directory (every pppd of l2tpsecd loads it; "
	      "it is installed with l2tpsecd, --pppd-plugin names another)");
	auto dir = checkPppdPlugin("/tmp");
	REQUIRE_FALSE(dir);
	CHECK(dir.error().message == "pppd plugin /tmp: not a regular file");
	CHECK(checkPppdPlugin(L2TPSEC_FAKE_PPPD));
}

TEST_CASE("PppdLauncher: stopped from its `authenticated` callback (a certificate binding refusal), the link "
          "never comes up")
{
	LauncherRun r;
	// As L2tpService does: the session cleared at once, pppd stopped, the
	// failure counted for `metrics`.
	r.onAuthenticated = [&](const std::string &) {
		r.stop();
		r.launcher().countFailure("certificate-binding");
	};
	r.run({pluginSend(kHello), pluginSend(ppp::PluginAuthUp{"bob"}), pluginSend(ppp::PluginIpUp{kLink})}, true,
	      [&] { return !r.users.empty(); });
	r.drain();
	CHECK(r.users == std::vector<std::string>{"bob"});
	CHECK(r.links.empty());      // its IP up came after the stop: not reported
	CHECK(r.ended.empty());      // we stopped it: the engine knows
	CHECK(r.authFailed.empty()); // pppd accepted the password: not a PPP failure
	CHECK(r.launcher().setupCounts().setups == 0);
	CHECK(r.launcher().setupCounts().failures == std::map<std::string, uint64_t>{{"certificate-binding", 1}});
}
