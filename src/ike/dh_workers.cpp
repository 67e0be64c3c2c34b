#include "ike/dh_workers.h"

#include "ike/ike_engine.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace l2tpsec::ike {

unsigned DhWorkers::defaultThreads()
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return static_cast<unsigned>(CPU_COUNT(&set));
	unsigned n = std::thread::hardware_concurrency();
	return n > 0 ? n : 1;
}

DhWorkers::DhWorkers(UniqueFd wake, size_t maxQueued) : wake_(std::move(wake)), maxQueued_(maxQueued)
{
}

Result<std::unique_ptr<DhWorkers>> DhWorkers::start(unsigned threads, size_t maxQueued)
{
	UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	if (!wake)
		return sysError("DH workers: eventfd");
	std::unique_ptr<DhWorkers> w(new DhWorkers(std::move(wake), maxQueued));
	// The workers block every signal: the daemon takes its signals on its
	// own thread (signalfd), and a worker must never run a handler.
	sigset_t all, old;
	::sigfillset(&all);
	::pthread_sigmask(SIG_SETMASK, &all, &old);
	try {
		for (unsigned i = 0; i < std::max(threads, 1U); i++)
			w->threads_.emplace_back([p = w.get()] { p->run(); });
	} catch (const std::system_error &e) {
		::pthread_sigmask(SIG_SETMASK, &old, nullptr);
		return Error{e.code().value(), std::string("DH workers: cannot start a thread: ") + e.what()};
	}
	::pthread_sigmask(SIG_SETMASK, &old, nullptr);
	return w;
}

DhWorkers::~DhWorkers()
{
	{
		std::lock_guard lock(mutex_);
		stopping_ = true;
		queue_.clear();
	}
	work_.notify_all();
	for (std::thread &t : threads_)
		t.join();
}

bool DhWorkers::submit(DhWork work)
{
	{
		std::lock_guard lock(mutex_);
		if (queue_.size() >= maxQueued_)
			return false;
		queue_.push_back(std::move(work));
	}
	work_.notify_one();
	return true;
}

void DhWorkers::run()
{
	for (;;) {
		DhWork w;
		{
			std::unique_lock lock(mutex_);
			work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
			if (stopping_)
				return;
			w = std::move(queue_.front());
			queue_.pop_front();
		}
		Result<DhWorkDone> done = computeDh(crypto::DhKeyPair::generate(w.group), w.peerPublic);
		bool wasEmpty;
		{
			std::lock_guard lock(mutex_);
			wasEmpty = done_.empty();
			done_.emplace_back(w.sa, std::move(done));
		}
		// One wake-up per batch: deliver() takes all that waits.
		if (wasEmpty) {
			uint64_t one = 1;
			while (::write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {
			}
		}
	}
}

size_t DhWorkers::deliver(IkeEngine &engine, TimePoint now)
{
	uint64_t count;
	while (::read(wake_.get(), &count, sizeof count) < 0 && errno == EINTR) {
	}
	std::vector<std::pair<uint64_t, Result<DhWorkDone>>> batch;
	{
		std::lock_guard lock(mutex_);
		batch.swap(done_);
	}
	for (auto &[sa, done] : batch)
		engine.onDhDone(sa, std::move(done), now);
	return batch.size();
}

} // namespace l2tpsec::ike
