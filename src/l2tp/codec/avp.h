#pragma once
// Generic AVPs (RFC 2661 §4.1): the framing every attribute shares.
//
//  |M|H| rsvd  |      Length       |           Vendor ID           |
//  |         Attribute Type        |        Attribute Value...
//
// This layer knows nothing about what an attribute means; control_message.h
// gives the values their types.

#include "l2tp/codec/decode_error.h"

#include <cstdint>
#include <vector>

namespace l2tpsec::l2tp {

struct Avp {
	bool mandatory = false; ///< M
	bool hidden = false;    ///< H: the value is in the Hidden AVP Subformat (§4.3)
	uint16_t vendorId = kIetfVendorId;
	uint16_t attributeType = 0;
	Bytes value; ///< Length - 6 octets, still hidden when H is set
};

/// Splits a control message body into its AVPs, in order. Errors:
/// AvpTooShort (fewer than 6 bytes left, or Length < 6), AvpOverrun (Length
/// beyond the body), AvpReservedBits (a reserved bit set; §4.1 requires 0).
DecodeResult<std::vector<Avp>> splitAvps(Bytes body);
DecodeResult<std::vector<Avp>> splitAvps(std::vector<uint8_t> &&) = delete;

/// Appends one AVP. The caller keeps value within kMaxAvpValueLength (1017);
/// a longer one is cut there rather than corrupting the Length field.
void appendAvp(std::vector<uint8_t> &out, bool mandatory, bool hidden, uint16_t vendorId, uint16_t attributeType,
               Bytes value);

} // namespace l2tpsec::l2tp
