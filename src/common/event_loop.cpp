#include "common/event_loop.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <csignal>
#include <cstring>

namespace l2tpsec {

namespace {
// Reserved epoll ids for the loop's own descriptors.
constexpr uint64_t kTimerId = 0;
constexpr uint64_t kSignalId = UINT64_MAX;
} // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create()
{
	std::unique_ptr<EventLoop> loop(new EventLoop());
	loop->epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
	if (!loop->epoll_)
		return sysError("epoll_create1");
	loop->timerFd_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	if (!loop->timerFd_)
		return sysError("timerfd_create");
	epoll_event ev{};
	ev.events = EPOLLIN;
	ev.data.u64 = kTimerId;
	if (epoll_ctl(loop->epoll_.get(), EPOLL_CTL_ADD, loop->timerFd_.get(), &ev) < 0)
		return sysError("epoll_ctl(timerfd)");
	return loop;
}

EventLoop::~EventLoop() = default;

Result<void> EventLoop::addFd(int fd, uint32_t events, FdCallback cb)
{
	if (handlerByFd_.count(fd))
		return Error{EEXIST, "event loop: fd " + std::to_string(fd) + " is already watched"};
	uint64_t id = nextHandlerId_++;
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = id;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) < 0)
		return sysError("epoll_ctl(ADD fd " + std::to_string(fd) + ")");
	handlers_[id] = std::make_shared<Handler>(Handler{fd, std::move(cb)});
	handlerByFd_[fd] = id;
	return {};
}

Result<void> EventLoop::modifyFd(int fd, uint32_t events)
{
	auto it = handlerByFd_.find(fd);
	if (it == handlerByFd_.end())
		return Error{ENOENT, "event loop: fd " + std::to_string(fd) + " is not watched"};
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = it->second;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) < 0)
		return sysError("epoll_ctl(MOD fd " + std::to_string(fd) + ")");
	return {};
}

void EventLoop::removeFd(int fd)
{
	auto it = handlerByFd_.find(fd);
	if (it == handlerByFd_.end())
		return;
	epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
	handlers_.erase(it->second);
	handlerByFd_.erase(it);
}

EventLoop::TimerId EventLoop::addTimer(std::chrono::milliseconds delay, TimerCallback cb)
{
	TimerId id = nextTimerId_++;
	auto deadline = Clock::now() + std::max(delay, std::chrono::milliseconds(0));
	timers_.emplace(std::make_pair(deadline, id), std::move(cb));
	timerDeadline_[id] = deadline;
	armTimerFd();
	return id;
}

void EventLoop::cancelTimer(TimerId id)
{
	auto it = timerDeadline_.find(id);
	if (it == timerDeadline_.end())
		return;
	timers_.erase({it->second, id});
	timerDeadline_.erase(it);
	armTimerFd();
}

void EventLoop::armTimerFd()
{
	Clock::time_point next{};
	if (!timers_.empty())
		next = timers_.begin()->first.first;
	if (next == armedFor_)
		return;
	armedFor_ = next;
	itimerspec spec{};
	if (!timers_.empty()) {
		auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(next.time_since_epoch()).count();
		// An absolute deadline of 0 would disarm the timer.
		if (ns <= 0)
			ns = 1;
		spec.it_value.tv_sec = ns / 1000000000;
		spec.it_value.tv_nsec = ns % 1000000000;
	}
	// steady_clock is CLOCK_MONOTONIC on Linux, so its epoch matches.
	timerfd_settime(timerFd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
}

void EventLoop::fireTimers()
{
	uint64_t expirations;
	while (read(timerFd_.get(), &expirations, sizeof(expirations)) > 0) {
	}
	auto now = Clock::now();
	// Timers added by a callback with zero delay wait for the next round, so
	// a callback that re-arms itself cannot starve the descriptors.
	std::vector<TimerCallback> due;
	while (!timers_.empty() && timers_.begin()->first.first <= now) {
		auto node = timers_.extract(timers_.begin());
		timerDeadline_.erase(node.key().second);
		due.push_back(std::move(node.mapped()));
	}
	armedFor_ = {};
	armTimerFd();
	for (auto &cb : due)
		cb();
}

Result<void> EventLoop::watchSignals(const std::vector<int> &signals, SignalCallback cb)
{
	sigset_t set;
	sigemptyset(&set);
	for (int s : signals)
		sigaddset(&set, s);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
		return sysError("sigprocmask");
	signalFd_.reset(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
	if (!signalFd_)
		return sysError("signalfd");
	epoll_event ev{};
	ev.events = EPOLLIN;
	ev.data.u64 = kSignalId;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, signalFd_.get(), &ev) < 0)
		return sysError("epoll_ctl(signalfd)");
	onSignal_ = std::move(cb);
	return {};
}

void EventLoop::readSignals()
{
	signalfd_siginfo info;
	while (read(signalFd_.get(), &info, sizeof(info)) == sizeof(info)) {
		if (onSignal_)
			onSignal_(static_cast<int>(info.ssi_signo));
	}
}

Result<void> EventLoop::runOnce(std::chrono::milliseconds timeout)
{
	epoll_event events[64];
	int n = epoll_wait(epoll_.get(), events, 64, static_cast<int>(timeout.count()));
	if (n < 0) {
		if (errno == EINTR)
			return {};
		return sysError("epoll_wait");
	}
	for (int i = 0; i < n; i++) {
		uint64_t id = events[i].data.u64;
		if (id == kTimerId) {
			fireTimers();
			continue;
		}
		if (id == kSignalId) {
			readSignals();
			continue;
		}
		auto it = handlers_.find(id);
		if (it == handlers_.end())
			continue; // removed earlier in this batch
		// Hold a reference: the callback may remove its own handler.
		std::shared_ptr<Handler> h = it->second;
		h->cb(events[i].events);
	}
	return {};
}

Result<void> EventLoop::run()
{
	stopping_ = false;
	while (!stopping_)
		L2S_TRY(runOnce(std::chrono::milliseconds(-1)));
	return {};
}

} // namespace l2tpsec
