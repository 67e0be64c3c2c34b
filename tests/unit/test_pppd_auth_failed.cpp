// PppdLauncher's peerAuthFailed, what brute-force blocking counts: an LNS
// pppd that exits 11 (the peer failed to authenticate) is reported with the
// session's L2TP peer, also when it was already being stopped (the client's
// CDN overtook its exit); a LAC pppd's or another status is not.

#include "daemon/pppd_launcher.h"

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

	/// Starts one pppd; with `stopFirst` stops it at once (as a CDN would).
	void run(const FakePppd &fake, bool lns, bool stopFirst)
	{
		PppdLauncher::Callbacks cb;
		cb.peerAuthFailed = [this](uint16_t t, uint16_t s, const l2tp::Endpoint &peer) {
			failed.push_back(std::to_string(t) + "/" + std::to_string(s) + " " + peer.str());
		};
		cb.ended = [this](uint16_t, uint16_t, const std::string &) { ended++; };
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
		start.peer = l2tp::Endpoint{*IpAddress::parse("192.0.2.2"), 1701};
		start.pppSocket = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
		REQUIRE(launcher.start(std::move(start)));
		if (stopFirst) {
			// Once its trap is set (it touches "ready"), as a CDN would.
			std::string ready = std::filesystem::path(fake.path).parent_path() / "ready";
			for (int i = 0; i < 500 && !std::filesystem::exists(ready); ++i)
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
