#pragma once
// Internal to src/kernel/l2tp: libnl-genl under the L2TP codec (l2tp_msg.h).
//
// Requests are built in an nl_msg with genlmsg_put() and nla_put_*(), then
// copied out as bytes, so every message the dataplane sends can still be
// compared byte by byte in a unit test.
//
// Replies are untrusted bytes. They are copied into 8-aligned storage first
// (libnl reads attribute headers and integers through cast pointers), each
// attribute stream is walked once to refuse what nla_parse() would stop at
// quietly (a torn attribute, stray bytes after the last one), and then
// genlmsg_parse() / nla_parse_nested() index it, checking every attribute
// against an nla_policy table: its type and size, before anything reads it.

#include "common/result.h"
#include "kernel/netlink/nl_frame.h"

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::kernel::genl {

// ---- Requests ----

struct NlMsgFree {
	void operator()(nl_msg *msg) const { nlmsg_free(msg); }
};
using NlMsg = std::unique_ptr<nl_msg, NlMsgFree>;

/// A new request: the nlmsghdr (nlmsg_type is the family id; nlmsg_pid 0,
/// as the kernel addresses its answer to the sending socket's port) and the
/// genlmsghdr. Attributes are appended with nla_put_*(), each through put().
NlMsg request(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version);

/// Checks what nla_put_*() returned. It fails only when the message is out
/// of room: our requests are a few dozen bytes in a page-sized nl_msg, so
/// that is an allocation failure, reported as one (std::bad_alloc).
void put(int nlerr);

/// The finished message: nlmsg_len bytes, the pad of the last attribute
/// included (nla_reserve() counts it).
std::vector<uint8_t> bytes(nl_msg *msg);

// ---- Replies ----

using Policy = std::span<const nla_policy>;

/// An integer attribute of exactly its size: the kernel pads, but nla_len
/// never includes the pad.
constexpr nla_policy exact(uint16_t nlaType)
{
	uint16_t size = nlaType == NLA_U8 ? 1 : nlaType == NLA_U16 ? 2 : nlaType == NLA_U32 ? 4 : 8;
	return {nlaType, size, size};
}
inline constexpr nla_policy kNested{NLA_NESTED, 0, 0};

/// One rule of a policy table: an attribute type and what it must be.
struct PolicyRule {
	int type;
	nla_policy rule;
};

/// A policy for attribute types 0..N-1; a type without a rule is not
/// checked (NLA_UNSPEC), which is right only for what the parser skips or
/// checks itself.
template <size_t N>
constexpr std::array<nla_policy, N> policy(std::initializer_list<PolicyRule> rules)
{
	std::array<nla_policy, N> p{};
	for (const PolicyRule &r : rules)
		p[static_cast<size_t>(r.type)] = r.rule;
	return p;
}

/// The attributes of one stream by type (the NLA_F_NESTED and
/// NLA_F_NET_BYTEORDER bits stripped); nullptr for an absent type and for
/// types beyond the policy (a newer kernel may send more than we know).
class AttrIndex {
public:
	const nlattr *operator[](size_t type) const { return type < tb_.size() ? tb_[type] : nullptr; }

private:
	friend class Reply;
	friend Result<AttrIndex> parseNested(const nlattr *nest, Policy policy);
	std::vector<nlattr *> tb_;
};

/// One generic-netlink message, parsed from an aligned copy. Its attribute
/// pointers, and those of parseNested() on them, live as long as it does.
class Reply {
public:
	/// `message` is one netlink message, header included (netlink::Message::bytes).
	static Result<Reply> parse(netlink::Bytes message, Policy policy);

	Reply(Reply &&) = default;
	Reply &operator=(Reply &&) = default;
	Reply(const Reply &) = delete;
	Reply &operator=(const Reply &) = delete;
	~Reply() = default;

	uint8_t cmd() const;
	const AttrIndex &attrs() const { return attrs_; }

private:
	Reply() = default;
	std::vector<uint64_t> words_; ///< the aligned copy
	AttrIndex attrs_;
};

/// The attributes inside a nest, checked against `policy`.
Result<AttrIndex> parseNested(const nlattr *nest, Policy policy);
/// The nests of an array attribute (CTRL_ATTR_MCAST_GROUPS: nests numbered
/// 1..n), in order.
Result<std::vector<const nlattr *>> nestedArray(const nlattr *nest);

/// The payload as bytes (nla_len was checked when the stream was parsed).
std::span<const uint8_t> payload(const nlattr *a);
/// A string attribute: up to the first NUL, or the whole payload if none.
std::string string(const nlattr *a);

} // namespace l2tpsec::kernel::genl
