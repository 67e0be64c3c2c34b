#include "daemon/pppd_launcher.h"

#include "common/log.h"
#include "l2tpsec_pppd_wire.h"
#include "ppp/framed_route.h"
#include "ppp/plugin_message.h"
#include "ppp/pppd_command.h"
#include "ppp/pppd_exit.h"
#include "ppp/radius_files.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace l2tpsec {

namespace {

constexpr std::chrono::milliseconds kStopGrace{3000};
// pppd's reason for exit 11: the peer failed to authenticate to us.
constexpr std::string_view kPeerAuthFailed = "peer-auth-failed";

bool isPeerAuthFailure(int status)
{
	return ppp::describePppdExit(W_EXITCODE(status, 0)).reason == kPeerAuthFailed;
}
// The descriptors pppd gets: the PPPoL2TP socket, for a LAC the password,
// and the plugin's end of the report socket pair.
constexpr int kPppSocketFd = 3;
constexpr int kPasswordFd = 4;
constexpr int kReportFd = 5;

// The plugin's socket pair: one datagram per message, in order. Ours (first)
// is non-blocking, for the loop; pppd's end is dup'ed to kReportFd.
Result<std::pair<UniqueFd, UniqueFd>> reportSocketPair()
{
	std::array<int, 2> pair{};
	if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair.data()) < 0)
		return sysError("socket pair for the pppd plugin");
	UniqueFd ours(pair[0]);
	UniqueFd pppds(pair[1]);
	if (int fl = ::fcntl(ours.get(), F_GETFL); fl < 0 || ::fcntl(ours.get(), F_SETFL, fl | O_NONBLOCK) < 0)
		return sysError("socket pair for the pppd plugin");
	return std::pair{std::move(ours), std::move(pppds)};
}

// pppd 2.4.9 runs /etc/ppp/ip-pre-up (Debian's: a shell and run-parts over
// /etc/ppp/ip-pre-up.d) at every IPCP up and has no option to skip it. With
// [ppp] scripts = false an LNS pppd sees a program that does nothing there
// instead: in the lab that script was about half of a session's pppd CPU.
// (A file that is not executable would make pppd warn at every session.)
constexpr const char *kIpPreUp = "/etc/ppp/ip-pre-up";
constexpr const char *kNoopProgram = "/bin/true";

// Both exist (a bind needs them): the script to hide and the no-op.
bool noopIpPreUp()
{
	struct stat st {};
	return ::stat(kIpPreUp, &st) == 0 && S_ISREG(st.st_mode) && ::access(kNoopProgram, X_OK) == 0;
}

std::string sessionTag(uint16_t tunnelId, uint16_t sessionId)
{
	return std::to_string(tunnelId) + "/" + std::to_string(sessionId);
}

// pppd prints its packet trace only with `debug`, which l2tpsecd no longer
// gives it; an operator who adds it to [ppp] options gets the trace at debug
// level.
bool isTraceLine(std::string_view line)
{
	return line.starts_with("sent [") || line.starts_with("rcvd [");
}

using ReportBuffer = std::array<uint8_t, L2TPSEC_PPPD_MAX_MESSAGE + 1>;

enum class ReportRead { Message, Nothing, Closed, TooLong };

// One datagram from a plugin's socket into `buf` (one byte more than the
// longest message, so that a longer one is seen as such). Closed: pppd has
// exited or closed its end, or the socket failed (`error` set).
ReportRead readReport(int fd, ReportBuffer &buf, size_t &size, int &error)
{
	for (;;) {
		iovec iov{buf.data(), buf.size()};
		msghdr msg{};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
		error = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return ReportRead::Nothing;
		if (n <= 0) {
			error = n < 0 ? errno : 0;
			return ReportRead::Closed;
		}
		size = static_cast<size_t>(n);
		if ((msg.msg_flags & MSG_TRUNC) != 0 || size > L2TPSEC_PPPD_MAX_MESSAGE)
			return ReportRead::TooLong;
		return ReportRead::Message;
	}
}

