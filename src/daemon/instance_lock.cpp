#include "daemon/instance_lock.h"

#include "common/log.h"

#include <nlohmann/json.hpp>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace l2tpsec {

namespace {

struct AbstractAddress {
	sockaddr_un addr{};
	socklen_t len = 0;
};

AbstractAddress abstractAddress(const std::string &name)
{
	AbstractAddress a;
	a.addr.sun_family = AF_UNIX;
	// sun_path[0] stays NUL: the abstract namespace. The name is not
	// NUL-terminated there; its length is part of the address.
	size_t n = std::min(name.size(), sizeof(a.addr.sun_path) - 1);
	std::memcpy(a.addr.sun_path + 1, name.data(), n);
	a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
	return a;
}

// Who holds the name: the pid from the kernel, the control socket from the
// holder's answer (a holder too busy to answer within half a second is
// still named by its pid).
std::string describeHolder(const AbstractAddress &a)
{
	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&a.addr), a.len) < 0)
		return "pid unknown";
	std::string pid = "unknown";
	ucred cred{};
	socklen_t credLen = sizeof cred;
	if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &credLen) == 0 && cred.pid > 0)
		pid = std::to_string(cred.pid);
	timeval timeout{0, 500000};
	::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	std::string line;
	char buf[512];
	while (line.find('\n') == std::string::npos && line.size() < 4096) {
		ssize_t n = ::read(fd.get(), buf, sizeof buf);
		if (n <= 0)
			break;
		line.append(buf, static_cast<size_t>(n));
	}
	std::string socket = "unknown";
	auto j = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
	if (j.is_object() && j.contains("control_socket") && j["control_socket"].is_string())
		socket = j["control_socket"].get<std::string>();
	return "pid " + pid + ", control socket " + socket;
}

} // namespace

InstanceLock::InstanceLock(EventLoop &loop, UniqueFd fd, std::string controlSocket)
    : loop_(loop), fd_(std::move(fd)), controlSocket_(std::move(controlSocket))
{
}

InstanceLock::~InstanceLock()
{
	loop_.removeFd(fd_.get());
}

Result<std::unique_ptr<InstanceLock>> InstanceLock::acquire(EventLoop &loop, const std::string &controlSocket,
                                                            const std::string &name)
{
	AbstractAddress a = abstractAddress(name);
	// CLOEXEC: a pppd must not inherit the lock and keep it after we die.
	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError("instance lock: socket(AF_UNIX)");
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&a.addr), a.len) < 0) {
		if (errno != EADDRINUSE)
			return sysError("instance lock @" + name);
		return Error{EADDRINUSE,
		             "another l2tpsecd is running in this network namespace (" + describeHolder(a) + ")"};
	}
	if (::listen(fd.get(), 8) < 0)
		return sysError("instance lock @" + name + ": listen");
	std::unique_ptr<InstanceLock> lock(new InstanceLock(loop, std::move(fd), controlSocket));
	InstanceLock *self = lock.get();
	L2S_TRY(loop.addFd(lock->fd_.get(), EPOLLIN, [self](uint32_t) { self->answer(); }));
	return lock;
}

void InstanceLock::answer()
{
	for (;;) {
		UniqueFd client(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
		if (!client)
			return;
		// One short line into an empty socket buffer: never blocks.
		std::string line =
		        nlohmann::json{{"pid", ::getpid()}, {"control_socket", controlSocket_}}.dump() + "\n";
		if (::write(client.get(), line.data(), line.size()) < 0)
			logDebug("daemon", "instance lock: answering a second daemon: {}", std::strerror(errno));
	}
}

} // namespace l2tpsec
