// ChildProcess with /bin/sh standing in for pppd: output lines, exit statuses,
// descriptor hand-over, stop with SIGTERM and SIGKILL escalation, exec errors.
#include "common/fd_limit.h"
#include "ppp/child_process.h"

#include <doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ppp;
using namespace std::chrono_literals;

namespace {

struct Run {
	std::unique_ptr<EventLoop> loop = std::move(EventLoop::create().value());
	std::vector<std::string> lines;
	std::optional<int> status;
	std::unique_ptr<ChildProcess> child;

	Result<void> start(const SpawnSpec &spec)
	{
		auto c = ChildProcess::start(
		        *loop, spec, [this](std::string_view l) { lines.emplace_back(l); },
		        [this](int s) { status = s; });
		if (!c)
			return std::move(c).error();
		child = std::move(c.value());
		return {};
	}

	/// Runs the loop until the child has exited (at most ~10 s).
	void wait()
	{
		for (int i = 0; i < 1000 && !status; ++i)
			REQUIRE(loop->runOnce(10ms));
	}
};

SpawnSpec sh(const std::string &script)
{
	return SpawnSpec{{"/bin/sh", "-c", script}, {}, {}};
}

} // namespace

TEST_CASE("stdout and stderr arrive line by line before the exit status")
{
	Run r;
	REQUIRE(r.start(sh("echo one; echo two >&2; printf 'no newline'; exit 11")));
	CHECK(r.child->running());
	r.wait();
	REQUIRE(r.status.has_value());
	CHECK(WIFEXITED(*r.status));
	CHECK(WEXITSTATUS(*r.status) == 11);
	CHECK(r.lines == std::vector<std::string>{"one", "two", "no newline"});
	CHECK_FALSE(r.child->running());
}

TEST_CASE("descriptors are handed over at the numbers asked for, and no others leak")
{
	std::array<int, 2> p{};
	REQUIRE(::pipe2(p.data(), O_CLOEXEC) == 0);
	REQUIRE(::write(p[1], "hello\n", 6) == 6);
	::close(p[1]);
	// A descriptor of ours without O_CLOEXEC must not reach the child either.
	int stray = ::open("/dev/null", O_RDONLY);
	REQUIRE(stray >= 0);
	Run r;
	SpawnSpec spec = sh("read x <&3; echo \"got $x\"; ls /proc/self/fd | sort -n | tr '\\n' ' '");
	spec.fds = {{3, p[0]}};
	REQUIRE(r.start(spec));
	::close(p[0]);
	::close(stray);
	r.wait();
	REQUIRE(r.lines.size() == 2);
	CHECK(r.lines[0] == "got hello");
	// 0-2, 3, and the fd ls itself opens to read /proc/self/fd.
	CHECK(r.lines[1] == "0 1 2 3 4 ");
}

TEST_CASE("descriptors are handed over under a low soft RLIMIT_NOFILE, with a stray one above it")
{
	// The daemon's limit is often 1024: the child must not park descriptors
	// at fixed high numbers (F_DUPFD fails with EINVAL at or above the limit).
	rlimit old{};
	REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
	std::array<int, 2> p{};
	REQUIRE(::pipe2(p.data(), O_CLOEXEC) == 0);
	REQUIRE(::write(p[1], "hello\n", 6) == 6);
	::close(p[1]);
	// A stray descriptor of ours, high up and without O_CLOEXEC.
	int stray = ::fcntl(p[0], F_DUPFD, 200);
	REQUIRE(stray >= 200);
	rlimit low = old;
	low.rlim_cur = 64;
	REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
	Run r;
	SpawnSpec spec = sh("read x <&4; echo \"got $x\"; ls /proc/self/fd | sort -n | tr '\\n' ' '");
	spec.fds = {{4, p[0]}, {3, stray}};
	auto started = r.start(spec);
	REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
	REQUIRE(started);
	::close(p[0]);
	::close(stray);
	r.wait();
	REQUIRE(r.lines.size() == 2);
	CHECK(r.lines[0] == "got hello");
	// 0-2, 3 and 4, and the fd ls opens to read /proc/self/fd.
	CHECK(r.lines[1] == "0 1 2 3 4 5 ");
}

TEST_CASE("the daemon's raised descriptor limit is not a child's: it gets the soft limit from before")
{
	rlimit old{};
	REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
	if (old.rlim_max < 512 || old.rlim_max == RLIM_INFINITY)
		return; // (no room below the hard limit to tell the two apart)
	std::optional<rlimit> oldChild = childFdLimit();
	setChildFdLimit(std::nullopt);
	// A service's start: soft 256 here, below the hard limit.
	rlimit low = old;
	low.rlim_cur = 256;
	REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
	auto raised = raiseFdLimit();
	rlimit now{};
	REQUIRE(::getrlimit(RLIMIT_NOFILE, &now) == 0);
	Run r;
	auto started = r.start(sh("ulimit -Sn; ulimit -Hn"));
	if (started)
		r.wait();
	std::optional<rlimit> child = childFdLimit();
	REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
	setChildFdLimit(oldChild);

	REQUIRE(raised);
	CHECK(raised->before == 256);
	CHECK(raised->after == old.rlim_max);
	CHECK(now.rlim_cur == old.rlim_max);
	REQUIRE(child);
	CHECK(child->rlim_cur == 256);
	REQUIRE(started);
	CHECK(r.lines == std::vector<std::string>{"256", std::to_string(old.rlim_max)});
}

