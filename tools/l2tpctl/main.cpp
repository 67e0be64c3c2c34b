// l2tpctl: drives and inspects l2tpsecd over its control socket. See l2tpctl(8).
// A pure client of the control protocol (include/l2tpsec/control.h).

#include "complete_names.h"
#include "completion.h"
#include "connect_wait.h"
#include "daemon_call.h"
#include "doctor_command.h"
#include "human_format.h"
#include "l2tpsec/control.h"
#include "l2tpsec/control_views.h"
#include "l2tpsec_build_config.h"
#include "usage.h"
#include "user_command.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ctl;
using nlohmann::json;

namespace {

/// The command's one positional argument, if it takes one.
struct Args {
	std::string arg;
	std::string config; ///< doctor's --config
	bool wait = false;  ///< connect --wait
	int waitTimeoutSeconds = 30;
};

HumanOptions human(const Globals &g)
{
	return HumanOptions{g.exactBytes};
}

void printJson(const json &j)
{
	std::printf("%s\n", j.dump(2).c_str());
}

void cmdStatus(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::StatusView>(g, {{"cmd", control::cmd::kStatus}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatStatus(*d).c_str(), stdout);
}

void cmdVersion(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::VersionView>(g, {{"cmd", control::cmd::kVersion}}, out);
	if (!d) {
		if (!g.json)
			std::printf("l2tpctl %s\n", L2TPSEC_VERSION);
		return;
	}
	if (g.json)
		return printJson({{"l2tpctl", L2TPSEC_VERSION}, {"l2tpsecd", d->version}, {"protocol", d->protocol}});
	std::printf("l2tpctl %s\nl2tpsecd %s (control protocol %d)\n", L2TPSEC_VERSION, d->version.c_str(),
	            d->protocol);
}

void cmdReload(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::ReloadView>(g, {{"cmd", control::cmd::kReload}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("reloaded %s\n", d->configFile.c_str());
}

void cmdTunnels(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::TunnelsView>(g, {{"cmd", control::cmd::kTunnels}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatTunnels(d->tunnels).c_str(), stdout);
}

void cmdSessions(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::SessionsView>(g, {{"cmd", control::cmd::kSessions}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatSessions(d->sessions, human(g)).c_str(), stdout);
}

void cmdShow(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::ShowView>(g, {{"cmd", control::cmd::kShow}, {"id", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatShow(*d, human(g)).c_str(), stdout);
}

void cmdConnect(const Globals &g, const Args &a, Outcome &out)
{
	if (a.wait)
		return connectAndWait(g, WaitRequest{a.arg, a.waitTimeoutSeconds}, out);
	auto d = callFor<control::ConnectView>(g, {{"cmd", control::cmd::kConnect}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: %s (tunnel %s)\n", a.arg.c_str(), d->state.c_str(),
	            d->tunnel ? std::to_string(*d->tunnel).c_str() : "-");
}

void cmdCall(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::CallView>(g, {{"cmd", control::cmd::kCall}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: another call placed in tunnel %u\n", a.arg.c_str(), unsigned{d->tunnel});
}

void cmdDisconnect(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::DisconnectView>(g, {{"cmd", control::cmd::kDisconnect}, {"target", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	if (d->profile)
		std::printf("%s: disconnected\n", a.arg.c_str());
	for (const std::string &s : d->sessions.value_or(std::vector<std::string>{}))
		std::printf("session %s: disconnected\n", s.c_str());
	for (uint16_t t : d->tunnels.value_or(std::vector<uint16_t>{}))
		std::printf("tunnel %u: closed\n", unsigned{t});
}

void cmdSas(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::SasView>(g, {{"cmd", control::cmd::kSas}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatSas(*d, human(g)).c_str(), stdout);
}

void cmdBlocked(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::BlockedView>(g, {{"cmd", control::cmd::kBlocked}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatBlocked(*d).c_str(), stdout);
}

void cmdUnblock(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::UnblockView>(g, {{"cmd", control::cmd::kUnblock}, {"address", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: unblocked (%s failed authentications, blocked for %s)\n", d->source.c_str(),
	            std::to_string(d->failures).c_str(), humanDuration(d->blockedSeconds).c_str());
}

void cmdProfiles(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::ProfilesView>(g, {{"cmd", control::cmd::kProfiles}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::fputs(formatProfiles(*d).c_str(), stdout);
}

void cmdMetrics(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::MetricsView>(g, {{"cmd", control::cmd::kMetrics}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	// As it is: node_exporter's textfile collector reads it (l2tpctl(8)).
	std::fputs(d->text.c_str(), stdout);
}

void cmdDoctor(const Globals &g, const Args &a, Outcome &out)
{
	DoctorRequest r{g, std::nullopt};
	if (!a.config.empty())
		r.config = a.config;
	out.code = runDoctor(r);
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
        {"show", "show a tunnel with its sessions, or the chain of a session or of a user's sessions", "ID",
         "TUNNEL, TUNNEL/SESSION or USER", cmdShow},
        {"connect", "start a [[lac]] profile's tunnel and session", "PROFILE", "the profile's name", cmdConnect},
        {"call", "place one more session in a connected [[lac]] profile's tunnel", "PROFILE", "the profile's name",
         cmdCall},
        {"disconnect", "stop a LAC profile, or clear a session, a tunnel or every session of a user", "TARGET",
         "PROFILE, TUNNEL/SESSION, TUNNEL or USER", cmdDisconnect},
        {"sas", "list the ISAKMP and IPsec SAs (peer, NAT, algorithms, lifetimes, bytes)", nullptr, nullptr, cmdSas},
        {"blocked", "list the sources blocked for failed authentications, with the time left", nullptr, nullptr,
         cmdBlocked},
        {"unblock", "lift the block of one source address", "ADDRESS", "the blocked source's IP address", cmdUnblock},
        {"profiles", "list the [[lac]] profiles: state, tunnel, session, last error, next retry", nullptr, nullptr,
         cmdProfiles},
        {"metrics", "print the Prometheus metrics (text exposition format 0.0.4)", nullptr, nullptr, cmdMetrics},
        {"doctor", "check this host for what l2tpsecd needs (needs no running daemon)", nullptr, nullptr, cmdDoctor},
};

// --json given, for a command line that did not parse (so g.json may be unset).
bool jsonWanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		std::string_view a = argv[i];
		if (a == "--")
			break;
		if (a == "--json" || a == "-j")
			return true;
	}
	return false;
}

int runCli(int argc, char **argv)
{
	CLI::App app{"l2tpctl - control l2tpsecd"};
	app.formatter(helpFormatter()); // before the subcommands, which copy it
	app.require_subcommand(1);
	Globals g;
	const char *env = std::getenv("L2TPSEC_CONTROL");
	g.socket = env && *env ? env : control::kDefaultSocket;
	app.add_option("-s,--socket", g.socket, "control socket of l2tpsecd (env L2TPSEC_CONTROL)")
	        ->capture_default_str();
	app.add_flag("-j,--json", g.json, "print machine-readable JSON");
	app.add_flag("-b,--bytes", g.exactBytes, "byte counters in bytes, not K, M, G, T");
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
		if (c.run == cmdConnect) {
			CLI::Option *wait = sub->add_flag("--wait", args.wait,
			                                  "return when the session is up, or say which stage failed");
			sub->add_option("--wait-timeout", args.waitTimeoutSeconds, "seconds --wait waits at most")
			        ->capture_default_str()
			        ->check(CLI::Range(1, 3600))
			        ->needs(wait);
		}
		if (c.run == cmdDoctor)
			sub->add_option("-c,--config", args.config,
			                "the config to check (default: the daemon's, or the "
			                "installed one)");
		sub->callback([&chosen, &c] { chosen = &c; });
	}
	UserCommands users;
	addUserCommands(app, users);
	// Hidden (empty group): meson runs it at build time to make the installed
	// completions (tools/completion/meson.build).
	std::string shell;
	CLI::App *completion = app.add_subcommand("completion", "print a shell completion script")->group("");
	completion->add_option("SHELL", shell, "the shell (bash, zsh or fish)")
	        ->required()
	        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
	// Hidden: the completion scripts ask it for the daemon's names.
	std::vector<std::string> kinds;
	CLI::App *complete = app.add_subcommand("complete", "print the names an argument may take")->group("");
	complete->add_option("KIND", kinds, "profiles, users, sessions or tunnels")
	        ->required()
	        ->check(CLI::IsMember(completeKinds()));
	complete->fallthrough();
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		if (e.get_exit_code() == 0) // --help
			return app.exit(e);
		Outcome out{kExitOk, g.json || jsonWanted(argc, argv)};
		auto unknown = unknownCommand(app);
		if (unknown || out.asJson)
			return out.fail(kExitUsage, unknown.value_or(e.what()));
		app.exit(e);
		return kExitUsage;
	}
	if (completion->parsed()) {
		std::fputs(completionScript(app, shell).c_str(), stdout);
		return kExitOk;
	}
	if (complete->parsed()) {
		printNames(g, kinds);
		return kExitOk;
	}
	Outcome out{kExitOk, g.json};
	if (chosen)
		chosen->run(g, args, out);
	else
		runUserCommand(g, users, out);
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
