#include "common/endpoint.h"

namespace l2tpsec {

std::string Endpoint::str() const
{
	if (address.isV4())
		return address.str() + ":" + std::to_string(port);
	return "[" + address.str() + "]:" + std::to_string(port);
}

} // namespace l2tpsec
