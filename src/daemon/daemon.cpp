#include "daemon/daemon.h"

#include "common/fd_limit.h"
#include "common/iso_time.h"
#include "common/log.h"
#include "config/config_loader.h"
#include "daemon/service_notify.h"
#include "l2tpsec/control.h"
#include "l2tpsec/control_views.h"
#include "l2tpsec_build_config.h"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

namespace l2tpsec {

using nlohmann::json;

namespace {

std::string listenText(const Config &c)
{
	if (c.server.listen.empty())
		return "all IPv4 addresses";
	std::string s;
	for (auto &a : c.server.listen)
		s += (s.empty() ? "" : ", ") + a.str();
	return s;
}

// A reply's view, or the error to answer with.
template <typename View>
Result<json> viewReply(Result<View> view)
{
	if (!view)
		return std::move(view).error();
	return json(*view);
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
	if (onRetry_)
		loop_->cancelTimer(*onRetry_);
	onOff_.reset();
	metricsHttp_.reset();
	dhcp_.reset();
	das_.reset();
	l2tp_.reset();
	ike_.reset();
	blocking_.reset();
	control_.reset();
	lock_.reset();
}

Result<std::unique_ptr<Daemon>> Daemon::start(DaemonOptions options, Config config)
{
	// An absolute path: `status` names the file the same wherever it is read.
	std::error_code absError;
	if (auto absolute = std::filesystem::absolute(options.configPath, absError); !absError)
		options.configPath = absolute.string();
	L2S_TRY_ASSIGN(auto loop, EventLoop::create());
	std::unique_ptr<Daemon> d(new Daemon(std::move(options), std::move(config), std::move(loop)));
	d->applyLogLevel();
	Daemon *self = d.get();
	L2S_TRY(d->loop_->watchSignals({SIGTERM, SIGINT, SIGHUP, SIGUSR1}, [self](int s) { self->onSignal(s); }));
	// A control client that vanishes mid-reply must not kill the daemon.
	signal(SIGPIPE, SIG_IGN);
	std::string socketPath = d->options_.controlSocket.value_or(d->config_.server.controlSocket);
	// The lock before anything else: start-up recovery below removes the
	// kernel state and pppds of an earlier run, which must not be a live
	// daemon's. A fake dataplane owns no kernel state and starts no pppd
	// (tests run several side by side); its control socket is still its own.
	const auto dataplane = d->options_.fakeDataplane ? kernel::DataplaneKind::Null : kernel::DataplaneKind::Kernel;
	if (dataplane == kernel::DataplaneKind::Kernel) {
		L2S_TRY_ASSIGN(auto lock, InstanceLock::acquire(*d->loop_, socketPath));
		d->lock_ = std::move(lock);
	}
	// A descriptor or more per session: as many as the hard limit allows
	// (common/fd_limit.h); pppd gets the soft limit back. After the lock, so
	// that a second daemon's refusal stays its only line.
	if (auto fds = raiseFdLimit(); !fds)
		logWarn("daemon", "descriptor limit not raised: {}", fds.error().message);
	else if (fds->after != fds->before)
		logInfo("daemon", "descriptor limit raised from {} to {} (RLIMIT_NOFILE)", fds->before, fds->after);
	L2S_TRY_ASSIGN(auto control, ControlServer::listen(*d->loop_, socketPath));
	d->control_ = std::move(control);
	d->blocking_ = std::make_unique<BlockingService>(*d->loop_, d->config_.blocking);
	if (d->config_.l2tp.ipsec != IpsecRequirement::Off) {
		IkeServiceOptions ikeOptions{dataplane, d->options_.ikePort, d->options_.natTPort, d->options_.l2tpPort,
		                             d->blocking_.get()};
		L2S_TRY_ASSIGN(auto ike, IkeService::start(*d->loop_, d->config_, ikeOptions));
		d->ike_ = std::move(ike);
	}
	L2tpServiceOptions l2tpOptions;
	l2tpOptions.dataplane = dataplane;
	l2tpOptions.port = d->options_.l2tpPort;
	l2tpOptions.ike = d->ike_.get();
	l2tpOptions.blocking = d->blocking_.get();
	l2tpOptions.pppdPlugin = d->options_.pppdPlugin;
	L2S_TRY_ASSIGN(auto l2tp, L2tpService::start(*d->loop_, d->config_, l2tpOptions));
	d->l2tp_ = std::move(l2tp);
	// Blocks go to the session audit, which the L2TP service keeps.
	d->blocking_->setAudit([self](const json &record) { self->l2tp_->audit(record); });
	// And IKE's failed negotiations.
	if (d->ike_)
		d->ike_->setAudit([self](const json &record) { self->l2tp_->audit(record); });
	d->registerCommands();
	L2S_TRY(d->applyMetricsListen());
	d->applyDhcpResponder();
	L2S_TRY(d->applyDasListener());
	// Before any session can start: a SQL backend closes the sessions an
	// earlier run of this server left open (it crashed) and frees their
	// addresses.
	d->sendAccountingOnOff(true, {});
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
		return json(control::VersionView{L2TPSEC_VERSION, control::kProtocolVersion});
	});
	control_->handle(control::cmd::kTunnels,
	                 [this](const json &) -> Result<json> { return json(l2tp_->tunnels()); });
	control_->handle(control::cmd::kSessions,
	                 [this](const json &) -> Result<json> { return json(l2tp_->sessions()); });
	control_->handle(control::cmd::kShow, [this](const json &req) -> Result<json> {
		return viewReply(l2tp_->show(req.value("id", std::string())));
	});
	control_->handle(control::cmd::kConnect, [this](const json &req) -> Result<json> {
		return viewReply(l2tp_->connect(req.value("profile", std::string())));
	});
	control_->handle(control::cmd::kCall, [this](const json &req) -> Result<json> {
		return viewReply(l2tp_->call(req.value("profile", std::string())));
	});
	control_->handle(control::cmd::kDisconnect, [this](const json &req) -> Result<json> {
		return viewReply(l2tp_->disconnect(req.value("target", std::string())));
	});
	control_->handle(control::cmd::kSas, [this](const json &) -> Result<json> {
		if (!ike_) {
			control::SasView off;
			off.ike = "off ([l2tp] ipsec = \"off\")";
			return json(off);
		}
		return json(ike_->sasView());
	});
	control_->handle(control::cmd::kBlocked, [this](const json &) -> Result<json> {
		control::BlockedView view = blocking_->view();
		if (ike_)
			view.ike = ike_->blockingView();
		return json(view);
	});
	control_->handle(control::cmd::kUnblock, [this](const json &req) -> Result<json> {
		return viewReply(blocking_->unblock(req.value("address", std::string())));
	});
	control_->handle(control::cmd::kMetrics, [this](const json &) -> Result<json> {
		return json(control::MetricsView{metricsText(metricsSnapshot())});
	});
	control_->handle(control::cmd::kReload, [this](const json &) -> Result<json> {
		logInfo("daemon", "reload requested over the control socket");
		L2S_TRY(reload());
		return json(control::ReloadView{options_.configPath});
	});
	control_->handle(control::cmd::kProfiles,
	                 [this](const json &) -> Result<json> { return json(l2tp_->profiles()); });
}

