#pragma once
// DHCP messages for the tests, written as hex the way a capture shows them:
// the fixed header up to chaddr (sname and file are zeros), then the magic
// cookie and the options.

#include "../../support/hex.h"
#include "dhcp/dhcp_message.h"

#include <string_view>
#include <vector>

namespace l2tpsec::test {

inline std::vector<uint8_t> dhcpBytes(std::string_view header, std::string_view options)
{
	std::vector<uint8_t> b = hex(header);
	b.resize(dhcp::kFixedHeaderSize, 0);
	b.insert(b.end(), dhcp::kMagicCookie.begin(), dhcp::kMagicCookie.end());
	std::vector<uint8_t> o = hex(options);
	b.insert(b.end(), o.begin(), o.end());
	return b;
}

} // namespace l2tpsec::test
