// l2tpctl: drives and inspects l2tpsecd over its control socket. See l2tpctl(8).
// A pure client of the control protocol (include/l2tpsec/control.h).

#include "control/control_client.h"
#include "l2tpsec/control.h"
#include "l2tpsec_build_config.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace l2tpsec;
using nlohmann::json;

namespace {

// Exit codes scripts can rely on (l2tpctl(8), EXIT STATUS).
constexpr int kExitOk = 0;
constexpr int kExitCommandFailed = 1;
constexpr int kExitUnreachable = 2;
constexpr int kExitProtocol = 3;
constexpr int kExitUsage = 64;

struct Globals {
	std::string socket;
	bool json = false;
	int timeoutMs = 5000;
};

struct Outcome {
	int code = kExitOk;
};

// One request to the daemon; prints the error and sets the exit code on failure.
std::optional<json> call(const Globals &g, const json &request, Outcome &out)
{
	auto client = ControlClient::connect(g.socket, std::chrono::milliseconds(g.timeoutMs));
	if (!client) {
		std::fprintf(stderr, "l2tpctl: %s\n", client.error().message.c_str());
		out.code = kExitUnreachable;
		return std::nullopt;
	}
	auto reply = client->request(request);
	if (!reply) {
		std::fprintf(stderr, "l2tpctl: %s\n", reply.error().message.c_str());
		out.code = kExitProtocol;
		return std::nullopt;
	}
	if (!(*reply)["ok"].get<bool>()) {
		std::string err = reply->value("error", std::string("unknown error"));
		std::fprintf(stderr, "l2tpctl: %s\n", err.c_str());
		out.code = kExitCommandFailed;
		return std::nullopt;
	}
	return reply->value("data", json::object());
}

void printJson(const json &j)
{
	std::printf("%s\n", j.dump(2).c_str());
}

std::string humanDuration(int64_t s)
{
	if (s < 60)
		return fmt::format("{}s", s);
	if (s < 3600)
		return fmt::format("{}m {}s", s / 60, s % 60);
	if (s < 86400)
		return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
	return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

std::string joined(const json &arr, const char *ifEmpty)
{
	std::string s;
	for (auto &e : arr)
		s += (s.empty() ? "" : ", ") + e.get<std::string>();
	return s.empty() ? ifEmpty : s;
}

void cmdStatus(const Globals &g, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kStatus}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("l2tpsecd %s, pid %lld, up %s (since %s)\n", d->value("version", "?").c_str(), d->value("pid", 0LL),
	            humanDuration(d->value("uptime_seconds", 0LL)).c_str(), d->value("started", "?").c_str());
	std::printf("config:   %s (loaded %s, %u reload(s), %u failed)\n", d->value("config_file", "?").c_str(),
	            d->value("config_loaded", "?").c_str(), d->value("reloads", 0u), d->value("reload_failures", 0u));
	std::printf("listen:   %s\n", joined(d->value("listen", json::array()), "all IPv4 addresses").c_str());
	std::printf("control:  %s\n", d->value("control_socket", "?").c_str());
	std::printf("profiles: %s\n", joined(d->value("lac_profiles", json::array()), "none").c_str());
}

void cmdVersion(const Globals &g, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kVersion}}, out);
	if (!d) {
		if (!g.json)
			std::printf("l2tpctl %s\n", L2TPSEC_VERSION);
		return;
	}
	if (g.json)
		return printJson({{"l2tpctl", L2TPSEC_VERSION},
		                  {"l2tpsecd", d->value("version", "?")},
		                  {"protocol", d->value("protocol", 0)}});
	std::printf("l2tpctl %s\nl2tpsecd %s (control protocol %d)\n", L2TPSEC_VERSION,
	            d->value("version", "?").c_str(), d->value("protocol", 0));
}

void cmdReload(const Globals &g, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kReload}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("reloaded %s\n", d->value("config_file", "?").c_str());
}

struct Command {
	const char *name;
	const char *summary;
	void (*run)(const Globals &, Outcome &);
};

// The command table; help text and bash completion come from it.
const std::vector<Command> kCommands = {
        {"status", "show the daemon's state", cmdStatus},
        {"version", "show the versions of l2tpctl and l2tpsecd", cmdVersion},
        {"reload", "reload the configuration file (as SIGHUP does)", cmdReload},
};

int runCli(int argc, char **argv)
{
	CLI::App app{"l2tpctl - control l2tpsecd"};
	app.require_subcommand(1);
	Globals g;
	const char *env = std::getenv("L2TPSEC_CONTROL");
	g.socket = env && *env ? env : control::kDefaultSocket;
	app.add_option("-s,--socket", g.socket, "control socket of l2tpsecd (env L2TPSEC_CONTROL)")
	        ->capture_default_str();
	app.add_flag("-j,--json", g.json, "print machine-readable JSON");
	app.add_option("-t,--timeout", g.timeoutMs, "milliseconds to wait for the daemon")
	        ->capture_default_str()
	        ->check(CLI::Range(1, 600000));
	const Command *chosen = nullptr;
	for (auto &c : kCommands) {
		CLI::App *sub = app.add_subcommand(c.name, c.summary);
		sub->fallthrough(); // global options may follow the command: "status --json"
		sub->callback([&chosen, &c] { chosen = &c; });
	}
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? kExitOk : kExitUsage;
	}
	Outcome out;
	if (chosen)
		chosen->run(g, out);
	return out.code;
}

} // namespace

int main(int argc, char **argv)
{
	try {
		return runCli(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "l2tpctl: internal error: %s\n", e.what());
		return kExitProtocol;
	}
}