Result<void> Daemon::run()
{
	// Sockets bound and the kernel state recovered (start): tell systemd.
	service::notifyReady(
	        fmt::format("running; config {}, listening on {}", options_.configPath, listenText(config_)));
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
	case SIGUSR1:
		logInfo("daemon", "received SIGUSR1: reopening the audit log");
		if (l2tp_)
			l2tp_->reopenAuditLog();
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
	service::notifyStopping(fmt::format("stopping on {}", why));
	logInfo("daemon", "received {}: telling peers (StopCCN), then stopping", why);
	// Peers learn we are going rather than waiting for their HELLO timeout.
	// IKE after L2TP: StopCCN still travels inside the IPsec SAs, then
	// Delete notifications tell the peers to drop theirs.
	l2tp_->shutdown(std::chrono::milliseconds(3000), [this] {
		if (ike_)
			ike_->shutdown();
		// The sessions' Stops (sent as StopCCN cleared them) are answered
		// or given up first; last, the Accounting-Off: the accounting
		// servers close whatever this server's sessions left open.
		l2tp_->whenAccountingIdle([this] {
			if (!sendAccountingOnOff(false, [this] { loop_->stop(); }))
				loop_->stop();
		});
	});
}

bool Daemon::sendAccountingOnOff(bool on, std::function<void()> done)
{
	if (!config_.ppp.radius || options_.fakeDataplane || config_.ppp.radius->accountingServers.empty())
		return false;
	if (onRetry_)
		loop_->cancelTimer(*onRetry_);
	onRetry_.reset();
	startOnOff(onOffRequestOf(*config_.ppp.radius, on, std::chrono::system_clock::now()), std::move(done));
	return true;
}

