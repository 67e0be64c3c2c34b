// The control protocol over a real UNIX socket: framing, errors, limits.

#include "control/control_client.h"
#include "control/control_server.h"

#include <doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

using namespace l2tpsec;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Fixture {
	std::string dir;
	std::string path;
	std::unique_ptr<EventLoop> loop;
	std::unique_ptr<ControlServer> server;

	Fixture()
	{
		char tmpl[] = "/tmp/l2tpsec-ctl-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		dir = tmpl;
		path = dir + "/sub/control";
		auto l = EventLoop::create();
		REQUIRE(l);
		loop = std::move(*l);
		auto s = ControlServer::listen(*loop, path);
		REQUIRE(s);
		server = std::move(*s);
		server->handle("echo", [](const json &req) -> Result<json> { return json{{"got", req}}; });
		server->handle("fail", [](const json &) -> Result<json> { return Error{EINVAL, "it failed"}; });
		server->handle("typed", [](const json &req) -> Result<json> {
			return json{{"n", req.at("n").get<int>() + 1}};
		});
	}
	~Fixture()
	{
		server.reset();
		std::error_code ignoredError;
		std::filesystem::remove_all(dir, ignoredError);
	}

	// Runs the client on a thread while the loop serves it.
	template <typename F>
	void withClient(F body)
	{
		std::atomic<bool> done{false};
		std::thread t([&] {
			body();
			done = true;
		});
		auto giveUp = std::chrono::steady_clock::now() + 10s;
		while (!done && std::chrono::steady_clock::now() < giveUp)
			REQUIRE(loop->runOnce(20ms));
		t.join();
	}
};

} // namespace

TEST_CASE("respond() turns every kind of bad request into one error line")
{
	Fixture f;
	CHECK(f.server->respond("not json") == "{\"error\":\"request is not a JSON object\",\"ok\":false}\n");
	CHECK(f.server->respond("[1,2]") == "{\"error\":\"request is not a JSON object\",\"ok\":false}\n");
	CHECK(f.server->respond("{\"cmd\":5}") == "{\"error\":\"request has no \\\"cmd\\\" string\",\"ok\":false}\n");
	CHECK(f.server->respond("{\"cmd\":\"nope\"}") == "{\"error\":\"unknown command 'nope'\",\"ok\":false}\n");
	CHECK(f.server->respond("{\"cmd\":\"fail\"}") == "{\"error\":\"it failed\",\"ok\":false}\n");
	CHECK(f.server->respond("{\"cmd\":\"typed\",\"n\":1}") == "{\"data\":{\"n\":2},\"ok\":true}\n");
	// A handler's type error is the client's problem, not a crash.
	std::string r = f.server->respond("{\"cmd\":\"typed\",\"n\":\"x\"}");
	CHECK(r.rfind("{\"error\":\"bad request: ", 0) == 0);
}

TEST_CASE("socket file is created 0600 and removed on shutdown")
{
	Fixture f;
	struct stat st {};
	REQUIRE(stat(f.path.c_str(), &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600);
	f.server.reset();
	CHECK(stat(f.path.c_str(), &st) < 0);
}

TEST_CASE("client and server exchange several requests on one connection")
{
	Fixture f;
	f.withClient([&] {
		auto c = ControlClient::connect(f.path, 5s);
		REQUIRE(c);
		auto r1 = c->request({{"cmd", "echo"}, {"x", 1}});
		REQUIRE(r1);
		CHECK((*r1)["ok"] == true);
		CHECK((*r1)["data"]["got"]["x"] == 1);
		auto r2 = c->request({{"cmd", "fail"}});
		REQUIRE(r2);
		CHECK((*r2)["ok"] == false);
		CHECK((*r2)["error"] == "it failed");
	});
}

TEST_CASE("a client that shuts down its side after its requests gets every answer, then EOF")
{
	// `printf '...\n...\n' | socat - UNIX-CONNECT:...`: the requests and the
	// EOF often reach the daemon in one read.
	Fixture f;
	std::string got;
	f.withClient([&] {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		REQUIRE(f.path.size() < sizeof addr.sun_path);
		std::memcpy(addr.sun_path, f.path.c_str(), f.path.size() + 1);
		REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
		std::string req = "{\"cmd\":\"echo\",\"x\":1}\n{\"cmd\":\"fail\"}\n{\"cmd\":\"echo\",\"x\":";
		REQUIRE(send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
		REQUIRE(shutdown(fd, SHUT_WR) == 0);
		char buf[512];
		ssize_t n;
		while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
			got.append(buf, static_cast<size_t>(n));
		CHECK(n == 0);
		close(fd);
	});
	// Two answers; the unfinished third line is no request.
	CHECK(got == "{\"data\":{\"got\":{\"cmd\":\"echo\",\"x\":1}},\"ok\":true}\n"
	             "{\"error\":\"it failed\",\"ok\":false}\n");
	CHECK(f.server->clientCount() == 0);
}

TEST_CASE("a client that sends an endless line is dropped")
{
	Fixture f;
	f.withClient([&] {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		std::strcpy(addr.sun_path, f.path.c_str());
		REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
		std::string junk(4096, 'x');
		bool closed = false;
		for (int i = 0; i < 200 && !closed; i++)
			closed = send(fd, junk.data(), junk.size(), MSG_NOSIGNAL) < 0;
		CHECK(closed);
		close(fd);
	});
	CHECK(f.server->clientCount() == 0);
}

TEST_CASE("connecting where no daemon listens is Unreachable with a hint")
{
	auto c = ControlClient::connect("/nonexistent/control", 1s);
	REQUIRE(!c);
	CHECK(c.error().code == ControlClient::Unreachable);
	CHECK(c.error().message ==
	      "cannot connect to l2tpsecd at /nonexistent/control: No such file or directory (is l2tpsecd running?)");
}

TEST_CASE("a stale socket is replaced, a live one is refused")
{
	Fixture f;
	auto loop2 = EventLoop::create();
	REQUIRE(loop2);
	auto second = ControlServer::listen(**loop2, f.path);
	REQUIRE(!second);
	CHECK(second.error().message == "another l2tpsecd is already listening on '" + f.path + "'");

	// Leave a socket file behind with nobody listening, as a killed daemon does.
	std::string stale = f.dir + "/stale";
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::strcpy(addr.sun_path, stale.c_str());
	REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0);
	close(fd);
	auto third = ControlServer::listen(**loop2, stale);
	CHECK(third);

	std::string plain = f.dir + "/plain";
	REQUIRE(system(("touch " + plain).c_str()) == 0);
	auto fourth = ControlServer::listen(**loop2, plain);
	REQUIRE(!fourth);
	CHECK(fourth.error().message == "control socket path '" + plain + "' exists and is not a socket");
}
