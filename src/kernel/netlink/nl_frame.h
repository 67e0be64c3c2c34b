#pragma once
// Netlink framing shared by XFRM and generic netlink, as pure functions over
// bytes: splitting a received datagram into messages and reading the two
// control messages that end an exchange, NLMSG_ERROR (an ACK, or an errno
// with the kernel's extended-ACK text) and NLMSG_DONE. Every length field is
// checked against the bytes present and nothing is read through a cast
// pointer, so hostile or truncated input yields an Error, never UB.

#include "common/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::kernel::netlink {

using Bytes = std::span<const uint8_t>;

/// One netlink message inside a datagram (points into it).
struct Message {
	uint16_t type = 0;
	uint16_t flags = 0;
	uint32_t seq = 0;
	uint32_t pid = 0;
	Bytes bytes;   ///< the whole message, header included, up to nlmsg_len
	Bytes payload; ///< everything after the nlmsghdr, up to nlmsg_len
};

/// Splits a datagram into its messages. Fails on a header that claims less
/// than itself or more than the datagram holds; a missing alignment pad
/// after the last message is tolerated.
Result<std::vector<Message>> splitMessages(Bytes datagram);
/// The messages point into the datagram: a temporary one would dangle.
Result<std::vector<Message>> splitMessages(std::vector<uint8_t> &&) = delete;

/// NLMSG_ERROR: error 0 is an ACK, otherwise a positive errno. extack is the
/// kernel's NLMSGERR_ATTR_MSG text when it sent one.
struct Ack {
	int error = 0;
	uint32_t requestSeq = 0; ///< the sequence number of the echoed request
	std::string extack;
};
/// The payload of an NLMSG_ERROR message (the caller checked the type).
Result<Ack> parseAck(const Message &msg);

/// The status word of NLMSG_DONE: 0, or a positive errno for a failed dump.
/// Kernels before 4.x sent an empty payload, which means success.
Result<int> parseDone(const Message &msg);

} // namespace l2tpsec::kernel::netlink
