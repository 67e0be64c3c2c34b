#pragma once
// A supervised child process on the event loop: how l2tpsecd runs one pppd per
// session.
//
// - Descriptors are handed over at fixed numbers (the PPPoL2TP socket as fd 3,
//   a password pipe, ...); every other descriptor of the daemon is closed in
//   the child, so no pppd holds another session's socket.
// - stdout and stderr come back line by line to a callback (pppd logs there
//   with `nodetach`), stdin is /dev/null.
// - Exit is watched through a pidfd on the loop (no SIGCHLD handler, no
//   waitpid(-1) that could reap someone else's child); the exit callback runs
//   after the last output line.
// - An exec that fails (missing pppd, bad path) is reported by start() itself,
//   with the errno, through a close-on-exec pipe.
// - The child runs with the soft RLIMIT_NOFILE the daemon started with, not
//   the raised one (common/fd_limit.h).
// - Optionally the child gets a private mount namespace with files
//   bind-mounted over others: pppd has no option to name its secrets file or
//   its ip-pre-up script, and this way [ppp] secrets (over
//   /etc/ppp/chap-secrets and pap-secrets) and [ppp] scripts = false (a no-op
//   program over /etc/ppp/ip-pre-up) take effect without touching the
//   system's files.

#include "common/event_loop.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace l2tpsec::ppp {

struct SpawnSpec {
	/// argv[0] is the program's path (no PATH search).
	std::vector<std::string> argv;
	/// {descriptor number in the child, descriptor in this process}. The
	/// parent's descriptors stay open here; the caller closes them.
	std::vector<std::pair<int, int>> fds;
	/// {source, target}: bind each source over its target, in this order, in
	/// a private mount namespace of the child (none when empty). Both must
	/// exist.
	std::vector<std::pair<std::string, std::string>> binds;
	/// True: start() waits until the child has exec'd and reports a failure
	/// before it as its error. False: start() returns once the child is
	/// forked (the caller's loop does not wait for the exec, which is slow
	/// under load); a failure before exec makes the child exit 127, and
	/// startError() says what failed.
	bool waitForExec = true;
};

class ChildProcess {
public:
	using LineCallback = std::function<void(std::string_view line)>;
	/// The wait status, as waitpid() would report it.
	using ExitCallback = std::function<void(int waitStatus)>;

	static Result<std::unique_ptr<ChildProcess>> start(EventLoop &loop, const SpawnSpec &spec, LineCallback onLine,
	                                                   ExitCallback onExit);
	/// Kills (SIGKILL) and reaps a child that is still running, without
	/// calling the exit callback.
	~ChildProcess();
	ChildProcess(const ChildProcess &) = delete;
	ChildProcess &operator=(const ChildProcess &) = delete;

	/// SIGTERM now, SIGKILL if it is still running after `grace`. The exit
	/// callback reports the outcome.
	void stop(std::chrono::milliseconds grace);
	pid_t pid() const { return pid_; }
	/// Started without waitForExec and failed before exec: what failed
	/// (known once it has exited); empty otherwise.
	const std::string &startError() const { return startError_; }
	bool running() const { return running_; }

private:
	ChildProcess(EventLoop &loop, LineCallback onLine, ExitCallback onExit);
	void onOutput();
	void onPidfd();
	void drainOutput(bool final);

	EventLoop &loop_;
	LineCallback onLine_;
	ExitCallback onExit_;
	pid_t pid_ = -1;
	UniqueFd pidfd_;
	UniqueFd output_;
	std::string partial_;
	bool running_ = false;
	std::optional<EventLoop::TimerId> killTimer_;
	/// Without waitForExec: the pipe a failure before exec comes on, and
	/// what is needed to describe it.
	UniqueFd startReport_;
	std::string program_;
	std::vector<std::pair<std::string, std::string>> binds_;
	std::string startError_;
};

} // namespace l2tpsec::ppp