void Daemon::startOnOff(const radius::OnOffRequest &request, std::function<void()> done)
{
	const RadiusConfig &r = *config_.ppp.radius;
	std::string secret = r.secret ? r.secret->value : std::string();
	onOff_ = std::make_unique<AccountingSender>(
	        *loop_, r.accountingServers, secret, onOffSpec(request, secret), r.timeout, r.retries,
	        [this, request, done = std::move(done)](const std::optional<RadiusServer> &answered) {
		        if (!answered && request.on && !stopping_) {
			        logInfo("radius", "Accounting-On: trying again in {}s", kOnRetry.count());
			        onRetry_ = loop_->addTimer(kOnRetry, [this, request] {
				        onRetry_.reset();
				        if (config_.ppp.radius && !stopping_)
					        startOnOff(request, {});
			        });
		        }
		        if (done)
			        done();
	        });
	onOff_->start();
}

Result<void> Daemon::reload()
{
	service::notifyReloading(fmt::format("reloading {}", options_.configPath));
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
		         options_.configPath, load.errors.size(), isoTimeUtc(loadedAt_));
		service::notifyReady(
		        fmt::format("running; reload failed, the configuration loaded at {} stays in force",
		                    isoTimeUtc(loadedAt_)));
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
	if ((next.l2tp.ipsec == IpsecRequirement::Off) != (config_.l2tp.ipsec == IpsecRequirement::Off))
		logWarn("daemon", "[l2tp] ipsec changed to \"{}\"; IKE starts or stops at restart",
		        ipsecRequirementName(next.l2tp.ipsec));
	bool metricsMoved = next.metrics.listen != config_.metrics.listen;
	config_ = std::move(next);
	if (metricsMoved)
		if (auto r = applyMetricsListen(); !r)
			logError("daemon", "{}; no metrics listener until the next reload or restart",
			         r.error().message);
	blocking_->reconfigure(config_.blocking);
	if (l2tp_)
		l2tp_->reconfigure(config_);
	if (ike_)
		ike_->reconfigure(config_);
	applyDhcpResponder();
	if (auto r = applyDasListener(); !r)
		logError("das", "{}; no Disconnect-Request listener until the next reload or restart",
		         r.error().message);
	loadedAt_ = std::chrono::system_clock::now();
	reloads_++;
	applyLogLevel();
	logInfo("daemon", "reloaded {}", options_.configPath);
	service::notifyReady(fmt::format("running; reloaded {}", options_.configPath));
	return {};
}

json Daemon::status() const
{
	return statusView();
}

control::StatusView Daemon::statusView() const
{
	control::StatusView v;
	v.version = L2TPSEC_VERSION;
	v.pid = getpid();
	v.started = isoTimeUtc(started_);
	v.uptimeSeconds =
	        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - startedMono_)
	                .count();
	v.configFile = options_.configPath;
	v.configLoaded = isoTimeUtc(loadedAt_);
	v.reloads = reloads_;
	v.reloadFailures = reloadFailures_;
	v.controlSocket = control_->path();
	for (auto &a : config_.server.listen)
		v.listen.push_back(a.str());
	for (auto &p : config_.lac)
		v.lacProfiles.push_back(p.name);
	if (ike_) {
		IkeService::SaCounts sas = ike_->saCounts();
		v.isakmpEstablished = sas.isakmpEstablished;
		v.isakmpConnecting = sas.isakmpConnecting;
		v.ipsecSaPairs = sas.ipsecSaPairs;
	}
	v.tunnels = l2tp_->tunnelCount();
	v.sessions = l2tp_->sessionCount();
	if (const ppp::AddressPool *pool = l2tp_->pool()) {
		v.poolUsed = pool->leased();
		v.poolSize = pool->size();
	}
	v.blockedSources = blocking_->view().blocked.size();
	v.ipsec = ipsecRequirementName(config_.l2tp.ipsec);
	v.dataplane = options_.fakeDataplane ? "null" : "kernel";
	return v;
}

