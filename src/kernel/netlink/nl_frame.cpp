#include "kernel/netlink/nl_frame.h"

#include <fmt/format.h>

#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace l2tpsec::kernel::netlink {

namespace {

Error malformed(std::string what)
{
	return Error{EBADMSG, "malformed netlink data: " + std::move(what)};
}

/// A control message that splits but does not parse.
Error badControl(std::string what)
{
	return Error{EBADMSG, std::move(what)};
}

constexpr size_t align4(size_t n)
{
	return (n + 3) & ~size_t{3};
}

template <typename T>
T load(const uint8_t *p)
{
	T v;
	std::memcpy(&v, p, sizeof v);
	return v;
}

/// A kernel errno is -1..-4095 (include/linux/err.h MAX_ERRNO); anything
/// else, INT_MIN in particular (it cannot even be negated), is not one.
bool plausibleErrno(int32_t e)
{
	return e >= -4095 && e <= 0;
}

/// The NLMSGERR_ATTR_MSG text in an extended ACK's attribute stream.
Result<std::string> extackText(Bytes stream)
{
	std::string text;
	size_t off = 0;
	while (off < stream.size()) {
		size_t rest = stream.size() - off;
		if (rest < sizeof(nlattr))
			return malformed(fmt::format("{} trailing bytes are shorter than an attribute header", rest));
		uint16_t len = load<uint16_t>(stream.data() + off);
		uint16_t type = load<uint16_t>(stream.data() + off + 2) & NLA_TYPE_MASK;
		if (len < sizeof(nlattr) || len > rest)
			return malformed(fmt::format("attribute length {} with {} bytes left", len, rest));
		if (type == NLMSGERR_ATTR_MSG) {
			auto p = stream.subspan(off + sizeof(nlattr), len - sizeof(nlattr));
			auto *s = reinterpret_cast<const char *>(p.data());
			text.assign(s, strnlen(s, p.size()));
		}
		off += std::min<size_t>(align4(len), rest);
	}
	return text;
}

} // namespace

Result<std::vector<Message>> splitMessages(Bytes datagram)
{
	std::vector<Message> out;
	size_t off = 0;
	while (off < datagram.size()) {
		size_t rest = datagram.size() - off;
		if (rest < sizeof(nlmsghdr))
			return malformed(fmt::format("{} trailing bytes are shorter than a message header", rest));
		const uint8_t *h = datagram.data() + off;
		uint32_t len = load<uint32_t>(h);
		if (len < sizeof(nlmsghdr) || len > rest)
			return malformed(fmt::format("message length {} with {} bytes left", len, rest));
		Message m;
		m.type = load<uint16_t>(h + offsetof(nlmsghdr, nlmsg_type));
		m.flags = load<uint16_t>(h + offsetof(nlmsghdr, nlmsg_flags));
		m.seq = load<uint32_t>(h + offsetof(nlmsghdr, nlmsg_seq));
		m.pid = load<uint32_t>(h + offsetof(nlmsghdr, nlmsg_pid));
		m.bytes = datagram.subspan(off, len);
		m.payload = m.bytes.subspan(sizeof(nlmsghdr));
		out.push_back(m);
		// The last message's alignment pad may be missing; never step past the end.
		off += std::min<size_t>(align4(len), rest);
	}
	return out;
}

Result<Ack> parseAck(const Message &msg)
{
	// struct nlmsgerr { int error; struct nlmsghdr msg; } then, unless the
	// kernel capped it (NLM_F_CAPPED), the rest of our request, then, with
	// NLM_F_ACK_TLVS, extended-ACK attributes (Linux 4.12+). The kernel
	// always sends the echoed header, so a shorter payload is malformed.
	Bytes p = msg.payload;
	if (p.size() < sizeof(nlmsgerr))
		return badControl(fmt::format("NLMSG_ERROR of {} bytes", p.size()));
	int32_t error = load<int32_t>(p.data());
	if (!plausibleErrno(error))
		return badControl(fmt::format("NLMSG_ERROR with error code {}", error));
	const uint8_t *echo = p.data() + offsetof(nlmsgerr, msg);
	Ack ack{-error, load<uint32_t>(echo + offsetof(nlmsghdr, nlmsg_seq)), {}};
	if (!(msg.flags & NLM_F_ACK_TLVS))
		return ack;
	size_t echoed = sizeof(nlmsgerr);
	if (!(msg.flags & NLM_F_CAPPED)) {
		uint32_t len = load<uint32_t>(echo);
		if (len < sizeof(nlmsghdr) || align4(len) - sizeof(nlmsghdr) > p.size() - echoed)
			return badControl(fmt::format("NLMSG_ERROR echoes a {}-byte request that is not there", len));
		echoed += align4(len) - sizeof(nlmsghdr);
	}
	L2S_TRY_ASSIGN(auto text, extackText(p.subspan(echoed)));
	ack.extack = std::move(text);
	return ack;
}

Result<int> parseDone(const Message &msg)
{
	if (msg.payload.size() < sizeof(int32_t))
		return 0;
	int32_t status = load<int32_t>(msg.payload.data());
	if (!plausibleErrno(status))
		return badControl(fmt::format("NLMSG_DONE with status {}", status));
	return -status;
}

} // namespace l2tpsec::kernel::netlink
