#pragma once
// Daemon: l2tpsecd's wiring. It owns the event loop, the config in force and
// the control server; later the IKE, L2TP and PPP managers hang off it.

#include "common/event_loop.h"
#include "common/result.h"
#include "config/config.h"
#include "control/control_server.h"
#include "daemon/accounting_sender.h"
#include "daemon/blocking_service.h"
#include "daemon/das_listener.h"
#include "daemon/dhcp_responder.h"
#include "daemon/ike_service.h"
#include "daemon/instance_lock.h"
#include "daemon/l2tp_service.h"
#include "daemon/metrics_http.h"
#include "daemon/metrics_text.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace l2tpsec {

struct DaemonOptions {
	std::string configPath;
	/// Command-line overrides of config keys (they survive reloads).
	std::optional<std::string> controlSocket;
	std::optional<LogLevel> logLevel;
	/// The null dataplane (counts, keeps nothing) and no pppd (tests,
	/// benchmarks, no root).
	bool fakeDataplane = false;
	/// The L2TP listener port (1701; tests run on another).
	uint16_t l2tpPort = 1701;
	/// The IKE and NAT-T ports (500, 4500; tests run on others).
	uint16_t ikePort = 500;
	uint16_t natTPort = 4500;
	/// l2tpsec's pppd plugin, which every pppd loads (--pppd-plugin: the
	/// build tree's, for tests).
	std::string pppdPlugin;
};

class Daemon {
public:
	/// Starts from a config that already loaded cleanly: binds the control
	/// socket and installs the signal handlers.
	static Result<std::unique_ptr<Daemon>> start(DaemonOptions options, Config config);
	~Daemon();

	/// Runs the event loop until SIGTERM or SIGINT.
	Result<void> run();

	/// Loads the config file again. On any error the config in force stays
	/// and the error lists every problem, one per line.
	Result<void> reload();

	nlohmann::json status() const;
	/// What `metrics` and the [metrics] listener export.
	MetricsSnapshot metricsSnapshot() const;

private:
	Daemon(DaemonOptions options, Config config, std::unique_ptr<EventLoop> loop);
	void onSignal(int signo);
	void applyLogLevel();
	void registerCommands();
	void stopGracefully(const char *why);
	control::StatusView statusView() const;
	/// [metrics] listen as in config_: the listener started, moved or stopped.
	Result<void> applyMetricsListen();
	/// [ppp] routes, domain, user_routes and [radius] as in config_: the
	/// DHCPINFORM responder started, told the new settings or stopped.
	void applyDhcpResponder();
	/// [radius] das_* as in config_: the Disconnect-Request listener
	/// started, restarted with new settings or stopped.
	Result<void> applyDasListener();
	/// With [radius] (and the kernel's dataplane: a fake one runs no
	/// pppd, so it has no sessions to account): Accounting-On or -Off to the
	/// accounting servers, `done` once one answered or all were tried.
	/// False when there is nothing to send (done is not called).
	bool sendAccountingOnOff(bool on, std::function<void()> done);
	/// Sends `request`; an Accounting-On no server answered is sent again
	/// every kOnRetry (same Event-Timestamp: FreeRADIUS closes only the
	/// sessions that started before it) until one does or the daemon stops.
	void startOnOff(const radius::OnOffRequest &request, std::function<void()> done);
	static constexpr std::chrono::seconds kOnRetry{30};
	/// Ends the LNS sessions a Disconnect-Request names.
	std::vector<std::string> disconnectFromRadius(const radius::SessionSelector &s);
	/// Sets the Session-Timeout of the LNS sessions a CoA-Request names.
	std::vector<std::string> limitFromRadius(const radius::SessionSelector &s, std::chrono::seconds limit);

	DaemonOptions options_;
	Config config_;
	std::unique_ptr<EventLoop> loop_;
	/// Held from before anything is bound or recovered until the end.
	std::unique_ptr<InstanceLock> lock_;
	std::unique_ptr<ControlServer> control_;
	/// Brute-force blocking; IKE and L2TP hold on to it, so it goes after them.
	std::unique_ptr<BlockingService> blocking_;
	/// Only when [l2tp] ipsec is not "off"; declared before l2tp_, which
	/// listens to it, so that it goes after it.
	std::unique_ptr<IkeService> ike_;
	std::unique_ptr<L2tpService> l2tp_;
	/// [metrics] listen; asks the services above, so it goes first.
	std::unique_ptr<MetricsHttpServer> metricsHttp_;
	/// [ppp] routes or domain; asks l2tp_, so it goes first.
	std::unique_ptr<DhcpResponder> dhcp_;
	/// [radius] das_listen; ends l2tp_'s sessions, so it goes first.
	std::unique_ptr<DasListener> das_;
	/// The Accounting-On of the start, then the Accounting-Off of a clean stop.
	std::unique_ptr<AccountingSender> onOff_;
	std::optional<EventLoop::TimerId> onRetry_;
	bool stopping_ = false;
	std::chrono::system_clock::time_point started_;
	std::chrono::steady_clock::time_point startedMono_;
	std::chrono::system_clock::time_point loadedAt_;
	unsigned reloads_ = 0;
	unsigned reloadFailures_ = 0;
};

} // namespace l2tpsec