/// What pppd's exit status (pppd(8)) says of why the link ended: the
/// peer's LCP Terminate-Request or pppd told to stop (0, 5), the peer gone
/// silent or hung up (15, 16), its idle or connect-time limit (12, 13, from
/// RADIUS Idle- and Session-Timeout); anything else is an error.
l2tp::EndCause pppdEndCause(int exitCode)
{
	switch (exitCode) {
	case 0:
	case 5: return l2tp::EndCause::PeerRequest;
	case 12: return l2tp::EndCause::IdleTimeout;
	case 13: return l2tp::EndCause::SessionTimeout;
	case 15:
	case 16: return l2tp::EndCause::PeerLost;
	default: return l2tp::EndCause::Error;
	}
}

} // namespace

Result<void> checkPppdPlugin(const std::string &path)
{
	struct stat st {};
	if (::stat(path.c_str(), &st) != 0)
		return Error{errno, "pppd plugin " + path + ": " + std::strerror(errno) +
		                            " (every pppd of l2tpsecd loads it; it is installed with l2tpsecd, "
		                            "--pppd-plugin names another)"};
	if (!S_ISREG(st.st_mode))
		return Error{EINVAL, "pppd plugin " + path + ": not a regular file"};
	return {};
}

PppdLauncher::PppdLauncher(EventLoop &loop, Callbacks callbacks, std::string plugin)
    : loop_(loop), cb_(std::move(callbacks)), plugin_(std::move(plugin))
{
}

PppdLauncher::~PppdLauncher()
{
	for (auto &[key, st] : links_)
		closeReport(st);
	for (auto &[fd, stopped] : stoppedReports_)
		loop_.removeFd(fd);
	// ChildProcess kills and reaps what is still running.
	prestarted_.clear();
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
	// Started with the old settings: replaced.
	dropPrestarted();
	prestartFailures_ = 0;
	refillPrestarted();
}

std::vector<std::pair<std::string, std::string>> PppdLauncher::pppdBinds(bool lns) const
{
	std::vector<std::pair<std::string, std::string>> binds;
	if (lns && !ppp_.radius && !ppp_.secrets.empty()) {
		binds.emplace_back(ppp_.secrets.path, "/etc/ppp/chap-secrets");
		binds.emplace_back(ppp_.secrets.path, "/etc/ppp/pap-secrets");
	}
	if (lns && !ppp_.scripts && noopIpPreUp())
		binds.emplace_back(kNoopProgram, kIpPreUp);
	return binds;
}

Result<std::unique_ptr<ppp::ChildProcess>> PppdLauncher::spawn(const ppp::SpawnSpec &spec,
                                                               const std::shared_ptr<std::optional<Key>> &owner)
{
	return ppp::ChildProcess::start(
	        loop_, spec,
	        [this, owner](std::string_view line) {
		        if (*owner)
			        onLine(**owner, line);
		        else
			        logInfo("pppd", "prestarted pppd: {}", line);
	        },
	        [this, owner](int status) {
		        if (*owner)
			        onExit(**owner, status);
		        else
			        onPrestartedExit(owner, status);
	        });
}

