#pragma once
// NAT-D payload contents, RFC 3947 §3.2:
//   HASH = HASH(CKY-I | CKY-R | IP | Port)
// with the negotiated hash (not the PRF), the address in network order (4
// bytes for IPv4, 16 for IPv6) and the port as two bytes in network order.
// Each side sends one for the peer's address and port and one for each of
// its own; a mismatch on receipt means a NAT rewrote that end.

#include "common/ip_address.h"
#include "crypto/hash.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

std::vector<uint8_t> natDetectionHash(crypto::HashAlgorithm hash, const Cookie &ckyI, const Cookie &ckyR,
                                      const IpAddress &address, uint16_t port);

/// Whether an identity in Quick Mode 2 answers the one our Quick Mode 1 sent
/// (IDci with IDci, IDcr with IDcr): RFC 2409 §5.5 has the responder return
/// them as they were. In transport mode through a NAT (RFC 3947 §5.2) a
/// responder may instead name the addresses as the NAT shows them, as
/// strongSwan does ("changing received traffic selectors ... due to NAT"):
/// with natTransport, an address identity of the same type, protocol and
/// port answers too.
bool quickModeIdAnswers(Bytes sent, Bytes got, bool natTransport);

} // namespace l2tpsec::ike
