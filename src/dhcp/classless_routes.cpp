#include "dhcp/classless_routes.h"

#include "common/byte_io.h"

#include <fmt/format.h>

#include <cerrno>

namespace l2tpsec::dhcp {

namespace {

uint32_t prefixMask(uint8_t length)
{
	return length == 0 ? 0 : ~uint32_t{0} << (32 - length);
}

size_t significantOctets(uint8_t length)
{
	return (length + 7u) / 8u;
}

Error badRoutes(std::string why)
{
	return Error{EBADMSG, "DHCP classless routes: " + std::move(why)};
}

} // namespace

std::vector<uint8_t> encodeClasslessRoutes(std::span<const ClasslessRoute> routes)
{
	std::vector<uint8_t> out;
	for (const ClasslessRoute &r : routes) {
		uint8_t length = r.length > 32 ? 32 : r.length;
		uint32_t destination = r.destination & prefixMask(length);
		wire::put8(out, length);
		for (size_t i = 0; i < significantOctets(length); ++i)
			wire::put8(out, static_cast<uint8_t>(destination >> (24 - 8 * i)));
		wire::put32(out, r.router);
	}
	return out;
}

Result<std::vector<ClasslessRoute>> decodeClasslessRoutes(std::span<const uint8_t> value)
{
	std::vector<ClasslessRoute> routes;
	wire::ByteReader r(value);
	while (r.has(1)) {
		size_t at = r.offset();
		ClasslessRoute route;
		route.length = r.u8();
		if (route.length > 32)
			return badRoutes(fmt::format("prefix length {} at octet {}", route.length, at));
		size_t octets = significantOctets(route.length);
		if (!r.has(octets + 4))
			return badRoutes(fmt::format("route at octet {} needs {} octets, {} left", at, 1 + octets + 4,
			                             1 + r.remaining()));
		for (size_t i = 0; i < octets; ++i)
			route.destination |= uint32_t{r.u8()} << (24 - 8 * i);
		if ((route.destination & ~prefixMask(route.length)) != 0)
			return badRoutes(fmt::format("route at octet {} has bits set past /{}", at, route.length));
		route.router = r.u32();
		routes.push_back(route);
	}
	return routes;
}

} // namespace l2tpsec::dhcp
