// l2tpctl: drives and inspects l2tpsecd over its control socket. See l2tpctl(8).
// A pure client of the control protocol (include/l2tpsec/control.h).

#include "daemon_call.h"
#include "doctor_command.h"
#include "l2tpsec/control.h"
#include "l2tpsec/control_views.h"
#include "l2tpsec_build_config.h"
#include "user_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
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
};

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

std::string joined(const std::vector<std::string> &items, const char *ifEmpty)
{
	std::string s;
	for (auto &e : items)
		s += (s.empty() ? "" : ", ") + e;
	return s.empty() ? ifEmpty : s;
}

// A table cell: "-" for nothing.
std::string cell(const std::string &s)
{
	return s.empty() ? "-" : s;
}

std::string cell(const std::optional<std::string> &s)
{
	return s ? cell(*s) : "-";
}

template <typename Number>
std::string cell(Number n) requires std::is_arithmetic_v<Number>
{
	return fmt::format("{}", n);
}

template <typename Number>
std::string cell(const std::optional<Number> &n)
{
	return n ? cell(*n) : "-";
}

// One value of `show`'s key: value list, as the table cells print it.
std::string cell(const json &v)
{
	if (v.is_null())
		return "-";
	if (v.is_string())
		return cell(v.get<std::string>());
	return v.dump();
}

std::string bytes(const std::optional<uint64_t> &n)
{
	if (!n)
		return "-";
	uint64_t v = *n;
	if (v < 10 * 1024)
		return fmt::format("{}", v);
	if (v < 10 * 1024 * 1024)
		return fmt::format("{}K", v / 1024);
	return fmt::format("{}M", v / (1024 * 1024));
}