Result<void> Daemon::applyMetricsListen()
{
	// The old address is released first: a reload may move the listener
	// to another address on the same port.
	if (metricsHttp_) {
		logInfo("daemon", "[metrics] listen {}: stopped", metricsHttp_->address().str());
		metricsHttp_.reset();
	}
	if (!config_.metrics.listen)
		return {};
	L2S_TRY_ASSIGN(auto server, MetricsHttpServer::listen(*loop_, *config_.metrics.listen,
	                                                      [this] { return metricsText(metricsSnapshot()); }));
	metricsHttp_ = std::move(server);
	return {};
}

void Daemon::applyDhcpResponder()
{
	// The fake dataplane has no PPP links to answer on.
	if (!DhcpResponder::wanted(config_.ppp) || options_.fakeDataplane) {
		if (dhcp_)
			logInfo("dhcp", "[ppp] routes, domain and user_routes and [radius] unset: no longer answering "
			                "DHCPINFORM");
		dhcp_.reset();
		return;
	}
	if (dhcp_) {
		dhcp_->reconfigure(config_.ppp);
		return;
	}
	auto started = DhcpResponder::start(*loop_, config_.ppp, [this](std::string_view interface) {
		std::optional<DhcpClient> client = lnsClientOn(l2tp_->sessions(), interface);
		if (client)
			client->radiusRoutes = l2tp_->radiusRoutes(client->tunnel, client->session);
		return client;
	});
	// Another DHCP server on the host keeps its port; L2TP serves without.
	if (!started) {
		logWarn("dhcp", "{}; [ppp] routes, domain and user_routes are not sent to clients",
		        started.error().message);
		return;
	}
	dhcp_ = std::move(*started);
}

Result<void> Daemon::applyDasListener()
{
	std::optional<DasSettings> want;
	if (config_.ppp.radius && !config_.ppp.radius->dasListen.empty())
		want = dasSettings(config_);
	if (das_ && want && das_->settings() == *want)
		return {};
	// The old sockets are closed first: the new ones may bind the same address.
	if (das_)
		logInfo("das", "[radius] das_* changed: the Disconnect-Request listener stops");
	das_.reset();
	if (!want)
		return {};
	L2S_TRY_ASSIGN(das_, DasListener::start(
	                             *loop_, std::move(*want),
	                             [this](const radius::SessionSelector &s) { return disconnectFromRadius(s); },
	                             [this](const radius::SessionSelector &s, std::chrono::seconds limit) {
		                             return limitFromRadius(s, limit);
	                             }));
	return {};
}

std::vector<std::string> Daemon::disconnectFromRadius(const radius::SessionSelector &s)
{
	std::vector<std::string> ended;
	for (const control::SessionView &v : l2tp_->sessions().sessions)
		if (dasSelects(s, v) && l2tp_->endSession(v.tunnel, v.session, "radius-disconnect"))
			ended.push_back(std::to_string(v.tunnel) + "/" + std::to_string(v.session));
	return ended;
}

std::vector<std::string> Daemon::limitFromRadius(const radius::SessionSelector &s, std::chrono::seconds limit)
{
	std::vector<std::string> limited;
	for (const control::SessionView &v : l2tp_->sessions().sessions)
		if (dasSelects(s, v) && l2tp_->limitSession(v.tunnel, v.session, limit))
			limited.push_back(std::to_string(v.tunnel) + "/" + std::to_string(v.session));
	return limited;
}

MetricsSnapshot Daemon::metricsSnapshot() const
{
	MetricsSnapshot m;
	m.status = statusView();
	m.startTimeSeconds = std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch()).count();
	for (const control::SessionView &s : l2tp_->sessions().sessions) {
		m.receiveBytes += s.rxBytes.value_or(0);
		m.transmitBytes += s.txBytes.value_or(0);
	}
	if (ike_)
		m.ike = ike_->setupCounts();
	m.l2tp.setups = l2tp_->sessionSetups();
	if (uint64_t dropped = blocking_->view().droppedTunnels; dropped > 0)
		m.l2tp.failures["blocked-source"] = dropped;
	if (const PppdLauncher *pppd = l2tp_->pppd()) {
		m.ppp = pppd->setupCounts();
		m.pppdExits = pppd->exits();
	}
	return m;
}

} // namespace l2tpsec
