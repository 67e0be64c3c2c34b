#include "daemon/metrics_http.h"

#include "common/log.h"

#include <fmt/format.h>

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace l2tpsec {

namespace {

constexpr std::string_view kMetricsLog = "metrics";

std::string httpReply(int status, std::string_view reason, std::string_view contentType, const std::string &body,
                      bool withBody, std::string_view extraHeaders = {})
{
	return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
	                   status, reason, contentType, body.size(), extraHeaders, withBody ? body : std::string());
}

std::string httpError(int status, std::string_view reason, std::string_view extraHeaders = {})
{
	return httpReply(status, reason, "text/plain; charset=utf-8", std::string(reason) + "\n", true, extraHeaders);
}

// Where the request head ends (after its empty line), or npos. Bare LF
// line ends are accepted too (RFC 9112 §2.2).
size_t headEnd(std::string_view in)
{
	size_t crlf = in.find("\r\n\r\n");
	size_t lf = in.find("\n\n");
	if (crlf == std::string_view::npos && lf == std::string_view::npos)
		return std::string_view::npos;
	return std::min(crlf == std::string_view::npos ? crlf : crlf + 4, lf == std::string_view::npos ? lf : lf + 2);
}

} // namespace

std::string metricsHttpResponse(std::string_view head, const std::function<std::string()> &metrics)
{
	std::string_view line = head.substr(0, head.find('\n'));
	if (line.ends_with('\r'))
		line.remove_suffix(1);
	// "METHOD SP TARGET SP HTTP/1.x", nothing else (RFC 9112 §3).
	size_t sp1 = line.find(' ');
	size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
	if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
		return httpError(400, "Bad Request");
	std::string_view method = line.substr(0, sp1);
	std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
	std::string_view version = line.substr(sp2 + 1);
	if (version != "HTTP/1.0" && version != "HTTP/1.1")
		return httpError(400, "Bad Request");
	std::string_view path = target.substr(0, target.find('?'));
	if (path != "/metrics")
		return httpError(404, "Not Found");
	if (method != "GET" && method != "HEAD")
		return httpError(405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
	return httpReply(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics(), method == "GET");
}

MetricsHttpServer::MetricsHttpServer(EventLoop &loop, ListenAddress at, UniqueFd fd, Source source)
    : loop_(loop), at_(std::move(at)), listenFd_(std::move(fd)), source_(std::move(source))
{
}

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::listen(EventLoop &loop, const ListenAddress &at,
                                                                     Source source)
{
	sockaddr_storage ss{};
	socklen_t len = 0;
	if (at.address.isV4()) {
		auto &sa = reinterpret_cast<sockaddr_in &>(ss);
		sa.sin_family = AF_INET;
		sa.sin_port = htons(at.port);
		std::memcpy(&sa.sin_addr, at.address.bytes().data(), 4);
		len = sizeof(sockaddr_in);
	} else {
		auto &sa = reinterpret_cast<sockaddr_in6 &>(ss);
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons(at.port);
		std::memcpy(&sa.sin6_addr, at.address.bytes().data(), 16);
		len = sizeof(sockaddr_in6);
	}
	std::string what = "[metrics] listen " + at.str();
	UniqueFd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		return sysError(what + ": socket");
	int one = 1;
	(void)setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!at.address.isV4())
		(void)setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd.get(), reinterpret_cast<const sockaddr *>(&ss), len) < 0)
		return sysError(what + ": bind");
	if (::listen(fd.get(), 16) < 0)
		return sysError(what + ": listen");
	std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer(loop, at, std::move(fd), std::move(source)));
	MetricsHttpServer *s = server.get();
	L2S_TRY(loop.addFd(s->listenFd_.get(), EPOLLIN, [s](uint32_t) { s->acceptClients(); }));
	logInfo(kMetricsLog, "serving Prometheus metrics on http://{}/metrics", at.str());
	return server;
}

MetricsHttpServer::~MetricsHttpServer()
{
	for (auto &[fd, c] : clients_) {
		loop_.cancelTimer(c->timer);
		loop_.removeFd(fd);
	}
	if (listenFd_)
		loop_.removeFd(listenFd_.get());
}

void MetricsHttpServer::acceptClients()
{
	while (true) {
		UniqueFd fd(accept4(listenFd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
		if (!fd) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				logWarn(kMetricsLog, "accept on {}: {}", at_.str(), std::strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (clients_.size() >= kMaxClients) {
			logDebug(kMetricsLog, "closing a connection: {} are open already", kMaxClients);
			continue;
		}
		int raw = fd.get();
		if (auto r = loop_.addFd(raw, EPOLLIN, [this, raw](uint32_t ev) { onClient(raw, ev); }); !r) {
			logWarn(kMetricsLog, "{}", r.error().message);
			continue;
		}
		auto c = std::make_unique<Client>();
		c->fd = std::move(fd);
		// However slowly it sends or reads: closed after kTimeout.
		c->timer = loop_.addTimer(kTimeout, [this, raw] {
			if (auto it = clients_.find(raw); it != clients_.end()) {
				it->second->timer = 0;
				logDebug(kMetricsLog, "closing a connection: nothing answered within {} ms",
				         kTimeout.count());
				drop(raw);
			}
		});
		clients_[raw] = std::move(c);
	}
}

void MetricsHttpServer::onClient(int fd, uint32_t events)
{
	auto it = clients_.find(fd);
	if (it == clients_.end())
		return;
	Client &c = *it->second;
	if (c.answered) {
		if (events & (EPOLLHUP | EPOLLERR))
			return drop(fd);
		if (!c.out.empty())
			return flush(fd, c);
		return drain(fd);
	}
	char buf[4096];
	while (!c.answered) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return drop(fd);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		c.in.append(buf, static_cast<size_t>(n));
		// (An incomplete head ends at npos, beyond any limit.)
		if (size_t end = headEnd(c.in); end <= kMaxRequestBytes)
			answer(c, metricsHttpResponse(std::string_view(c.in).substr(0, end), source_));
		else if (c.in.size() > kMaxRequestBytes)
			answer(c, httpError(431, "Request Header Fields Too Large"));
	}
	c.in.clear();
	flush(fd, c);
}

void MetricsHttpServer::answer(Client &c, std::string response)
{
	c.answered = true;
	c.out = std::move(response);
}

void MetricsHttpServer::flush(int fd, Client &c)
{
	while (!c.out.empty()) {
		ssize_t n = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				(void)loop_.modifyFd(fd, EPOLLOUT);
				return;
			}
			return drop(fd);
		}
		c.out.erase(0, static_cast<size_t>(n));
	}
	// All written: the answer ends the connection (Connection: close). Our
	// FIN first, then what the client still sends is read and dropped until
	// it closes: closing with unread input would send a RST, which can
	// destroy the answer before the client has read it.
	(void)shutdown(fd, SHUT_WR);
	(void)loop_.modifyFd(fd, EPOLLIN);
	drain(fd);
}

void MetricsHttpServer::drain(int fd)
{
	// A bounded share per wake-up: a client that never stops sending gets
	// the loop's next turn, and the timeout, not all of it.
	char buf[4096];
	for (int i = 0; i < 16; i++) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		return drop(fd);
	}
}

void MetricsHttpServer::drop(int fd)
{
	auto it = clients_.find(fd);
	if (it == clients_.end())
		return;
	if (it->second->timer != 0)
		loop_.cancelTimer(it->second->timer);
	loop_.removeFd(fd);
	clients_.erase(it);
}

} // namespace l2tpsec
