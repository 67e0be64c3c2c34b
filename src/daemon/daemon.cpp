#include "daemon/daemon.h"

#include "common/log.h"
#include "config/config_loader.h"
#include "l2tpsec/control.h"
#include "l2tpsec_build_config.h"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <ctime>

namespace l2tpsec {

using nlohmann::json;

namespace {

std::string isoTime(std::chrono::system_clock::time_point t)
{
	time_t secs = std::chrono::system_clock::to_time_t(t);
	tm utc{};
	gmtime_r(&secs, &utc);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
	return buf;
}

std::string listenText(const Config &c)
{
	if (c.server.listen.empty())
		return "all IPv4 addresses";
	std::string s;
	for (auto &a : c.server.listen)
		s += (s.empty() ? "" : ", ") + a.str();
	return s;
}

} // namespace

Daemon::Daemon(DaemonOptions options, Config config, std::unique_ptr<EventLoop> loop)
    : options_(std::move(options)), config_(std::move(config)), loop_(std::move(loop)),
      started_(std::chrono::system_clock::now()), startedMono_(std::chrono::steady_clock::now()), loadedAt_(started_)
{
}

Daemon::~Daemon()
{
	// The L2TP service stops pppds and clears kernel state; the control
	// server unregisters from the loop. Both before the loop goes.
	l2tp_.reset();
	control_.reset();
}

Result<std::unique_ptr<Daemon>> Daemon::start(DaemonOptions options, Config config)
{
	auto loop = EventLoop::create();
	if (!loop)
		return std::move(loop).error();
	std::unique_ptr<Daemon> d(new Daemon(std::move(options), std::move(config), std::move(*loop)));
	d->applyLogLevel();
	Daemon *self = d.get();
	L2S_TRY(d->loop_->watchSignals({SIGTERM, SIGINT, SIGHUP}, [self](int s) { self->onSignal(s); }));
	// A control client that vanishes mid-reply must not kill the daemon.
	signal(SIGPIPE, SIG_IGN);
	std::string socketPath = d->options_.controlSocket.value_or(d->config_.server.controlSocket);
	auto control = ControlServer::listen(*d->loop_, socketPath);
	if (!control)
		return std::move(control).error();
	d->control_ = std::move(*control);
	L2tpServiceOptions l2tpOptions;
	l2tpOptions.fakeDataplane = d->options_.fakeDataplane;
	l2tpOptions.port = d->options_.l2tpPort;
	auto l2tp = L2tpService::start(*d->loop_, d->config_, l2tpOptions);
	if (!l2tp)
		return std::move(l2tp).error();
	d->l2tp_ = std::move(*l2tp);
	d->registerCommands();
	logInfo("daemon", "l2tpsecd {} started (pid {}, config {}, control socket {}, listen {})", L2TPSEC_VERSION,
	        getpid(), d->options_.configPath, socketPath, listenText(d->config_));
	return d;
}

void Daemon::applyLogLevel()
{
	log::setLevel(options_.logLevel.value_or(config_.server.logLevel));
}

void Daemon::registerCommands()
{
	control_->handle(control::cmd::kStatus, [this](const json &) -> Result<json> { return status(); });
	control_->handle(control::cmd::kVersion, [](const json &) -> Result<json> {
		return json{{"version", L2TPSEC_VERSION}, {"protocol", control::kProtocolVersion}};
	});
	control_->handle(control::cmd::kTunnels, [this](const json &) -> Result<json> { return l2tp_->tunnelsJson(); });
	control_->handle(control::cmd::kSessions,
	                 [this](const json &) -> Result<json> { return l2tp_->sessionsJson(); });
	control_->handle(control::cmd::kShow, [this](const json &req) -> Result<json> {
		return l2tp_->show(req.value("id", std::string()));
	});
	control_->handle(control::cmd::kConnect, [this](const json &req) -> Result<json> {
		return l2tp_->connect(req.value("profile", std::string()));
	});
	control_->handle(control::cmd::kCall, [this](const json &req) -> Result<json> {
		return l2tp_->call(req.value("profile", std::string()));
	});
	control_->handle(control::cmd::kDisconnect, [this](const json &req) -> Result<json> {
		return l2tp_->disconnect(req.value("target", std::string()));
	});
	control_->handle(control::cmd::kReload, [this](const json &) -> Result<json> {
		logInfo("daemon", "reload requested over the control socket");
		L2S_TRY(reload());
		return json{{"config_file", options_.configPath}};
	});
}

Result<void> Daemon::run()
{
	L2S_TRY(loop_->run());
	logInfo("daemon", "stopped");
	return {};
}

void Daemon::onSignal(int signo)
{
	switch (signo) {
	case SIGHUP:
		logInfo("daemon", "received SIGHUP: reloading {}", options_.configPath);
		(void)reload();
		return;
	case SIGTERM:
	case SIGINT: stopGracefully(signo == SIGTERM ? "SIGTERM" : "SIGINT"); return;
	}
}

void Daemon::stopGracefully(const char *why)
{
	if (stopping_) {
		logInfo("daemon", "received {} again: stopping now", why);
		loop_->stop();
		return;
	}
	stopping_ = true;
	logInfo("daemon", "received {}: telling peers (StopCCN), then stopping", why);
	// Peers learn we are going rather than waiting for their HELLO timeout.
	l2tp_->shutdown(std::chrono::milliseconds(3000), [this] { loop_->stop(); });
}

Result<void> Daemon::reload()
{
	ConfigLoad load = loadConfigFile(options_.configPath);
	for (auto &w : load.warnings)
		logWarn("config", "{}", w.str());
	if (!load.ok()) {
		reloadFailures_++;
		std::string all;
		for (auto &e : load.errors) {
			logError("config", "{}", e.str());
			all += (all.empty() ? "" : "\n") + e.str();
		}
		logError("daemon",
		         "reload of {} failed with {} error(s); the configuration loaded at {} stays in force",
		         options_.configPath, load.errors.size(), isoTime(loadedAt_));
		return Error{EINVAL, all};
	}
	Config next = std::move(*load.config);
	// The socket and the listeners are bound once; say so rather than
	// silently ignoring the change.
	if (!options_.controlSocket && next.server.controlSocket != config_.server.controlSocket)
		logWarn("daemon", "[server] control_socket changed to {}; it takes effect at restart",
		        next.server.controlSocket);
	if (next.server.listen != config_.server.listen)
		logWarn("daemon", "[server] listen changed; it takes effect at restart");
	config_ = std::move(next);
	if (l2tp_)
		l2tp_->reconfigure(config_);
	loadedAt_ = std::chrono::system_clock::now();
	reloads_++;
	applyLogLevel();
	logInfo("daemon", "reloaded {}", options_.configPath);
	return {};
}

json Daemon::status() const
{
	json listen = json::array();
	for (auto &a : config_.server.listen)
		listen.push_back(a.str());
	json lac = json::array();
	for (auto &p : config_.lac)
		lac.push_back(p.name);
	auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - startedMono_);
	return json{
	        {"version", L2TPSEC_VERSION},
	        {"pid", getpid()},
	        {"started", isoTime(started_)},
	        {"uptime_seconds", uptime.count()},
	        {"config_file", options_.configPath},
	        {"config_loaded", isoTime(loadedAt_)},
	        {"reloads", reloads_},
	        {"reload_failures", reloadFailures_},
	        {"control_socket", control_->path()},
	        {"listen", listen},
	        {"lac_profiles", lac},
	};
}

} // namespace l2tpsec
