#pragma once
// The Identification payload in the IPsec DOI (RFC 2408 §3.8, RFC 2407
// §4.6.2): ID Type (1) | Protocol ID (1) | Port (2) | Identification Data.
//
// Phase 1 IDs name the peers (strongSwan and Windows send IPV4_ADDR with
// protocol 0 port 0, or protocol 17 port 500); Quick Mode IDs are the
// traffic selectors, for L2TP/IPsec the host address with UDP (17) and
// port 1701 (or port 0 for the macOS/iOS ephemeral source port).

#include "common/ip_address.h"
#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::ike {

inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint16_t kL2tpPort = 1701;

struct IdPayload {
	IdType type = IdType::Ipv4Addr;
	uint8_t protocol = 0; ///< IP protocol, 0 = any
	uint16_t port = 0;    ///< 0 = any
	std::vector<uint8_t> data;

	/// IPV4_ADDR or IPV6_ADDR.
	static IdPayload address(const IpAddress &a, uint8_t protocol = 0, uint16_t port = 0);
	/// IPV4/6_ADDR_SUBNET; mask must be of the same family.
	static IdPayload subnet(const IpAddress &a, const IpAddress &mask, uint8_t protocol = 0, uint16_t port = 0);
	/// IPV4/6_ADDR_RANGE; last must be of the same family.
	static IdPayload range(const IpAddress &first, const IpAddress &last, uint8_t protocol = 0, uint16_t port = 0);
	/// FQDN, USER_FQDN (RFC 2407 §4.6.2.3/4: no terminating NUL).
	static IdPayload text(IdType type, std::string_view s);

	friend bool operator==(const IdPayload &, const IdPayload &) = default;
};

/// Parses an ID body. Address types must carry exactly their address bytes
/// (4, 16; twice that for subnets and ranges); the other known types must not
/// be empty. Unknown types are kept as they are (INVALID-ID-INFORMATION is
/// the engine's answer).
Result<IdPayload> parseId(Bytes body);

std::vector<uint8_t> buildId(const IdPayload &id);

/// The addresses of an address-type ID: {address}, {address, mask} or
/// {first, last}. kErrMalformed for non-address types or wrong sizes.
struct IdAddresses {
	IpAddress first;
	std::optional<IpAddress> second;

	friend bool operator==(const IdAddresses &, const IdAddresses &) = default;
};
Result<IdAddresses> idAddresses(const IdPayload &id);

/// An IpAddress from 4 (IPv4) or 16 (IPv6) network-order bytes.
std::optional<IpAddress> ipFromBytes(Bytes b);

} // namespace l2tpsec::ike
