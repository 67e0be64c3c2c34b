#include "ike/codec/data_attribute.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <string>

namespace l2tpsec::ike {

namespace {

// RFC 2408 §3.3: the high bit of the type word is the Attribute Format.
constexpr uint16_t kAfBit = 0x8000;

} // namespace

DataAttribute DataAttribute::integer(uint16_t type, uint64_t value)
{
	if (value <= 0xffff)
		return basic(type, static_cast<uint16_t>(value));
	size_t len = value <= 0xffffffffULL ? 4 : 8;
	std::vector<uint8_t> bytes(len);
	for (size_t i = 0; i < len; i++)
		bytes[len - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
	return variable(type, std::move(bytes));
}

std::optional<uint64_t> DataAttribute::asInteger() const
{
	if (const auto *v = std::get_if<uint16_t>(&value))
		return *v;
	const auto &bytes = std::get<std::vector<uint8_t>>(value);
	if (bytes.empty())
		return std::nullopt;
	uint64_t out = 0;
	for (size_t i = 0; i < bytes.size(); i++) {
		// Only the low 8 bytes may be significant.
		if (bytes.size() - i > 8 && bytes[i] != 0)
			return std::nullopt;
		out = out << 8 | bytes[i];
	}
	return out;
}

Result<std::vector<DataAttribute>> parseAttributes(Bytes bytes)
{
	std::vector<DataAttribute> out;
	wire::ByteReader r(bytes);
	while (r.remaining() > 0) {
		if (!r.has(4))
			return malformed("attribute " + std::to_string(out.size()) + ": " +
			                 std::to_string(r.remaining()) + " bytes left, no room for its header");
		uint16_t word = r.u16();
		auto type = static_cast<uint16_t>(word & ~kAfBit);
		uint16_t lv = r.u16();
		if (word & kAfBit) {
			out.push_back(DataAttribute::basic(type, lv));
			continue;
		}
		if (!r.has(lv))
			return malformed("attribute " + std::to_string(out.size()) + " (type " + std::to_string(type) +
			                 "): TLV length " + std::to_string(lv) + " overruns the " +
			                 std::to_string(r.remaining()) + " bytes left");
		out.push_back(DataAttribute::variable(type, toVector(r.take(lv))));
	}
	return out;
}

Result<std::vector<uint8_t>> buildAttributes(std::span<const DataAttribute> attrs)
{
	std::vector<uint8_t> out;
	for (const DataAttribute &a : attrs) {
		if (a.type & kAfBit)
			return tooLarge("attribute type " + std::to_string(a.type) + " needs 16 bits");
		if (const auto *v = std::get_if<uint16_t>(&a.value)) {
			wire::put16(out, static_cast<uint16_t>(a.type | kAfBit));
			wire::put16(out, *v);
			continue;
		}
		const auto &bytes = std::get<std::vector<uint8_t>>(a.value);
		if (bytes.size() > 0xffff)
			return tooLarge("attribute type " + std::to_string(a.type) + " value of " +
			                std::to_string(bytes.size()) + " bytes");
		wire::put16(out, a.type);
		wire::put16(out, static_cast<uint16_t>(bytes.size()));
		wire::putBytes(out, bytes);
	}
	return out;
}

const DataAttribute *findAttribute(std::span<const DataAttribute> attrs, uint16_t type)
{
	for (const DataAttribute &a : attrs)
		if (a.type == type)
			return &a;
	return nullptr;
}

} // namespace l2tpsec::ike
