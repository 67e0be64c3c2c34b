// Netlink framing, independent of XFRM: splitting a datagram into messages,
// reading NLMSG_ERROR (with extended ACK text) and NLMSG_DONE.

#include "kernel/xfrm/nl_attrs.h"
#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>

#include <climits>

namespace l2tpsec::kernel::xfrm {

using detail::AlignedMessage;
using detail::badMessage;

Result<std::vector<NlMessage>> splitMessages(std::span<const uint8_t> datagram)
{
	std::vector<NlMessage> out;
	size_t off = 0;
	while (off < datagram.size()) {
		size_t left = datagram.size() - off;
		if (left < sizeof(nlmsghdr))
			return badMessage(fmt::format("{} stray bytes after the last netlink message", left));
		nlmsghdr h;
		std::memcpy(&h, datagram.data() + off, sizeof(h));
		if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > left)
			return badMessage(fmt::format("netlink message at offset {} claims {} bytes, {} left", off,
			                              h.nlmsg_len, left));
		out.push_back(NlMessage{h.nlmsg_type, h.nlmsg_flags, h.nlmsg_seq, h.nlmsg_pid,
		                        datagram.subspan(off, h.nlmsg_len)});
		// The last message of a datagram may lack its padding.
		off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), left);
	}
	return out;
}

namespace {

/// A kernel errno is -1..-4095 (include/linux/err.h MAX_ERRNO).
bool plausibleErrno(int e)
{
	return e >= -4095 && e <= 0;
}

} // namespace

Result<NlAck> parseAck(std::span<const uint8_t> bytes)
{
	auto msg = AlignedMessage::from(bytes);
	if (!msg)
		return std::move(msg).error();
	if (msg->type() != NLMSG_ERROR)
		return badMessage(fmt::format("expected NLMSG_ERROR, got {}", msgTypeName(msg->type())));
	nlmsgerr e;
	// Only the error code is required; a capped ACK may still be short of
	// the echoed header in a hostile input.
	auto p = msg->payload();
	if (p.size() < sizeof(e.error))
		return badMessage(fmt::format("NLMSG_ERROR with {} bytes of payload", p.size()));
	std::memcpy(&e.error, p.data(), sizeof(e.error));
	if (!plausibleErrno(e.error))
		return badMessage(fmt::format("NLMSG_ERROR with error code {}", e.error));
	NlAck ack{-e.error, {}};

	// Extended ACK (NLM_F_ACK_TLVS): attributes after the echoed request,
	// which is only the header when NLM_F_CAPPED is set.
	if (!(msg->flags() & NLM_F_ACK_TLVS))
		return ack;
	if (p.size() < sizeof(nlmsgerr))
		return badMessage("NLMSG_ERROR with extended ACK is too short for the echoed header");
	std::memcpy(&e, p.data(), sizeof(e));
	size_t echoed = sizeof(nlmsgerr);
	if (!(msg->flags() & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < sizeof(nlmsghdr) || e.msg.nlmsg_len - sizeof(nlmsghdr) > p.size() - echoed)
			return badMessage(
			        fmt::format("NLMSG_ERROR echoes a {}-byte request that is not there", e.msg.nlmsg_len));
		echoed += e.msg.nlmsg_len - sizeof(nlmsghdr);
	}
	auto attrs = detail::parseAttributes<NLMSGERR_ATTR_MAX + 1>(*msg, echoed);
	if (!attrs)
		return std::move(attrs).error();
	if (!attrs->has(NLMSGERR_ATTR_MSG))
		return ack;
	auto text = attrs->get(NLMSGERR_ATTR_MSG);
	ack.extack.assign(reinterpret_cast<const char *>(text.data()),
	                  strnlen(reinterpret_cast<const char *>(text.data()), text.size()));
	return ack;
}

Result<int> parseDone(std::span<const uint8_t> bytes)
{
	auto msg = AlignedMessage::from(bytes);
	if (!msg)
		return std::move(msg).error();
	if (msg->type() != NLMSG_DONE)
		return badMessage(fmt::format("expected NLMSG_DONE, got {}", msgTypeName(msg->type())));
	int status = 0;
	if (msg->payload().size() >= sizeof(status))
		std::memcpy(&status, msg->payload().data(), sizeof(status));
	if (!plausibleErrno(status))
		return badMessage(fmt::format("NLMSG_DONE with status {}", status));
	return -status;
}

} // namespace l2tpsec::kernel::xfrm
