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

/// The command's one positional argument, if it takes one.
struct Args {
	std::string arg;
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

void cmdStatus(const Globals &g, const Args &, Outcome &out)
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

void cmdVersion(const Globals &g, const Args &, Outcome &out)
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

void cmdReload(const Globals &g, const Args &, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kReload}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("reloaded %s\n", d->value("config_file", "?").c_str());
}

std::string str(const json &j, const char *key)
{
	auto it = j.find(key);
	if (it == j.end() || it->is_null())
		return "-";
	if (it->is_string())
		return it->get<std::string>().empty() ? "-" : it->get<std::string>();
	return it->dump();
}

std::string bytes(const json &j, const char *key)
{
	auto it = j.find(key);
	if (it == j.end() || !it->is_number())
		return "-";
	auto v = it->get<uint64_t>();
	if (v < 10 * 1024)
		return fmt::format("{}", v);
	if (v < 10 * 1024 * 1024)
		return fmt::format("{}K", v / 1024);
	return fmt::format("{}M", v / (1024 * 1024));
}

void printTunnels(const json &tunnels)
{
	std::printf("%-7s %-6s %-5s %-21s %-11s %-8s %-9s %s\n", "TUNNEL", "PEER", "ROLE", "PEER ADDRESS", "STATE",
	            "SESSIONS", "UP", "PEER HOST");
	for (const json &t : tunnels)
		std::printf("%-7s %-6s %-5s %-21s %-11s %-8s %-9s %s\n", str(t, "tunnel").c_str(),
		            str(t, "peer_tunnel").c_str(), str(t, "role").c_str(), str(t, "peer").c_str(),
		            str(t, "state").c_str(), str(t, "sessions").c_str(),
		            humanDuration(t.value("uptime_seconds", 0LL)).c_str(), str(t, "peer_host").c_str());
}

void printSessions(const json &sessions)
{
	std::printf("%-13s %-16s %-15s %-21s %-12s %-9s %7s %7s\n", "SESSION", "USER", "ADDRESS", "PEER", "STATE", "UP",
	            "RX", "TX");
	for (const json &s : sessions)
		std::printf("%-13s %-16s %-15s %-21s %-12s %-9s %7s %7s\n",
		            (str(s, "tunnel") + "/" + str(s, "session")).c_str(), str(s, "user").c_str(),
		            str(s, "address").c_str(), str(s, "peer").c_str(), str(s, "state").c_str(),
		            s.contains("uptime_seconds") ? humanDuration(s.value("uptime_seconds", 0LL)).c_str() : "-",
		            bytes(s, "rx_bytes").c_str(), bytes(s, "tx_bytes").c_str());
}

void cmdTunnels(const Globals &g, const Args &, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kTunnels}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	printTunnels(d->value("tunnels", json::array()));
}

void cmdSessions(const Globals &g, const Args &, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kSessions}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	printSessions(d->value("sessions", json::array()));
}

void cmdShow(const Globals &g, const Args &a, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kShow}, {"id", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	if (d->contains("session")) {
		const json &s = (*d)["session"];
		for (auto it = s.begin(); it != s.end(); ++it)
			std::printf("%-14s %s\n", (it.key() + ":").c_str(), str(s, it.key().c_str()).c_str());
		return;
	}
	printTunnels(json::array({(*d)["tunnel"]}));
	std::printf("\n");
	printSessions(d->value("sessions", json::array()));
}

void cmdConnect(const Globals &g, const Args &a, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kConnect}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: %s (tunnel %s)\n", a.arg.c_str(), str(*d, "state").c_str(), str(*d, "tunnel").c_str());
}

void cmdCall(const Globals &g, const Args &a, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kCall}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: another call placed in tunnel %s\n", a.arg.c_str(), str(*d, "tunnel").c_str());
}

void cmdDisconnect(const Globals &g, const Args &a, Outcome &out)
{
	auto d = call(g, {{"cmd", control::cmd::kDisconnect}, {"target", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	if (d->contains("profile"))
		std::printf("%s: disconnected\n", a.arg.c_str());
	for (const json &s : d->value("sessions", json::array()))
		std::printf("session %s: disconnected\n", s.get<std::string>().c_str());
	for (const json &t : d->value("tunnels", json::array()))
		std::printf("tunnel %s: closed\n", t.dump().c_str());
}

struct Command {
	const char *name;
	const char *summary;
	/// The positional argument's name and help, or nullptr for none.
	const char *argName;
	const char *argHelp;
	void (*run)(const Globals &, const Args &, Outcome &);
};

// The command table; help text and bash completion come from it.
const std::vector<Command> kCommands = {
        {"status", "show the daemon's state", nullptr, nullptr, cmdStatus},
        {"version", "show the versions of l2tpctl and l2tpsecd", nullptr, nullptr, cmdVersion},
        {"reload", "reload the configuration file (as SIGHUP does)", nullptr, nullptr, cmdReload},
        {"tunnels", "list the L2TP tunnels", nullptr, nullptr, cmdTunnels},
        {"sessions", "list the sessions with their users, addresses and byte counters", nullptr, nullptr, cmdSessions},
        {"show", "show one tunnel with its sessions, or one session", "ID", "TUNNEL or TUNNEL/SESSION", cmdShow},
        {"connect", "start a [[lac]] profile's tunnel and session", "PROFILE", "the profile's name", cmdConnect},
        {"call", "place one more session in a connected [[lac]] profile's tunnel", "PROFILE", "the profile's name",
         cmdCall},
        {"disconnect", "stop a LAC profile, or clear a session, a tunnel or every session of a user", "TARGET",
         "PROFILE, TUNNEL/SESSION, TUNNEL or USER", cmdDisconnect},
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
	Args args;
	for (auto &c : kCommands) {
		CLI::App *sub = app.add_subcommand(c.name, c.summary);
		sub->fallthrough(); // global options may follow the command: "status --json"
		if (c.argName)
			sub->add_option(c.argName, args.arg, c.argHelp)->required();
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
		chosen->run(g, args, out);
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
