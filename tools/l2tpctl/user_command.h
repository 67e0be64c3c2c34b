#pragma once
// `l2tpctl user add|passwd|del|list` (l2tpctl(8), USERS): the PPP users in
// the [ppp] secrets file the configuration names, changed atomically and
// then reloaded by a running l2tpsecd.

#include "daemon_call.h"

#include <CLI/CLI.hpp>

#include <string>

namespace l2tpsec::ctl {

struct UserRequest {
	std::string name;
	std::string config; ///< --config; else the daemon's, else the installed one
	bool passwordStdin = false;
	bool generate = false;
	bool disconnect = false;
};

/// Adds `user` and its subcommands to `app`; after parsing, runUserCommand
/// runs the one given (returns false when none was).
struct UserCommands {
	CLI::App *user = nullptr;
	CLI::App *add = nullptr;
	CLI::App *passwd = nullptr;
	CLI::App *del = nullptr;
	CLI::App *list = nullptr;
	UserRequest request;
};
void addUserCommands(CLI::App &app, UserCommands &cmds);
bool runUserCommand(const Globals &g, const UserCommands &cmds, Outcome &out);

} // namespace l2tpsec::ctl
