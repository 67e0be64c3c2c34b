#pragma once
// IpPrefix: an address block such as "10.0.0.0/8" or "2001:db8::/32" (a bare
// address is the block of that one address), as the config names them.

#include "common/ip_address.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace l2tpsec {

struct IpPrefix {
	IpAddress address; ///< host bits cleared
	uint8_t length = 0;

	/// "A.B.C.D/N", "X:Y::/N" or a bare address (/32, /128). Host bits set
	/// in the address are refused: "10.1.2.3/8" is more likely a mistake
	/// than a way to write 10.0.0.0/8.
	static std::optional<IpPrefix> parse(std::string_view text);
	bool contains(const IpAddress &a) const;
	std::string str() const;

	friend bool operator==(const IpPrefix &, const IpPrefix &) = default;
};

} // namespace l2tpsec
