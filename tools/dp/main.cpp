// l2tpsec-dp: drives the kernel dataplane code from the command line, without
// IKE or L2TP control, for the kernel tests and for a human at a shell.
// Each family registers its own subcommands (xfrm_commands.cpp, l2tp_commands.cpp).

#include "tools/dp/commands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

namespace {

int run(int argc, char **argv)
{
	CLI::App app{"l2tpsec-dp - program the kernel's XFRM and L2TP state directly (for tests)"};
	app.require_subcommand(1);
	l2tpsec::dp::Outcome out;
	l2tpsec::dp::addXfrmCommands(app, out);
	l2tpsec::dp::addL2tpCommands(app, out);
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? 0 : 64;
	}
	return out.code;
}

} // namespace

int main(int argc, char **argv)
{
	// The last resort: CLI11 and std throw; one clear line, never a terminate().
	try {
		return run(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "l2tpsec-dp: %s\n", e.what());
		return 1;
	} catch (...) {
		std::fprintf(stderr, "l2tpsec-dp: unknown internal error\n");
		return 1;
	}
}
