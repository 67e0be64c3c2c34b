#pragma once
// The unit tests' one hex helper: golden packets and known-answer vectors are
// written as hex, as the RFCs, NIST and tcpdump print them.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::test {

/// Bytes from hex ("0a 0b0c"); anything that is not a hex digit (spaces,
/// newlines, colons) is ignored, and an odd last digit is dropped.
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

/// Lower-case hex of the bytes, no separators: what fake_pppd's options take.
inline std::string hexString(std::span<const uint8_t> b)
{
	static constexpr char kDigits[] = "0123456789abcdef";
	std::string out;
	out.reserve(b.size() * 2);
	for (uint8_t x : b) {
		out += kDigits[x >> 4];
		out += kDigits[x & 0xf];
	}
	return out;
}

/// The parts one after another.
inline std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts)
{
	std::vector<uint8_t> out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
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

} // namespace l2tpsec::test
