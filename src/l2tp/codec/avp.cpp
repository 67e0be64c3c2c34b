#include "l2tp/codec/avp.h"

#include "common/byte_io.h"

#include <algorithm>

namespace l2tpsec::l2tp {

namespace {

// §4.1, first 16 bits: M H rsvd(4) Length(10).
constexpr uint16_t kAvpMandatory = 0x8000;
constexpr uint16_t kAvpHidden = 0x4000;
constexpr uint16_t kAvpReserved = 0x3c00;
constexpr uint16_t kAvpLengthMask = 0x03ff;

DecodeError avpError(DecodeErrorKind kind, uint16_t vendorId, uint16_t type, std::string message)
{
	DecodeError e;
	e.kind = kind;
	e.vendorId = vendorId;
	e.attributeType = type;
	e.message = std::move(message);
	return e;
}

} // namespace

DecodeResult<std::vector<Avp>> splitAvps(Bytes body)
{
	std::vector<Avp> out;
	size_t at = 0;
	while (at < body.size()) {
		size_t rest = body.size() - at;
		if (rest < kAvpHeaderSize)
			return avpError(DecodeErrorKind::AvpTooShort, 0, 0,
			                std::to_string(rest) + " trailing bytes are shorter than an AVP header");
		uint16_t bits = wire::load16(body, at);
		Avp a;
		a.mandatory = bits & kAvpMandatory;
		a.hidden = bits & kAvpHidden;
		a.vendorId = wire::load16(body, at + 2);
		a.attributeType = wire::load16(body, at + 4);
		size_t length = bits & kAvpLengthMask;
		auto where = [&] {
			return attributeName(a.vendorId, a.attributeType) + " at offset " + std::to_string(at);
		};
		if (length < kAvpHeaderSize)
			return avpError(DecodeErrorKind::AvpTooShort, a.vendorId, a.attributeType,
			                where() + ": Length " + std::to_string(length) + " < 6");
		if (length > rest)
			return avpError(DecodeErrorKind::AvpOverrun, a.vendorId, a.attributeType,
			                where() + ": Length " + std::to_string(length) + " with " +
			                        std::to_string(rest) + " bytes left");
		if (bits & kAvpReserved)
			return avpError(DecodeErrorKind::AvpReservedBits, a.vendorId, a.attributeType,
			                where() + ": reserved bits are not zero");
		a.value = body.subspan(at + kAvpHeaderSize, length - kAvpHeaderSize);
		out.push_back(a);
		at += length;
	}
	return out;
}

void appendAvp(std::vector<uint8_t> &out, bool mandatory, bool hidden, uint16_t vendorId, uint16_t attributeType,
               Bytes value)
{
	size_t valueLength = std::min(value.size(), kMaxAvpValueLength);
	uint16_t bits = static_cast<uint16_t>(kAvpHeaderSize + valueLength);
	if (mandatory)
		bits |= kAvpMandatory;
	if (hidden)
		bits |= kAvpHidden;
	wire::put16(out, bits);
	wire::put16(out, vendorId);
	wire::put16(out, attributeType);
	out.insert(out.end(), value.begin(), value.begin() + static_cast<std::ptrdiff_t>(valueLength));
}

} // namespace l2tpsec::l2tp
