#pragma once
// XfrmSocket: the NETLINK_XFRM socket under NetlinkIpsecDataplane (libmnl
// opens and binds it). It sends one request built by xfrm_msg.h through the
// shared netlink executor (kernel/netlink/nl_exchange.h: acks, errors, dumps,
// interrupted dumps and overruns), which hands every reply to the caller and
// turns a kernel -errno into an Error that says what was asked:
// "XFRM_MSG_NEWSA spi 0x0000c001 192.0.2.1->192.0.2.2: File exists".

#include "common/result.h"
#include "kernel/netlink/nl_exchange.h"
#include "kernel/xfrm/xfrm_msg.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

struct mnl_socket;

namespace l2tpsec::kernel::xfrm {

class XfrmSocket {
public:
	/// A request socket (no multicast groups) in the caller's network namespace.
	static Result<XfrmSocket> open(std::chrono::milliseconds timeout = std::chrono::seconds(5));
	XfrmSocket(XfrmSocket &&other) noexcept;
	XfrmSocket &operator=(XfrmSocket &&other) noexcept;
	XfrmSocket(const XfrmSocket &) = delete;
	XfrmSocket &operator=(const XfrmSocket &) = delete;
	~XfrmSocket();

	/// The sequence number for the next request's header.
	uint32_t nextSeq() { return ++seq_; }

	using ReplyFn = netlink::ReplyFn;
	/// Sends `request` and passes each reply message other than the final
	/// ACK / NLMSG_DONE to onReply (an error from onReply stops reading
	/// after the exchange completes and is returned). `what` prefixes every
	/// error. A dump the kernel marks NLM_F_DUMP_INTR ends in EINTR: the
	/// caller should run it again (netlink::retryInterrupted).
	Result<void> execute(std::span<const uint8_t> request, std::string_view what, const ReplyFn &onReply = {});

	/// execute() that keeps the replies' bytes.
	Result<std::vector<std::vector<uint8_t>>> query(std::span<const uint8_t> request, std::string_view what);

	int fd() const;

private:
	XfrmSocket(mnl_socket *nl, std::chrono::milliseconds timeout);
	void close();

	mnl_socket *nl_ = nullptr;
	uint32_t seq_ = 0;
	netlink::Executor exec_;
};

using netlink::kernelError;

} // namespace l2tpsec::kernel::xfrm
