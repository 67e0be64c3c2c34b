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
	// The socket must not leak into pppd or any other child, which would keep
	// it open (and its netlink port bound) for as long as the child runs.
	int fd = nl_socket_get_fd(sk);
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	// Extended ACKs carry the kernel's reason text (policy violations, for
	// instance); capped ACKs spare us the echo of our own request. Both are
	// optional: older kernels just do without.
	int one = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	return GenlSocket(sk, static_cast<uint32_t>(std::time(nullptr)));
}

GenlSocket::GenlSocket(nl_sock *sock, uint32_t seq)
    : sock_(sock), seq_(seq), exec_(nl_socket_get_fd(sock), nl_socket_get_local_port(sock), kTimeout)
{
}

GenlSocket::GenlSocket(GenlSocket &&other) noexcept
    : sock_(std::exchange(other.sock_, nullptr)), seq_(other.seq_), exec_(std::move(other.exec_))
{
}

GenlSocket &GenlSocket::operator=(GenlSocket &&other) noexcept
{
	if (this != &other) {
		if (sock_)
			nl_socket_free(sock_);
		sock_ = std::exchange(other.sock_, nullptr);
		seq_ = other.seq_;
		exec_ = std::move(other.exec_);
	}
	return *this;
}

GenlSocket::~GenlSocket()
{
	if (sock_)
		nl_socket_free(sock_); // closes the fd too
}

Result<void> GenlSocket::transact(netlink::Bytes request, std::string_view what, const ReplyHandler &onReply)
{
	if (!sock_)
		return Error{EBADF, fmt::format("{}: socket is closed", what)};
	return exec_.execute(request, what, onReply);
}

Result<l2tpgenl::FamilyInfo> GenlSocket::resolveFamily(std::string_view name)
{
	std::string what = fmt::format("CTRL_CMD_GETFAMILY \"{}\"", name);
	std::optional<l2tpgenl::FamilyInfo> found;
	auto request = l2tpgenl::buildGetFamily(nextSeq(), name);
	auto keep = [&found](l2tpgenl::FamilyInfo f) { found = std::move(f); };
	L2S_TRY(transact(request, what, parseEachAnswer(l2tpgenl::parseFamily, keep)));
	if (!found)
		return Error{EBADMSG, what + ": the kernel acknowledged but sent no family"};
	return std::move(*found);
}

} // namespace l2tpsec::kernel
