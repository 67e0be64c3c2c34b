#pragma once
// ISAKMP data attributes (RFC 2408 §3.3), the contents of Transform payloads
// and of the RESPONDER-LIFETIME notify.
//
//   AF=1 (TV):  |1| type (15) | value (16) |
//   AF=0 (TLV): |0| type (15) | length (16) | value (length bytes) |
//
// The form is kept as sent so that a parsed list re-encodes to the same
// bytes; a duration may come either way (RFC 2409 App. A lists Life Duration
// as variable, and senders use TV when the value fits 16 bits).

#include "common/result.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace l2tpsec::ike {

struct DataAttribute {
	/// Attribute type, 15 bits (IkeAttribute or IpsecAttribute values).
	uint16_t type = 0;
	/// uint16_t: TV form (AF=1). vector: TLV form (AF=0).
	std::variant<uint16_t, std::vector<uint8_t>> value = uint16_t{0};

	static DataAttribute basic(uint16_t type, uint16_t value) { return {type, value}; }
	static DataAttribute variable(uint16_t type, std::vector<uint8_t> value) { return {type, std::move(value)}; }
	/// TV when the value fits 16 bits, else a 4-byte (or, above 32 bits,
	/// 8-byte) TLV: what RFC 2409 App. A asks of a life duration.
	static DataAttribute integer(uint16_t type, uint64_t value);

	bool isBasic() const { return value.index() == 0; }
	/// The value as an unsigned integer: the TV value, or a big-endian TLV
	/// of 1..8 bytes (leading zero bytes beyond 8 are allowed). nullopt for
	/// an empty TLV or one with more than 64 significant bits.
	std::optional<uint64_t> asInteger() const;

	friend bool operator==(const DataAttribute &, const DataAttribute &) = default;
};

/// Splits an attribute list; the attributes must fill it exactly (a TLV whose
/// length runs past the end, or a stray 1..3 bytes, is malformed).
Result<std::vector<DataAttribute>> parseAttributes(Bytes bytes);

/// Encodes a list. kErrTooLarge when a type needs 16 bits or a TLV value is
/// longer than 65535 bytes.
Result<std::vector<uint8_t>> buildAttributes(std::span<const DataAttribute> attrs);

/// The first attribute of the given type, or nullptr.
const DataAttribute *findAttribute(std::span<const DataAttribute> attrs, uint16_t type);

} // namespace l2tpsec::ike
