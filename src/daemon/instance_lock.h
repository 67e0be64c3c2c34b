#pragma once
// One l2tpsecd per network namespace. The kernel state a daemon owns (XFRM
// states and policies in its reqid range, L2TP tunnels in its id range), its
// pppds and its ports belong to one network namespace, and start-up recovery
// removes whatever it finds there. A second daemon started by mistake must
// therefore stop before it touches any of it.
//
// The lock is a listening UNIX socket in the abstract namespace, which is
// per network namespace and vanishes with its owner's last descriptor (kill
// -9 included): nothing is left to go stale. A daemon that finds the name
// taken connects to it: the kernel tells the holder's pid (SO_PEERCRED), and
// the holder answers one JSON line naming its control socket.

#include "common/event_loop.h"
#include "common/result.h"
#include "common/unique_fd.h"

#include <memory>
#include <string>

namespace l2tpsec {

class InstanceLock {
public:
	/// The abstract socket name (without its leading NUL); tests pass their own.
	static constexpr const char *kDefaultName = "l2tpsecd/instance";

	/// Takes the lock or says who holds it: "another l2tpsecd is running in
	/// this network namespace (pid N, control socket PATH)".
	static Result<std::unique_ptr<InstanceLock>> acquire(EventLoop &loop, const std::string &controlSocket,
	                                                     const std::string &name = kDefaultName);
	~InstanceLock();
	InstanceLock(const InstanceLock &) = delete;
	InstanceLock &operator=(const InstanceLock &) = delete;

private:
	InstanceLock(EventLoop &loop, UniqueFd fd, std::string controlSocket);
	void answer();

	EventLoop &loop_;
	UniqueFd fd_;
	std::string controlSocket_;
};

} // namespace l2tpsec
