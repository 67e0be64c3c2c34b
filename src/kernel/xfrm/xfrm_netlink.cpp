#include "kernel/xfrm/xfrm_netlink.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

namespace l2tpsec::kernel::xfrm {

namespace {

// Large enough for any dump datagram: the kernel sizes them after the
// biggest buffer we have read with, up to 32 KiB on current kernels.
constexpr size_t kReceiveBytes = 64 * 1024;

} // namespace

Error kernelError(std::string_view what, int code, std::string_view extack)
{
	Error e = errnoError(code, std::string(what));
	if (!extack.empty())
		e.message += fmt::format(" ({})", extack);
	return e;
}

Result<XfrmSocket> XfrmSocket::open(std::chrono::milliseconds timeout)
{
	mnl_socket *nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (!nl)
		return sysError("NETLINK_XFRM socket");
	XfrmSocket s(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return sysError("bind NETLINK_XFRM socket");
	s.portid_ = mnl_socket_get_portid(nl);
	// Extended ACKs carry the kernel's reason text; capped ACKs do not echo
	// our request back. Both are optional: older kernels refuse them.
	int one = 1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	timeval tv{};
	tv.tv_sec = timeout.count() / 1000;
	tv.tv_usec = (timeout.count() % 1000) * 1000;
	if (setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return sysError("SO_RCVTIMEO on NETLINK_XFRM socket");
	return s;
}

XfrmSocket::XfrmSocket(mnl_socket *nl) : nl_(nl), rx_(kReceiveBytes / sizeof(uint64_t))
{
}

XfrmSocket::XfrmSocket(XfrmSocket &&other) noexcept
    : nl_(std::exchange(other.nl_, nullptr)), portid_(other.portid_), seq_(other.seq_), rx_(std::move(other.rx_))
{
}

XfrmSocket &XfrmSocket::operator=(XfrmSocket &&other) noexcept
{
	if (this != &other) {
		close();
		nl_ = std::exchange(other.nl_, nullptr);
		portid_ = other.portid_;
		seq_ = other.seq_;
		rx_ = std::move(other.rx_);
	}
	return *this;
}

XfrmSocket::~XfrmSocket()
{
	close();
}

void XfrmSocket::close()
{
	if (nl_)
		mnl_socket_close(nl_);
	nl_ = nullptr;
}

int XfrmSocket::fd() const
{
	return nl_ ? mnl_socket_get_fd(nl_) : -1;
}

Result<void> XfrmSocket::execute(std::span<const uint8_t> request, std::string_view what, const ReplyFn &onReply)
{
	if (!nl_)
		return Error{EBADF, std::string(what) + ": socket is closed"};
	if (request.size() < sizeof(nlmsghdr))
		return Error{EINVAL, std::string(what) + ": request shorter than a netlink header"};
	nlmsghdr req;
	std::memcpy(&req, request.data(), sizeof(req));
	bool dump = (req.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

	if (mnl_socket_sendto(nl_, request.data(), request.size()) < 0)
		return sysError(std::string(what) + ": send");

	std::optional<Error> replyError;
	bool interrupted = false;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl_, rx_.data(), rx_.size() * sizeof(uint64_t));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return Error{ETIMEDOUT, std::string(what) + ": no answer from the kernel"};
			return sysError(std::string(what) + ": receive");
		}
		auto msgs = splitMessages({reinterpret_cast<const uint8_t *>(rx_.data()), size_t(n)});
		if (!msgs)
			return Error{EBADMSG, std::string(what) + ": " + msgs.error().message};
		for (const NlMessage &m : *msgs) {
			// Answers to an earlier request that timed out are not ours.
			if (m.seq != req.nlmsg_seq || (m.pid != 0 && m.pid != portid_))
				continue;
			if (m.flags & NLM_F_DUMP_INTR)
				interrupted = true;
			switch (m.type) {
			case NLMSG_NOOP: continue;
			case NLMSG_OVERRUN: return Error{EOVERFLOW, std::string(what) + ": netlink overrun"};
			case NLMSG_ERROR: {
				auto ack = parseAck(m.bytes);
				if (!ack)
					return Error{EBADMSG, std::string(what) + ": " + ack.error().message};
				if (ack->error)
					return kernelError(what, ack->error, ack->extack);
				if (dump)
					continue; // not expected, but harmless
				if (replyError)
					return std::move(*replyError);
				return {};
			}
			case NLMSG_DONE: {
				if (!dump)
					continue;
				auto status = parseDone(m.bytes);
				if (!status)
					return Error{EBADMSG, std::string(what) + ": " + status.error().message};
				if (*status)
					return kernelError(what, *status, {});
				if (replyError)
					return std::move(*replyError);
				if (interrupted)
					return Error{EINTR,
					             std::string(what) + ": dump interrupted by a concurrent change"};
				return {};
			}
			default: break; // a reply: XFRM message types
			}
			if (onReply && !replyError) {
				auto r = onReply(m);
				if (!r)
					replyError = std::move(r).error();
			}
		}
	}
}

Result<std::vector<std::vector<uint8_t>>> XfrmSocket::query(std::span<const uint8_t> request, std::string_view what)
{
	std::vector<std::vector<uint8_t>> replies;
	L2S_TRY(execute(request, what, [&](const NlMessage &m) -> Result<void> {
		replies.emplace_back(m.bytes.begin(), m.bytes.end());
		return {};
	}));
	return replies;
}

} // namespace l2tpsec::kernel::xfrm
