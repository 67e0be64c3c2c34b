#include "control/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace l2tpsec {

Result<ControlClient> ControlClient::connect(const std::string &path, std::chrono::milliseconds timeout)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.size() >= sizeof(addr.sun_path))
		return Error{Unreachable, "control socket path '" + path + "' is too long"};
	std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
	UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return Error{Unreachable, std::string("socket: ") + std::strerror(errno)};
	if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
		int err = errno;
		return Error{Unreachable,
		             "cannot connect to l2tpsecd at " + path + ": " + std::strerror(err) +
		                     (err == ENOENT || err == ECONNREFUSED ? " (is l2tpsecd running?)" : "")};
	}
	return ControlClient(std::move(fd), path, timeout);
}

Result<nlohmann::json> ControlClient::request(const nlohmann::json &req)
{
	auto deadline = std::chrono::steady_clock::now() + timeout_;
	auto remainingMs = [&] {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
		                                                                  std::chrono::steady_clock::now());
		return static_cast<int>(std::max<int64_t>(0, left.count()));
	};
	std::string line = req.dump() + "\n";
	size_t sent = 0;
	while (sent < line.size()) {
		ssize_t n = send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return Error{Protocol, "sending to l2tpsecd at " + path_ + ": " + std::strerror(errno)};
		}
		sent += static_cast<size_t>(n);
	}
	size_t nl;
	while ((nl = buffered_.find('\n')) == std::string::npos) {
		pollfd p{fd_.get(), POLLIN, 0};
		int pr = poll(&p, 1, remainingMs());
		if (pr == 0)
			return Error{Timeout, "l2tpsecd at " + path_ + " did not answer within " +
			                              std::to_string(timeout_.count()) + " ms"};
		if (pr < 0 && errno == EINTR)
			continue;
		char buf[65536];
		ssize_t n = recv(fd_.get(), buf, sizeof(buf), 0);
		if (n == 0)
			return Error{Protocol, "l2tpsecd at " + path_ + " closed the connection"};
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return Error{Protocol, "reading from l2tpsecd at " + path_ + ": " + std::strerror(errno)};
		}
		buffered_.append(buf, static_cast<size_t>(n));
	}
	std::string reply = buffered_.substr(0, nl);
	buffered_.erase(0, nl + 1);
	nlohmann::json j = nlohmann::json::parse(reply, nullptr, false);
	if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean())
		return Error{Protocol, "l2tpsecd at " + path_ + " sent a malformed reply"};
	return j;
}

} // namespace l2tpsec