TEST_CASE("stop sends SIGTERM, and SIGKILL after the grace period when TERM is ignored")
{
	Run r;
	REQUIRE(r.start(sh("exec sleep 30")));
	r.child->stop(5s);
	r.wait();
	REQUIRE(r.status.has_value());
	CHECK(WIFSIGNALED(*r.status));
	CHECK(WTERMSIG(*r.status) == SIGTERM);

	Run stubborn;
	REQUIRE(stubborn.start(sh("trap '' TERM; echo ready; while :; do sleep 0.05; done")));
	// Wait until the trap is installed.
	for (int i = 0; i < 500 && stubborn.lines.empty(); ++i)
		REQUIRE(stubborn.loop->runOnce(10ms));
	REQUIRE(stubborn.lines == std::vector<std::string>{"ready"});
	stubborn.child->stop(200ms);
	stubborn.wait();
	REQUIRE(stubborn.status.has_value());
	CHECK(WIFSIGNALED(*stubborn.status));
	CHECK(WTERMSIG(*stubborn.status) == SIGKILL);
}

TEST_CASE("a program that cannot be executed is an error from start(), naming it")
{
	Run r;
	auto e = r.start(SpawnSpec{{"/nonexistent/pppd", "nodetach"}, {}, {}});
	REQUIRE_FALSE(e);
	CHECK(e.error().message == "exec /nonexistent/pppd: No such file or directory");
	CHECK(e.error().code == ENOENT);
	auto bad = r.start(SpawnSpec{{"/bin/true"}, {{1, 0}}, {}});
	REQUIRE_FALSE(bad);
	CHECK(bad.error().message == "start /bin/true: cannot hand over descriptor 0 as 1");
}

TEST_CASE("a child still running when its owner goes is killed and reaped")
{
	pid_t pid = 0;
	{
		Run r;
		REQUIRE(r.start(sh("exec sleep 30")));
		pid = r.child->pid();
		REQUIRE(pid > 0);
	}
	// Reaped by the destructor: no such child any more.
	CHECK(::waitpid(pid, nullptr, WNOHANG) < 0);
	CHECK(errno == ECHILD);
}

TEST_CASE("the secrets file is seen as /etc/ppp/chap-secrets and pap-secrets by the child only")
{
	// Needs root (CI and tools/test run as root) and the ppp package's
	// /etc/ppp/*-secrets as mount points (tools/setup installs ppp).
	char path[] = "/tmp/l2tpsec-secrets-XXXXXX";
	int fd = ::mkstemp(path);
	REQUIRE(fd >= 0);
	const std::string line = "alice * unit-test-secret *\n";
	REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
	::close(fd);
	Run r;
	SpawnSpec spec = sh("cat /etc/ppp/chap-secrets /etc/ppp/pap-secrets");
	spec.binds = {{path, "/etc/ppp/chap-secrets"}, {path, "/etc/ppp/pap-secrets"}};
	REQUIRE(r.start(spec));
	r.wait();
	::unlink(path);
	REQUIRE(r.status.has_value());
	CHECK(WEXITSTATUS(*r.status) == 0);
	CHECK(r.lines == std::vector<std::string>{"alice * unit-test-secret *", "alice * unit-test-secret *"});
	// Our own view of the system file is unchanged.
	std::string ours;
	int sys = ::open("/etc/ppp/chap-secrets", O_RDONLY);
	REQUIRE(sys >= 0);
	std::array<char, 4096> buf{};
	for (ssize_t n; (n = ::read(sys, buf.data(), buf.size())) > 0;)
		ours.append(buf.data(), static_cast<size_t>(n));
	::close(sys);
	CHECK(ours.find("unit-test-secret") == std::string::npos);
}

TEST_CASE("a program bound over a script runs in its place, for the child only")
{
	// As [ppp] scripts = false hides /etc/ppp/ip-pre-up: /bin/true over a
	// script of our own that would print.
	char path[] = "/tmp/l2tpsec-script-XXXXXX";
	int fd = ::mkstemp(path);
	REQUIRE(fd >= 0);
	const std::string script = "#!/bin/sh\necho the script ran\n";
	REQUIRE(::write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size()));
	::fchmod(fd, 0755);
	::close(fd);
	Run r;
	SpawnSpec spec = sh(std::string(path) + " && echo exit $?");
	spec.binds = {{"/bin/true", path}};
	REQUIRE(r.start(spec));
	r.wait();
	REQUIRE(r.status.has_value());
	CHECK(WEXITSTATUS(*r.status) == 0);
	CHECK(r.lines == std::vector<std::string>{"exit 0"});
	// Here it is still the script.
	Run here;
	REQUIRE(here.start(sh(path)));
	here.wait();
	::unlink(path);
	CHECK(here.lines == std::vector<std::string>{"the script ran"});
}

TEST_CASE("a bind that fails is an error from start(), naming both files")
{
	Run r;
	SpawnSpec spec = sh("true");
	spec.binds = {{"/bin/true", "/nonexistent/l2tpsec-target"}};
	auto started = r.start(spec);
	REQUIRE_FALSE(started);
	CHECK(started.error().message.find("bind /bin/true over /nonexistent/l2tpsec-target") != std::string::npos);
}

TEST_CASE("without waitForExec start() returns at once, and a failed exec shows at the exit")
{
	Run r;
	SpawnSpec spec{{"/nonexistent/pppd", "nodetach"}, {}, {}};
	spec.waitForExec = false;
	REQUIRE(r.start(spec));
	r.wait();
	REQUIRE(r.status.has_value());
	CHECK(WEXITSTATUS(*r.status) == 127);
	CHECK(r.child->startError() == "exec /nonexistent/pppd: No such file or directory");

	// One that execs has no start error.
	Run ok;
	SpawnSpec sh{{"/bin/sh", "-c", "echo started"}, {}, {}};
	sh.waitForExec = false;
	REQUIRE(ok.start(sh));
	ok.wait();
	CHECK(ok.lines == std::vector<std::string>{"started"});
	CHECK(ok.child->startError().empty());
}
