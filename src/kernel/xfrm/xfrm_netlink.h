#pragma once
// XfrmSocket: the thin executor under NetlinkIpsecDataplane. It sends one
// request built by xfrm_msg.h over NETLINK_XFRM (libmnl), reads until the
// kernel's ACK (or NLMSG_DONE for a dump), hands every other reply to the
// caller, and turns a kernel -errno into an Error that says what was asked:
// "XFRM_MSG_NEWSA spi 0x0000c001 192.0.2.1->192.0.2.2: File exists".
//
// Blocking, with a receive timeout: XFRM answers in microseconds, and the
// daemon's single thread would rather wait for that than juggle replies.

#include "common/result.h"
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

	using ReplyFn = std::function<Result<void>(const NlMessage &)>;
	/// Sends `request` and passes each reply message other than the final
	/// ACK / NLMSG_DONE to onReply (an error from onReply stops reading
	/// after the exchange completes and is returned). `what` prefixes every
	/// error. A dump the kernel marks NLM_F_DUMP_INTR ends in EINTR: the
	/// caller should run it again.
	Result<void> execute(std::span<const uint8_t> request, std::string_view what, const ReplyFn &onReply = {});

	/// execute() that keeps the replies' bytes.
	Result<std::vector<std::vector<uint8_t>>> query(std::span<const uint8_t> request, std::string_view what);

	int fd() const;

private:
	explicit XfrmSocket(mnl_socket *nl);
	void close();

	mnl_socket *nl_ = nullptr;
	uint32_t portid_ = 0;
	uint32_t seq_ = 0;
	std::vector<uint64_t> rx_; ///< 8-aligned receive buffer
};

/// errnoError(code, what), with the kernel's extended ACK text appended.
Error kernelError(std::string_view what, int code, std::string_view extack);

} // namespace l2tpsec::kernel::xfrm
