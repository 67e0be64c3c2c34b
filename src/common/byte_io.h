#pragma once
// Network byte order (big-endian) for the wire codecs: IKE (RFC 2408 §3) and
// L2TP (RFC 2661 §3) are network order throughout, as are netlink's
// NLA_F_NET_BYTEORDER fields.
//
// Two ways in, with two contracts:
// - ByteReader reads a span front to back and never past its end: callers
//   check has() first, and a read past the end yields zeros, not an overrun.
// - load16/32/64(bytes, at) read at an offset the caller has checked.
// Writers append to a vector (put*) or overwrite at a checked offset
// (store16: a length filled in afterwards).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::wire {

class ByteReader {
public:
	explicit ByteReader(std::span<const uint8_t> b) : b_(b) {}

	size_t remaining() const { return b_.size() - off_; }
	bool has(size_t n) const { return remaining() >= n; }
	size_t offset() const { return off_; }

	uint8_t u8()
	{
		if (!has(1))
			return 0;
		return b_[off_++];
	}
	uint16_t u16()
	{
		uint16_t hi = u8();
		return static_cast<uint16_t>(hi << 8 | u8());
	}
	uint32_t u32()
	{
		uint32_t hi = u16();
		return hi << 16 | u16();
	}
	/// The next n bytes (fewer if the span ends first; callers check has()).
	std::span<const uint8_t> take(size_t n)
	{
		if (n > remaining())
			n = remaining();
		std::span<const uint8_t> out = b_.subspan(off_, n);
		off_ += n;
		return out;
	}
	std::span<const uint8_t> rest() { return take(remaining()); }

private:
	std::span<const uint8_t> b_;
	size_t off_ = 0;
};

inline uint16_t load16(std::span<const uint8_t> b, size_t at)
{
	return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

inline uint32_t load32(std::span<const uint8_t> b, size_t at)
{
	return uint32_t{load16(b, at)} << 16 | load16(b, at + 2);
}

inline uint64_t load64(std::span<const uint8_t> b, size_t at)
{
	return uint64_t{load32(b, at)} << 32 | load32(b, at + 4);
}

inline void put8(std::vector<uint8_t> &out, uint8_t v)
{
	out.push_back(v);
}

inline void put16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

inline void put32(std::vector<uint8_t> &out, uint32_t v)
{
	put16(out, static_cast<uint16_t>(v >> 16));
	put16(out, static_cast<uint16_t>(v));
}

inline void put64(std::vector<uint8_t> &out, uint64_t v)
{
	put32(out, static_cast<uint32_t>(v >> 32));
	put32(out, static_cast<uint32_t>(v));
}

inline void putBytes(std::vector<uint8_t> &out, std::span<const uint8_t> b)
{
	out.insert(out.end(), b.begin(), b.end());
}

inline void store16(std::span<uint8_t> out, size_t at, uint16_t v)
{
	out[at] = static_cast<uint8_t>(v >> 8);
	out[at + 1] = static_cast<uint8_t>(v);
}

} // namespace l2tpsec::wire
