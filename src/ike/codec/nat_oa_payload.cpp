#include "ike/codec/nat_oa_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"
#include "ike/codec/id_payload.h"

#include <algorithm>
#include <string>

namespace l2tpsec::ike {

Result<NatOaPayload> parseNatOa(Bytes body)
{
	if (body.size() < 4)
		return malformed("NAT-OA payload of " + std::to_string(body.size()) +
		                 " bytes has no room for its ID type");
	wire::ByteReader r(body);
	auto type = static_cast<IdType>(r.u8());
	size_t want = 0;
	if (type == IdType::Ipv4Addr)
		want = 4;
	else if (type == IdType::Ipv6Addr)
		want = 16;
	else
		return malformed("NAT-OA ID type " + std::to_string(static_cast<unsigned>(type)) +
		                 " is neither IPV4_ADDR nor IPV6_ADDR");
	// RFC 3947 §5.2: "RESERVED ... MUST be zero".
	for (int i = 0; i < 3; i++)
		if (uint8_t reserved = r.u8(); reserved != 0)
			return malformed("NAT-OA reserved byte " + std::to_string(i) + " is " +
			                 std::to_string(reserved));
	if (r.remaining() != want)
		return malformed("NAT-OA address of " + std::to_string(r.remaining()) + " bytes, expected " +
		                 std::to_string(want));
	auto address = ipFromBytes(r.rest());
	if (!address)
		return malformed("NAT-OA address");
	return NatOaPayload{*address};
}

std::vector<uint8_t> buildNatOa(const NatOaPayload &p)
{
	bool v4 = p.address.isV4();
	size_t len = v4 ? 4 : 16;
	// ID type, three zero RESERVED bytes, the address. (Sized up front:
	// GCC 12 misreads a push_back sequence here as an overread.)
	std::vector<uint8_t> out(4 + len, 0);
	out[0] = static_cast<uint8_t>(v4 ? IdType::Ipv4Addr : IdType::Ipv6Addr);
	std::copy_n(p.address.bytes().begin(), len, out.begin() + 4);
	return out;
}

} // namespace l2tpsec::ike