void PppdLauncher::refillPrestarted()
{
	// An LNS that authenticates its clients itself ([ppp] secrets) or
	// through RADIUS; a LAC-only daemon has no use for them.
	bool lns = ppp_.radius ? radiusWritten_ : !ppp_.secrets.empty();
	if (plugin_.empty() || !lns || prestartFailures_ >= kMaxPrestartFailures)
		return;
	while (prestarted_.size() < ppp_.prestart) {
		auto pair = reportSocketPair();
		if (!pair) {
			logError("ppp", "prestarting a pppd: {}", pair.error().message);
			return;
		}
		auto &[report, pluginEnd] = *pair;
		ppp::SpawnSpec spec;
		spec.fds.emplace_back(kReportFd, pluginEnd.get());
		spec.binds = pppdBinds(true);
		spec.argv = ppp::pppdPrestartArguments(ppp_, plugin_, kReportFd);
		// The loop goes on while it execs (slow under load: a burst of
		// sessions must not wait for it); a failure shows at its exit.
		spec.waitForExec = false;
		auto owner = std::make_shared<std::optional<Key>>();
		auto child = spawn(spec, owner);
		if (!child) {
			logError("ppp", "prestarting a pppd: {}; each session's pppd starts when the session comes",
			         child.error().message);
			prestartFailures_ = kMaxPrestartFailures;
			return;
		}
		logDebug("ppp", "pppd prestarted (pid {})", (*child)->pid());
		prestarted_.push_back(Prestarted{std::move(child.value()), std::move(report), std::move(owner)});
	}
}

void PppdLauncher::dropPrestarted()
{
	for (Prestarted &p : prestarted_) {
		// Closing our end is enough (the plugin exits quietly); the signal
		// is for one that has not reached its wait yet.
		p.report.reset();
		p.child->stop(kStopGrace);
		stopping_.push_back(std::move(p.child));
	}
	prestarted_.clear();
}

void PppdLauncher::onPrestartedExit(const std::shared_ptr<std::optional<Key>> &owner, int waitStatus)
{
	auto it = std::find_if(prestarted_.begin(), prestarted_.end(),
	                       [&](const Prestarted &p) { return p.owner == owner; });
	if (it != prestarted_.end()) {
		// Exited on its own, before any session: a pppd that cannot start.
		ppp::PppdExit e = ppp::describePppdExit(waitStatus);
		if (!it->child->startError().empty())
			e.text = it->child->startError();
		++prestartFailures_;
		if (prestartFailures_ >= kMaxPrestartFailures)
			logError("ppp",
			         "prestarted pppd (pid {}) exited before a session came: {}; that is {} in a row, so "
			         "each "
			         "session's pppd now starts when the session comes (a reload tries again)",
			         it->child->pid(), e.text, prestartFailures_);
		else
			logWarn("ppp", "prestarted pppd (pid {}) exited before a session came: {}", it->child->pid(),
			        e.text);
		// (Deferred: this runs inside that ChildProcess's own callback.)
		stopping_.push_back(std::move(it->child));
		prestarted_.erase(it);
		if (prestartFailures_ >= kMaxPrestartFailures)
			dropPrestarted(); // the others were started the same way
		else
			loop_.addTimer(std::chrono::milliseconds(0), [this] { refillPrestarted(); });
	}
	loop_.addTimer(std::chrono::milliseconds(0),
	               [this] { std::erase_if(stopping_, [](const auto &c) { return !c->running(); }); });
}

Result<void> PppdLauncher::watchReport(Key key, bool lns, UniqueFd report)
{
	int fd = report.get();
	LinkState &st = links_[key];
	closeReport(st); // (none: a session's ids are not reused while its pppd runs)
	st = LinkState{};
	st.lns = lns;
	st.report = std::move(report);
	if (auto r = loop_.addFd(fd, EPOLLIN, [this, key](uint32_t) { onReport(key); }); !r) {
		links_.erase(key);
		return r;
	}
	return {};
}

