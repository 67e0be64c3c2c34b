// PppdLauncher's peerAuthFailed, what brute-force blocking counts: an LNS
// pppd that exits 11 (the peer failed to authenticate) is reported with the
// session's L2TP peer, also when it was already being stopped (the client's
// CDN overtook its exit), and when its plugin had reported 11 before our stop
// ended it with a signal; a LAC pppd's or another status is not.

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

struct Run {
	std::unique_ptr<EventLoop> loop = std::move(EventLoop::create().value());
	std::vector<std::string> failed; ///< "TUNNEL/SESSION PEER"
	int ended = 0;
	/// Another way to tell that the stand-in is ready to be stopped.
	std::function<bool()> readyWhen = [] { return false; };

	/// Starts one pppd; with `stopFirst` stops it at once (as a CDN would).
	void run(const FakePppd &fake, bool lns, bool stopFirst) { run(fake.path, {}, lns, stopFirst); }
	void run(const std::string &pppd, std::vector<std::string> options, bool lns, bool stopFirst)
	{
		PppdLauncher::Callbacks cb;
		cb.peerAuthFailed = [this](uint16_t t, uint16_t s, const l2tp::Endpoint &peer) {
			failed.push_back(std::to_string(t) + "/" + std::to_string(s) + " " + peer.str());
		};
		cb.ended = [this](uint16_t, uint16_t, const std::string &) { ended++; };
		// The shell stand-ins send no plugin reports; the path is only passed on.
		PppdLauncher launcher(*loop, cb, "/nonexistent/l2tpsec-pppd.so");
		PppConfig ppp;
		ppp.pppd = pppd;
		ppp.options = std::move(options);
		LacProfile office;
		office.name = "office";
		office.user = "alice";
		launcher.configure(ppp, {office});
		l2tp::PppStart start;
		start.tunnelId = 16385;
		start.sessionId = 7;
		start.lns = lns;
		start.lacProfile = "office";
		start.peer = l2tp::Endpoint{*IpAddress::parse("192.0.2.2"), 1701};
		start.pppSocket = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
		REQUIRE(launcher.start(std::move(start)));
		if (stopFirst) {
			// Once its trap is set (it touches "ready"), as a CDN would.
			std::string ready = std::filesystem::path(pppd).parent_path() / "ready";
			for (int i = 0; i < 500 && !std::filesystem::exists(ready) && !readyWhen(); ++i)
				REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
			launcher.stop(16385, 7);
		}
		for (int i = 0; i < 500 && launcher.running() > 0; ++i)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
		// The stopped one is reaped too.
		for (int i = 0; i < 50; ++i)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
	}
};

} // namespace

TEST_CASE("an LNS pppd that exits 11 reports its peer, once, before `ended`")
{
	FakePppd fake("echo 'Peer alice failed CHAP authentication'\nexit 11");
	Run r;
	r.run(fake, true, false);
	CHECK(r.failed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
	CHECK(r.ended == 1);
}

TEST_CASE("an LNS pppd stopped while it exits 11 still reports its peer")
{
	// pppd past its main loop keeps status 11 whatever signal comes.
	FakePppd fake("trap 'kill $!; exit 11' TERM\ntouch \"$(dirname \"$0\")/ready\"\nsleep 5 >/dev/null & wait");
	Run r;
	r.run(fake, true, true);
	CHECK(r.failed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
	CHECK(r.ended == 0); // stopped: the engine already knows
}

TEST_CASE("no report for a LAC pppd's exit 11, an LNS pppd's other exits, or a stop that ends it")
{
	FakePppd lac("exit 11");
	Run a;
	a.run(lac, false, false);
	CHECK(a.failed.empty());
	FakePppd other("exit 19");
	Run b;
	b.run(other, true, false);
	CHECK(b.failed.empty());
	FakePppd stopped("trap 'kill $!; exit 5' TERM\ntouch \"$(dirname \"$0\")/ready\"\nsleep 5 >/dev/null & wait");
	Run c;
	c.run(stopped, true, true);
	CHECK(c.failed.empty());
}

TEST_CASE("an LNS pppd whose plugin reported exit 11 still reports its peer when our stop kills it")
{
	// The real plugin's report of pppd's status, then pppd dies of our
	// SIGTERM (the stand-in exits 5) before it could exit with that status.
	auto hex = [](const std::vector<uint8_t> &b) {
		std::string h;
		for (uint8_t x : b)
			h += fmt::format("{:02x}", x);
		return h;
	};
	std::vector<std::string> options{
	        "fake-send " + hex(ppp::encodePluginMessage(ppp::PluginHello{ppp::kPluginProtocol, "2.4.9"})),
	        "fake-send " + hex(ppp::encodePluginMessage(ppp::PluginExit{11}))};
	Run r;
	size_t lines = 0;
	log::setSink([&lines](LogLevel, std::string_view, std::string_view msg) {
		lines += msg.find("fake pppd: sent 2 message(s)") != std::string_view::npos;
	});
	r.readyWhen = [&lines] { return lines > 0; };
	r.run(L2TPSEC_FAKE_PPPD, options, true, true);
	log::setSink(nullptr);
	CHECK(r.failed == std::vector<std::string>{"16385/7 192.0.2.2:1701"});
}
