#pragma once
// One session's pppd under PppdLauncher, for the daemon's unit tests: a
// stand-in pppd (tests/unit/fake_pppd.cpp, which sends what its options say,
// or a shell script) is started for session 16385/7 of peer 192.0.2.2:1701,
// and the test drives the event loop until what it waits for has happened.

#include "common/event_loop.h"
#include "common/log.h"
#include "daemon/pppd_launcher.h"
#include "hex.h"
#include "ppp/plugin_message.h"

#include <doctest.h>
#include <fcntl.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace l2tpsec::test {

/// fake_pppd's option that makes it send `m` on the plugin's socket.
inline std::string pluginSend(const ppp::PluginMessage &m)
{
	return "fake-send " + hexString(ppp::encodePluginMessage(m));
}

/// fake_pppd's option that makes it send `m` when it gets SIGTERM.
inline std::string pluginSendOnTerm(const ppp::PluginMessage &m)
{
	return "fake-on-term " + hexString(ppp::encodePluginMessage(m));
}

class PppdLauncherHarness {
public:
	static constexpr uint16_t kTunnel = 16385;
	static constexpr uint16_t kSession = 7;

	std::unique_ptr<EventLoop> loop = std::move(EventLoop::create().value());
	std::vector<std::string> users, links, ended, log;
	std::vector<l2tp::EndCause> endCauses; ///< beside `ended`
	/// "TUNNEL/SESSION PEER", and " refused 'NAME': SAID" with the plugin's report
	std::vector<std::string> authFailed;
	std::vector<std::vector<IpPrefix>> radiusRoutes;     ///< each report of them
	std::string plugin = "/nonexistent/l2tpsec-pppd.so"; ///< only passed on to pppd
	/// Called from the launcher's `authenticated`, after `users` has the name.
	std::function<void(const std::string &user)> onAuthenticated;
	/// [ppp] secrets (an LNS that authenticates itself, so it prestarts) and
	/// [ppp] prestart; none by default.
	std::string secrets;
	uint32_t prestart = 0;
	/// Runs after configure(), before the session starts.
	std::function<void()> beforeStart;

	~PppdLauncherHarness()
	{
		launcher_.reset();
		if (capturing_)
			log::setSink(nullptr);
	}

	/// Keeps every log line, as "LEVEL COMPONENT: MESSAGE", in `log`.
	void captureLog()
	{
		capturing_ = true;
		log::setSink([this](LogLevel l, std::string_view comp, std::string_view msg) {
			log.push_back(std::string(logLevelName(l)) + " " + std::string(comp) + ": " + std::string(msg));
		});
	}

	bool logged(std::string_view line) const { return std::find(log.begin(), log.end(), line) != log.end(); }

	/// Starts `pppd` (with these extra options) for the session, as an LNS or a LAC.
	void start(const std::string &pppd, std::vector<std::string> options, bool lns)
	{
		PppdLauncher::Callbacks cb;
		cb.authenticated = [this](uint16_t, uint16_t, const std::string &u) {
			users.push_back(u);
			if (onAuthenticated)
				onAuthenticated(u);
		};
		cb.linkUp = [this](uint16_t, uint16_t, const std::string &a, const std::string &) {
			links.push_back(a);
		};
		cb.radiusRoutes = [this](uint16_t, uint16_t, const std::vector<IpPrefix> &r) {
			radiusRoutes.push_back(r);
		};
		cb.ended = [this](uint16_t, uint16_t, const std::string &why, l2tp::EndCause cause) {
			ended.push_back(why);
			endCauses.push_back(cause);
		};
		cb.peerAuthFailed = [this](uint16_t t, uint16_t s, const l2tp::Endpoint &peer,
		                           const ppp::PluginAuthFailed *refusal) {
			std::string line = std::to_string(t) + "/" + std::to_string(s) + " " + peer.str();
			if (refusal)
				line += " refused '" + refusal->peerName + "': " + refusal->said;
			authFailed.push_back(line);
		};
		launcher_ = std::make_unique<PppdLauncher>(*loop, cb, plugin);
		PppConfig ppp;
		ppp.pppd = pppd;
		ppp.options = std::move(options);
		LacProfile office;
		office.name = "office";
		office.user = "alice";
		if (!secrets.empty()) {
			ppp.secrets.path = secrets;
			ppp.prestart = prestart;
		}
		launcher_->configure(ppp, {office});
		if (beforeStart)
			beforeStart();
		l2tp::PppStart s;
		s.tunnelId = kTunnel;
		s.sessionId = kSession;
		s.lns = lns;
		s.lacProfile = "office";
		s.peer = l2tp::Endpoint{*IpAddress::parse("192.0.2.2"), 1701};
		s.pppSocket = UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC));
		REQUIRE(launcher_->start(std::move(s)));
	}

	/// Runs the loop until `done` holds or 5 s have passed.
	void runUntil(const std::function<bool()> &done)
	{
		for (int i = 0; i < 500 && !done(); ++i)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
	}

	/// Stops the session's pppd, as a CDN would.
	void stop() { launcher_->stop(kTunnel, kSession); }

	/// The launcher itself, for its counters.
	const PppdLauncher &launcher() const { return *launcher_; }
	PppdLauncher &launcher() { return *launcher_; }

	/// Runs the loop until no pppd is left, then a little longer so that the
	/// stopped ones are reaped too.
	void drain()
	{
		runUntil([this] { return launcher_->running() == 0; });
		for (int i = 0; i < 50; ++i)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(10)));
	}

private:
	std::unique_ptr<PppdLauncher> launcher_;
	bool capturing_ = false;
};

} // namespace l2tpsec::test