bool PppdLauncher::handToPrestarted(Key key, const std::string &tag, const ppp::PppdSession &s, int pppSocket)
{
	Prestarted p = std::move(prestarted_.front());
	prestarted_.erase(prestarted_.begin());
	pid_t pid = p.child->pid();
	auto message = ppp::encodePluginSession(ppp::pppdSessionWords(ppp_, s));
	ssize_t sent = -1;
	int error = EMSGSIZE;
	if (message) {
		iovec iov{message->data(), message->size()};
		union {
			std::array<char, CMSG_SPACE(sizeof(int))> bytes;
			cmsghdr align;
		} control{};
		msghdr mh{};
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = control.bytes.data();
		mh.msg_controllen = control.bytes.size();
		cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		std::memcpy(CMSG_DATA(c), &pppSocket, sizeof(int));
		do {
			sent = ::sendmsg(p.report.get(), &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (sent < 0 && errno == EINTR);
		error = errno;
	}
	if (sent != static_cast<ssize_t>(message ? message->size() : 0) || !message) {
		logWarn("ppp", "session {}: cannot hand the session to prestarted pppd {}: {}; starting a pppd for it",
		        tag, pid, std::strerror(error));
		p.report.reset();
		p.child->stop(kStopGrace);
		stopping_.push_back(std::move(p.child));
		return false;
	}
	*p.owner = key;
	if (auto r = watchReport(key, true, std::move(p.report)); !r) {
		logWarn("ppp", "session {}: prestarted pppd {}: {}; starting a pppd for it", tag, pid,
		        r.error().message);
		*p.owner = std::nullopt;
		p.child->stop(kStopGrace);
		stopping_.push_back(std::move(p.child));
		return false;
	}
	if (ppp_.radius)
		logInfo("ppp",
		        "session {}: pppd started (pid {}), prestarted, RADIUS NAS-Port-Id {}, Calling-Station-Id {}",
		        tag, pid, s.tag, s.peerAddress);
	else
		logInfo("ppp", "session {}: pppd started (pid {}), prestarted", tag, pid);
	children_[key] = std::move(p.child);
	prestartFailures_ = 0;
	return true;
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
	s.tag = ppp::sessionPortId(start.tunnelId, start.sessionId);
	s.plugin = plugin_;
	s.reportFd = kReportFd;

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
	}
	if (s.lns && !prestarted_.empty()) {
		if (handToPrestarted(key, tag, s, start.pppSocket.get())) {
			lnsPeers_[key] = start.peer;
			refillPrestarted();
			return {};
		}
	}
	auto pair = reportSocketPair();
	if (!pair)
		return Error{pair.error().code, "session " + tag + ": " + pair.error().message};
	auto &[report, pluginEnd] = *pair;
	spec.fds.emplace_back(kReportFd, pluginEnd.get());
	spec.binds = pppdBinds(s.lns);
	spec.argv = ppp::pppdArguments(ppp_, s);

	auto child = spawn(spec, std::make_shared<std::optional<Key>>(key));
	if (!child)
		return Error{child.error().code, "session " + tag + ": " + child.error().message};
	if (s.lns && ppp_.radius)
		logInfo("ppp", "session {}: pppd started (pid {}), RADIUS NAS-Port-Id {}, Calling-Station-Id {}", tag,
		        (*child)->pid(), s.tag, s.peerAddress);
	else
		logInfo("ppp", "session {}: pppd started (pid {})", tag, (*child)->pid());
	if (auto r = watchReport(key, start.lns, std::move(report)); !r) {
		(*child)->stop(kStopGrace);
		stopping_.push_back(std::move(child.value()));
		return Error{r.error().code, "session " + tag + ": " + r.error().message};
	}
	children_[key] = std::move(child.value());
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
	if (auto link = links_.find({tunnelId, sessionId}); link != links_.end()) {
		LinkState &st = link->second;
		if (st.exitStatus && isPeerAuthFailure(*st.exitStatus))
			reportAuthFailure({tunnelId, sessionId});
		if (st.report && st.refused.empty()) {
			int fd = st.report.get();
			loop_.removeFd(fd);
			StoppedReport &stopped = stoppedReports_[fd];
			stopped.key = {tunnelId, sessionId};
			stopped.tag = sessionTag(tunnelId, sessionId);
			stopped.report = std::move(st.report);
			if (!loop_.addFd(fd, EPOLLIN, [this, fd](uint32_t) { onStoppedReport(fd); }))
				stoppedReports_.erase(fd);
		}
		closeReport(st);
		links_.erase(link);
	}
	child->stop(kStopGrace);
	stopping_.push_back(std::move(child));
}

void PppdLauncher::onLine(Key key, std::string_view line)
{
	if (isTraceLine(line))
		logDebug("pppd", "session {}: {}", sessionTag(key.first, key.second), line);
	else
		logInfo("pppd", "session {}: {}", sessionTag(key.first, key.second), line);
}

void PppdLauncher::closeReport(LinkState &st)
{
	if (st.report) {
		loop_.removeFd(st.report.get());
		st.report.reset();
	}
}

void PppdLauncher::onReport(Key key)
{
	ReportBuffer buf{};
	for (;;) {
		// Looked up each time: a callback may have stopped the session.
		auto link = links_.find(key);
		if (link == links_.end() || !link->second.report)
			return;
		LinkState &st = link->second;
		size_t size = 0;
		int error = 0;
		switch (readReport(st.report.get(), buf, size, error)) {
		case ReportRead::Nothing: return;
		case ReportRead::Closed:
			// pppd has exited (or closed it): nothing more will come.
			if (error != 0)
				logWarn("ppp", "session {}: reading the pppd plugin's reports: {}",
				        sessionTag(key.first, key.second), std::strerror(error));
			closeReport(st);
			return;
		case ReportRead::TooLong:
			refuse(key, st,
			       "the pppd plugin sent a message longer than " +
			               std::to_string(L2TPSEC_PPPD_MAX_MESSAGE) + " bytes");
			return;
		case ReportRead::Message: onMessage(key, st, std::span<const uint8_t>(buf.data(), size)); break;
		}
	}
}

bool PppdLauncher::reportAuthFailure(Key key)
{
	auto peer = lnsPeers_.find(key);
	if (peer == lnsPeers_.end())
		return false; // a LAC's pppd, or reported already
	l2tp::Endpoint from = peer->second;
	lnsPeers_.erase(peer);
	std::optional<ppp::PluginAuthFailed> refusal;
	if (auto r = refusals_.find(key); r != refusals_.end()) {
		refusal = std::move(r->second);
		refusals_.erase(r);
	}
	setups_.failed(std::string(kPeerAuthFailed));
	if (cb_.peerAuthFailed)
		cb_.peerAuthFailed(key.first, key.second, from, refusal ? &*refusal : nullptr);
	return true;
}

void PppdLauncher::noteRefusal(Key key, const ppp::PluginAuthFailed &refused)
{
	// An LNS session's, until its failure is reported (the first one: pppd
	// refuses once and exits).
	if (lnsPeers_.contains(key) && !refusals_.contains(key))
		refusals_[key] = refused;
}

void PppdLauncher::drainStoppedReport(Key key)
{
	auto it = std::find_if(stoppedReports_.begin(), stoppedReports_.end(),
	                       [&](const auto &entry) { return entry.second.key == key; });
	if (it != stoppedReports_.end())
		onStoppedReport(it->first);
}

void PppdLauncher::onStoppedReport(int fd)
{
	ReportBuffer buf{};
	for (;;) {
		auto it = stoppedReports_.find(fd);
		if (it == stoppedReports_.end())
			return;
		size_t size = 0;
		int error = 0;
		switch (readReport(fd, buf, size, error)) {
		case ReportRead::Nothing: return;
		case ReportRead::Closed:
		case ReportRead::TooLong:
			loop_.removeFd(fd);
			stoppedReports_.erase(it);
			return;
		case ReportRead::Message: {
			// The session is gone: only the link's last statistics are
			// worth a line now.
			auto m = ppp::decodePluginMessage(std::span<const uint8_t>(buf.data(), size));
			if (m && std::holds_alternative<ppp::PluginIpDown>(*m))
				logInfo("ppp", "session {}: {}", it->second.tag, ppp::describePluginMessage(*m));
			if (const auto *refused = m ? std::get_if<ppp::PluginAuthFailed>(&*m) : nullptr)
				noteRefusal(it->second.key, *refused);
			// The client's CDN overtook pppd's failed authentication: it
			// still counts (brute-force blocking).
			if (const auto *ex = m ? std::get_if<ppp::PluginExit>(&*m) : nullptr;
			    ex && isPeerAuthFailure(ex->status))
				reportAuthFailure(it->second.key);
			break;
		}
		}
	}
}

void PppdLauncher::onMessage(Key key, LinkState &st, std::span<const uint8_t> datagram)
{
	std::string tag = sessionTag(key.first, key.second);
	auto decoded = ppp::decodePluginMessage(datagram);
	if (!decoded) {
		refuse(key, st, decoded.error().message);
		return;
	}
	const ppp::PluginMessage &m = *decoded;
	if (const auto *hello = std::get_if<ppp::PluginHello>(&m)) {
		if (st.hello)
			refuse(key, st, "the pppd plugin said hello twice");
		else if (hello->protocol != ppp::kPluginProtocol)
			refuse(key, st,
			       fmt::format("the pppd plugin {} speaks protocol version {}, this l2tpsecd speaks {}: "
			                   "install the plugin that came with this l2tpsecd",
			                   plugin_, hello->protocol, ppp::kPluginProtocol));
		else
			st.hello = true;
		logDebug("ppp", "session {}: pppd plugin {}", tag, ppp::describePluginMessage(m));
		return;
	}
	if (!st.hello) {
		refuse(key, st,
		       "the pppd plugin sent a message before its hello (" + ppp::describePluginMessage(m) + ")");
		return;
	}
	if (const auto *auth = std::get_if<ppp::PluginAuthUp>(&m)) {
		logInfo("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
		// A LAC authenticates nobody (its user is the profile's).
		if (st.lns && !st.authenticated) {
			st.authenticated = true;
			if (cb_.authenticated)
				cb_.authenticated(key.first, key.second, auth->peerName);
		}
	} else if (const auto *up = std::get_if<ppp::PluginIpUp>(&m)) {
		logInfo("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
		if (!st.linkUp) {
			st.linkUp = true;
			setups_.setups++;
		}
		// The client's end: the peer's as LNS, ours as LAC.
		if (cb_.linkUp)
			cb_.linkUp(key.first, key.second, (st.lns ? up->link.peer : up->link.local).str(),
			           up->link.interface);
	} else if (const auto *options = std::get_if<ppp::PluginPeerOptions>(&m)) {
		logDebug("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
		// A LAC's peer is the server: not a client to fingerprint.
		if (st.lns && cb_.peerOptions)
			cb_.peerOptions(key.first, key.second, *options);
	} else if (const auto *radius = std::get_if<ppp::PluginRadiusRoutes>(&m)) {
		if (st.lns)
			onRadiusRoutes(key, *radius);
	} else if (const auto *refused = std::get_if<ppp::PluginAuthFailed>(&m)) {
		logInfo("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
		noteRefusal(key, *refused);
	} else if (std::holds_alternative<ppp::PluginIpDown>(m)) {
		logInfo("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
	} else if (const auto *ex = std::get_if<ppp::PluginExit>(&m)) {
		logDebug("ppp", "session {}: {}", tag, ppp::describePluginMessage(m));
		st.exitStatus = ex->status;
	}
}

void PppdLauncher::onRadiusRoutes(Key key, const ppp::PluginRadiusRoutes &radius)
{
	std::string tag = sessionTag(key.first, key.second);
	std::vector<IpPrefix> routes;
	std::string shown;
	for (const std::string &value : radius.routes) {
		auto subnet = ppp::framedRouteSubnet(value);
		if (!subnet) {
			logWarn("ppp", "session {}: {}; skipped", tag, subnet.error().message);
			continue;
		}
		if (std::find(routes.begin(), routes.end(), *subnet) != routes.end())
			continue;
		routes.push_back(*subnet);
		shown += (shown.empty() ? "" : ", ") + subnet->str();
	}
	if (!routes.empty())
		logInfo("ppp", "session {}: RADIUS Framed-Route subnets for the client: {}", tag, shown);
	if (cb_.radiusRoutes)
		cb_.radiusRoutes(key.first, key.second, routes);
}

void PppdLauncher::refuse(Key key, LinkState &st, const std::string &why)
{
	if (!st.refused.empty())
		return;
	st.refused = why;
	closeReport(st);
	logError("ppp", "session {}: {}; session refused", sessionTag(key.first, key.second), why);
	if (auto it = children_.find(key); it != children_.end())
		it->second->stop(kStopGrace); // onExit reports it ended, and why
}

void PppdLauncher::onExit(Key key, int waitStatus)
{
	// What the plugin sent before pppd exited is all queued by now: read it
	// first, so that a link that came up is reported before it ends.
	if (children_.contains(key))
		onReport(key);
	else
		drainStoppedReport(key); // (its refusal, before we report the failure)
	ppp::PppdExit e = ppp::describePppdExit(waitStatus);
	exits_[e.reason]++;
	// pppd's exit status, or the one its plugin reported before a signal
	// ended it.
	bool authFailed = e.reason == kPeerAuthFailed;
	if (auto link = links_.find(key); link != links_.end() && link->second.exitStatus)
		authFailed = authFailed || isPeerAuthFailure(*link->second.exitStatus);
	bool counted = authFailed && reportAuthFailure(key);
	lnsPeers_.erase(key);
	refusals_.erase(key);
	auto it = children_.find(key);
	if (it == children_.end()) {
		// One we stopped (perhaps just now, from a callback of its last
		// reports): drop it now that it is reaped. (Deferred: this runs
		// inside that ChildProcess's own callback.)
		loop_.addTimer(std::chrono::milliseconds(0),
		               [this] { std::erase_if(stopping_, [](const auto &c) { return !c->running(); }); });
		return;
	}
	LinkState st;
	if (auto link = links_.find(key); link != links_.end()) {
		closeReport(link->second);
		st = std::move(link->second);
		links_.erase(link);
	}
	// Ended by itself (not stopped by us) before its link came up.
	if (!st.linkUp && !counted)
		setups_.failed(st.refused.empty() ? e.reason : "plugin-refused");
	std::string reason = e.text;
	if (!st.refused.empty())
		reason = st.refused + " (" + e.text + ")";
	else if (e.signal != 0 && st.exitStatus)
		// Killed while it was exiting (our SIGKILL after the grace period):
		// why pppd was ending is what its plugin reported.
		reason = ppp::describePppdExit(W_EXITCODE(*st.exitStatus, 0)).text + ", then " + e.text;
	logInfo("ppp", "session {}: {}", sessionTag(key.first, key.second), reason);
	// Killed while exiting (our SIGKILL): the status its plugin reported.
	int exitCode = e.signal != 0 && st.exitStatus ? *st.exitStatus : e.exitCode;
	l2tp::EndCause cause = st.refused.empty() ? pppdEndCause(exitCode) : l2tp::EndCause::Error;
	// Keep the object alive until this callback has returned.
	std::shared_ptr<ppp::ChildProcess> dying(std::move(it->second));
	children_.erase(it);
	loop_.addTimer(std::chrono::milliseconds(0), [dying] {});
	if (cb_.ended)
		cb_.ended(key.first, key.second, reason, cause);
}

std::optional<pid_t> PppdLauncher::pid(uint16_t tunnelId, uint16_t sessionId) const
{
	auto it = children_.find({tunnelId, sessionId});
	if (it == children_.end())
		return std::nullopt;
	return it->second->pid();
}

} // namespace l2tpsec
