#pragma once
// Subcommand tables of l2tpsec-dp. A command reports failure by printing one
// line to stderr ("l2tpsec-dp: <what failed>: <why>") and setting out.code.

#include <CLI/CLI.hpp>

namespace l2tpsec::dp {

struct Outcome {
	int code = 0; ///< 0 ok, 1 the kernel refused or a call failed, 64 usage
};

/// "xfrm ..." subcommands (tools/dp/xfrm_commands.cpp).
void addXfrmCommands(CLI::App &app, Outcome &out);
/// "l2tp ..." and "ppp ..." subcommands (tools/dp/l2tp_commands.cpp).
void addL2tpCommands(CLI::App &app, Outcome &out);

} // namespace l2tpsec::dp