void cmdStatus(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::StatusView>(g, {{"cmd", control::cmd::kStatus}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("l2tpsecd %s, pid %lld, up %s (since %s)\n", d->version.c_str(), static_cast<long long>(d->pid),
	            humanDuration(d->uptimeSeconds).c_str(), d->started.c_str());
	std::printf("config:   %s (loaded %s, %u reload(s), %u failed)\n", d->configFile.c_str(),
	            d->configLoaded.c_str(), d->reloads, d->reloadFailures);
	std::printf("listen:   %s\n", joined(d->listen, "all IPv4 addresses").c_str());
	std::printf("control:  %s\n", d->controlSocket.c_str());
	std::printf("profiles: %s\n", joined(d->lacProfiles, "none").c_str());
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

void printTunnels(const std::vector<control::TunnelView> &tunnels)
{
	std::printf("%-7s %-6s %-5s %-21s %-11s %-8s %-9s %s\n", "TUNNEL", "PEER", "ROLE", "PEER ADDRESS", "STATE",
	            "SESSIONS", "UP", "PEER HOST");
	for (const control::TunnelView &t : tunnels)
		std::printf("%-7s %-6s %-5s %-21s %-11s %-8s %-9s %s\n", cell(t.tunnel).c_str(),
		            cell(t.peerTunnel).c_str(), cell(t.role).c_str(), cell(t.peer).c_str(),
		            cell(t.state).c_str(), cell(t.sessions).c_str(), humanDuration(t.uptimeSeconds).c_str(),
		            cell(t.peerHost).c_str());
}

void printSessions(const std::vector<control::SessionView> &sessions)
{
	std::printf("%-13s %-16s %-15s %-21s %-12s %-9s %7s %7s\n", "SESSION", "USER", "ADDRESS", "PEER", "STATE", "UP",
	            "RX", "TX");
	for (const control::SessionView &s : sessions)
		std::printf("%-13s %-16s %-15s %-21s %-12s %-9s %7s %7s\n",
		            (cell(s.tunnel) + "/" + cell(s.session)).c_str(), cell(s.user).c_str(),
		            cell(s.address).c_str(), cell(s.peer).c_str(), cell(s.state).c_str(),
		            s.uptimeSeconds ? humanDuration(*s.uptimeSeconds).c_str() : "-", bytes(s.rxBytes).c_str(),
		            bytes(s.txBytes).c_str());
}

void cmdTunnels(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::TunnelsView>(g, {{"cmd", control::cmd::kTunnels}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	printTunnels(d->tunnels);
}

void cmdSessions(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::SessionsView>(g, {{"cmd", control::cmd::kSessions}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	printSessions(d->sessions);
}

void cmdShow(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::ShowView>(g, {{"cmd", control::cmd::kShow}, {"id", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	if (d->session) {
		// Every key the session has, as it goes over the wire.
		const json s = *d->session;
		for (auto it = s.begin(); it != s.end(); ++it)
			std::printf("%-14s %s\n", (it.key() + ":").c_str(), cell(it.value()).c_str());
		return;
	}
	printTunnels({*d->tunnel});
	std::printf("\n");
	printSessions(d->sessions.value_or(std::vector<control::SessionView>{}));
}

void cmdConnect(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::ConnectView>(g, {{"cmd", control::cmd::kConnect}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: %s (tunnel %s)\n", a.arg.c_str(), cell(d->state).c_str(), cell(d->tunnel).c_str());
}

void cmdCall(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::CallView>(g, {{"cmd", control::cmd::kCall}, {"profile", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: another call placed in tunnel %s\n", a.arg.c_str(), cell(d->tunnel).c_str());
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
	if (d->ike)
		std::printf("IKE: %s\n", cell(d->ike).c_str());
	auto nat = [](const control::IsakmpSaView &sa) {
		std::string s = sa.natLocal ? "local" : "";
		if (sa.natPeer)
			s += s.empty() ? "peer" : "+peer";
		return s.empty() ? std::string("-") : s;
	};
	std::printf("ISAKMP SAs\n%-5s %-9s %-10s %-11s %-21s %-10s %-26s %-9s %s\n", "ID", "ROLE", "EXCHANGE", "STATE",
	            "PEER", "NAT", "SUITE", "EXPIRES", "PEER ID");
	for (const control::IsakmpSaView &sa : d->isakmp)
		std::printf("%-5s %-9s %-10s %-11s %-21s %-10s %-26s %-9s %s\n", cell(sa.id).c_str(),
		            cell(sa.role).c_str(), cell(sa.exchange).c_str(), cell(sa.state).c_str(),
		            cell(sa.peer).c_str(), nat(sa).c_str(), cell(sa.suite).c_str(),
		            sa.expiresInSeconds ? humanDuration(*sa.expiresInSeconds).c_str() : "-",
		            cell(sa.peerId).c_str());
	std::printf("\nIPsec SAs\n%-7s %-21s %-10s %-10s %-18s %-9s %-5s %-9s %7s %7s\n", "ISAKMP", "PEER", "IN SPI",
	            "OUT SPI", "SUITE", "MODE", "NAT-T", "EXPIRES", "IN", "OUT");
	for (const control::IpsecSaView &c : d->ipsec)
		std::printf("%-7s %-21s %-10s %-10s %-18s %-9s %-5s %-9s %7s %7s\n", cell(c.isakmp).c_str(),
		            cell(c.peer).c_str(), cell(c.inSpi).c_str(), cell(c.outSpi).c_str(), cell(c.suite).c_str(),
		            cell(c.mode).c_str(), c.natT ? "yes" : "no", humanDuration(c.expiresInSeconds).c_str(),
		            bytes(c.inBytes).c_str(), bytes(c.outBytes).c_str());
}

void cmdBlocked(const Globals &g, const Args &, Outcome &out)
{
	auto d = callFor<control::BlockedView>(g, {{"cmd", control::cmd::kBlocked}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	const control::BlockingSettingsView &settings = d->settings;
	if (!settings.enabled)
		std::printf("blocking is off ([blocking] enabled = false)\n");
	else
		std::printf("blocking after %s failed authentications within %s, for %s\n",
		            cell(settings.failures).c_str(), humanDuration(settings.windowSeconds).c_str(),
		            humanDuration(settings.blockSeconds).c_str());
	std::printf("%-39s %-8s %-9s %s\n", "SOURCE", "FAILURES", "BLOCKED", "REMAINING");
	for (const control::BlockView &b : d->blocked)
		std::printf("%-39s %-8s %-9s %s\n", cell(b.source).c_str(), cell(b.failures).c_str(),
		            humanDuration(b.blockedSeconds).c_str(), humanDuration(b.remainingSeconds).c_str());
	if (!d->counting.empty()) {
		std::printf("\nnot blocked (yet)\n%-39s %s\n", "SOURCE", "FAILURES");
		for (const control::CountingView &c : d->counting)
			std::printf("%-39s %s\n", cell(c.source).c_str(), cell(c.failures).c_str());
	}
}

void cmdUnblock(const Globals &g, const Args &a, Outcome &out)
{
	auto d = callFor<control::UnblockView>(g, {{"cmd", control::cmd::kUnblock}, {"address", a.arg}}, out);
	if (!d)
		return;
	if (g.json)
		return printJson(*d);
	std::printf("%s: unblocked (%s failed authentications, blocked for %s)\n", cell(d->source).c_str(),
	            cell(d->failures).c_str(), humanDuration(d->blockedSeconds).c_str());
}

void cmdDoctor(const Globals &g, const Args &a, Outcome &out)
{
	DoctorRequest r{g.socket, g.timeoutMs, g.json, std::nullopt};
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
        {"show", "show one tunnel with its sessions, or one session", "ID", "TUNNEL or TUNNEL/SESSION", cmdShow},
        {"connect", "start a [[lac]] profile's tunnel and session", "PROFILE", "the profile's name", cmdConnect},
        {"call", "place one more session in a connected [[lac]] profile's tunnel", "PROFILE", "the profile's name",
         cmdCall},
        {"disconnect", "stop a LAC profile, or clear a session, a tunnel or every session of a user", "TARGET",
         "PROFILE, TUNNEL/SESSION, TUNNEL or USER", cmdDisconnect},
        {"sas", "list the ISAKMP and IPsec SAs (peer, NAT, algorithms, lifetimes, bytes)", nullptr, nullptr, cmdSas},
        {"blocked", "list the sources blocked for failed authentications, with the time left", nullptr, nullptr,
         cmdBlocked},
        {"unblock", "lift the block of one source address", "ADDRESS", "the blocked source's IP address", cmdUnblock},
        {"doctor", "check this host for what l2tpsecd needs (needs no running daemon)", nullptr, nullptr, cmdDoctor},
};

// `l2tpctl completion bash`: a bash completion script built from the CLI11
// app itself (its subcommands and options), so it cannot go stale. Hidden
// subcommands (empty group) are left out.
std::string optionNames(const CLI::Option &o)
{
	std::string s;
	for (auto &n : o.get_snames())
		s += (s.empty() ? "-" : " -") + n;
	for (auto &n : o.get_lnames())
		s += (s.empty() ? "--" : " --") + n;
	return s;
}

std::string bashCompletion(const CLI::App &app)
{
	std::string globals, valued, fileValued, commands, cases;
	for (const CLI::Option *o : app.get_options()) {
		if (!o->nonpositional())
			continue;
		std::string names = optionNames(*o);
		globals += (globals.empty() ? "" : " ") + names;
		if (o->get_expected_min() > 0) { // takes a value (flags expect none)
			std::string alts = names;
			std::replace(alts.begin(), alts.end(), ' ', '|');
			valued += (valued.empty() ? "" : "|") + alts;
			// The socket option takes a path; other values are numbers.
			if (o->get_lnames() == std::vector<std::string>{"socket"})
				fileValued += (fileValued.empty() ? "" : "|") + alts;
		}
	}
	for (const CLI::App *sub : app.get_subcommands([](const CLI::App *s) { return !s->get_group().empty(); })) {
		commands += (commands.empty() ? "" : " ") + sub->get_name();
		std::string opts;
		for (const CLI::Option *o : sub->get_options())
			if (o->nonpositional())
				opts += (opts.empty() ? "" : " ") + optionNames(*o);
		cases += fmt::format("\t\t{}) opts=\"{}\" ;;\n", sub->get_name(), opts);
	}
	return fmt::format(R"(# bash completion for l2tpctl(8).
# Generated by `l2tpctl completion bash` from l2tpctl's command table; do not edit.

_l2tpctl()
{{
	local cur=${{COMP_WORDS[COMP_CWORD]}} prev=
	((COMP_CWORD > 0)) && prev=${{COMP_WORDS[COMP_CWORD - 1]}}
	local commands="{commands}"
	local globals="{globals}"
	case $prev in
		{fileValued})
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		{valued})
			COMPREPLY=()
			return ;;
	esac
	local i cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${{COMP_WORDS[i]}} in
			{valued}) ((i++)) ;;
			-*) ;;
			*) cmd=${{COMP_WORDS[i]}}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	local opts=
	case $cmd in
{cases}	esac
	# Global options may follow the command ("status --json").
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
	else
		COMPREPLY=()
	fi
}}
complete -F _l2tpctl l2tpctl
)",
	                   fmt::arg("commands", commands), fmt::arg("globals", globals),
	                   fmt::arg("fileValued", fileValued.empty() ? "--no-such-option" : fileValued),
	                   fmt::arg("valued", valued.empty() ? "--no-such-option" : valued), fmt::arg("cases", cases));
}

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
		if (c.run == cmdDoctor)
			sub->add_option("-c,--config", args.config,
			                "the config to check (default: the daemon's, or the "
			                "installed one)");
		sub->callback([&chosen, &c] { chosen = &c; });
	}
	UserCommands users;
	addUserCommands(app, users);
	// Hidden (empty group): meson runs it at build time to make the installed
	// bash completion (tools/meson.build).
	std::string shell;
	CLI::App *completion = app.add_subcommand("completion", "print a shell completion script")->group("");
	completion->add_option("SHELL", shell, "the shell (bash)")->required()->check(CLI::IsMember({"bash"}));
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? kExitOk : kExitUsage;
	}
	if (completion->parsed()) {
		std::fputs(bashCompletion(app).c_str(), stdout);
		return kExitOk;
	}
	Outcome out;
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
