#include "kernel/l2tp/pppol2tp_socket.h"

#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"

// No <netinet/in.h>: <linux/if_pppox.h> brings the kernel's <linux/in.h>.
#include <fmt/format.h>

#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace l2tpsec::kernel {

namespace {

// The sockaddr flavour tells the kernel the tunnel version it would create
// (pppol2tp_sockaddr_get_info() goes by its length); to attach to an
// existing session only the ids matter. The L2TPv2 form holds 16-bit ids,
// so ids that do not fit need the L2TPv3 form.
template <typename Sockaddr>
int connectWith(int fd, const SessionParams &p, uint32_t peerTunnelId, int tunnelFd)
{
	Sockaddr sa{};
	sa.sa_family = AF_PPPOX;
	sa.sa_protocol = PX_PROTO_OL2TP;
	sa.pppol2tp.pid = 0; // the fd below belongs to this process
	sa.pppol2tp.fd = tunnelFd;
	sa.pppol2tp.addr.sin_family = AF_INET;
	sa.pppol2tp.s_tunnel = static_cast<decltype(sa.pppol2tp.s_tunnel)>(p.tunnelId);
	sa.pppol2tp.s_session = static_cast<decltype(sa.pppol2tp.s_session)>(p.sessionId);
	sa.pppol2tp.d_tunnel = static_cast<decltype(sa.pppol2tp.d_tunnel)>(peerTunnelId);
	sa.pppol2tp.d_session = static_cast<decltype(sa.pppol2tp.d_session)>(p.peerSessionId);
	// The uapi sockaddr is packed; pass it through an aligned copy.
	sockaddr_storage ss{};
	static_assert(sizeof sa <= sizeof ss);
	std::memcpy(&ss, &sa, sizeof sa);
	return connect(fd, reinterpret_cast<const sockaddr *>(&ss), sizeof sa);
}

Result<void> setOption(int fd, int option, const char *name, int value, const SessionParams &p)
{
	if (setsockopt(fd, SOL_PPPOL2TP, option, &value, sizeof value) == 0)
		return {};
	return sysError(fmt::format("setsockopt {} tunnel {} session {}", name, p.tunnelId, p.sessionId));
}

} // namespace

Result<UniqueFd> openPppol2tpSocket(const SessionParams &p, uint32_t peerTunnelId, int tunnelFd)
{
	L2S_TRY(l2tpgenl::validatePppSocketParams(p, peerTunnelId));

	UniqueFd fd(socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP));
	if (!fd) {
		Error e = sysError("socket(AF_PPPOX, PX_PROTO_OL2TP)");
		if (e.code == EAFNOSUPPORT || e.code == EPROTONOSUPPORT)
			e.message += " (is the l2tp_ppp module available?)";
		return e;
	}

	bool fits16 =
	        p.tunnelId <= 0xffff && p.sessionId <= 0xffff && peerTunnelId <= 0xffff && p.peerSessionId <= 0xffff;
	int rc = fits16 ? connectWith<sockaddr_pppol2tp>(fd.get(), p, peerTunnelId, tunnelFd)
	                : connectWith<sockaddr_pppol2tpv3>(fd.get(), p, peerTunnelId, tunnelFd);
	if (rc != 0)
		return l2tpgenl::pppConnectError(errno, p.tunnelId, p.sessionId);

	// Set even when the netlink session already has them: a session the
	// connect() created implicitly starts with everything off.
	L2S_TRY(setOption(fd.get(), PPPOL2TP_SO_LNSMODE, "PPPOL2TP_SO_LNSMODE", p.lnsMode, p));
	L2S_TRY(setOption(fd.get(), PPPOL2TP_SO_SENDSEQ, "PPPOL2TP_SO_SENDSEQ", p.sendSeq, p));
	L2S_TRY(setOption(fd.get(), PPPOL2TP_SO_RECVSEQ, "PPPOL2TP_SO_RECVSEQ", p.recvSeq, p));
	L2S_TRY(setOption(fd.get(), PPPOL2TP_SO_REORDERTO, "PPPOL2TP_SO_REORDERTO",
	                  static_cast<int>(std::min<uint32_t>(p.reorderTimeoutMs, INT32_MAX)), p));
	return fd;
}

Result<void> setPppol2tpSendSequence(const SessionParams &p, int fd)
{
	return setOption(fd, PPPOL2TP_SO_SENDSEQ, "PPPOL2TP_SO_SENDSEQ", p.sendSeq, p);
}

} // namespace l2tpsec::kernel
