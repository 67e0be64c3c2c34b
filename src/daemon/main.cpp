// l2tpsecd: the L2TP/IPsec control-plane daemon. See l2tpsecd(8).

#include "common/log.h"
#include "config/config_loader.h"
#include "daemon/daemon.h"
#include "daemon/pppd_launcher.h"
#include "l2tpsec_build_config.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

using namespace l2tpsec;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 64; // EX_USAGE

int runDaemon(int argc, char **argv)
{
	CLI::App app{"l2tpsecd - L2TP/IPsec VPN control plane"};
	DaemonOptions opts;
	opts.configPath = L2TPSEC_DEFAULT_CONFIG;
	opts.pppdPlugin = L2TPSEC_PPPD_PLUGIN;
	bool check = false, version = false;
	std::string socket, level;
	app.add_option("-c,--config", opts.configPath, "configuration file")->capture_default_str();
	app.add_flag("--check", check, "validate the configuration and exit (0 valid, 1 invalid)");
	app.add_option("--control-socket", socket, "control socket path (overrides [server] control_socket)");
	app.add_option("--log-level", level, "debug, info, warn or error (overrides [server] log_level)");
	app.add_flag("-V,--version", version, "print the version and exit");
	app.add_flag("--fake-dataplane", opts.fakeDataplane,
	             "use an in-memory kernel dataplane and no pppd (tests, benchmarks)");
	app.add_option("--l2tp-port", opts.l2tpPort, "UDP port of the L2TP listener (default 1701; for tests)")
	        ->check(CLI::Range(1, 65535));
	app.add_option("--ike-port", opts.ikePort, "UDP port of IKE (default 500; for tests)")
	        ->check(CLI::Range(1, 65535));
	app.add_option("--natt-port", opts.natTPort, "UDP port of IKE after NAT-T floating (default 4500; for tests)")
	        ->check(CLI::Range(1, 65535));
	// Hidden: the tests run pppd with the build tree's plugin (l2tpsecd(8)).
	app.add_option("--pppd-plugin", opts.pppdPlugin, "the pppd plugin every pppd loads")->group("");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? kExitOk : kExitUsage;
	}
	if (version) {
		std::printf("l2tpsecd %s\n", L2TPSEC_VERSION);
		return kExitOk;
	}
	if (!level.empty()) {
		auto l = parseLogLevel(level);
		if (!l) {
			std::fprintf(stderr, "l2tpsecd: --log-level: expected debug, info, warn or error, got '%s'\n",
			             level.c_str());
			return kExitUsage;
		}
		opts.logLevel = *l;
		log::setLevel(*l);
	}
	if (!socket.empty())
		opts.controlSocket = socket;

	ConfigLoad load = loadConfigFile(opts.configPath);
	for (auto &w : load.warnings)
		logWarn("config", "{}", w.str());
	for (auto &e : load.errors)
		logError("config", "{}", e.str());
	if (check) {
		if (load.ok())
			std::printf("%s: configuration is valid\n", opts.configPath.c_str());
		return load.ok() ? kExitOk : kExitFailure;
	}
	if (!load.ok()) {
		logError("daemon", "not starting: {} has {} error(s)", opts.configPath, load.errors.size());
		return kExitFailure;
	}
	// Every pppd loads l2tpsec's plugin: without it no session could start,
	// so say so now, before anything changes.
	if (!opts.fakeDataplane)
		if (auto p = checkPppdPlugin(opts.pppdPlugin); !p) {
			logError("daemon", "cannot start: {}", p.error().message);
			return kExitFailure;
		}
	auto daemon = Daemon::start(std::move(opts), std::move(*load.config));
	if (!daemon) {
		logError("daemon", "cannot start: {}", daemon.error().message);
		return kExitFailure;
	}
	auto rc = (*daemon)->run();
	if (!rc) {
		logError("daemon", "event loop failed: {}", rc.error().message);
		return kExitFailure;
	}
	return kExitOk;
}

} // namespace

int main(int argc, char **argv)
{
	// The last resort: a bug that throws still ends with one clear line.
	try {
		return runDaemon(argc, argv);
	} catch (const std::exception &e) {
		logError("daemon", "internal error: {}", e.what());
		return kExitFailure;
	}
}
