#include "user_command.h"

#include "common/file_replace.h"
#include "config/chap_secrets_edit.h"
#include "config/config_loader.h"
#include "l2tpsec/control.h"

#include <fmt/format.h>

#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <sstream>

namespace l2tpsec::ctl {

using nlohmann::json;

namespace {

// What the user commands need of the configuration.
struct UserFiles {
	std::string config;
	std::string secrets;
	std::string auditLog; ///< empty: none
};

int fail(Outcome &out, const std::string &message, int code = kExitCommandFailed)
{
	return out.fail(code, message);
}

// --config, else the running daemon's file, else the installed default.
std::string configPath(const Globals &g, const UserRequest &r)
{
	if (!r.config.empty())
		return r.config;
	Outcome ignored;
	return configPathFor("", callFor<control::StatusView>(g, {{"cmd", control::cmd::kStatus}}, ignored, true));
}

// Only the syntax and the keys: a secrets file with no user yet, which the
// daemon's serving checks refuse, is exactly what `user add` starts from.
std::optional<UserFiles> loadFiles(const Globals &g, const UserRequest &r, const char *verb, Outcome &out)
{
	UserFiles f{configPath(g, r), "", ""};
	auto text = readWholeFile(f.config);
	if (!text) {
		fail(out, text.error().message);
		return std::nullopt;
	}
	ConfigLoad load = parseConfig(*text, f.config);
	if (!load.ok()) {
		std::string lines;
		for (auto &e : load.errors)
			lines += (lines.empty() ? "" : "\n") + e.str();
		fail(out, lines);
		return std::nullopt;
	}
	if (load.config->ppp.radius) {
		fail(out, fmt::format("user {}: {} has a [radius] section, so the RADIUS server authenticates the "
		                      "users: manage them there",
		                      verb, f.config));
		return std::nullopt;
	}
	if (load.config->ppp.secrets.empty()) {
		fail(out, fmt::format("user {}: {} sets no [ppp] secrets file to keep the users in", verb, f.config));
		return std::nullopt;
	}
	f.secrets = load.config->ppp.secrets.path;
	f.auditLog = load.config->server.auditLog.path;
	return f;
}

// 20 letters and digits without look-alikes (0/O, 1/l/I): about 115 bits.
std::string generatePassword()
{
	static constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	std::string out;
	while (out.size() < 20) {
		unsigned char b[32];
		if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b))
			continue;
		for (unsigned char c : b)
			if (c < 256 / kAlphabet.size() * kAlphabet.size() && out.size() < 20) // no modulo bias
				out += kAlphabet[c % kAlphabet.size()];
	}
	return out;
}

std::optional<std::string> promptHidden(const char *prompt)
{
	std::fputs(prompt, stderr);
	termios old{};
	bool restore = ::tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		termios quiet = old;
		quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
		::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	std::string line;
	bool got = static_cast<bool>(std::getline(std::cin, line));
	if (restore)
		::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	std::fputs("\n", stderr);
	return got ? std::optional(line) : std::nullopt;
}

// The new password: generated, one line of standard input, or typed twice.
std::optional<std::string> newPassword(const UserRequest &r, Outcome &out)
{
	if (r.generate)
		return generatePassword();
	if (r.passwordStdin) {
		std::string line;
		if (!std::getline(std::cin, line)) {
			fail(out, "--password-stdin: no line on standard input");
			return std::nullopt;
		}
		return line;
	}
	if (!::isatty(STDIN_FILENO)) {
		fail(out, "no terminal to ask for the password on: use --password-stdin or --generate", kExitUsage);
		return std::nullopt;
	}
	auto first = promptHidden(fmt::format("Password for {}: ", r.name).c_str());
	auto again = first ? promptHidden("Again: ") : std::nullopt;
	if (!first || !again || *first != *again) {
		fail(out, "the passwords differ; nothing changed");
		return std::nullopt;
	}
	return first;
}

// Tells a running daemon to reload; false (and a line on stderr) if it
// runs and refuses. A daemon that is not running is no failure: pppd reads
// the file when a session starts.
struct Reload {
	bool running = false;
	bool ok = true;
};
Reload reloadDaemon(const Globals &g)
{
	Outcome o;
	auto r = call(g, {{"cmd", control::cmd::kReload}}, o, true);
	if (r)
		return {true, true};
	return {o.code != kExitUnreachable, o.code == kExitUnreachable};
}

