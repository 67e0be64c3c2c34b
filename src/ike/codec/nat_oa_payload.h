#pragma once
// The NAT Original Address payload (RFC 3947 §5.2; draft-ietf-ipsec-nat-t-ike
// type 131 has the same layout):
//   ID Type (1) | RESERVED (3) | IPv4 (4) or IPv6 (16) address
// Sent in Quick Mode with UDP-encapsulated transport mode so the peer can fix
// up TCP/UDP checksums of the L2TP packets.

#include "common/ip_address.h"
#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <vector>

namespace l2tpsec::ike {

struct NatOaPayload {
	IpAddress address; ///< ID type IPV4_ADDR or IPV6_ADDR follows the family

	friend bool operator==(const NatOaPayload &, const NatOaPayload &) = default;
};

/// kErrMalformed for an ID type other than IPV4_ADDR/IPV6_ADDR, non-zero
/// reserved bytes, or an address of the wrong size.
Result<NatOaPayload> parseNatOa(Bytes body);
std::vector<uint8_t> buildNatOa(const NatOaPayload &p);

} // namespace l2tpsec::ike
