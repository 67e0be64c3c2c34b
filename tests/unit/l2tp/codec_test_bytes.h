#pragma once
// Hex helpers for the L2TP codec tests.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::l2tp::test {

/// "c802 000c" -> {0xc8, 0x02, 0x00, 0x0c}; spaces are ignored.
inline std::vector<uint8_t> fromHex(std::string_view hex)
{
	auto nibble = [](char c) -> uint8_t {
		if (c >= '0' && c <= '9')
			return static_cast<uint8_t>(c - '0');
		return static_cast<uint8_t>((c | 0x20) - 'a' + 10);
	};
	std::vector<uint8_t> out;
	int half = -1;
	for (char c : hex) {
		if (c == ' ')
			continue;
		if (half < 0) {
			half = nibble(c);
		} else {
			out.push_back(static_cast<uint8_t>(half << 4 | nibble(c)));
			half = -1;
		}
	}
	return out;
}

inline std::string toHex(std::span<const uint8_t> bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (uint8_t b : bytes) {
		out += digits[b >> 4];
		out += digits[b & 0xf];
	}
	return out;
}

} // namespace l2tpsec::l2tp::test
