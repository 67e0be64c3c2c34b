// PppdLauncher's peerAuthFailed, what brute-force blocking counts: an LNS
// pppd that exits 11 (the peer failed to authenticate) is reported with the
// session's L2TP peer, also when it was already being stopped (the client's
// CDN overtook its exit), and when its plugin had reported 11 before our stop
// ended it with a signal; a LAC pppd's or another status is not.

#include "../support/pppd_launcher_harness.h"
#include "daemon/pppd_launcher.h"
#include "ppp/plugin_message.h"

#include <doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace l2tpsec;

namespace {

// A pppd stand-in: `script` is its shell body.
struct FakePppd {
	std::string dir, path;
	explicit FakePppd(const std::string &script)
	{
		char tmpl[] = "/tmp/l2tpsec-fakepppd-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		dir = tmpl;
		path = dir + "/pppd";
		std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
		REQUIRE(::chmod(path.c_str(), 0755) == 0);
	}
	~FakePppd()
	{
		std::error_code ignoredError;
		std::filesystem::remove_all(dir, ignoredError);
	}
};

// Starts one pppd; with `stopFirst` stops it once it is ready (as a CDN
// would): when it has touched "ready" beside itself, or `readyWhen` holds.
void run(
        test::PppdLauncherHarness &h, const std::string &pppd, std::vector<std::string> options, bool lns,
        bool stopFirst, const std::function<bool()> &readyWhen = [] { return false; })
{
	h.start(pppd, std::move(options), lns);
	if (stopFirst) {
		std::string ready = std::filesystem::path(pppd).parent_path() / "ready";
		h.runUntil([&] { return std::filesystem::exists(ready) || readyWhen(); });
		h.stop();
	}
	h.drain();
}

void run(test::PppdLauncherHarness &h, const FakePppd &fake, bool lns, bool stopFirst)
{
	run(h, fake.path, {}, lns, stopFirst);
}

} // namespace

TEST_CASE("an LNS pppd that exits 11 reports its peer, once, before `ended`")
{
	FakePppd fake("echo 'Peer alice failed CHAP authentication'\nexit 11");
	test::PppdLauncherHarness r;
	run(r, fake, true, false);
	CHECK(r.authFailed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
	CHECK(r.ended.size() == 1);
}

TEST_CASE("an LNS pppd stopped while it exits 11 still reports its peer")
{
	// pppd past its main loop keeps status 11 whatever signal comes.
	FakePppd fake("trap 'kill $!; exit 11' TERM\ntouch \"$(dirname \"$0\")/ready\"\nsleep 5 >/dev/null & wait");
	test::PppdLauncherHarness r;
	run(r, fake, true, true);
	CHECK(r.authFailed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
	CHECK(r.ended.empty()); // stopped: the engine already knows
}

TEST_CASE("no report for a LAC pppd's exit 11, an LNS pppd's other exits, or a stop that ends it")
{
	FakePppd lac("exit 11");
	test::PppdLauncherHarness a;
	run(a, lac, false, false);
	CHECK(a.authFailed.empty());
	FakePppd other("exit 19");
	test::PppdLauncherHarness b;
	run(b, other, true, false);
	CHECK(b.authFailed.empty());
	FakePppd stopped("trap 'kill $!; exit 5' TERM\ntouch \"$(dirname \"$0\")/ready\"\nsleep 5 >/dev/null & wait");
	test::PppdLauncherHarness c;
	run(c, stopped, true, true);
	CHECK(c.authFailed.empty());
}

TEST_CASE("an LNS pppd whose plugin reported exit 11 still reports its peer when our stop kills it")
{
	// The real plugin's report of pppd's status, then pppd dies of our
	// SIGTERM (the stand-in exits 5) before it could exit with that status.
	std::vector<std::string> options{test::pluginSend(ppp::PluginHello{ppp::kPluginProtocol, "2.4.9"}),
	                                 test::pluginSend(ppp::PluginExit{11})};
	test::PppdLauncherHarness r;
	size_t lines = 0;
	log::setSink([&lines](LogLevel, std::string_view, std::string_view msg) {
		lines += msg.find("fake pppd: sent 2 message(s)") != std::string_view::npos;
	});
	run(r, L2TPSEC_FAKE_PPPD, options, true, true, [&lines] { return lines > 0; });
	log::setSink(nullptr);
	CHECK(r.authFailed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
}

TEST_CASE("a PAP password a plugin refused is reported with the name and what the server said")
{
	// pppd's radius plugin said no through l2tpsec's plugin, then pppd exits 11.
	ppp::PluginAuthFailed refused{"alice", "l2tpsec-stage: code\n"};
	std::vector<std::string> options{test::pluginSend(ppp::PluginHello{ppp::kPluginProtocol, "2.4.9"}),
	                                 test::pluginSend(refused), test::pluginSend(ppp::PluginExit{11}), "fake-exit",
	                                 "11"};
	test::PppdLauncherHarness r;
	r.captureLog();
	run(r, L2TPSEC_FAKE_PPPD, options, true, false);
	CHECK(r.authFailed ==
	      std::vector<std::string>{"16385/7 192.0.2.2:1701 refused 'alice': l2tpsec-stage: code\n"});
	CHECK(r.logged("info ppp: session 16385/7: the PAP password of 'alice' was refused: \"l2tpsec-stage: code\""));

	// The same when the client's CDN stops the pppd first: what it said is
	// read, from its socket or the stopped pppd's, before the failure is
	// reported.
	std::vector<std::string> stopped(options.begin(), options.end() - 2);
	test::PppdLauncherHarness s;
	size_t lines = 0;
	log::setSink([&lines](LogLevel, std::string_view, std::string_view msg) {
		lines += msg.find("fake pppd: sent 3 message(s)") != std::string_view::npos;
	});
	run(s, L2TPSEC_FAKE_PPPD, stopped, true, true, [&lines] { return lines > 0; });
	log::setSink(nullptr);
	CHECK(s.authFailed ==
	      std::vector<std::string>{"16385/7 192.0.2.2:1701 refused 'alice': l2tpsec-stage: code\n"});
}
