#include "ppp/child_process.h"

#include "common/fd_limit.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

namespace l2tpsec::ppp {

namespace {

// What failed in the child before exec, sent to the parent with the errno.
enum class ChildStage : int { Dup = 1, Unshare, MountPrivate, FdLimit, Exec, Bind };
// A failed bind reports Bind + its index in SpawnSpec::binds.

struct ChildFailure {
	int stage;
	int error;
};

const char *stageName(int stage)
{
	switch (static_cast<ChildStage>(stage)) {
	case ChildStage::Dup: return "hand over descriptors";
	case ChildStage::Unshare: return "make a private mount namespace (unshare)";
	case ChildStage::MountPrivate: return "make the mount namespace private";
	case ChildStage::FdLimit: return "restore the descriptor limit (setrlimit)";
	case ChildStage::Exec: return "exec";
	case ChildStage::Bind: break;
	}
	return "start";
}

int pidfdOpen(pid_t pid)
{
	return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Runs in the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void childFail(int reportFd, ChildStage stage, int index = 0)
{
	ChildFailure f{static_cast<int>(stage) + index, errno};
	ssize_t n = ::write(reportFd, &f, sizeof f);
	(void)n;
	::_exit(127);
}

Error describeFailure(const ChildFailure &failure, const std::string &program,
                      const std::vector<std::pair<std::string, std::string>> &binds)
{
	std::string what = stageName(failure.stage);
	int bind = failure.stage - static_cast<int>(ChildStage::Bind);
	if (bind >= 0 && static_cast<size_t>(bind) < binds.size())
		what = "bind " + binds[static_cast<size_t>(bind)].first + " over " +
		       binds[static_cast<size_t>(bind)].second;
	return errnoError(failure.error, what == "exec" ? "exec " + program : "start " + program + ": " + what);
}

[[noreturn]] void runChild(const std::vector<char *> &argv, const std::vector<std::pair<int, int>> &fds, int outFd,
                           int reportFd, const std::vector<std::pair<const char *, const char *>> &binds,
                           const rlimit *fdLimit)
{
	// Park every source descriptor above the highest target first, so a
	// target number that is also some source's number cannot be clobbered.
	// (Just above it, not at a fixed high number: F_DUPFD fails with EINVAL
	// at or above the soft RLIMIT_NOFILE, often 1024.)
	std::array<int, 16> parked{};
	size_t n = std::min(fds.size(), parked.size());
	int parkBase = 3;
	for (size_t i = 0; i < n; ++i)
		parkBase = std::max(parkBase, fds[i].first + 1);
	int highest = parkBase;
	for (size_t i = 0; i < n; ++i) {
		parked[i] = ::fcntl(fds[i].second, F_DUPFD, parkBase);
		if (parked[i] < 0)
			childFail(reportFd, ChildStage::Dup);
		highest = std::max(highest, parked[i]);
	}
	int reportHigh = ::fcntl(reportFd, F_DUPFD_CLOEXEC, parkBase);
	int outHigh = ::fcntl(outFd, F_DUPFD, parkBase);
	if (reportHigh < 0 || outHigh < 0)
		childFail(reportFd, ChildStage::Dup);
	reportFd = reportHigh;
	highest = std::max({highest, reportHigh, outHigh});

	int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(outHigh, 1) < 0 || ::dup2(outHigh, 2) < 0)
		childFail(reportFd, ChildStage::Dup);
	for (size_t i = 0; i < n; ++i)
		if (::dup2(parked[i], fds[i].first) < 0)
			childFail(reportFd, ChildStage::Dup);
	// Close everything else, except the report pipe (close-on-exec).
	for (int fd = 3; fd <= highest; ++fd) {
		bool keep = fd == reportFd;
		for (size_t i = 0; i < n; ++i)
			keep = keep || fd == fds[i].first;
		if (!keep)
			::close(fd);
	}
	::syscall(SYS_close_range, static_cast<unsigned>(highest) + 1, UINT_MAX, 0);

	if (!binds.empty()) {
		if (::unshare(CLONE_NEWNS) < 0)
			childFail(reportFd, ChildStage::Unshare);
		if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
			childFail(reportFd, ChildStage::MountPrivate);
		for (size_t i = 0; i < binds.size(); ++i)
			if (::mount(binds[i].first, binds[i].second, nullptr, MS_BIND, nullptr) < 0)
				childFail(reportFd, ChildStage::Bind, static_cast<int>(i));
	}
	// The soft descriptor limit the daemon started with (it raised its own).
	if (fdLimit && ::setrlimit(RLIMIT_NOFILE, fdLimit) < 0)
		childFail(reportFd, ChildStage::FdLimit);
	// The daemon blocks its signals for the signalfd; a child must not
	// inherit that mask (pppd would ignore SIGTERM).
	sigset_t none;
	sigemptyset(&none);
	::sigprocmask(SIG_SETMASK, &none, nullptr);
	::setsid();
	::execv(argv[0], argv.data());
	childFail(reportFd, ChildStage::Exec);
}

} // namespace

ChildProcess::ChildProcess(EventLoop &loop, LineCallback onLine, ExitCallback onExit)
    : loop_(loop), onLine_(std::move(onLine)), onExit_(std::move(onExit))
{
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::start(EventLoop &loop, const SpawnSpec &spec, LineCallback onLine,
                                                          ExitCallback onExit)
{
	if (spec.argv.empty())
		return Error{EINVAL, "start child: empty command line"};
	const std::string &program = spec.argv[0];
	if (spec.fds.size() > 16)
		return Error{EINVAL, "start " + program + ": more than 16 descriptors to hand over"};
	for (const auto &[target, source] : spec.fds)
		if (target < 3 || target >= 1000 || source < 0)
			return Error{EINVAL, "start " + program + ": cannot hand over descriptor " +
			                             std::to_string(source) + " as " + std::to_string(target)};

	// Everything the child needs is prepared before fork: it must not allocate.
	std::vector<char *> argv;
	argv.reserve(spec.argv.size() + 1);
	for (const std::string &a : spec.argv)
		argv.push_back(const_cast<char *>(
		        a.c_str())); // NOLINT(cppcoreguidelines-pro-type-const-cast): execv's signature
	argv.push_back(nullptr);
	std::vector<std::pair<const char *, const char *>> binds;
	binds.reserve(spec.binds.size());
	for (const auto &[source, target] : spec.binds)
		binds.emplace_back(source.c_str(), target.c_str());
	std::optional<rlimit> fdLimit = childFdLimit();

	std::array<int, 2> out{};
	if (::pipe2(out.data(), O_CLOEXEC) < 0)
		return sysError("start " + program + ": pipe");
	UniqueFd outRead(out[0]), outWrite(out[1]);
	std::array<int, 2> report{};
	if (::pipe2(report.data(), O_CLOEXEC) < 0)
		return sysError("start " + program + ": pipe");
	UniqueFd reportRead(report[0]), reportWrite(report[1]);

	pid_t pid = ::fork();
	if (pid < 0)
		return sysError("start " + program + ": fork");
	if (pid == 0)
		runChild(argv, spec.fds, outWrite.get(), reportWrite.get(), binds, fdLimit ? &*fdLimit : nullptr);

	outWrite.reset();
	reportWrite.reset();
	// Blocks only until the child has exec'd (the pipe closes) or failed.
	ChildFailure failure{};
	ssize_t got = 0;
	while (spec.waitForExec) {
		got = ::read(reportRead.get(), &failure, sizeof failure);
		if (got >= 0 || errno != EINTR)
			break;
	}
	if (got == static_cast<ssize_t>(sizeof failure)) {
		int status = 0;
		while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		return describeFailure(failure, program, spec.binds);
	}

	std::unique_ptr<ChildProcess> child(new ChildProcess(loop, std::move(onLine), std::move(onExit)));
	if (!spec.waitForExec) {
		child->startReport_ = std::move(reportRead);
		child->program_ = program;
		child->binds_ = spec.binds;
	}
	child->pid_ = pid;
	child->running_ = true;
	child->pidfd_.reset(pidfdOpen(pid));
	if (!child->pidfd_) {
		Error e = sysError("start " + program + ": pidfd_open");
		::kill(pid, SIGKILL);
		while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
		}
		child->running_ = false;
		return e;
	}
	int flags = ::fcntl(outRead.get(), F_GETFL);
	::fcntl(outRead.get(), F_SETFL, flags | O_NONBLOCK);
	child->output_ = std::move(outRead);
	ChildProcess *self = child.get();
	L2S_TRY(loop.addFd(self->output_.get(), EPOLLIN, [self](uint32_t) { self->onOutput(); }));
	if (auto r = loop.addFd(self->pidfd_.get(), EPOLLIN, [self](uint32_t) { self->onPidfd(); }); !r) {
		loop.removeFd(self->output_.get());
		return std::move(r).error();
	}
	return child;
}

ChildProcess::~ChildProcess()
{
	if (killTimer_)
		loop_.cancelTimer(*killTimer_);
	if (output_) {
		loop_.removeFd(output_.get());
	}
	if (pidfd_)
		loop_.removeFd(pidfd_.get());
	if (running_) {
		::kill(pid_, SIGKILL);
		while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
}

void ChildProcess::stop(std::chrono::milliseconds grace)
{
	if (!running_)
		return;
	::kill(pid_, SIGTERM);
	if (!killTimer_)
		killTimer_ = loop_.addTimer(grace, [this] {
			killTimer_.reset();
			if (running_)
				::kill(pid_, SIGKILL);
		});
}

void ChildProcess::drainOutput(bool final)
{
	if (!output_)
		return;
	std::array<char, 4096> buf{};
	for (;;) {
		ssize_t n = ::read(output_.get(), buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			partial_.append(buf.data(), static_cast<size_t>(n));
			size_t start = 0;
			for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
				onLine_(std::string_view(partial_).substr(start, nl - start));
			partial_.erase(0, start);
			// A child that never ends a line must not grow our memory.
			if (partial_.size() > 4096) {
				onLine_(partial_);
				partial_.clear();
			}
			continue;
		}
		if (n == 0 || final || errno != EAGAIN) {
			// End of output (or an error): flush and stop watching.
			if (!partial_.empty())
				onLine_(partial_);
			partial_.clear();
			loop_.removeFd(output_.get());
			output_.reset();
		}
		return;
	}
}

void ChildProcess::onOutput()
{
	drainOutput(false);
}

void ChildProcess::onPidfd()
{
	siginfo_t info{};
	if (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
		return;
	running_ = false;
	if (killTimer_) {
		loop_.cancelTimer(*killTimer_);
		killTimer_.reset();
	}
	loop_.removeFd(pidfd_.get());
	pidfd_.reset();
	// Output written just before the exit is still in the pipe: deliver it first.
	// (A grandchild holding the pipe open cannot delay us: final drains what is there.)
	drainOutput(true);
	if (startReport_) {
		// The child has exited: its failure, if any, is in the pipe.
		ChildFailure failure{};
		if (::read(startReport_.get(), &failure, sizeof failure) == static_cast<ssize_t>(sizeof failure))
			startError_ = describeFailure(failure, program_, binds_).message;
		startReport_.reset();
	}
	int status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : info.si_status & 0x7f;
	// The callback may destroy this object: nothing may touch members after it.
	ExitCallback cb = onExit_;
	cb(status);
}

} // namespace l2tpsec::ppp
