#include "connect_wait.h"

#include "human_format.h"
#include "l2tpsec/control.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace l2tpsec::ctl {

namespace {

constexpr std::chrono::milliseconds kPollInterval{200};

std::optional<control::ProfileView> findProfile(const control::ProfilesView &v, const std::string &name)
{
	for (const control::ProfileView &p : v.profiles)
		if (p.name == name)
			return p;
	return std::nullopt;
}

// "the L2TP tunnel failed: tunnel down: ...", from the profile's last error.
std::string failure(const control::ProfileView &p)
{
	std::string stage = p.errorStage.value_or("");
	const char *what = stage == "ike" ? "IPsec (IKE)" : stage == "ppp" ? "PPP" : "the L2TP tunnel or session";
	std::string retry =
	        p.retryInSeconds ? fmt::format("; l2tpsecd tries again in {}", humanDuration(*p.retryInSeconds)) : "";
	return fmt::format("{}: {} failed: {}{}", p.name, what, p.lastError.value_or("no reason given"), retry);
}

} // namespace

void connectAndWait(const Globals &g, const WaitRequest &r, Outcome &out)
{
	// The error before this connect: a new one (or a retry pending) is this
	// attempt's failure.
	Outcome quiet;
	auto before = callFor<control::ProfilesView>(g, {{"cmd", control::cmd::kProfiles}}, quiet, true);
	std::optional<std::string> oldError;
	if (before)
		if (auto p = findProfile(*before, r.profile))
			oldError = p->lastError;
	if (!callFor<control::ConnectView>(g, {{"cmd", control::cmd::kConnect}, {"profile", r.profile}}, out))
		return;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(r.timeoutSeconds);
	std::string shown;
	for (;;) {
		auto profiles = callFor<control::ProfilesView>(g, {{"cmd", control::cmd::kProfiles}}, out);
		if (!profiles)
			return;
		auto p = findProfile(*profiles, r.profile);
		if (!p) {
			out.fail(kExitCommandFailed, r.profile + ": the profile is gone (a reload removed it?)");
			return;
		}
		if (p->state == "up") {
			if (g.json)
				std::printf("%s\n", nlohmann::json(*p).dump(2).c_str());
			else
				std::printf("%s: up (tunnel %s, session %s, address %s)\n", p->name.c_str(),
				            p->tunnel ? std::to_string(*p->tunnel).c_str() : "-",
				            p->session.value_or("-").c_str(), p->address.value_or("-").c_str());
			return;
		}
		if (!p->wanted) {
			out.fail(kExitCommandFailed, r.profile + ": disconnected while waiting");
			return;
		}
		if (p->state == "waiting to retry" || (p->lastError && p->lastError != oldError)) {
			out.fail(kExitCommandFailed, failure(*p));
			return;
		}
		if (!g.json && p->state != shown) // progress for a person, on stderr
			std::fprintf(stderr, "%s: %s\n", p->name.c_str(), p->state.c_str());
		shown = p->state;
		if (std::chrono::steady_clock::now() >= deadline) {
			out.fail(kExitWaitTimeout, fmt::format("{}: not up after {} (still {}); l2tpsecd keeps trying",
			                                       r.profile, humanDuration(r.timeoutSeconds), p->state));
			return;
		}
		std::this_thread::sleep_for(kPollInterval);
	}
}

} // namespace l2tpsec::ctl
