#include "control/control_server.h"

#include "common/log.h"
#include "l2tpsec/control.h"

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>

namespace l2tpsec {

using nlohmann::json;

namespace {

/// An answer this long (a listing of hundreds of sessions) is followed by
/// a trim of the heap once it is sent.
constexpr size_t kTrimAfterBytes = 256 * 1024;

Result<sockaddr_un> unixAddress(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.size() >= sizeof(addr.sun_path))
		return Error{ENAMETOOLONG, "control socket path '" + path + "' is too long"};
	std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
	return addr;
}

Result<void> makeParentDir(const std::string &path)
{
	auto slash = path.rfind('/');
	if (slash == std::string::npos || slash == 0)
		return {};
	std::string dir = path.substr(0, slash);
	if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
		return sysError("control socket directory '" + dir + "'");
	return {};
}

// A socket file that nobody accepts on is left over from a daemon that died.
Result<void> removeStaleSocket(const std::string &path, const sockaddr_un &addr)
{
	struct stat st {};
	if (lstat(path.c_str(), &st) < 0)
		return {};
	if (!S_ISSOCK(st.st_mode))
		return Error{EEXIST, "control socket path '" + path + "' exists and is not a socket"};
	UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!probe)
		return sysError("socket(AF_UNIX)");
	if (connect(probe.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof(addr)) == 0)
		return Error{EADDRINUSE, "another l2tpsecd is already listening on '" + path + "'"};
	if (unlink(path.c_str()) < 0)
		return sysError("removing stale control socket '" + path + "'");
	logInfo("control", "removed stale control socket {}", path);
	return {};
}

} // namespace

ControlServer::ControlServer(EventLoop &loop, std::string path, UniqueFd fd)
    : loop_(loop), path_(std::move(path)), listenFd_(std::move(fd))
{
}

Result<std::unique_ptr<ControlServer>> ControlServer::listen(EventLoop &loop, const std::string &path)
{
	L2S_TRY_ASSIGN(auto addr, unixAddress(path));
	L2S_TRY(makeParentDir(path));
	L2S_TRY(removeStaleSocket(path, addr));
	UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError("socket(AF_UNIX)");
	// The socket is created 0600 (umask), so there is no window in which
	// another user could connect; the chmod makes it independent of umask.
	mode_t old = umask(0177);
	int rc = bind(fd.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof(addr));
	int err = errno;
	umask(old);
	if (rc < 0)
		return errnoError(err, "bind control socket '" + path + "'");
	chmod(path.c_str(), 0600);
	if (::listen(fd.get(), 16) < 0)
		return sysError("listen on control socket '" + path + "'");
	std::unique_ptr<ControlServer> server(new ControlServer(loop, path, std::move(fd)));
	ControlServer *s = server.get();
	L2S_TRY(loop.addFd(s->listenFd_.get(), EPOLLIN, [s](uint32_t) { s->acceptClients(); }));
	return server;
}

ControlServer::~ControlServer()
{
	for (auto &[fd, c] : clients_)
		loop_.removeFd(fd);
	if (listenFd_) {
		loop_.removeFd(listenFd_.get());
		unlink(path_.c_str());
	}
}

void ControlServer::handle(const std::string &cmd, Handler handler)
{
	handlers_[cmd] = std::move(handler);
}

std::string ControlServer::respond(std::string_view requestLine)
{
	json reply;
	json request = json::parse(requestLine, nullptr, false);
	if (request.is_discarded() || !request.is_object()) {
		reply = {{"ok", false}, {"error", "request is not a JSON object"}};
	} else if (!request.contains("cmd") || !request["cmd"].is_string()) {
		reply = {{"ok", false}, {"error", "request has no \"cmd\" string"}};
	} else {
		std::string cmd = request["cmd"].get<std::string>();
		auto it = handlers_.find(cmd);
		if (it == handlers_.end()) {
			reply = {{"ok", false}, {"error", "unknown command '" + cmd + "'"}};
		} else {
			// nlohmann::json throws on type mismatches inside handlers;
			// a bad request must cost one error reply, never the daemon.
			try {
				Result<json> r = it->second(request);
				if (r)
					reply = {{"ok", true}, {"data", std::move(*r)}};
				else
					reply = {{"ok", false}, {"error", r.error().message}};
			} catch (const json::exception &e) {
				reply = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
			}
		}
	}
	// Invalid UTF-8 from a handler's strings is replaced, not thrown.
	return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

void ControlServer::acceptClients()
{
	while (true) {
		UniqueFd fd(accept4(listenFd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
		if (!fd) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				logWarn("control", "accept on {}: {}", path_, std::strerror(errno));
			return;
		}
		if (clients_.size() >= kMaxClients) {
			logWarn("control", "refusing a control client: {} are connected already", kMaxClients);
			continue;
		}
		int raw = fd.get();
		auto r = loop_.addFd(raw, EPOLLIN, [this, raw](uint32_t ev) { onClient(raw, ev); });
		if (!r) {
			logWarn("control", "{}", r.error().message);
			continue;
		}
		auto c = std::make_unique<Client>();
		c->fd = std::move(fd);
		clients_[raw] = std::move(c);
	}
}

void ControlServer::onClient(int fd, uint32_t events)
{
	auto it = clients_.find(fd);
	if (it == clients_.end())
		return;
	Client &c = *it->second;
	if (events & EPOLLOUT) {
		flush(c);
		if (!clients_.count(fd))
			return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	char buf[4096];
	while (!c.peerClosed) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0) {
			// A client that sends its requests and shuts down its side
			// (`printf ... | socat`) still gets every answer; an
			// unfinished last line is no request.
			c.peerClosed = true;
			break;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			drop(fd);
			return;
		}
		if (n < 0)
			break;
		c.in.append(buf, static_cast<size_t>(n));
		size_t nl;
		while ((nl = c.in.find('\n')) != std::string::npos) {
			std::string line = c.in.substr(0, nl);
			c.in.erase(0, nl + 1);
			c.out += respond(line);
			c.bigReply = c.bigReply || c.out.size() >= kTrimAfterBytes;
		}
		if (c.in.size() > control::kMaxRequestBytes) {
			logWarn("control", "dropping a control client: request longer than {} bytes",
			        control::kMaxRequestBytes);
			drop(fd);
			return;
		}
	}
	flush(c);
}

void ControlServer::flush(Client &c)
{
	int fd = c.fd.get();
	while (!c.out.empty()) {
		ssize_t n = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				// (After the client's EOF, EPOLLIN would report it again
				// and again: only EPOLLOUT then.)
				(void)loop_.modifyFd(fd, c.peerClosed ? EPOLLOUT : EPOLLIN | EPOLLOUT);
				return;
			}
			if (errno == EINTR)
				continue;
			drop(fd);
			return;
		}
		c.out.erase(0, static_cast<size_t>(n));
	}
	if (c.bigReply) {
		// `sessions --json` with hundreds of sessions builds a JSON tree of
		// several MiB among the long-lived state; freed, it stayed in the
		// RSS (2.1 MiB after three listings of 200 sessions in the lab),
		// since glibc trims only the heap's top on its own.
		c.bigReply = false;
		malloc_trim(0);
	}
	if (c.peerClosed) {
		drop(fd);
		return;
	}
	(void)loop_.modifyFd(fd, EPOLLIN);
}

void ControlServer::drop(int fd)
{
	loop_.removeFd(fd);
	clients_.erase(fd);
}

} // namespace l2tpsec
