#include "common/endpoint.h"

#include <fmt/format.h>

namespace l2tpsec {

std::string Endpoint::str() const
{
	std::string s = address.isV4() ? address.str() + ":" + std::to_string(port)
	                               : "[" + address.str() + "]:" + std::to_string(port);
	if (mark)
		s += fmt::format(" mark 0x{:08x}", mark);
	return s;
}

} // namespace l2tpsec
