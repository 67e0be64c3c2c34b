#pragma once
// Test-side decoding of a netlink message with libmnl directly, independent
// of the parsers under test: the golden tests check every field this way.

#include <libmnl/libmnl.h>

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <vector>

namespace testutil {

struct Decoded {
	bool ok = false; ///< mnl_nlmsg_ok() and every attribute mnl_attr_ok()
	nlmsghdr header{};
	std::vector<uint8_t> body; ///< the fixed struct after the header
	std::map<uint16_t, std::vector<uint8_t>> attrs;
	std::vector<uint16_t> order; ///< attribute types in message order

	template <typename T>
	T as() const
	{
		T out;
		std::memset(&out, 0, sizeof(out));
		std::memcpy(&out, body.data(), std::min(sizeof(T), body.size()));
		return out;
	}
	template <typename T>
	T attr(uint16_t type) const
	{
		T out;
		std::memset(&out, 0, sizeof(out));
		auto it = attrs.find(type);
		if (it != attrs.end())
			std::memcpy(&out, it->second.data(), std::min(sizeof(T), it->second.size()));
		return out;
	}
};

inline int collect(const nlattr *a, void *data)
{
	auto &d = *static_cast<Decoded *>(data);
	auto *p = static_cast<const uint8_t *>(mnl_attr_get_payload(a));
	d.attrs[mnl_attr_get_type(a)] = std::vector<uint8_t>(p, p + mnl_attr_get_payload_len(a));
	d.order.push_back(mnl_attr_get_type(a));
	return MNL_CB_OK;
}

inline Decoded decode(std::span<const uint8_t> msg, size_t bodyLen)
{
	Decoded d;
	std::vector<uint64_t> aligned(msg.size() / 8 + 2, 0);
	std::memcpy(aligned.data(), msg.data(), msg.size());
	auto *nlh = reinterpret_cast<const nlmsghdr *>(aligned.data());
	if (!mnl_nlmsg_ok(nlh, int(msg.size())) || nlh->nlmsg_len != msg.size())
		return d;
	d.header = *nlh;
	auto *payload = static_cast<const uint8_t *>(mnl_nlmsg_get_payload(nlh));
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	d.body.assign(payload, payload + std::min(plen, bodyLen));
	if (plen < bodyLen)
		return d;
	d.ok = mnl_attr_parse(nlh, unsigned(bodyLen), collect, &d) >= MNL_CB_STOP;
	// Every byte accounted for: the attributes end where the message does.
	size_t used = MNL_NLMSG_HDRLEN + MNL_ALIGN(bodyLen);
	for (auto &[t, v] : d.attrs)
		(void)t, used += MNL_ALIGN(MNL_ATTR_HDRLEN + v.size());
	d.ok = d.ok && MNL_ALIGN(used) == MNL_ALIGN(msg.size());
	return d;
}

inline std::vector<uint8_t> bytes(std::span<const uint8_t> s)
{
	return {s.begin(), s.end()};
}

} // namespace testutil
