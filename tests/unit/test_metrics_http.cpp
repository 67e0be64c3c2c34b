// [metrics] listen's HTTP server (daemon/metrics_http.h): the answers, and
// that no client can make it block or grow.

#include "daemon/metrics_http.h"

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

using namespace l2tpsec;

namespace {

const auto kText = [] { return std::string("l2tpsec_sessions 3\n"); };

std::string answer(std::string_view head)
{
	return metricsHttpResponse(head, kText);
}

std::string statusLine(const std::string &response)
{
	return response.substr(0, response.find("\r\n"));
}

} // namespace

TEST_CASE("GET /metrics answers 200 with the text exposition")
{
	std::string r = answer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(statusLine(r) == "HTTP/1.1 200 OK");
	CHECK(r.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos);
	CHECK(r.find("\r\nContent-Length: 19\r\n") != std::string::npos);
	CHECK(r.find("\r\nConnection: close\r\n") != std::string::npos);
	CHECK(r.ends_with("\r\n\r\nl2tpsec_sessions 3\n"));
	// A query string is ignored; HTTP/1.0 and bare LF are fine.
	CHECK(statusLine(answer("GET /metrics?x=1 HTTP/1.0\n\n")) == "HTTP/1.1 200 OK");
	// HEAD: the headers only.
	r = answer("HEAD /metrics HTTP/1.1\r\n\r\n");
	CHECK(statusLine(r) == "HTTP/1.1 200 OK");
	CHECK(r.ends_with("\r\n\r\n"));
	CHECK(r.find("\r\nContent-Length: 19\r\n") != std::string::npos);
}

TEST_CASE("anything else is 400, 404 or 405, and never asks for the metrics")
{
	bool asked = false;
	auto source = [&] {
		asked = true;
		return std::string();
	};
	CHECK(statusLine(metricsHttpResponse("GET / HTTP/1.1\r\n\r\n", source)) == "HTTP/1.1 404 Not Found");
	CHECK(statusLine(metricsHttpResponse("GET /metricsx HTTP/1.1\r\n\r\n", source)) == "HTTP/1.1 404 Not Found");
	std::string r = metricsHttpResponse("POST /metrics HTTP/1.1\r\n\r\n", source);
	CHECK(statusLine(r) == "HTTP/1.1 405 Method Not Allowed");
	CHECK(r.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
	for (const char *bad : {"garbage\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
	                        "GET /metrics HTTP/2.0\r\n\r\n", "GET /metrics HTTP/1.1 x\r\n\r\n", "\r\n\r\n",
	                        "\x16\x03\x01\x02\x00\x01\n\n"}) {
		CAPTURE(bad);
		CHECK(statusLine(metricsHttpResponse(bad, source)) == "HTTP/1.1 400 Bad Request");
	}
	CHECK(!asked);
}

namespace {

struct Lab {
	std::unique_ptr<EventLoop> loop = EventLoop::create().value();
	std::unique_ptr<MetricsHttpServer> server;
	uint16_t port = 0;

	Lab()
	{
		// A free port: bind port 0, read it, let it go.
		int probe = socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		REQUIRE(bind(probe, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0);
		socklen_t len = sizeof sa;
		getsockname(probe, reinterpret_cast<sockaddr *>(&sa), &len);
		port = ntohs(sa.sin_port);
		close(probe);
		auto s = MetricsHttpServer::listen(*loop, ListenAddress{*IpAddress::parse("127.0.0.1"), port}, kText);
		REQUIRE(s);
		server = std::move(*s);
	}

	int connectClient() const
	{
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0);
		return fd;
	}

	void turn(int rounds = 5)
	{
		for (int i = 0; i < rounds; i++)
			REQUIRE(loop->runOnce(std::chrono::milliseconds(20)));
	}

	// Everything the server sends until it closes (non-blocking reads between turns).
	std::string readAll(int fd)
	{
		std::string all;
		for (int i = 0; i < 200; i++) {
			turn(1);
			char buf[4096];
			ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
			if (n > 0)
				all.append(buf, static_cast<size_t>(n));
			else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				break;
		}
		return all;
	}
};

void sendAll(int fd, const std::string &s)
{
	REQUIRE(send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
}

} // namespace

TEST_CASE("the server answers a scrape and closes the connection")
{
	Lab lab;
	int fd = lab.connectClient();
	sendAll(fd, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
	std::string r = lab.readAll(fd);
	CHECK(statusLine(r) == "HTTP/1.1 200 OK");
	CHECK(r.ends_with("l2tpsec_sessions 3\n"));
	close(fd);
	lab.turn();
	CHECK(lab.server->clientCount() == 0);
}

TEST_CASE("a request head over 8 KiB gets 431; the server still answers")
{
	Lab lab;
	int fd = lab.connectClient();
	sendAll(fd, "GET /metrics HTTP/1.1\r\nX: " + std::string(MetricsHttpServer::kMaxRequestBytes, 'a'));
	CHECK(statusLine(lab.readAll(fd)) == "HTTP/1.1 431 Request Header Fields Too Large");
	close(fd);
	fd = lab.connectClient();
	sendAll(fd, "GET /metrics HTTP/1.1\r\n\r\n");
	CHECK(statusLine(lab.readAll(fd)) == "HTTP/1.1 200 OK");
	close(fd);
}

TEST_CASE("silent connections are bounded in number and closed after the timeout")
{
	Lab lab;
	std::vector<int> idle;
	for (size_t i = 0; i < MetricsHttpServer::kMaxClients + 4; i++) {
		idle.push_back(lab.connectClient());
		lab.turn(1); // accepted now: the listen backlog stays short
	}
	CHECK(lab.server->clientCount() == MetricsHttpServer::kMaxClients);
	// Past the timeout every one is gone, and a new client is served.
	auto until = std::chrono::steady_clock::now() + MetricsHttpServer::kTimeout + std::chrono::milliseconds(500);
	while (lab.server->clientCount() > 0 && std::chrono::steady_clock::now() < until)
		lab.turn(1);
	CHECK(lab.server->clientCount() == 0);
	for (int fd : idle)
		close(fd);
	int fd = lab.connectClient();
	sendAll(fd, "GET /metrics HTTP/1.0\r\n\r\n");
	CHECK(statusLine(lab.readAll(fd)) == "HTTP/1.1 200 OK");
	close(fd);
}
