#pragma once
// One netlink request and its answer, the same for NETLINK_XFRM and generic
// netlink (L2TP): both families' executors (XfrmSocket, GenlSocket) send
// through this, so acks, errors, dumps, interrupted dumps and overruns
// mean one thing everywhere.
//
// The policy, message by message, for the answers carrying the request's
// sequence number and our port (anything else is a late answer to an
// earlier request that timed out, and is skipped):
//   NLMSG_ERROR 0      the ACK: ends the request (a dump too, should one come)
//   NLMSG_ERROR -errno an Error naming the request, with the extended-ACK text
//   NLMSG_DONE         ends a dump; a non-zero status word is an Error. In a
//                      non-dump request (the end of a multipart answer) a zero
//                      status is skipped: the ACK follows
//   NLMSG_NOOP         skipped
//   NLMSG_OVERRUN      an Error (EOVERFLOW): part of the answer is lost
//   NLM_F_DUMP_INTR    on any answer: the request still runs to its end, then
//                      fails with EINTR. We fail rather than restart here
//                      because the caller has already consumed the entries of
//                      the inconsistent dump and only it knows how to discard
//                      them; retryInterrupted() below is the one restart loop
//                      both families use.
//   anything else      a reply, handed to the caller; an Error from the
//                      caller is returned once the exchange is complete, so
//                      the rest of the answer does not sit in the socket
// A datagram that does not split into whole messages, a control message that
// does not parse and a datagram larger than the receive buffer (MSG_TRUNC)
// are Errors (EBADMSG, EMSGSIZE). Reading is bounded by a deadline.
//
// Why not mnl_cb_run(): it turns a stale sequence number into ESRCH (we skip
// it), ignores NLMSG_DONE's status word and the extended ACK, and skips
// NLMSG_OVERRUN; overriding all of that through its control-callback table
// is more code than the state machine below, which is a pure function over
// bytes and is unit-tested as such (tests/unit/kernel_netlink).

#include "common/result.h"
#include "kernel/netlink/nl_frame.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel::netlink {

using ReplyFn = std::function<Result<void>(const Message &)>;

/// errnoError(code, what), with the kernel's extended ACK text appended.
Error kernelError(std::string_view what, int code, std::string_view extack);

/// The state of one exchange, fed datagram by datagram.
class Exchange {
public:
	/// `request` must be exactly one netlink message; its seq and NLM_F_DUMP
	/// decide what answers belong to it and what ends it.
	static Result<Exchange> forRequest(Bytes request, uint32_t portid, std::string_view what);

	/// Processes one received datagram: true when the exchange is complete,
	/// false when more is to come, an Error when it failed.
	Result<bool> feed(Bytes datagram, const ReplyFn &onReply);

	const std::string &what() const { return what_; }

private:
	Exchange(uint32_t seq, uint32_t portid, bool dump, std::string what)
	    : seq_(seq), portid_(portid), dump_(dump), what_(std::move(what))
	{
	}
	Result<bool> finish();
	Error fail(int code, std::string_view text) const;

	uint32_t seq_;
	uint32_t portid_;
	bool dump_;
	std::string what_;
	bool interrupted_ = false;
	std::optional<Error> replyError_;
};

/// Sends requests on a netlink socket it does not own and reads their
/// answers with Exchange. Blocking, bounded by `timeout` per request: the
/// kernel answers in microseconds, and the daemon's single thread would
/// rather wait for that than juggle replies.
class Executor {
public:
	Executor(int fd, uint32_t portid, std::chrono::milliseconds timeout);

	/// Sends `request` and reads until its exchange completes. `what`
	/// prefixes every error.
	Result<void> execute(Bytes request, std::string_view what, const ReplyFn &onReply = {});

	std::chrono::milliseconds timeout() const { return timeout_; }

private:
	int fd_;
	uint32_t portid_;
	std::chrono::milliseconds timeout_;
	std::vector<uint64_t> rx_; ///< 8-aligned receive buffer
};

/// How many times retryInterrupted() runs a dump that keeps being
/// interrupted by concurrent changes before it gives up.
inline constexpr int kDumpAttempts = 3;

/// Runs `attempt` (a whole dump, from a fresh request) again while it fails
/// with EINTR (NLM_F_DUMP_INTR), kDumpAttempts times at most.
template <typename Attempt>
auto retryInterrupted(Attempt attempt) -> decltype(attempt())
{
	for (int n = 1;; n++) {
		auto r = attempt();
		if (r || r.error().code != EINTR || n == kDumpAttempts)
			return r;
	}
}

} // namespace l2tpsec::kernel::netlink