void report(const Globals &g, json result, const std::string &human, const Reload &reload, Outcome &out)
{
	result["reloaded"] = reload.running && reload.ok;
	if (g.json)
		std::printf("%s\n", result.dump(2).c_str());
	else
		std::printf("%s%s\n", human.c_str(),
		            !reload.running ? "; l2tpsecd is not running"
		            : reload.ok     ? "; l2tpsecd reloaded"
		                            : "");
	if (!reload.ok)
		out.code = kExitCommandFailed;
}

int setPassword(const Globals &g, const UserRequest &r, bool adding, Outcome &out)
{
	const char *verb = adding ? "add" : "passwd";
	if (auto ok = checkUserName(r.name); !ok)
		return fail(out, fmt::format("user {}: {}", verb, ok.error().message), kExitUsage);
	auto files = loadFiles(g, r, verb, out);
	if (!files)
		return out.code;
	auto lock = DirectoryLock::forFile(files->secrets);
	if (!lock)
		return fail(out, lock.error().message);
	std::string text;
	if (auto t = readWholeFile(files->secrets))
		text = std::move(*t);
	else if (!adding || t.error().code != ENOENT)
		return fail(out, t.error().message);
	bool exists = false;
	for (auto &u : chapSecretsUsers(text))
		exists |= u == r.name;
	if (adding && exists)
		return fail(out, fmt::format("user add: {} is already in {}; use user passwd", quoteSecretsWord(r.name),
		                             files->secrets));
	if (!adding && !exists)
		return fail(out,
		            fmt::format("user passwd: no user {} in {}", quoteSecretsWord(r.name), files->secrets));
	auto password = newPassword(r, out);
	if (!password)
		return out.code;
	auto change = setChapSecret(text, r.name, *password);
	if (!change)
		return fail(out, fmt::format("user {}: {}", verb, change.error().message));
	if (auto w = replaceFile(files->secrets, change->text, 0600); !w)
		return fail(out, w.error().message);
	Reload reload = reloadDaemon(g);
	json result{{"user", r.name}, {"secrets", files->secrets}, {"added", adding}};
	std::string human = adding ? fmt::format("added {} to {}", r.name, files->secrets)
	                           : fmt::format("changed the password of {} in {}", r.name, files->secrets);
	if (r.generate) {
		result["password"] = *password;
		if (!g.json)
			std::printf("password for %s: %s\n", r.name.c_str(), password->c_str());
	}
	report(g, result, human, reload, out);
	return out.code;
}

// The user's live sessions as TUNNEL/SESSION, from a running daemon.
std::optional<std::vector<control::SessionView>> liveSessions(const Globals &g)
{
	Outcome o;
	auto s = callFor<control::SessionsView>(g, {{"cmd", control::cmd::kSessions}}, o, true);
	if (!s)
		return std::nullopt;
	return s->sessions;
}

int removeUser(const Globals &g, const UserRequest &r, Outcome &out)
{
	auto files = loadFiles(g, r, "del", out);
	if (!files)
		return out.code;
	{
		auto lock = DirectoryLock::forFile(files->secrets);
		if (!lock)
			return fail(out, lock.error().message);
		auto text = readWholeFile(files->secrets);
		if (!text)
			return fail(out, text.error().message);
		auto removed = removeChapSecret(*text, r.name);
		if (!removed)
			return fail(out, fmt::format("user del: {} in {}", removed.error().message, files->secrets));
		if (auto w = replaceFile(files->secrets, *removed, 0600); !w)
			return fail(out, w.error().message);
	}
	Reload reload = reloadDaemon(g);
	json result{{"user", r.name}, {"secrets", files->secrets}};
	std::string human = fmt::format("removed {} from {}", r.name, files->secrets);
	// By TUNNEL/SESSION, not by name: `disconnect NAME` would stop a [[lac]]
	// profile of that name first.
	std::vector<std::string> cleared;
	if (r.disconnect)
		for (auto &s : liveSessions(g).value_or(std::vector<control::SessionView>{}))
			if (s.user == r.name && s.role == "lns") {
				std::string id = fmt::format("{}/{}", s.tunnel, s.session);
				Outcome o;
				if (call(g, {{"cmd", control::cmd::kDisconnect}, {"target", id}}, o))
					cleared.push_back(id);
				else
					out.code = kExitCommandFailed;
			}
	if (r.disconnect) {
		result["disconnected"] = cleared;
		human += fmt::format(", {} session{} disconnected", cleared.size(), cleared.size() == 1 ? "" : "s");
	}
	report(g, result, human, reload, out);
	return out.code;
}

