#pragma once
// DhWorkers: the DhOffload of the daemon and the benchmark. Worker threads
// compute Main Mode 3's key pair and g^xy (DhKeyPair::generate and the
// kernel's RNG, both safe to call from any thread) while the engine's thread
// goes on with other peers; a responder's DH is nearly all of its CPU per
// SA, so this is what lets one daemon use more than one core. Answers wait
// in a queue until the owner's event loop sees fd() readable and calls
// deliver() on the engine's thread, the only thread that touches the engine.

#include "common/result.h"
#include "common/unique_fd.h"
#include "ike/ike_ports.h"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace l2tpsec::ike {

class IkeEngine;

class DhWorkers final : public DhOffload {
public:
	/// `threads` workers (at least one); submit() refuses work beyond
	/// `maxQueued` waiting items, so a flood of Main Mode 3s cannot grow
	/// the queue without bound (their retransmissions try again).
	static Result<std::unique_ptr<DhWorkers>> start(unsigned threads, size_t maxQueued = 4096);
	/// The CPUs this process may run on (sched_getaffinity), at least one.
	static unsigned defaultThreads();

	/// Stops and joins the workers; work not yet done is dropped.
	~DhWorkers() override;
	DhWorkers(const DhWorkers &) = delete;
	DhWorkers &operator=(const DhWorkers &) = delete;

	bool submit(DhWork work) override;
	/// Readable (an eventfd) while answers wait for deliver().
	int fd() const { return wake_.get(); }
	/// Hands every waiting answer to `engine`; returns how many.
	size_t deliver(IkeEngine &engine, TimePoint now);
	unsigned threads() const { return static_cast<unsigned>(threads_.size()); }

private:
	DhWorkers(UniqueFd wake, size_t maxQueued);
	void run();

	UniqueFd wake_;
	const size_t maxQueued_;
	std::mutex mutex_;
	std::condition_variable work_;
	bool stopping_ = false;
	std::deque<DhWork> queue_;
	std::vector<std::pair<uint64_t, Result<DhWorkDone>>> done_;
	std::vector<std::thread> threads_;
};

} // namespace l2tpsec::ike
