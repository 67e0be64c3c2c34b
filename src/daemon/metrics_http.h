#pragma once
// MetricsHttpServer: [metrics] listen, Prometheus' scrape endpoint. A
// minimal HTTP/1.x server on the daemon's event loop, for one purpose: GET
// /metrics answers 200 with the text exposition (metrics_text.h), anything
// else 400, 404 or 405, and the connection closes after each answer.
//
// Whatever a client sends, the daemon neither blocks nor grows: sockets are
// non-blocking, a request head over kMaxRequestBytes gets 431, a connection
// that has not been answered and written within kTimeout is closed, and
// beyond kMaxClients connections a new one is closed at once.

#include "common/event_loop.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "config/config.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace l2tpsec {

/// The whole HTTP response to one request head (the request line and the
/// header lines, up to the empty line): pure but for calling `metrics`,
/// which it does only for GET (or HEAD) /metrics.
std::string metricsHttpResponse(std::string_view head, const std::function<std::string()> &metrics);

class MetricsHttpServer {
public:
	using Source = std::function<std::string()>;

	static Result<std::unique_ptr<MetricsHttpServer>> listen(EventLoop &loop, const ListenAddress &at,
	                                                         Source source);
	~MetricsHttpServer();
	MetricsHttpServer(const MetricsHttpServer &) = delete;
	MetricsHttpServer &operator=(const MetricsHttpServer &) = delete;

	const ListenAddress &address() const { return at_; }
	size_t clientCount() const { return clients_.size(); }

	static constexpr size_t kMaxRequestBytes = 8 * 1024;
	static constexpr size_t kMaxClients = 16;
	static constexpr std::chrono::milliseconds kTimeout{5000};

private:
	struct Client {
		UniqueFd fd;
		std::string in;
		std::string out;
		bool answered = false;
		EventLoop::TimerId timer = 0;
	};
	MetricsHttpServer(EventLoop &loop, ListenAddress at, UniqueFd fd, Source source);
	void acceptClients();
	void onClient(int fd, uint32_t events);
	void answer(Client &c, std::string response);
	void flush(int fd, Client &c);
	void drain(int fd);
	void drop(int fd);

	EventLoop &loop_;
	ListenAddress at_;
	UniqueFd listenFd_;
	Source source_;
	std::map<int, std::unique_ptr<Client>> clients_;
};

} // namespace l2tpsec
