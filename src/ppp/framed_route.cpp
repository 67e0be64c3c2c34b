#include "ppp/framed_route.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace l2tpsec::ppp {

Result<IpPrefix> framedRouteSubnet(std::string_view value)
{
	constexpr std::string_view kSpace = " \t";
	size_t start = value.find_first_not_of(kSpace);
	if (start == std::string_view::npos)
		return Error{EINVAL, "Framed-Route is empty"};
	std::string_view destination = value.substr(start, value.find_first_of(kSpace, start) - start);
	auto p = IpPrefix::parse(destination);
	if (p && p->address.isV4())
		return *p;
	// It came from the RADIUS server: shown, not trusted.
	std::string shown(destination.substr(0, 64));
	std::replace_if(
	        shown.begin(), shown.end(), [](char c) { return c < ' ' || c > '~'; }, '?');
	return Error{EINVAL, fmt::format("Framed-Route destination \"{}\" is not an IPv4 subnet such as "
	                                 "10.20.0.0/24 or an IPv4 address",
	                                 shown)};
}

} // namespace l2tpsec::ppp
