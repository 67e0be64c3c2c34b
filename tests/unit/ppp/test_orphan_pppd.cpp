#include "ppp/orphan_pppd.h"
#include "temp_dir.h"

#include <doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace l2tpsec::ppp;
using namespace std::string_literals;

TEST_CASE("only pppds with the pppol2tp plugin and our ipparam tag are ours")
{
	CHECK(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0pppol2tp\0003\0ipparam\0l2tpsec-16385-7\0"s));
	CHECK(isOurPppd("pppd\0plugin\0pppol2tp.so\0ipparam\0l2tpsec-1-2"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0xl2tpd\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0rp-pppoe.so\0ipparam\0l2tpsec-1-2\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0l2tpsec-1-\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0l2tpsec-x-2\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0"s));
	CHECK_FALSE(isOurPppd(""));
}

TEST_CASE("a prestarted pppd is ours: its tag came after its start, its command line ends in l2tpsec_wait")
{
	CHECK(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0nodetach\0plugin\0/usr/lib/pppd/2.4.9/l2tpsec-pppd.so\0"
	                "l2tpsec_fd\0005\0l2tpsec_wait\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0rp-pppoe.so\0l2tpsec_wait\0"s));
	CHECK_FALSE(isOurPppd("/usr/sbin/pppd\0plugin\0pppol2tp.so\0l2tpsec_wait\0nodetach\0"s));
}

TEST_CASE("a leftover pppd of an earlier run is found and stopped; others are left alone")
{
	// Stand-ins whose command lines look like pppd's: python keeps its extra
	// arguments in /proc/PID/cmdline for its whole life and dies of SIGTERM.
	// (sh -c would not do: dash may exec the command and lose them.)
	auto spawn = [](const char *ipparam) {
		pid_t pid = fork();
		if (pid == 0) {
			execl("/usr/bin/python3", "python3", "-c", "import time; time.sleep(30)", "pppd", "plugin",
			      "pppol2tp.so", "ipparam", ipparam, static_cast<char *>(nullptr));
			_exit(127);
		}
		return pid;
	};
	pid_t ours = spawn("l2tpsec-9-9");
	pid_t theirs = spawn("xl2tpd");
	REQUIRE(ours > 0);
	REQUIRE(theirs > 0);
	// Wait (bounded) until ours has exec'd: its cmdline then shows the arguments.
	std::vector<pid_t> found;
	for (int i = 0; i < 500; ++i) {
		found = findOrphanPppds();
		if (std::find(found.begin(), found.end(), ours) != found.end())
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	CHECK(std::find(found.begin(), found.end(), ours) != found.end());
	CHECK(std::find(found.begin(), found.end(), theirs) == found.end());
	CHECK(stopOrphanPppds() >= 1);
	int status = 0;
	// Bounded: a missed stand-in must fail the test, not hang it.
	bool reaped = false;
	for (int i = 0; i < 500 && !reaped; ++i) {
		reaped = waitpid(ours, &status, WNOHANG) == ours;
		if (!reaped)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	if (!reaped) {
		kill(ours, SIGKILL);
		waitpid(ours, &status, 0);
	}
	CHECK(reaped);
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGTERM);
	// The other one still runs.
	CHECK(waitpid(theirs, &status, WNOHANG) == 0);
	kill(theirs, SIGKILL);
	waitpid(theirs, &status, 0);
}

TEST_CASE("a pppd whose parent is a running l2tpsecd is that daemon's, not an orphan")
{
	// A /proc stand-in: 100 is a live daemon's pppd (another network
	// namespace's l2tpsecd), 101 was re-parented to init after its daemon
	// died, 102's parent is something else (a shell that started it by hand).
	TempDir root;
	auto put = [&](const std::string &rel, const std::string &text) {
		std::filesystem::create_directories(root.path + "/" + rel.substr(0, rel.find('/')));
		root.write(rel, text);
	};
	std::string pppd = "/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0l2tpsec-16385-7\0"s;
	put("100/cmdline", pppd);
	put("100/stat", "100 (pppd) S 200 100 100 0 -1");
	put("200/comm", "l2tpsecd\n");
	put("200/cmdline", "/usr/sbin/l2tpsecd\0"s);
	put("101/cmdline", pppd);
	put("101/stat", "101 (pppd) S 1 101 101 0 -1");
	put("102/cmdline", pppd);
	put("102/stat", "102 (pp) d) S 300 102 102 0 -1");
	put("300/comm", "bash\n");
	std::vector<pid_t> found = findOrphanPppds(root.path);
	std::sort(found.begin(), found.end());
	CHECK(found == std::vector<pid_t>{101, 102});
}

TEST_CASE("a /proc entry that cannot be read is skipped, not fatal")
{
	// read() of a process's /proc files fails (ESRCH) once it has exited;
	// a directory in their place fails read() the same way (EISDIR).
	TempDir root;
	std::filesystem::create_directories(root.path + "/100/cmdline");
	std::filesystem::create_directories(root.path + "/101");
	root.write("101/cmdline", "/usr/sbin/pppd\0plugin\0pppol2tp.so\0ipparam\0l2tpsec-16385-7\0"s);
	std::filesystem::create_directories(root.path + "/101/stat");
	std::vector<pid_t> found;
	CHECK_NOTHROW(found = findOrphanPppds(root.path));
	// 101's parent cannot be told, so it is treated as an orphan, as before.
	CHECK(found == std::vector<pid_t>{101});
}
