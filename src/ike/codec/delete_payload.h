#pragma once
// The Delete payload (RFC 2408 §3.15):
//   DOI (4) | Protocol-Id (1) | SPI Size (1) | # of SPIs (2) | SPIs
// An ISAKMP SA is named by CKY-I | CKY-R (16 bytes), an ESP SA by its
// 4-byte SPI.

#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

struct DeletePayload {
	Doi doi = Doi::Ipsec;
	ProtocolId protocol = ProtocolId::IpsecEsp;
	/// All of one size (the wire has one SPI Size field).
	std::vector<std::vector<uint8_t>> spis;

	friend bool operator==(const DeletePayload &, const DeletePayload &) = default;
};

/// kErrMalformed when shorter than its 8 fixed bytes, for SPI size 0, for
/// no SPIs, and unless SPI size x # of SPIs is exactly the rest.
Result<DeletePayload> parseDelete(Bytes body);

/// kErrMalformed for no SPIs, an empty SPI or SPIs of different sizes;
/// kErrTooLarge for SPIs over 255 bytes or more than 65535 of them.
Result<std::vector<uint8_t>> buildDelete(const DeletePayload &d);

} // namespace l2tpsec::ike
