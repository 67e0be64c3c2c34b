#include "kernel/xfrm/xfrm_netlink.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

namespace l2tpsec::kernel::xfrm {

Result<XfrmSocket> XfrmSocket::open(std::chrono::milliseconds timeout)
{
	mnl_socket *nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (!nl)
		return sysError("NETLINK_XFRM socket");
	XfrmSocket s(nl, timeout);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return sysError("bind NETLINK_XFRM socket");
	s.exec_ = netlink::Executor(mnl_socket_get_fd(nl), mnl_socket_get_portid(nl), timeout);
	// Extended ACKs carry the kernel's reason text; capped ACKs do not echo
	// our request back. Both are optional: older kernels refuse them.
	int one = 1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

// The executor is bound to the socket in open(), once it has its port.
XfrmSocket::XfrmSocket(mnl_socket *nl, std::chrono::milliseconds timeout) : nl_(nl), exec_(-1, 0, timeout)
{
}

XfrmSocket::XfrmSocket(XfrmSocket &&other) noexcept
    : nl_(std::exchange(other.nl_, nullptr)), seq_(other.seq_), exec_(std::move(other.exec_))
{
}

XfrmSocket &XfrmSocket::operator=(XfrmSocket &&other) noexcept
{
	if (this != &other) {
		close();
		nl_ = std::exchange(other.nl_, nullptr);
		seq_ = other.seq_;
		exec_ = std::move(other.exec_);
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
	return exec_.execute(request, what, onReply);
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
