// Daemon wiring without a process: reload keeps the old config on errors.

#include "common/log.h"
#include "config/config_loader.h"
#include "daemon/daemon.h"

#include <doctest.h>

#include <fstream>

using namespace l2tpsec;

TEST_CASE("a reload with a broken file keeps the config in force")
{
	char tmpl[] = "/tmp/l2tpsec-daemon-XXXXXX";
	REQUIRE(mkdtemp(tmpl));
	std::string dir = tmpl;
	std::string conf = dir + "/l2tpsec.conf";
	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\"]\n";

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
	auto d = Daemon::start(options, *load.config);
	REQUIRE(d);
	CHECK((*d)->status()["listen"] == nlohmann::json::array({"192.0.2.1"}));

	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\"]\nlog_levl = 1\n";
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

	std::ofstream(conf) << "[server]\ncontrol_socket = \"control\"\nlisten = [\"192.0.2.1\", \"192.0.2.2\"]\n";
	REQUIRE((*d)->reload());
	s = (*d)->status();
	CHECK(s["reloads"] == 1);
	CHECK(s["listen"] == nlohmann::json::array({"192.0.2.1", "192.0.2.2"}));
	CHECK(std::find(lines.begin(), lines.end(),
	                "warn daemon: [server] listen changed; it takes effect at restart") != lines.end());

	d->reset();
	log::setSink(nullptr);
	(void)system(("rm -rf " + dir).c_str());
}
