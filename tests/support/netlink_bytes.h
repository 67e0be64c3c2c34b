#pragma once
// The unit tests' netlink byte builders: bare messages for the framing tests
// and generic-netlink messages shaped like the kernel's answers for the L2TP
// parsers. Written by hand, byte by byte and independent of libnl, so that
// what the product builds and parses with libnl is checked against the ABI
// (<linux/netlink.h>, <linux/genetlink.h>) rather than against itself. Only
// little-endian hosts, as the golden vectors are.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace l2tpsec::test {

inline constexpr size_t kNlmsgHdrLen = 16; ///< struct nlmsghdr
inline constexpr size_t kGenlHdrLen = 4;   ///< struct genlmsghdr
inline constexpr size_t kNlaHdrLen = 4;    ///< struct nlattr

inline std::vector<uint8_t> le32(uint32_t v)
{
	return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}

inline void append(std::vector<uint8_t> &to, const std::vector<uint8_t> &bytes)
{
	to.insert(to.end(), bytes.begin(), bytes.end());
}

/// A bare netlink message: header plus payload, nlmsg_len = 16 + payload,
/// no pad after it.
inline std::vector<uint8_t> nlMessage(uint16_t type, uint16_t flags, uint32_t seq, const std::vector<uint8_t> &payload)
{
	std::vector<uint8_t> m(kNlmsgHdrLen, 0); // nlmsg_pid stays 0
	const uint32_t len = uint32_t(kNlmsgHdrLen + payload.size());
	std::memcpy(&m[0], &len, 4);
	std::memcpy(&m[4], &type, 2);
	std::memcpy(&m[6], &flags, 2);
	std::memcpy(&m[8], &seq, 4);
	append(m, payload);
	return m;
}

/// One generic-netlink message: the header now, attributes appended in call
/// order, each padded to 4 bytes (the pad not counted in nla_len).
class GenlWriter {
public:
	GenlWriter(uint16_t type, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version)
	    : buf_(kNlmsgHdrLen + kGenlHdrLen, 0)
	{
		store<uint16_t>(4, type);
		store<uint16_t>(6, flags);
		store<uint32_t>(8, seq);
		buf_[16] = cmd;
		buf_[17] = version;
	}

	void putU8(uint16_t type, uint8_t v) { putAttr(type, &v, sizeof v); }
	void putU16(uint16_t type, uint16_t v) { putAttr(type, &v, sizeof v); }
	void putU32(uint16_t type, uint32_t v) { putAttr(type, &v, sizeof v); }
	void putU64(uint16_t type, uint64_t v) { putAttr(type, &v, sizeof v); }
	void putBytes(uint16_t type, std::span<const uint8_t> b) { putAttr(type, b.data(), b.size()); }
	/// With its NUL, as the kernel's nla_put_string() does.
	void putString(uint16_t type, std::string_view s)
	{
		std::string z(s);
		putAttr(type, z.c_str(), z.size() + 1);
	}

	/// Starts a nested attribute; pass the returned offset to endNest().
	size_t beginNest(uint16_t type)
	{
		size_t at = buf_.size();
		putAttr(type, nullptr, 0);
		return at;
	}
	void endNest(size_t offset) { store<uint16_t>(offset, uint16_t(buf_.size() - offset)); }

	/// The finished message with nlmsg_len filled in.
	std::vector<uint8_t> finish() &&
	{
		store<uint32_t>(0, uint32_t(buf_.size()));
		return std::move(buf_);
	}

private:
	template <typename T>
	void store(size_t at, T v)
	{
		std::memcpy(&buf_[at], &v, sizeof v);
	}

	void putAttr(uint16_t type, const void *data, size_t len)
	{
		size_t at = buf_.size();
		buf_.resize(at + ((kNlaHdrLen + len + 3) & ~size_t{3}), 0);
		store<uint16_t>(at, uint16_t(kNlaHdrLen + len));
		store<uint16_t>(at + 2, type);
		if (len)
			std::memcpy(&buf_[at + kNlaHdrLen], data, len);
	}

	std::vector<uint8_t> buf_;
};

/// A generic-netlink message taken apart by hand, to check what a builder
/// made. For well-formed input: nonsense yields what fits, never a read
/// past the end.
struct GenlParts {
	uint16_t type = 0, flags = 0;
	uint32_t seq = 0;
	uint8_t cmd = 0, version = 0;
	size_t attrCount = 0;
	std::map<uint16_t, std::vector<uint8_t>> attrs; ///< payloads by type (flag bits stripped); the last wins
};

inline GenlParts splitGenl(std::span<const uint8_t> m)
{
	auto load16 = [&m](size_t at) { return uint16_t(m[at] | m[at + 1] << 8); };
	GenlParts g;
	if (m.size() < kNlmsgHdrLen + kGenlHdrLen)
		return g;
	size_t len = std::min<size_t>(m.size(), load16(0) | size_t{load16(2)} << 16);
	g.type = load16(4);
	g.flags = load16(6);
	g.seq = uint32_t(load16(8) | uint32_t{load16(10)} << 16);
	g.cmd = m[16];
	g.version = m[17];
	for (size_t at = kNlmsgHdrLen + kGenlHdrLen; at + kNlaHdrLen <= len;) {
		size_t alen = load16(at);
		if (alen < kNlaHdrLen || at + alen > len)
			break;
		g.attrs[load16(at + 2) & 0x3fff].assign(m.begin() + at + kNlaHdrLen, m.begin() + at + alen);
		g.attrCount++;
		at += (alen + 3) & ~size_t{3};
	}
	return g;
}

} // namespace l2tpsec::test
