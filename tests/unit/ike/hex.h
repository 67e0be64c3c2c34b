#pragma once
// Test helper: bytes from a hex string ("0a 0b0c", spaces ignored), so that
// golden packets read like the RFC diagrams and tcpdump output they come from.

#include <cstdint>
#include <string_view>
#include <vector>

namespace l2tpsec::ike::test {

inline std::vector<uint8_t> hex(std::string_view s)
{
	auto nibble = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	std::vector<uint8_t> out;
	int hi = -1;
	for (char c : s) {
		int n = nibble(c);
		if (n < 0)
			continue;
		if (hi < 0) {
			hi = n;
		} else {
			out.push_back(static_cast<uint8_t>(hi << 4 | n));
			hi = -1;
		}
	}
	return out;
}

inline std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts)
{
	std::vector<uint8_t> out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

} // namespace l2tpsec::ike::test
