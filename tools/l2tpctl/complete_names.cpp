#include "complete_names.h"

#include "common/file_replace.h"
#include "config/chap_secrets_edit.h"
#include "config/config_loader.h"
#include "l2tpsec/control.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace l2tpsec::ctl {

namespace {

// The users of the daemon's [ppp] secrets file, if this user may read it.
void addSecretsUsers(const std::optional<control::StatusView> &status, std::vector<std::string> &names)
{
	auto path = configPathFor("", status);
	auto text = readWholeFile(path);
	if (!text)
		return;
	ConfigLoad load = parseConfig(*text, path);
	if (!load.ok() || load.config->ppp.secrets.empty())
		return;
	if (auto secrets = readWholeFile(load.config->ppp.secrets.path))
		for (std::string &u : chapSecretsUsers(*secrets))
			names.push_back(std::move(u));
}

} // namespace

const std::vector<std::string> &completeKinds()
{
	static const std::vector<std::string> kinds = {"profiles", "users", "sessions", "tunnels"};
	return kinds;
}

void printNames(const Globals &g, const std::vector<std::string> &kinds)
{
	auto wants = [&](const char *kind) { return std::find(kinds.begin(), kinds.end(), kind) != kinds.end(); };
	std::vector<std::string> names;
	auto status = askFor<control::StatusView>(g, {{"cmd", control::cmd::kStatus}});
	if (!status)
		return; // no daemon (or not ours): nothing
	if (wants("profiles"))
		names.insert(names.end(), status->lacProfiles.begin(), status->lacProfiles.end());
	if (wants("tunnels"))
		if (auto t = askFor<control::TunnelsView>(g, {{"cmd", control::cmd::kTunnels}}))
			for (auto &tunnel : t->tunnels)
				names.push_back(std::to_string(tunnel.tunnel));
	if (wants("sessions") || wants("users")) {
		auto s = askFor<control::SessionsView>(g, {{"cmd", control::cmd::kSessions}});
		for (auto &session : s ? s->sessions : std::vector<control::SessionView>{}) {
			if (wants("sessions"))
				names.push_back(fmt::format("{}/{}", session.tunnel, session.session));
			if (wants("users") && !session.user.empty())
				names.push_back(session.user);
		}
	}
	if (wants("users"))
		addSecretsUsers(status, names);
	std::vector<std::string> printed;
	for (const std::string &n : names)
		if (std::find(printed.begin(), printed.end(), n) == printed.end()) {
			std::printf("%s\n", n.c_str());
			printed.push_back(n);
		}
}

} // namespace l2tpsec::ctl
