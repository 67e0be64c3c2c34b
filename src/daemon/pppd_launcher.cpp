#include "daemon/pppd_launcher.h"

#include "common/log.h"
#include "ppp/pppd_command.h"
#include "ppp/pppd_exit.h"
#include "ppp/radius_files.h"

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

namespace {

std::optional<std::string> addressAfter(std::string_view line, std::string_view marker)
{
	if (!line.starts_with(marker))
		return std::nullopt;
	std::string_view addr = line.substr(marker.size());
	while (!addr.empty() && addr.back() == ' ')
		addr.remove_suffix(1);
	if (!IpAddress::parse(addr))
		return std::nullopt;
	return std::string(addr);
}

bool isTraceLine(std::string_view line)
{
	return line.starts_with("sent [") || line.starts_with("rcvd [");
}

} // namespace

std::optional<std::string> pppdRemoteAddress(std::string_view line)
{
	return addressAfter(line, "remote IP address ");
}

std::optional<std::string> pppdLocalAddress(std::string_view line)
{
	// pppd pads "local" to the width of "remote".
	return addressAfter(line, "local  IP address ");
}

std::optional<std::string> pppdChapResponseName(std::string_view line)
{
	if (!line.starts_with("rcvd [CHAP Response "))
		return std::nullopt;
	constexpr std::string_view marker = ">, name = \"";
	auto at = line.find(marker);
	if (at == std::string_view::npos)
		return std::nullopt;
	// pppd's print_string(): printable characters as they are, except \ and
	// " which get a backslash; \n, \r, \t; anything else as \ooo (octal).
	std::string name;
	for (size_t i = at + marker.size(); i < line.size(); ++i) {
		char c = line[i];
		if (c == '"') {
			if (line.substr(i + 1) != "]")
				return std::nullopt;
			return name;
		}
		if (c != '\\') {
			name += c;
			continue;
		}
		if (++i == line.size())
			return std::nullopt;
		switch (line[i]) {
		case 'n': name += '\n'; break;
		case 'r': name += '\r'; break;
		case 't': name += '\t'; break;
		case '0':
		case '1':
		case '2':
		case '3': {
			if (i + 2 >= line.size())
				return std::nullopt;
			int v = 0;
			for (size_t k = i; k < i + 3; ++k) {
				if (line[k] < '0' || line[k] > '7')
					return std::nullopt;
				v = v * 8 + (line[k] - '0');
			}
			name += static_cast<char>(v);
			i += 2;
			break;
		}
		default: name += line[i]; break;
		}
	}
	return std::nullopt; // no closing quote: pppd cut the line
}

bool pppdChapSuccessSent(std::string_view line)
{
	return line.starts_with("sent [CHAP Success ");
}

PppdLauncher::PppdLauncher(EventLoop &loop, Callbacks callbacks) : loop_(loop), cb_(std::move(callbacks))
{
}

PppdLauncher::~PppdLauncher()
{
	// ChildProcess kills and reaps what is still running.
	children_.clear();
	stopping_.clear();
	if (ppp_.radius)
		ppp::removeRadiusClientFiles(*ppp_.radius);
}

void PppdLauncher::configure(const PppConfig &ppp, const std::vector<LacProfile> &lac)
{
	// Files of a [radius] that is gone or has moved go too (the secret).
	if (ppp_.radius && (!ppp.radius || ppp.radius->runtimeDir != ppp_.radius->runtimeDir))
		ppp::removeRadiusClientFiles(*ppp_.radius);
	ppp_ = ppp;
	lac_ = lac;
	radiusWritten_ = false;
	if (ppp_.radius)
		writeRadiusFiles();
}

