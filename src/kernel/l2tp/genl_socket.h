#pragma once
// GenlSocket: the NETLINK_GENERIC socket under NetlinkL2tpDataplane (libnl-3
// allocates and binds it). It sends requests built by l2tp_msg.h through the
// shared netlink executor (kernel/netlink/nl_exchange.h: acks, errors, dumps,
// interrupted dumps and overruns, the same as for XFRM), which hands each
// answer to a callback. A kernel refusal becomes an Error with its errno:
// "<what>: File exists", plus the kernel's extended-ACK text when it gave one.

#include "common/result.h"
#include "kernel/l2tp/l2tp_msg.h"
#include "kernel/netlink/nl_exchange.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

struct nl_sock; // libnl; only genl_socket.cpp sees its definition

namespace l2tpsec::kernel {

class GenlSocket {
public:
	/// Opens and binds the socket, close-on-exec, with extended ACKs on.
	static Result<GenlSocket> open();

	GenlSocket(GenlSocket &&other) noexcept;
	GenlSocket &operator=(GenlSocket &&other) noexcept;
	GenlSocket(const GenlSocket &) = delete;
	GenlSocket &operator=(const GenlSocket &) = delete;
	~GenlSocket();

	/// A fresh sequence number for the next request.
	uint32_t nextSeq() { return ++seq_; }

	/// Called for every answer to the request that is not the final ACK or
	/// NLMSG_DONE; an error from it ends the exchange (after draining).
	using ReplyHandler = netlink::ReplyFn;

	/// Sends `request` (its seq from nextSeq()) and reads until it is
	/// answered. A dump (NLM_F_DUMP in the request) ends with NLMSG_DONE,
	/// anything else with an ACK, since our requests all set NLM_F_ACK.
	/// `what` names the request in errors. An interrupted dump fails with
	/// EINTR (run it again: netlink::retryInterrupted).
	Result<void> transact(netlink::Bytes request, std::string_view what, const ReplyHandler &onReply = {});

	/// Resolves a generic-netlink family by name (CTRL_CMD_GETFAMILY). The
	/// kernel loads the family's module on demand (MODULE_ALIAS_GENL_FAMILY).
	Result<l2tpgenl::FamilyInfo> resolveFamily(std::string_view name);

	/// How long transact() waits for the kernel before giving up.
	static constexpr std::chrono::milliseconds kTimeout{10000};

private:
	GenlSocket(nl_sock *sock, uint32_t seq);

	nl_sock *sock_ = nullptr;
	uint32_t seq_ = 0;
	netlink::Executor exec_;
};

/// A ReplyHandler for answers that carry one object each: the message goes
/// to `parse` (l2tp_msg.h), its value to `store`.
template <typename Parse, typename Store>
GenlSocket::ReplyHandler parseEachAnswer(Parse parse, Store store)
{
	return [parse, store](const netlink::Message &m) -> Result<void> {
		L2S_TRY_ASSIGN(auto value, parse(m.bytes));
		store(std::move(value));
		return {};
	};
}

} // namespace l2tpsec::kernel
