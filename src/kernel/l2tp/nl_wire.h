#pragma once
// The generic-netlink wire format, both directions, as pure functions over
// bytes (message framing and NLMSG_ERROR / NLMSG_DONE: kernel/netlink).
//
// The writer builds one generic-netlink request (nlmsghdr + genlmsghdr +
// attributes) into a byte vector, so every message the L2TP dataplane sends
// can be compared byte by byte in a unit test. The readers walk buffers the
// kernel returned (and, in tests and the fuzzer, hostile ones): every length
// field is checked against the bytes actually present before it is used, and
// nothing is read through a cast pointer, so misaligned or truncated input
// yields an Error, never undefined behaviour.

#include "common/result.h"
#include "kernel/netlink/nl_frame.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel::nl {

using Bytes = std::span<const uint8_t>;

// Sizes fixed by the netlink ABI (<linux/netlink.h>, <linux/genetlink.h>).
inline constexpr size_t kNlmsgHdrLen = 16; ///< struct nlmsghdr
inline constexpr size_t kGenlHdrLen = 4;   ///< struct genlmsghdr
inline constexpr size_t kAttrHdrLen = 4;   ///< struct nlattr

inline constexpr size_t align4(size_t n)
{
	return (n + 3) & ~size_t{3};
}

/// Builds one request: the header now, attributes appended in call order.
class MessageWriter {
public:
	/// nlmsg_type is the genetlink family id; nlmsg_pid stays 0 (the kernel
	/// addresses its answer to the sending socket's port).
	MessageWriter(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version);

	void putU8(uint16_t type, uint8_t v);
	void putU16(uint16_t type, uint16_t v);
	void putU32(uint16_t type, uint32_t v);
	void putU64(uint16_t type, uint64_t v);
	void putBytes(uint16_t type, Bytes payload);
	/// A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING).
	void putString(uint16_t type, std::string_view s);

	/// Starts a nested attribute; pass the returned offset to endNest().
	size_t beginNest(uint16_t type);
	void endNest(size_t offset);

	/// The finished message with nlmsg_len filled in.
	std::vector<uint8_t> finish() &&;

private:
	void putAttr(uint16_t type, const void *data, size_t len);
	std::vector<uint8_t> buf_;
};

/// Received datagrams are split by the framing both families share.
using Message = netlink::Message;
using netlink::splitMessages;

/// A generic-netlink payload: command, version and the attribute bytes.
struct GenlPayload {
	uint8_t cmd = 0;
	uint8_t version = 0;
	Bytes attrs;
};
Result<GenlPayload> parseGenl(const Message &msg);

/// One attribute; the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits are stripped
/// from the type.
struct Attr {
	uint16_t type = 0;
	Bytes payload;
};

/// Splits an attribute stream. Same rules as splitMessages().
Result<std::vector<Attr>> splitAttrs(Bytes stream);
Result<std::vector<Attr>> splitAttrs(std::vector<uint8_t> &&) = delete;

/// Typed payload readers: the payload must have exactly the type's size
/// (the kernel pads, but nla_len never includes the pad).
Result<uint8_t> attrU8(const Attr &a);
Result<uint16_t> attrU16(const Attr &a);
Result<uint32_t> attrU32(const Attr &a);
Result<uint64_t> attrU64(const Attr &a);
/// A string attribute: up to the first NUL, or the whole payload if none.
std::string attrString(const Attr &a);

} // namespace l2tpsec::kernel::nl
