#pragma once
// How l2tpctl explains itself: help that shows every option a subcommand
// accepts (the global ones too), and a hint for a mistyped subcommand.

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

namespace l2tpsec::ctl {

/// The help formatter to set on the app before its subcommands are added
/// (they copy it): a subcommand's help also lists the options of the
/// commands above it, which may follow it ("sessions --json").
std::shared_ptr<CLI::Formatter> helpFormatter();

/// After a failed parse: the line for a word given where a subcommand was
/// required, with the closest one ("unknown command \"sesions\"; did you
/// mean \"sessions\"?"), or nullopt when the failure was something else.
std::optional<std::string> unknownCommand(const CLI::App &app);

} // namespace l2tpsec::ctl
