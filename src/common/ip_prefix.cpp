#include "common/ip_prefix.h"

#include <charconv>

namespace l2tpsec {

namespace {

size_t widthOf(const IpAddress &a)
{
	return a.isV4() ? 32 : 128;
}

// Whether the first `bits` bits of a and b agree.
bool samePrefix(const IpAddress &a, const IpAddress &b, size_t bits)
{
	const auto &x = a.bytes(), &y = b.bytes();
	size_t whole = bits / 8;
	for (size_t i = 0; i < whole; i++)
		if (x[i] != y[i])
			return false;
	if (bits % 8 == 0)
		return true;
	auto mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
	return (x[whole] & mask) == (y[whole] & mask);
}

} // namespace

std::optional<IpPrefix> IpPrefix::parse(std::string_view text)
{
	std::string_view host = text;
	std::optional<size_t> length;
	if (auto slash = text.find('/'); slash != std::string_view::npos) {
		host = text.substr(0, slash);
		std::string_view digits = text.substr(slash + 1);
		size_t n = 0;
		auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
		if (digits.empty() || digits.size() > 3 || ec != std::errc{} || end != digits.data() + digits.size())
			return std::nullopt;
		length = n;
	}
	auto a = IpAddress::parse(host);
	if (!a)
		return std::nullopt;
	size_t width = widthOf(*a);
	size_t bits = length.value_or(width);
	if (bits > width)
		return std::nullopt;
	// Host bits must be zero.
	for (size_t i = bits; i < width; i++)
		if (a->bytes()[i / 8] & (0x80 >> (i % 8)))
			return std::nullopt;
	return IpPrefix{*a, static_cast<uint8_t>(bits)};
}

bool IpPrefix::contains(const IpAddress &a) const
{
	return a.family() == address.family() && samePrefix(a, address, length);
}

std::string IpPrefix::str() const
{
	if (length == widthOf(address))
		return address.str();
	return address.str() + "/" + std::to_string(length);
}

} // namespace l2tpsec
