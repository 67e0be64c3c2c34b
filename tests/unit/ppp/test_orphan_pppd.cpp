#include "ppp/orphan_pppd.h"

#include <doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

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

TEST_CASE("a leftover pppd of an earlier run is found and stopped; others are left alone")
{
	// Stand-ins whose command lines look like pppd's (sleep ignores nothing
	// we pass after "--": python would do, sh's $0 trick is simpler).
	pid_t ours = fork();
	REQUIRE(ours >= 0);
	if (ours == 0) {
		execl("/bin/sh", "sh", "-c", "sleep 30", "pppd", "plugin", "pppol2tp.so", "ipparam", "l2tpsec-9-9",
		      static_cast<char *>(nullptr));
		_exit(127);
	}
	pid_t theirs = fork();
	REQUIRE(theirs >= 0);
	if (theirs == 0) {
		execl("/bin/sh", "sh", "-c", "sleep 30", "pppd", "plugin", "pppol2tp.so", "ipparam", "xl2tpd",
		      static_cast<char *>(nullptr));
		_exit(127);
	}
	// Wait until both have exec'd (their cmdline shows the arguments).
	for (int i = 0; i < 200; ++i) {
		auto found = findOrphanPppds();
		if (std::find(found.begin(), found.end(), ours) != found.end())
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	auto found = findOrphanPppds();
	CHECK(std::find(found.begin(), found.end(), ours) != found.end());
	CHECK(std::find(found.begin(), found.end(), theirs) == found.end());
	CHECK(stopOrphanPppds() >= 1);
	int status = 0;
	REQUIRE(waitpid(ours, &status, 0) == ours);
	CHECK(WIFSIGNALED(status));
	CHECK(WTERMSIG(status) == SIGTERM);
	// The other one still runs.
	CHECK(waitpid(theirs, &status, WNOHANG) == 0);
	kill(theirs, SIGKILL);
	waitpid(theirs, &status, 0);
}
