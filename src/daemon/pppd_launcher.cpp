#include "daemon/pppd_launcher.h"

#include "common/log.h"
#include "ppp/pppd_command.h"
#include "ppp/pppd_exit.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>

namespace l2tpsec {

namespace {

constexpr std::chrono::milliseconds kStopGrace{3000};
// The descriptors pppd gets: the PPPoL2TP socket and, for a LAC, the password.
constexpr int kPppSocketFd = 3;
constexpr int kPasswordFd = 4;

std::string sessionTag(uint16_t tunnelId, uint16_t sessionId)
{
	return std::to_string(tunnelId) + "/" + std::to_string(sessionId);
}

} // namespace

std::optional<std::string> pppdAuthenticatedUser(std::string_view line)
{
	constexpr std::string_view marker = "peer authentication succeeded for ";
	auto at = line.find(marker);
	if (at == std::string_view::npos)
		return std::nullopt;
	std::string_view user = line.substr(at + marker.size());
	while (!user.empty() && (user.back() == ' ' || user.back() == '\r'))
		user.remove_suffix(1);
	if (user.empty())
		return std::nullopt;
	return std::string(user);
}

std::optional<std::string> pppdRemoteAddress(std::string_view line)
{
	constexpr std::string_view marker = "remote IP address ";
	if (!line.starts_with(marker))
		return std::nullopt;
	std::string_view addr = line.substr(marker.size());
	while (!addr.empty() && addr.back() == ' ')
		addr.remove_suffix(1);
	if (!IpAddress::parse(addr))
		return std::nullopt;
	return std::string(addr);
}

PppdLauncher::PppdLauncher(EventLoop &loop, Callbacks callbacks) : loop_(loop), cb_(std::move(callbacks))
{
}

PppdLauncher::~PppdLauncher()
{
	// ChildProcess kills and reaps what is still running.
	children_.clear();
	stopping_.clear();
}

void PppdLauncher::configure(const PppConfig &ppp, const std::vector<LacProfile> &lac)
{
	ppp_ = ppp;
	lac_ = lac;
}

Result<void> PppdLauncher::start(l2tp::PppStart start)
{
	Key key{start.tunnelId, start.sessionId};
	std::string tag = sessionTag(start.tunnelId, start.sessionId);
	ppp::PppdSession s;
	s.pppol2tpFd = kPppSocketFd;
	s.tunnelId = start.tunnelId;
	s.sessionId = start.sessionId;
	s.lns = start.lns;
	s.remoteAddress = start.remoteAddress;
	s.tag = "l2tpsec-" + std::to_string(start.tunnelId) + "-" + std::to_string(start.sessionId);

	ppp::SpawnSpec spec;
	spec.fds.emplace_back(kPppSocketFd, start.pppSocket.get());
	UniqueFd passwordRead;
	if (!start.lns) {
		auto profile = std::find_if(lac_.begin(), lac_.end(),
		                            [&](const LacProfile &p) { return p.name == start.lacProfile; });
		if (profile == lac_.end())
			return Error{ENOENT, "session " + tag + ": no [[lac]] profile '" + start.lacProfile + "'"};
		s.user = profile->user;
		if (profile->password) {
			// The password reaches pppd through a pipe (passwordfd plugin),
			// never its command line.
			std::array<int, 2> p{};
			if (::pipe2(p.data(), O_CLOEXEC) < 0)
				return sysError("session " + tag + ": pipe for the password");
			passwordRead.reset(p[0]);
			UniqueFd passwordWrite(p[1]);
			const std::string &pw = profile->password->value;
			if (::write(passwordWrite.get(), pw.data(), pw.size()) != static_cast<ssize_t>(pw.size()))
				return sysError("session " + tag + ": writing the password pipe");
			s.passwordFd = kPasswordFd;
			spec.fds.emplace_back(kPasswordFd, passwordRead.get());
		}
	} else if (!ppp_.secrets.empty()) {
		spec.secretsFile = ppp_.secrets.path;
	}
	spec.argv = ppp::pppdArguments(ppp_, s);

	auto child = ppp::ChildProcess::start(
	        loop_, spec, [this, key](std::string_view line) { onLine(key, line); },
	        [this, key](int status) { onExit(key, status); });
	if (!child)
		return Error{child.error().code, "session " + tag + ": " + child.error().message};
	logInfo("ppp", "session {}: pppd started (pid {})", tag, (*child)->pid());
	children_[key] = std::move(child.value());
	return {};
}

void PppdLauncher::stop(uint16_t tunnelId, uint16_t sessionId)
{
	auto it = children_.find({tunnelId, sessionId});
	if (it == children_.end())
		return;
	std::unique_ptr<ppp::ChildProcess> child = std::move(it->second);
	children_.erase(it);
	child->stop(kStopGrace);
	stopping_.push_back(std::move(child));
}

void PppdLauncher::onLine(Key key, std::string_view line)
{
	logInfo("pppd", "session {}: {}", sessionTag(key.first, key.second), line);
	if (auto user = pppdAuthenticatedUser(line); user && cb_.authenticated)
		cb_.authenticated(key.first, key.second, *user);
	if (auto addr = pppdRemoteAddress(line); addr && cb_.linkUp)
		cb_.linkUp(key.first, key.second, *addr);
}

void PppdLauncher::onExit(Key key, int waitStatus)
{
	ppp::PppdExit e = ppp::describePppdExit(waitStatus);
	auto it = children_.find(key);
	if (it == children_.end()) {
		// One we stopped: drop it now that it is reaped. (Deferred: this
		// runs inside that ChildProcess's own callback.)
		loop_.addTimer(std::chrono::milliseconds(0),
		               [this] { std::erase_if(stopping_, [](const auto &c) { return !c->running(); }); });
		return;
	}
	logInfo("ppp", "session {}: {}", sessionTag(key.first, key.second), e.text);
	// Keep the object alive until this callback has returned.
	std::shared_ptr<ppp::ChildProcess> dying(std::move(it->second));
	children_.erase(it);
	loop_.addTimer(std::chrono::milliseconds(0), [dying] {});
	if (cb_.ended)
		cb_.ended(key.first, key.second, e.text);
}

std::optional<pid_t> PppdLauncher::pid(uint16_t tunnelId, uint16_t sessionId) const
{
	auto it = children_.find({tunnelId, sessionId});
	if (it == children_.end())
		return std::nullopt;
	return it->second->pid();
}

} // namespace l2tpsec
