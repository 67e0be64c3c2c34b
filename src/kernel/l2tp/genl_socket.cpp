#include "kernel/l2tp/genl_socket.h"

#include <fmt/format.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>

namespace l2tpsec::kernel {

namespace {

using Clock = std::chrono::steady_clock;

Error libnlError(std::string_view what, const char *step, int nlerr)
{
	return Error{EIO, fmt::format("{}: netlink {}: {}", what, step, nl_geterror(nlerr))};
}

} // namespace

Result<GenlSocket> GenlSocket::open()
{
	nl_sock *sk = nl_socket_alloc();
	if (!sk)
		return Error{ENOMEM, "netlink: cannot allocate a socket"};
	if (int err = nl_connect(sk, NETLINK_GENERIC); err < 0) {
		nl_socket_free(sk);
		return libnlError("NETLINK_GENERIC", "connect", err);
	}
	// The socket must not leak into pppd or any other child (research.md §3.5).
	int fd = nl_socket_get_fd(sk);
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	// Extended ACKs carry the kernel's reason text (policy violations, for
	// instance); capped ACKs spare us the echo of our own request. Both are
	// optional: older kernels just do without.
	int one = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	// Dumps can exceed a page; let nl_recv() size its buffer by peeking.
	nl_socket_enable_msg_peek(sk);
	return GenlSocket(sk, static_cast<uint32_t>(std::time(nullptr)));
}

GenlSocket::GenlSocket(GenlSocket &&other) noexcept : sock_(std::exchange(other.sock_, nullptr)), seq_(other.seq_)
{
}

GenlSocket &GenlSocket::operator=(GenlSocket &&other) noexcept
{
	if (this != &other) {
		if (sock_)
			nl_socket_free(sock_);
		sock_ = std::exchange(other.sock_, nullptr);
		seq_ = other.seq_;
	}
	return *this;
}

GenlSocket::~GenlSocket()
{
	if (sock_)
		nl_socket_free(sock_); // closes the fd too
}

Result<std::vector<uint8_t>> GenlSocket::receive(std::string_view what)
{
	auto deadline = Clock::now() + kTimeout;
	for (;;) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
		if (left.count() <= 0)
			return Error{ETIMEDOUT,
			             fmt::format("{}: no answer from the kernel within {} ms", what, kTimeout.count())};
		pollfd pfd{nl_socket_get_fd(sock_), POLLIN, 0};
		int ready = poll(&pfd, 1, static_cast<int>(left.count()));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return sysError(fmt::format("{}: poll on the netlink socket", what));
		if (ready == 0)
			continue; // the deadline check above reports it
		sockaddr_nl from{};
		unsigned char *raw = nullptr;
		int n = nl_recv(sock_, &from, &raw, nullptr);
		std::unique_ptr<unsigned char, decltype(&std::free)> owned(raw, &std::free);
		if (n < 0)
			return libnlError(what, "receive", n);
		// Only the kernel (port 0) answers requests; anything else is noise.
		if (n == 0 || from.nl_pid != 0)
			continue;
		return std::vector<uint8_t>(raw, raw + n);
	}
}

Result<void> GenlSocket::transact(nl::Bytes request, std::string_view what, const ReplyHandler &onReply)
{
	auto parts = nl::splitMessages(request);
	if (!parts || parts->size() != 1)
		return Error{EINVAL, fmt::format("{}: the request is not one netlink message", what)};
	const uint32_t seq = parts->front().seq;
	const bool dump = (parts->front().flags & NLM_F_DUMP) == NLM_F_DUMP;
	const uint32_t port = nl_socket_get_local_port(sock_);

	// nl_sendto() takes a non-const buffer but only reads it.
	int sent = nl_sendto(sock_, const_cast<uint8_t *>(request.data()), request.size());
	if (sent < 0)
		return libnlError(what, "send", sent);

	std::optional<Error> handlerError;
	for (;;) {
		auto datagram = receive(what);
		if (!datagram)
			return std::move(datagram).error();
		auto messages = nl::splitMessages(*datagram);
		if (!messages)
			return Error{EBADMSG, fmt::format("{}: {}", what, messages.error().message)};
		for (const nl::Message &m : *messages) {
			if (m.seq != seq || m.pid != port)
				continue; // a late answer to an earlier, timed-out request
			if (m.type == NLMSG_ERROR) {
				auto e = nl::parseError(m);
				if (!e)
					return Error{EBADMSG, fmt::format("{}: {}", what, e.error().message)};
				if (e->error != 0) {
					Error err = errnoError(-e->error, std::string(what));
					if (!e->extackMessage.empty())
						err.message += fmt::format(" ({})", e->extackMessage);
					return err;
				}
				if (handlerError)
					return std::move(*handlerError);
				return {}; // the ACK: done
			}
			if (m.type == NLMSG_DONE) {
				auto status = nl::parseDone(m);
				if (!status)
					return Error{EBADMSG, fmt::format("{}: {}", what, status.error().message)};
				if (*status != 0)
					return errnoError(-*status, std::string(what));
				if (handlerError)
					return std::move(*handlerError);
				if (dump)
					return {};
				continue;
			}
			if (m.type == NLMSG_NOOP || m.type == NLMSG_OVERRUN)
				continue;
			// Keep reading after a handler error so that the rest of this
			// answer does not sit in the socket for the next request.
			if (onReply && !handlerError)
				if (auto r = onReply(m); !r)
					handlerError =
					        Error{r.error().code, fmt::format("{}: {}", what, r.error().message)};
		}
	}
}

Result<l2tpgenl::FamilyInfo> GenlSocket::resolveFamily(std::string_view name)
{
	std::string what = fmt::format("CTRL_CMD_GETFAMILY \"{}\"", name);
	std::optional<l2tpgenl::FamilyInfo> found;
	auto request = l2tpgenl::buildGetFamily(nextSeq(), name);
	auto keep = [&found](l2tpgenl::FamilyInfo f) { found = std::move(f); };
	auto done = transact(request, what, parseEachAnswer(l2tpgenl::parseFamily, keep));
	if (!done)
		return std::move(done).error();
	if (!found)
		return Error{EBADMSG, what + ": the kernel acknowledged but sent no family"};
	return std::move(*found);
}

} // namespace l2tpsec::kernel
