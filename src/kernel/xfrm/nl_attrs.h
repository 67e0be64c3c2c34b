#pragma once
// Internal to src/kernel/xfrm: bounds-checked access to one netlink message
// from an untrusted span. The bytes are copied into 8-aligned storage first,
// so libmnl's header casts and our struct reads are never misaligned, and
// every fixed struct is memcpy'd out after a size check.

#include "common/result.h"

#include <linux/netlink.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel::xfrm::detail {

inline Error badMessage(std::string text)
{
	return Error{EBADMSG, std::move(text)};
}

class AlignedMessage {
public:
	/// msg must hold a whole netlink message; nlmsg_len is checked against
	/// msg.size() and the header size, and bytes past nlmsg_len are dropped.
	static Result<AlignedMessage> from(std::span<const uint8_t> msg);

	const nlmsghdr *header() const { return reinterpret_cast<const nlmsghdr *>(words_.data()); }
	uint16_t type() const { return header()->nlmsg_type; }
	uint16_t flags() const { return header()->nlmsg_flags; }
	size_t length() const { return length_; }
	/// The bytes after the netlink header, up to nlmsg_len.
	std::span<const uint8_t> payload() const;

	/// Copies a fixed struct from the start of the payload; false when the
	/// payload is shorter than T.
	template <typename T>
	bool body(T &out) const
	{
		auto p = payload();
		if (p.size() < sizeof(T))
			return false;
		std::memcpy(&out, p.data(), sizeof(T));
		return true;
	}

private:
	std::vector<uint64_t> words_;
	size_t length_ = 0;
};

/// Attribute payloads by type; types beyond the table are ignored (a newer
/// kernel may send more than we know).
template <size_t N>
struct AttrTable {
	std::array<std::span<const uint8_t>, N> payload{};
	std::array<bool, N> present{};

	bool has(size_t type) const { return type < N && present[type]; }
	std::span<const uint8_t> get(size_t type) const
	{
		return type < N ? payload[type] : std::span<const uint8_t>();
	}

	/// Copies a fixed-size attribute; an error when it is too short.
	template <typename T>
	Result<T> read(size_t type, std::string_view what) const
	{
		auto p = get(type);
		if (p.size() < sizeof(T))
			return badMessage(std::string(what) + " attribute is " + std::to_string(p.size()) +
			                  " bytes, needs " + std::to_string(sizeof(T)));
		T out;
		std::memcpy(&out, p.data(), sizeof(T));
		return out;
	}
};

/// Walks the attributes that follow `fixedHeader` bytes of payload with
/// mnl_attr_parse, rejecting any attribute whose length runs past the
/// message or is shorter than its own header, and any bytes left over.
Result<void> parseAttributes(const AlignedMessage &msg, size_t fixedHeader,
                             std::span<std::span<const uint8_t>> payloads, std::span<bool> present);

template <size_t N>
Result<AttrTable<N>> parseAttributes(const AlignedMessage &msg, size_t fixedHeader)
{
	AttrTable<N> t;
	L2S_TRY(parseAttributes(msg, fixedHeader, t.payload, t.present));
	return t;
}

} // namespace l2tpsec::kernel::xfrm::detail
