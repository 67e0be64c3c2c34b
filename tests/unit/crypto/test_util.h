#pragma once
// Helpers for the crypto known-answer tests: vectors are written as hex, as
// the RFCs and NIST publications print them.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto::test {

/// Bytes from hex; spaces and newlines are ignored.
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
		const int n = nibble(c);
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

/// Any byte container as a plain vector, so CHECK(==) works across
/// SecretBytes and std::vector and prints on failure.
inline std::vector<uint8_t> bytes(std::span<const uint8_t> b)
{
	return {b.begin(), b.end()};
}

inline std::vector<uint8_t> bytes(std::string_view s)
{
	return {s.begin(), s.end()};
}

} // namespace l2tpsec::crypto::test
