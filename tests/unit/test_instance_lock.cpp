#include "daemon/instance_lock.h"

#include <doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace l2tpsec;

namespace {

// A name of this test's own, so that a daemon running on this machine (or a
// parallel run of the suite) is not in the way.
std::string testName()
{
	return "l2tpsecd/test-instance-lock/" + std::to_string(::getpid());
}

} // namespace

TEST_CASE("a second daemon is refused with the holder's pid and control socket")
{
	auto holderLoop = EventLoop::create();
	REQUIRE(holderLoop);
	auto held = InstanceLock::acquire(**holderLoop, "/run/l2tpsec/control", testName());
	REQUIRE(held);
	// The holder answers from its event loop, as in the daemon.
	std::atomic<bool> stop{false};
	std::thread holder([&] {
		while (!stop)
			(void)(*holderLoop)->runOnce(std::chrono::milliseconds(20));
	});
	auto otherLoop = EventLoop::create();
	REQUIRE(otherLoop);
	auto second = InstanceLock::acquire(**otherLoop, "/tmp/other.sock", testName());
	stop = true;
	holder.join();
	REQUIRE_FALSE(second);
	CHECK(second.error().code == EADDRINUSE);
	CHECK(second.error().message == "another l2tpsecd is running in this network namespace (pid " +
	                                        std::to_string(::getpid()) + ", control socket /run/l2tpsec/control)");
}

TEST_CASE("a holder that does not answer is still named by its pid")
{
	auto loop = EventLoop::create();
	REQUIRE(loop);
	auto held = InstanceLock::acquire(**loop, "/run/l2tpsec/control", testName());
	REQUIRE(held);
	auto second = InstanceLock::acquire(**loop, "/tmp/other.sock", testName());
	REQUIRE_FALSE(second);
	CHECK(second.error().message == "another l2tpsecd is running in this network namespace (pid " +
	                                        std::to_string(::getpid()) + ", control socket unknown)");
}

TEST_CASE("the lock goes with its holder")
{
	auto loop = EventLoop::create();
	REQUIRE(loop);
	{
		auto held = InstanceLock::acquire(**loop, "/a", testName());
		REQUIRE(held);
	}
	auto again = InstanceLock::acquire(**loop, "/b", testName());
	CHECK(again);
}
