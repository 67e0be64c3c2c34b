#pragma once
// What every l2tpctl command shares: the global options, the exit codes
// scripts rely on (l2tpctl(8), EXIT STATUS) and one request to the daemon.

#include "l2tpsec/control_views.h"
#include "l2tpsec_build_config.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace l2tpsec::ctl {

constexpr int kExitOk = 0;
constexpr int kExitCommandFailed = 1;
constexpr int kExitUnreachable = 2;
constexpr int kExitProtocol = 3;
constexpr int kExitUsage = 64;

struct Globals {
	std::string socket;
	bool json = false;
	bool exactBytes = false; ///< --bytes
	int timeoutMs = 5000;
};

/// How a command ended. With `asJson` (--json on the command itself, not on
/// the requests it makes on the side), a failure is one JSON object on
/// stdout, {"error": MESSAGE, "exit": CODE}, instead of a line on stderr, so
/// that a script reading stdout always gets JSON (l2tpctl(8), EXIT STATUS).
struct Outcome {
	int code = kExitOk;
	bool asJson = false;
	/// Reports the failure as above and keeps its exit code; returns it.
	int fail(int exitCode, const std::string &message);
};

/// One request to the daemon: the reply's data, or nullopt after out.fail()
/// reported the error. With `quiet`, an unreachable daemon
/// is not reported (the caller goes on without it).
std::optional<nlohmann::json> call(const Globals &g, const nlohmann::json &request, Outcome &out, bool quiet = false);

/// One request, silently: the reply's data, or nullopt whatever went wrong
/// (for what only adds to an answer, as doctor's view of the daemon).
std::optional<nlohmann::json> ask(const Globals &g, const nlohmann::json &request);

/// ask() with the data parsed into its view; nullopt if it does not fit.
template <typename View>
std::optional<View> askFor(const Globals &g, const nlohmann::json &request)
{
	auto d = ask(g, request);
	if (!d)
		return std::nullopt;
	try {
		return d->get<View>();
	} catch (const control::SchemaError &) {
		return std::nullopt;
	}
}

/// The configuration a command works on: the one given, else the running
/// daemon's (its status), else the installed default.
std::string configPathFor(const std::string &given, const std::optional<control::StatusView> &status);

/// call() with the reply's data parsed into its view. A reply that does not
/// fit (a daemon of another version) is one line on stderr, not a garbled table.
template <typename View>
std::optional<View> callFor(const Globals &g, const nlohmann::json &request, Outcome &out, bool quiet = false)
{
	auto d = call(g, request, out, quiet);
	if (!d)
		return std::nullopt;
	try {
		return d->get<View>();
	} catch (const control::SchemaError &e) {
		out.fail(kExitProtocol,
		         std::string("unexpected reply from l2tpsecd (not version " L2TPSEC_VERSION "?): ") + e.what());
		return std::nullopt;
	}
}

} // namespace l2tpsec::ctl