// The latest audit record of each user, from the current audit file.
std::map<std::string, std::string> lastSeen(const std::string &auditLog)
{
	std::map<std::string, std::string> seen;
	if (auditLog.empty())
		return seen;
	auto text = readWholeFile(auditLog);
	if (!text)
		return seen;
	std::istringstream lines(*text);
	for (std::string line; std::getline(lines, line);) {
		json rec = json::parse(line, nullptr, false);
		if (!rec.is_object() || !rec.contains("user") || !rec["user"].is_string() || !rec.contains("time") ||
		    !rec["time"].is_string() || rec.value("role", "") != "lns")
			continue;
		std::string &t = seen[rec["user"].get<std::string>()];
		t = std::max(t, rec["time"].get<std::string>()); // ISO 8601 UTC sorts as text
	}
	return seen;
}

int listUsers(const Globals &g, const UserRequest &r, Outcome &out)
{
	auto files = loadFiles(g, r, "list", out);
	if (!files)
		return out.code;
	auto text = readWholeFile(files->secrets);
	if (!text)
		return fail(out, text.error().message);
	auto sessions = liveSessions(g);
	auto seen = lastSeen(files->auditLog);
	json users = json::array();
	if (!g.json)
		std::printf("%-24s %8s  %s\n", "USER", "SESSIONS", "LAST SEEN");
	for (const std::string &name : chapSecretsUsers(*text)) {
		json u{{"user", name}, {"sessions", nullptr}, {"last_seen", nullptr}};
		if (sessions) {
			size_t n = 0;
			for (auto &s : *sessions)
				n += s.user == name && s.role == "lns";
			u["sessions"] = n;
		}
		if (auto it = seen.find(name); it != seen.end())
			u["last_seen"] = it->second;
		users.push_back(u);
		if (!g.json)
			std::printf("%-24s %8s  %s\n", name.c_str(),
			            u["sessions"].is_null() ? "-" : std::to_string(u["sessions"].get<size_t>()).c_str(),
			            u["last_seen"].is_null() ? "-" : u["last_seen"].get<std::string>().c_str());
	}
	if (g.json)
		std::printf("%s\n", json{{"users", users}, {"secrets", files->secrets}}.dump(2).c_str());
	return out.code;
}

void passwordOptions(CLI::App *cmd, UserRequest &r)
{
	auto *in = cmd->add_flag("--password-stdin", r.passwordStdin, "read the password from one line of stdin");
	cmd->add_flag("--generate", r.generate, "generate a password and print it once")->excludes(in);
}

} // namespace

void addUserCommands(CLI::App &app, UserCommands &c)
{
	UserRequest &r = c.request;
	c.user = app.add_subcommand("user", "add, change, remove or list the PPP users of [ppp] secrets");
	c.user->require_subcommand(1);
	c.user->fallthrough();
	c.user->add_option("-c,--config", r.config, "the configuration (default: the daemon's, or the installed one)");
	c.add = c.user->add_subcommand("add", "add a user");
	c.passwd = c.user->add_subcommand("passwd", "change a user's password");
	c.del = c.user->add_subcommand("del", "remove a user");
	c.list = c.user->add_subcommand("list", "list the users with their sessions and when they were last seen");
	for (CLI::App *cmd : {c.add, c.passwd, c.del})
		cmd->add_option("NAME", r.name, "the user's name")->required();
	passwordOptions(c.add, r);
	passwordOptions(c.passwd, r);
	c.del->add_flag("--disconnect", r.disconnect, "also clear the user's sessions");
	for (CLI::App *cmd : {c.add, c.passwd, c.del, c.list})
		cmd->fallthrough();
}

bool runUserCommand(const Globals &g, const UserCommands &c, Outcome &out)
{
	if (!c.user || !c.user->parsed())
		return false;
	if (c.add->parsed())
		setPassword(g, c.request, true, out);
	else if (c.passwd->parsed())
		setPassword(g, c.request, false, out);
	else if (c.del->parsed())
		removeUser(g, c.request, out);
	else if (c.list->parsed())
		listUsers(g, c.request, out);
	return true;
}

} // namespace l2tpsec::ctl
