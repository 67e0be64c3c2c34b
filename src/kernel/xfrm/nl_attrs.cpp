#include "kernel/xfrm/nl_attrs.h"

#include <fmt/format.h>
#include <libmnl/libmnl.h>

namespace l2tpsec::kernel::xfrm::detail {

Result<AlignedMessage> AlignedMessage::from(std::span<const uint8_t> msg)
{
	if (msg.size() < sizeof(nlmsghdr))
		return badMessage(fmt::format("netlink message of {} bytes is shorter than its header", msg.size()));
	uint32_t len;
	std::memcpy(&len, msg.data() + offsetof(nlmsghdr, nlmsg_len), sizeof(len));
	if (len < sizeof(nlmsghdr) || len > msg.size())
		return badMessage(fmt::format("netlink message claims {} bytes, {} present", len, msg.size()));
	AlignedMessage m;
	// One spare word: libmnl walks to the 4-aligned end of the message.
	m.words_.assign(len / 8 + 2, 0);
	std::memcpy(m.words_.data(), msg.data(), len);
	m.length_ = len;
	return m;
}

std::span<const uint8_t> AlignedMessage::payload() const
{
	auto *base = reinterpret_cast<const uint8_t *>(words_.data());
	return {base + MNL_NLMSG_HDRLEN, length_ - MNL_NLMSG_HDRLEN};
}

namespace {

struct WalkState {
	const uint8_t *base;
	size_t length;
	size_t next; ///< offset just after the last good attribute (aligned)
	std::span<std::span<const uint8_t>> payloads;
	std::span<bool> present;
	std::optional<Error> error;
};

int onAttribute(const nlattr *attr, void *data)
{
	auto &w = *static_cast<WalkState *>(data);
	size_t off = size_t(reinterpret_cast<const uint8_t *>(attr) - w.base);
	size_t len = attr->nla_len;
	// libmnl has checked len against the 4-aligned end; the message may end
	// up to 3 bytes earlier.
	if (off + len > w.length) {
		w.error = badMessage(fmt::format("attribute {} at offset {} ({} bytes) runs past the {}-byte message",
		                                 mnl_attr_get_type(attr), off, len, w.length));
		return MNL_CB_ERROR;
	}
	uint16_t type = mnl_attr_get_type(attr);
	if (type < w.payloads.size()) {
		w.payloads[type] = {w.base + off + MNL_ATTR_HDRLEN, len - MNL_ATTR_HDRLEN};
		w.present[type] = true;
	}
	w.next = off + MNL_ALIGN(len);
	return MNL_CB_OK;
}

} // namespace

Result<void> parseAttributes(const AlignedMessage &msg, size_t fixedHeader,
                             std::span<std::span<const uint8_t>> payloads, std::span<bool> present)
{
	size_t start = MNL_NLMSG_HDRLEN + MNL_ALIGN(fixedHeader);
	if (msg.length() < MNL_NLMSG_HDRLEN + fixedHeader)
		return badMessage(fmt::format("{}-byte message is too short for its {}-byte header", msg.length(),
		                              MNL_NLMSG_HDRLEN + fixedHeader));
	if (start >= msg.length())
		return {}; // no attributes
	WalkState w{reinterpret_cast<const uint8_t *>(msg.header()), msg.length(), start, payloads, present, {}};
	mnl_attr_parse(msg.header(), MNL_ALIGN(fixedHeader), onAttribute, &w);
	if (w.error)
		return std::move(*w.error);
	// mnl_attr_parse stops quietly at the first attribute that does not
	// fit; say which one and why.
	if (w.next >= msg.length())
		return {};
	size_t left = msg.length() - w.next;
	if (left < MNL_ATTR_HDRLEN)
		return badMessage(
		        fmt::format("{} stray bytes at offset {} of a {}-byte message", left, w.next, msg.length()));
	nlattr a;
	std::memcpy(&a, w.base + w.next, sizeof(a));
	if (a.nla_len < MNL_ATTR_HDRLEN)
		return badMessage(fmt::format("attribute {} at offset {} has length {}, shorter than its header",
		                              a.nla_type & NLA_TYPE_MASK, w.next, a.nla_len));
	return badMessage(fmt::format("attribute {} at offset {} ({} bytes) runs past the {}-byte message",
	                              a.nla_type & NLA_TYPE_MASK, w.next, a.nla_len, msg.length()));
}

} // namespace l2tpsec::kernel::xfrm::detail
