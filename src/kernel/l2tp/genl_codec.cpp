#include "kernel/l2tp/genl_codec.h"

#include <fmt/format.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cstring>
#include <new>

namespace l2tpsec::kernel::genl {

namespace {

Error badData(std::string what)
{
	return Error{EBADMSG, "malformed netlink data: " + std::move(what)};
}

// nla_parse() stops quietly at an attribute that does not fit and ignores
// what follows; we refuse it. A missing pad after the last attribute is
// tolerated (rem ends below 0), as the kernel may omit it.
Result<void> checkStream(const nlattr *head, int len)
{
	const nlattr *a = nullptr;
	int rem = 0;
	nla_for_each_attr(a, head, len, rem)
	{
	}
	if (rem <= 0)
		return {};
	if (rem < NLA_HDRLEN)
		return badData(fmt::format("{} trailing bytes are shorter than an attribute header", rem));
	return badData(fmt::format("attribute length {} with {} bytes left", a->nla_len, rem));
}

std::string expected(const nla_policy &p)
{
	switch (p.type) {
	case NLA_U8: return "1 (u8)";
	case NLA_U16: return "2 (u16)";
	case NLA_U32: return "4 (u32)";
	case NLA_U64: return "8 (u64)";
	default:
		return p.minlen == p.maxlen ? fmt::format("{}", p.minlen) : fmt::format("{} to {}", p.minlen, p.maxlen);
	}
}

// nla_parse() says only that some attribute broke the policy: find the
// first one that does (nla_validate() of it alone) and name it.
Error policyError(const nlattr *head, int len, Policy policy, int nlerr)
{
	const int maxtype = static_cast<int>(policy.size()) - 1;
	const nlattr *a = nullptr;
	int rem = 0;
	nla_for_each_attr(a, head, len, rem)
	{
		if (nla_validate(a, a->nla_len, maxtype, policy.data()) < 0)
			return badData(fmt::format("attribute {} is {} bytes, expected {}", nla_type(a), nla_len(a),
			                           expected(policy[static_cast<size_t>(nla_type(a))])));
	}
	return badData(nl_geterror(nlerr));
}

} // namespace

NlMsg request(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version)
{
	NlMsg msg(nlmsg_alloc());
	if (!msg || !genlmsg_put(msg.get(), NL_AUTO_PORT, seq, family, 0, flags, cmd, version))
		throw std::bad_alloc();
	return msg;
}

void put(int nlerr)
{
	if (nlerr < 0)
		throw std::bad_alloc();
}

std::vector<uint8_t> bytes(nl_msg *msg)
{
	const nlmsghdr *h = nlmsg_hdr(msg);
	const auto *p = reinterpret_cast<const uint8_t *>(h);
	return {p, p + h->nlmsg_len};
}

Result<Reply> Reply::parse(netlink::Bytes message, Policy policy)
{
	if (message.size() < NLMSG_HDRLEN)
		return badData(fmt::format("netlink message of {} bytes", message.size()));
	uint32_t len = 0;
	std::memcpy(&len, message.data() + offsetof(nlmsghdr, nlmsg_len), sizeof len);
	if (len < NLMSG_HDRLEN || len > message.size())
		return badData(fmt::format("netlink message claims {} bytes, {} present", len, message.size()));
	if (len < NLMSG_HDRLEN + GENL_HDRLEN)
		return badData(fmt::format("generic netlink message of {} bytes", len - NLMSG_HDRLEN));
	Reply r;
	// One spare word: nla_next() may step to the 4-aligned end of the message.
	r.words_.assign(len / 8 + 2, 0);
	std::memcpy(r.words_.data(), message.data(), len);
	auto *nlh = reinterpret_cast<nlmsghdr *>(r.words_.data());
	const auto *ghdr = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	const nlattr *head = genlmsg_attrdata(ghdr, 0);
	const int attrLen = genlmsg_attrlen(ghdr, 0);
	L2S_TRY(checkStream(head, attrLen));
	r.attrs_.tb_.assign(policy.size(), nullptr);
	const int maxtype = static_cast<int>(policy.size()) - 1;
	if (int err = genlmsg_parse(nlh, 0, r.attrs_.tb_.data(), maxtype, policy.data()); err < 0)
		return policyError(head, attrLen, policy, err);
	return r;
}

uint8_t Reply::cmd() const
{
	const auto *nlh = reinterpret_cast<const nlmsghdr *>(words_.data());
	return static_cast<const genlmsghdr *>(nlmsg_data(nlh))->cmd;
}

Result<AttrIndex> parseNested(const nlattr *nest, Policy policy)
{
	L2S_TRY(checkStream(static_cast<const nlattr *>(nla_data(nest)), nla_len(nest)));
	AttrIndex index;
	index.tb_.assign(policy.size(), nullptr);
	const int maxtype = static_cast<int>(policy.size()) - 1;
	// libnl's signature lacks the const; nla_parse_nested() only reads.
	if (int err = nla_parse_nested(index.tb_.data(), maxtype, const_cast<nlattr *>(nest), policy.data()); err < 0)
		return policyError(static_cast<const nlattr *>(nla_data(nest)), nla_len(nest), policy, err);
	return index;
}

Result<std::vector<const nlattr *>> nestedArray(const nlattr *nest)
{
	L2S_TRY(checkStream(static_cast<const nlattr *>(nla_data(nest)), nla_len(nest)));
	std::vector<const nlattr *> out;
	const nlattr *a = nullptr;
	int rem = 0;
	nla_for_each_nested(a, nest, rem) out.push_back(a);
	return out;
}

std::span<const uint8_t> payload(const nlattr *a)
{
	return {static_cast<const uint8_t *>(nla_data(a)), static_cast<size_t>(nla_len(a))};
}

std::string string(const nlattr *a)
{
	auto p = payload(a);
	const auto *text = reinterpret_cast<const char *>(p.data());
	const void *nul = p.empty() ? nullptr : std::memchr(text, 0, p.size());
	return {text, nul ? static_cast<const char *>(nul) - text : p.size()};
}

} // namespace l2tpsec::kernel::genl
