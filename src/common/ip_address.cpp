#include "common/ip_address.h"

#include <arpa/inet.h>

namespace l2tpsec {

IpAddress IpAddress::v4(uint32_t hostOrder)
{
	IpAddress a;
	a.family_ = Family::V4;
	a.bytes_[0] = static_cast<uint8_t>(hostOrder >> 24);
	a.bytes_[1] = static_cast<uint8_t>(hostOrder >> 16);
	a.bytes_[2] = static_cast<uint8_t>(hostOrder >> 8);
	a.bytes_[3] = static_cast<uint8_t>(hostOrder);
	return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text)
{
	// inet_pton needs a NUL-terminated string; addresses are short.
	if (text.empty() || text.size() >= INET6_ADDRSTRLEN)
		return std::nullopt;
	std::string s(text);
	IpAddress a;
	if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) {
		a.family_ = Family::V4;
		return a;
	}
	if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
		a.family_ = Family::V6;
		return a;
	}
	return std::nullopt;
}

uint32_t IpAddress::v4HostOrder() const
{
	return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
	       uint32_t{bytes_[3]};
}

bool IpAddress::isUnspecified() const
{
	size_t n = isV4() ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (bytes_[i] != 0)
			return false;
	return true;
}

std::string IpAddress::str() const
{
	char buf[INET6_ADDRSTRLEN] = {};
	inet_ntop(isV4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
	return buf;
}

} // namespace l2tpsec
