#include "kernel/netlink/nl_exchange.h"

#include <fmt/format.h>

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace l2tpsec::kernel::netlink {

namespace {

using Clock = std::chrono::steady_clock;

// Large enough for any answer datagram: the kernel sizes dump datagrams
// after the biggest buffer we have read with, up to 32 KiB on current kernels.
constexpr size_t kReceiveBytes = 64 * 1024;

} // namespace

Error kernelError(std::string_view what, int code, std::string_view extack)
{
	Error e = errnoError(code, std::string(what));
	if (!extack.empty())
		e.message += fmt::format(" ({})", extack);
	return e;
}

Result<Exchange> Exchange::forRequest(Bytes request, uint32_t portid, std::string_view what)
{
	auto parts = splitMessages(request);
	if (!parts || parts->size() != 1)
		return Error{EINVAL, fmt::format("{}: the request is not one netlink message", what)};
	const Message &req = parts->front();
	return Exchange(req.seq, portid, (req.flags & NLM_F_DUMP) == NLM_F_DUMP, std::string(what));
}

Error Exchange::fail(int code, std::string_view text) const
{
	return Error{code, fmt::format("{}: {}", what_, text)};
}

Result<bool> Exchange::finish()
{
	if (replyError_)
		return std::move(*replyError_);
	if (interrupted_)
		return fail(EINTR, "dump interrupted by a concurrent change");
	return true;
}

Result<bool> Exchange::feed(Bytes datagram, const ReplyFn &onReply)
{
	auto messages = splitMessages(datagram);
	if (!messages)
		return fail(EBADMSG, messages.error().message);
	for (const Message &m : *messages) {
		// Answers to an earlier request that timed out are not ours.
		if (m.seq != seq_ || (m.pid != 0 && m.pid != portid_))
			continue;
		if (m.flags & NLM_F_DUMP_INTR)
			interrupted_ = true;
		switch (m.type) {
		case NLMSG_NOOP: continue;
		case NLMSG_OVERRUN: return fail(EOVERFLOW, "netlink overrun, part of the answer is lost");
		case NLMSG_ERROR: {
			auto ack = parseAck(m);
			if (!ack)
				return fail(EBADMSG, ack.error().message);
			if (ack->error)
				return kernelError(what_, ack->error, ack->extack);
			return finish();
		}
		case NLMSG_DONE: {
			auto status = parseDone(m);
			if (!status)
				return fail(EBADMSG, status.error().message);
			if (*status)
				return kernelError(what_, *status, {});
			if (!dump_)
				continue;
			return finish();
		}
		default: break;
		}
		if (onReply && !replyError_)
			if (auto r = onReply(m); !r)
				replyError_ = fail(r.error().code, r.error().message);
	}
	return false;
}

Executor::Executor(int fd, uint32_t portid, std::chrono::milliseconds timeout)
    : fd_(fd), portid_(portid), timeout_(timeout), rx_(kReceiveBytes / sizeof(uint64_t))
{
}

Result<void> Executor::execute(Bytes request, std::string_view what, const ReplyFn &onReply)
{
	if (fd_ < 0)
		return Error{EBADF, fmt::format("{}: socket is closed", what)};
	L2S_TRY_ASSIGN(auto exchange, Exchange::forRequest(request, portid_, what));

	// No address: an unconnected netlink socket sends to the kernel (port
	// 0), and the unit tests can stand a socketpair in for it.
	ssize_t sent;
	do
		sent = ::send(fd_, request.data(), request.size(), 0);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return sysError(fmt::format("{}: send", what));

	auto deadline = Clock::now() + timeout_;
	for (;;) {
		auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
		if (left.count() <= 0)
			return Error{ETIMEDOUT,
			             fmt::format("{}: no answer from the kernel within {} ms", what, timeout_.count())};
		pollfd pfd{fd_, POLLIN, 0};
		int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return sysError(fmt::format("{}: poll on the netlink socket", what));
		if (ready == 0)
			continue; // the deadline check above reports it

		sockaddr_nl from{};
		iovec iov{rx_.data(), rx_.size() * sizeof(uint64_t)};
		msghdr mh{};
		mh.msg_name = &from;
		mh.msg_namelen = sizeof from;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		ssize_t n = ::recvmsg(fd_, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (errno == ENOBUFS) // the socket overran: answers are lost
				return Error{EOVERFLOW, fmt::format("{}: netlink receive buffer overrun", what)};
			return sysError(fmt::format("{}: receive", what));
		}
		// Only the kernel (port 0) answers requests; anything else is noise.
		if (mh.msg_namelen >= sizeof from && from.nl_family == AF_NETLINK && from.nl_pid != 0)
			continue;
		if (mh.msg_flags & MSG_TRUNC)
			return Error{EMSGSIZE, fmt::format("{}: an answer larger than {} bytes was truncated", what,
			                                   iov.iov_len)};
		L2S_TRY_ASSIGN(auto done,
		               exchange.feed({reinterpret_cast<const uint8_t *>(rx_.data()), size_t(n)}, onReply));
		if (done)
			return {};
	}
}

} // namespace l2tpsec::kernel::netlink
