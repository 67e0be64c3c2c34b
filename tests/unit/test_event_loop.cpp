#include "common/event_loop.h"

#include <doctest.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <csignal>
#include <vector>

using namespace l2tpsec;
using namespace std::chrono_literals;

namespace {
std::unique_ptr<EventLoop> makeLoop()
{
	auto l = EventLoop::create();
	REQUIRE(l);
	return std::move(*l);
}

// Runs rounds until `done` or a generous wall-clock bound (a hang guard, not a timing assertion).
template <typename F>
void runUntil(EventLoop &loop, F done)
{
	auto giveUp = std::chrono::steady_clock::now() + 10s;
	while (!done() && std::chrono::steady_clock::now() < giveUp)
		REQUIRE(loop.runOnce(100ms));
}
} // namespace

TEST_CASE("timers fire in deadline order and cancelled ones never")
{
	auto loop = makeLoop();
	std::vector<int> fired;
	loop->addTimer(30ms, [&] { fired.push_back(3); });
	loop->addTimer(10ms, [&] { fired.push_back(1); });
	auto cancelled = loop->addTimer(20ms, [&] { fired.push_back(2); });
	loop->cancelTimer(cancelled);
	loop->cancelTimer(9999); // unknown ids are ignored
	runUntil(*loop, [&] { return fired.size() == 2; });
	CHECK(fired == std::vector<int>{1, 3});
	CHECK(loop->pendingTimers() == 0);
}

TEST_CASE("a timer may re-arm itself from its callback")
{
	auto loop = makeLoop();
	int count = 0;
	std::function<void()> tick = [&] {
		if (++count < 3)
			loop->addTimer(0ms, tick);
	};
	loop->addTimer(0ms, tick);
	runUntil(*loop, [&] { return count == 3; });
	CHECK(count == 3);
}

TEST_CASE("fd callbacks run and a handler may remove itself")
{
	auto loop = makeLoop();
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	UniqueFd a(sv[0]), b(sv[1]);
	int calls = 0;
	REQUIRE(loop->addFd(b.get(), EPOLLIN, [&](uint32_t ev) {
		CHECK((ev & EPOLLIN) != 0);
		calls++;
		loop->removeFd(b.get());
	}));
	CHECK(!loop->addFd(b.get(), EPOLLIN, [](uint32_t) {})); // already watched
	REQUIRE(write(a.get(), "x", 1) == 1);
	runUntil(*loop, [&] { return calls > 0; });
	REQUIRE(write(a.get(), "y", 1) == 1);
	REQUIRE(loop->runOnce(50ms));
	CHECK(calls == 1);
}

TEST_CASE("signals arrive through the loop and stop() ends run()")
{
	auto loop = makeLoop();
	int got = 0;
	REQUIRE(loop->watchSignals({SIGUSR1}, [&](int s) {
		got = s;
		loop->stop();
	}));
	loop->addTimer(5ms, [] { raise(SIGUSR1); });
	REQUIRE(loop->run());
	CHECK(got == SIGUSR1);
}