bool PppdLauncher::writeRadiusFiles()
{
	if (auto w = ppp::writeRadiusClientFiles(*ppp_.radius); !w) {
		logError("ppp", "{}; LNS sessions cannot start until it is fixed", w.error().message);
		return false;
	}
	radiusWritten_ = true;
	logInfo("ppp", "RADIUS: pppd's radius plugin reads {}", ppp::radiusConfigPath(*ppp_.radius));
	return true;
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
	} else if (ppp_.radius) {
		// The radius plugin authenticates the peer; [ppp] secrets is not used.
		// (The files are rewritten here if that failed at configure().)
		if (!radiusWritten_ && !writeRadiusFiles())
			return Error{EIO,
			             "session " + tag + ": the RADIUS client files could not be written (see above)"};
		s.peerAddress = start.peer.address.str();
	} else if (!ppp_.secrets.empty()) {
		spec.secretsFile = ppp_.secrets.path;
	}
	spec.argv = ppp::pppdArguments(ppp_, s);

	auto child = ppp::ChildProcess::start(
	        loop_, spec, [this, key](std::string_view line) { onLine(key, line); },
	        [this, key](int status) { onExit(key, status); });
	if (!child)
		return Error{child.error().code, "session " + tag + ": " + child.error().message};
	if (s.lns && ppp_.radius)
		logInfo("ppp", "session {}: pppd started (pid {}), RADIUS NAS-Port-Id {}, Calling-Station-Id {}", tag,
		        (*child)->pid(), s.tag, s.peerAddress);
	else
		logInfo("ppp", "session {}: pppd started (pid {})", tag, (*child)->pid());
	children_[key] = std::move(child.value());
	links_[key] = LinkState{start.lns, {}, {}, false};
	if (start.lns)
		lnsPeers_[key] = start.peer;
	return {};
}

void PppdLauncher::stop(uint16_t tunnelId, uint16_t sessionId)
{
	auto it = children_.find({tunnelId, sessionId});
	if (it == children_.end())
		return;
	std::unique_ptr<ppp::ChildProcess> child = std::move(it->second);
	children_.erase(it);
	links_.erase({tunnelId, sessionId});
	child->stop(kStopGrace);
	stopping_.push_back(std::move(child));
}

void PppdLauncher::onLine(Key key, std::string_view line)
{
	if (isTraceLine(line))
		logDebug("pppd", "session {}: {}", sessionTag(key.first, key.second), line);
	else
		logInfo("pppd", "session {}: {}", sessionTag(key.first, key.second), line);
	auto link = links_.find(key);
	if (link == links_.end())
		return; // one being stopped
	LinkState &st = link->second;
	std::optional<std::string> user = pppdAuthenticatedUser(line);
	if (!st.authenticated) {
		// The name in the Response pppd accepted: the last one it received
		// before it sent Success (it handles one packet at a time, and traces
		// each as it arrives). Responses after that change nothing.
		if (auto name = pppdChapResponseName(line))
			st.chapName = *name;
		else if (pppdChapSuccessSent(line) && !st.chapName.empty())
			user = st.chapName;
	}
	if (user && !st.authenticated) {
		st.authenticated = true;
		if (cb_.authenticated)
			cb_.authenticated(key.first, key.second, *user);
	}
	if (auto local = pppdLocalAddress(line))
		st.localAddress = *local;
	if (auto remote = pppdRemoteAddress(line); remote && cb_.linkUp) {
		// The client's end: the peer's as LNS, ours as LAC.
		if (st.lns)
			cb_.linkUp(key.first, key.second, *remote);
		else if (!st.localAddress.empty())
			cb_.linkUp(key.first, key.second, st.localAddress);
	}
}

void PppdLauncher::onExit(Key key, int waitStatus)
{
	ppp::PppdExit e = ppp::describePppdExit(waitStatus);
	if (auto peer = lnsPeers_.find(key); peer != lnsPeers_.end()) {
		l2tp::Endpoint from = peer->second;
		lnsPeers_.erase(peer);
		if (e.reason == "peer-auth-failed" && cb_.peerAuthFailed)
			cb_.peerAuthFailed(key.first, key.second, from);
	}
	auto it = children_.find(key);
	if (it == children_.end()) {
		// One we stopped: drop it now that it is reaped. (Deferred: this
		// runs inside that ChildProcess's own callback.)
		loop_.addTimer(std::chrono::milliseconds(0),
		               [this] { std::erase_if(stopping_, [](const auto &c) { return !c->running(); }); });
		return;
	}
	logInfo("ppp", "session {}: {}", sessionTag(key.first, key.second), e.text);
	links_.erase(key);
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
