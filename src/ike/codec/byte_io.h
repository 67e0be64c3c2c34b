#pragma once
// Big-endian readers and writers for the ISAKMP codec (internal).
//
// ISAKMP is network byte order throughout (RFC 2408 §3). ByteReader never
// reads past its span: each take*() is preceded by a has() check in the
// callers, and take*() itself returns zero bytes rather than overrun.

#include "ike/codec/isakmp_types.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

class ByteReader {
public:
	explicit ByteReader(Bytes b) : b_(b) {}

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
	Bytes take(size_t n)
	{
		if (n > remaining())
			n = remaining();
		Bytes out = b_.subspan(off_, n);
		off_ += n;
		return out;
	}
	Bytes rest() { return take(remaining()); }

private:
	Bytes b_;
	size_t off_ = 0;
};

inline void putU8(std::vector<uint8_t> &out, uint8_t v)
{
	out.push_back(v);
}

inline void putU16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

inline void putU32(std::vector<uint8_t> &out, uint32_t v)
{
	putU16(out, static_cast<uint16_t>(v >> 16));
	putU16(out, static_cast<uint16_t>(v));
}

inline void putBytes(std::vector<uint8_t> &out, Bytes b)
{
	out.insert(out.end(), b.begin(), b.end());
}

/// Overwrites a big-endian u16 at `at` (a length field filled in afterwards).
inline void patchU16(std::vector<uint8_t> &out, size_t at, uint16_t v)
{
	out[at] = static_cast<uint8_t>(v >> 8);
	out[at + 1] = static_cast<uint8_t>(v);
}

inline std::vector<uint8_t> toVector(Bytes b)
{
	return {b.begin(), b.end()};
}

} // namespace l2tpsec::ike
