#pragma once
// EventLoop: the daemon's single thread. epoll for descriptors, one timerfd
// for every timer (a sorted map, so 10,000 sessions' timers cost one fd) and
// a signalfd for signals. Callbacks run on the loop; none may block.

#include "common/result.h"
#include "common/unique_fd.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace l2tpsec {

class EventLoop {
public:
	using Clock = std::chrono::steady_clock;
	using FdCallback = std::function<void(uint32_t events)>;
	using TimerCallback = std::function<void()>;
	using SignalCallback = std::function<void(int signo)>;
	using TimerId = uint64_t;

	static Result<std::unique_ptr<EventLoop>> create();
	~EventLoop();

	/// Watches fd for the epoll events given (EPOLLIN, EPOLLOUT, ...). The
	/// caller keeps owning fd and must removeFd() before closing it.
	Result<void> addFd(int fd, uint32_t events, FdCallback cb);
	Result<void> modifyFd(int fd, uint32_t events);
	/// Safe from inside any callback, including fd's own.
	void removeFd(int fd);

	/// One-shot timer; the id stays valid until it fires or is cancelled.
	TimerId addTimer(std::chrono::milliseconds delay, TimerCallback cb);
	/// Cancelling an unknown or already fired timer does nothing.
	void cancelTimer(TimerId id);
	size_t pendingTimers() const { return timers_.size(); }

	/// Blocks the signals for the whole process and delivers them through
	/// the loop. Call once, before any thread is created.
	Result<void> watchSignals(const std::vector<int> &signals, SignalCallback cb);

	/// Runs until stop() is called from a callback.
	Result<void> run();
	/// Runs one round: waits at most `timeout` for events and dispatches them.
	Result<void> runOnce(std::chrono::milliseconds timeout);
	void stop() { stopping_ = true; }

private:
	EventLoop() = default;
	struct Handler {
		int fd;
		FdCallback cb;
	};
	void armTimerFd();
	void fireTimers();
	void readSignals();

	UniqueFd epoll_;
	UniqueFd timerFd_;
	UniqueFd signalFd_;
	SignalCallback onSignal_;
	bool stopping_ = false;
	// epoll carries a handler id, never the fd, so an event for an fd that
	// was removed (and perhaps reused) in the same batch is recognised.
	uint64_t nextHandlerId_ = 1;
	std::unordered_map<uint64_t, std::shared_ptr<Handler>> handlers_;
	std::unordered_map<int, uint64_t> handlerByFd_;
	TimerId nextTimerId_ = 1;
	std::map<std::pair<Clock::time_point, TimerId>, TimerCallback> timers_;
	std::unordered_map<TimerId, Clock::time_point> timerDeadline_;
	Clock::time_point armedFor_{};
};

} // namespace l2tpsec
