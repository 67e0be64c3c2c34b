#pragma once
// Network byte order (RFC 2661 §3: "all fields are in network order") for the
// L2TP codec (internal). Callers check lengths before reading: these helpers
// index the span directly and never see a short one.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::l2tp::wire {

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

inline void store16(std::span<uint8_t> out, size_t at, uint16_t v)
{
	out[at] = static_cast<uint8_t>(v >> 8);
	out[at + 1] = static_cast<uint8_t>(v);
}

} // namespace l2tpsec::l2tp::wire
