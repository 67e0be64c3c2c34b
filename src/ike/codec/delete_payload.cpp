#include "ike/codec/delete_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <string>

namespace l2tpsec::ike {

namespace {

constexpr size_t kDeleteFixedLen = 8;

} // namespace

Result<DeletePayload> parseDelete(Bytes body)
{
	if (body.size() < kDeleteFixedLen)
		return malformed("Delete payload of " + std::to_string(body.size()) +
		                 " bytes has no room for its fixed fields");
	wire::ByteReader r(body);
	DeletePayload d;
	d.doi = static_cast<Doi>(r.u32());
	d.protocol = static_cast<ProtocolId>(r.u8());
	uint8_t spiSize = r.u8();
	uint16_t count = r.u16();
	// A delete must name something it deletes.
	if (spiSize == 0)
		return malformed("Delete payload with SPI size 0");
	if (count == 0)
		return malformed("Delete payload without SPIs");
	if (r.remaining() != size_t{spiSize} * count)
		return malformed("Delete payload: " + std::to_string(count) + " SPIs of " + std::to_string(spiSize) +
		                 " bytes do not fill the " + std::to_string(r.remaining()) + " bytes left");
	for (unsigned i = 0; i < count; i++)
		d.spis.push_back(toVector(r.take(spiSize)));
	return d;
}

Result<std::vector<uint8_t>> buildDelete(const DeletePayload &d)
{
	if (d.spis.empty())
		return malformed("Delete payload without SPIs");
	size_t spiSize = d.spis.front().size();
	if (spiSize == 0)
		return malformed("Delete payload with an empty SPI");
	if (spiSize > 0xff)
		return tooLarge("delete SPI of " + std::to_string(spiSize) + " bytes");
	if (d.spis.size() > 0xffff)
		return tooLarge("delete of " + std::to_string(d.spis.size()) + " SPIs");
	std::vector<uint8_t> out;
	wire::put32(out, static_cast<uint32_t>(d.doi));
	wire::put8(out, static_cast<uint8_t>(d.protocol));
	wire::put8(out, static_cast<uint8_t>(spiSize));
	wire::put16(out, static_cast<uint16_t>(d.spis.size()));
	for (const auto &spi : d.spis) {
		if (spi.size() != spiSize)
			return malformed("Delete payload mixes SPIs of " + std::to_string(spiSize) + " and " +
			                 std::to_string(spi.size()) + " bytes");
		wire::putBytes(out, spi);
	}
	return out;
}

} // namespace l2tpsec::ike
