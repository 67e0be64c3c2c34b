#pragma once
// `l2tpctl completion bash|zsh|fish`: shell completion scripts built from
// the CLI11 app itself (its subcommands and options), so they cannot go
// stale. meson runs it at build time for the installed scripts
// (tools/completion/meson.build). Hidden subcommands (empty group) are left
// out. Profile, user, tunnel and session names come from the running daemon
// through `l2tpctl complete` (complete_names.h).

#include <CLI/CLI.hpp>

#include <string>

namespace l2tpsec::ctl {

std::string bashCompletion(const CLI::App &app);
std::string zshCompletion(const CLI::App &app);
std::string fishCompletion(const CLI::App &app);

/// The script for `shell` ("bash", "zsh" or "fish").
std::string completionScript(const CLI::App &app, const std::string &shell);

/// The `l2tpctl complete` kinds a command's argument takes, space-separated
/// ("profiles", "tunnels sessions"), or "" when it names nothing the daemon
/// knows. `path` is the command as typed ("connect", "user del").
std::string argumentNames(const std::string &path);

} // namespace l2tpsec::ctl
