// sd_notify for Type=notify: the messages arrive on NOTIFY_SOCKET, and
// without it nothing is sent.

#include "daemon/service_notify.h"

#include <doctest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

using namespace l2tpsec;

namespace {

// A datagram socket bound at a fresh path, standing in for systemd.
struct FakeManager {
	std::string dir, path;
	int fd = -1;

	FakeManager()
	{
		char tmpl[] = "/tmp/l2tpsec-notify.XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		dir = tmpl;
		path = dir + "/notify";
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		REQUIRE(fd >= 0);
		sockaddr_un sa{};
		sa.sun_family = AF_UNIX;
		std::strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
		REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) == 0);
		setenv("NOTIFY_SOCKET", path.c_str(), 1);
	}
	~FakeManager()
	{
		unsetenv("NOTIFY_SOCKET");
		close(fd);
		unlink(path.c_str());
		rmdir(dir.c_str());
	}
	/// The next datagram, or "" when none is waiting.
	std::string next()
	{
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
	}
};

} // namespace

TEST_CASE("service_notify: READY, RELOADING, STOPPING and STATUS reach NOTIFY_SOCKET")
{
	FakeManager m;
	CHECK(service::notifyEnabled());
	CHECK(service::notifyReady("listening on 1701"));
	CHECK(m.next() == "READY=1\nSTATUS=listening on 1701");
	CHECK(service::notifyReady());
	CHECK(m.next() == "READY=1");

	CHECK(service::notifyReloading("reloading /etc/l2tpsec/l2tpsec.conf"));
	std::string reloading = m.next();
	CHECK(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
	CHECK(reloading.find("\nSTATUS=reloading /etc/l2tpsec/l2tpsec.conf") != std::string::npos);

	CHECK(service::notifyStopping("stopping"));
	CHECK(m.next() == "STOPPING=1\nSTATUS=stopping");

	// A status is one line: a newline could smuggle in another assignment.
	CHECK(service::notifyStatus("bad\nREADY=1"));
	CHECK(m.next() == "STATUS=bad READY=1");
	CHECK(m.next().empty());
}

TEST_CASE("service_notify: without NOTIFY_SOCKET nothing is sent")
{
	std::string path;
	{
		FakeManager m;
		path = m.path;
		unsetenv("NOTIFY_SOCKET");
		CHECK_FALSE(service::notifyEnabled());
		CHECK_FALSE(service::notifyReady("x"));
		CHECK_FALSE(service::notifyStopping());
		CHECK(m.next().empty());
	}
}

TEST_CASE("service_notify: a socket that is gone is not fatal")
{
	setenv("NOTIFY_SOCKET", "/tmp/l2tpsec-notify-does-not-exist/notify", 1);
	CHECK(service::notifyEnabled());
	CHECK_FALSE(service::notifyReady("x"));
	unsetenv("NOTIFY_SOCKET");
}
