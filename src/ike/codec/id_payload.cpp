#include "ike/codec/id_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <arpa/inet.h>

#include <array>

namespace l2tpsec::ike {

namespace {

constexpr size_t kIdFixedLen = 4;

size_t addrLen(const IpAddress &a)
{
	return a.isV4() ? 4 : 16;
}

void putAddr(std::vector<uint8_t> &out, const IpAddress &a)
{
	wire::putBytes(out, Bytes(a.bytes()).first(addrLen(a)));
}

// The data size an address-type ID must have, 0 for other types.
size_t expectedAddressBytes(IdType t)
{
	switch (t) {
	case IdType::Ipv4Addr: return 4;
	case IdType::Ipv6Addr: return 16;
	case IdType::Ipv4AddrSubnet:
	case IdType::Ipv4AddrRange: return 8;
	case IdType::Ipv6AddrSubnet:
	case IdType::Ipv6AddrRange: return 32;
	case IdType::Reserved:
	case IdType::Fqdn:
	case IdType::UserFqdn:
	case IdType::DerAsn1Dn:
	case IdType::DerAsn1Gn:
	case IdType::KeyId: return 0;
	}
	return 0;
}

bool isKnown(IdType t)
{
	return static_cast<uint8_t>(t) >= static_cast<uint8_t>(IdType::Ipv4Addr) &&
	       static_cast<uint8_t>(t) <= static_cast<uint8_t>(IdType::KeyId);
}

} // namespace

std::optional<IpAddress> ipFromBytes(Bytes b)
{
	if (b.size() == 4)
		return IpAddress::v4(uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3]);
	if (b.size() != 16)
		return std::nullopt;
	// IpAddress is built from text for IPv6; inet_ntop never fails on 16 bytes.
	std::array<char, INET6_ADDRSTRLEN> text{};
	if (!inet_ntop(AF_INET6, b.data(), text.data(), text.size()))
		return std::nullopt;
	return IpAddress::parse(text.data());
}

IdPayload IdPayload::address(const IpAddress &a, uint8_t protocol, uint16_t port)
{
	IdPayload id{a.isV4() ? IdType::Ipv4Addr : IdType::Ipv6Addr, protocol, port, {}};
	putAddr(id.data, a);
	return id;
}

IdPayload IdPayload::subnet(const IpAddress &a, const IpAddress &mask, uint8_t protocol, uint16_t port)
{
	IdPayload id{a.isV4() ? IdType::Ipv4AddrSubnet : IdType::Ipv6AddrSubnet, protocol, port, {}};
	putAddr(id.data, a);
	putAddr(id.data, mask);
	return id;
}

IdPayload IdPayload::range(const IpAddress &first, const IpAddress &last, uint8_t protocol, uint16_t port)
{
	IdPayload id{first.isV4() ? IdType::Ipv4AddrRange : IdType::Ipv6AddrRange, protocol, port, {}};
	putAddr(id.data, first);
	putAddr(id.data, last);
	return id;
}

IdPayload IdPayload::text(IdType type, std::string_view s)
{
	return IdPayload{type, 0, 0, std::vector<uint8_t>(s.begin(), s.end())};
}

Result<IdPayload> parseId(Bytes body)
{
	if (body.size() < kIdFixedLen)
		return malformed("ID payload of " + std::to_string(body.size()) +
		                 " bytes has no room for its fixed fields");
	wire::ByteReader r(body);
	IdPayload id;
	id.type = static_cast<IdType>(r.u8());
	id.protocol = r.u8();
	id.port = r.u16();
	id.data = toVector(r.rest());
	std::string what = "ID payload type " + std::to_string(static_cast<unsigned>(id.type));
	if (size_t want = expectedAddressBytes(id.type); want != 0 && id.data.size() != want)
		return malformed(what + ": " + std::to_string(id.data.size()) + " bytes of data, expected " +
		                 std::to_string(want));
	if (isKnown(id.type) && id.data.empty())
		return malformed(what + ": no identification data");
	return id;
}

std::vector<uint8_t> buildId(const IdPayload &id)
{
	std::vector<uint8_t> out;
	wire::put8(out, static_cast<uint8_t>(id.type));
	wire::put8(out, id.protocol);
	wire::put16(out, id.port);
	wire::putBytes(out, id.data);
	return out;
}

Result<IdAddresses> idAddresses(const IdPayload &id)
{
	size_t want = expectedAddressBytes(id.type);
	if (want == 0)
		return malformed("ID type " + std::to_string(static_cast<unsigned>(id.type)) + " is not an address");
	if (id.data.size() != want)
		return malformed("ID type " + std::to_string(static_cast<unsigned>(id.type)) + " with " +
		                 std::to_string(id.data.size()) + " bytes of data");
	Bytes data(id.data);
	bool pair = id.type != IdType::Ipv4Addr && id.type != IdType::Ipv6Addr;
	size_t one = pair ? want / 2 : want;
	IdAddresses out;
	// ipFromBytes cannot fail on 4 or 16 bytes.
	out.first = ipFromBytes(data.first(one)).value_or(IpAddress{});
	if (pair)
		out.second = ipFromBytes(data.subspan(one)).value_or(IpAddress{});
	return out;
}

} // namespace l2tpsec::ike
