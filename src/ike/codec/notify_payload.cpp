#include "ike/codec/notify_payload.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <string>

namespace l2tpsec::ike {

namespace {

constexpr size_t kNotifyFixedLen = 8;

} // namespace

std::vector<uint8_t> cookiePairSpi(const Cookie &initiator, const Cookie &responder)
{
	std::vector<uint8_t> spi;
	wire::putBytes(spi, initiator);
	wire::putBytes(spi, responder);
	return spi;
}

NotifyPayload NotifyPayload::dpd(NotifyType type, const Cookie &initiator, const Cookie &responder, uint32_t sequence)
{
	NotifyPayload n{Doi::Ipsec, ProtocolId::Isakmp, type, cookiePairSpi(initiator, responder), {}};
	wire::put32(n.data, sequence);
	return n;
}

NotifyPayload NotifyPayload::initialContact(const Cookie &initiator, const Cookie &responder)
{
	return NotifyPayload{
	        Doi::Ipsec, ProtocolId::Isakmp, NotifyType::InitialContact, cookiePairSpi(initiator, responder), {}};
}

Result<NotifyPayload> NotifyPayload::responderLifetime(ProtocolId protocol, std::vector<uint8_t> spi,
                                                       std::span<const DataAttribute> lifetime)
{
	L2S_TRY_ASSIGN(auto attrs, buildAttributes(lifetime));
	return NotifyPayload{Doi::Ipsec, protocol, NotifyType::ResponderLifetime, std::move(spi), std::move(attrs)};
}

Result<NotifyPayload> parseNotify(Bytes body)
{
	if (body.size() < kNotifyFixedLen)
		return malformed("Notification payload of " + std::to_string(body.size()) +
		                 " bytes has no room for its fixed fields");
	wire::ByteReader r(body);
	NotifyPayload n;
	n.doi = static_cast<Doi>(r.u32());
	n.protocol = static_cast<ProtocolId>(r.u8());
	uint8_t spiSize = r.u8();
	n.type = static_cast<NotifyType>(r.u16());
	if (!r.has(spiSize))
		return malformed("Notification type " + std::to_string(static_cast<unsigned>(n.type)) + ": SPI size " +
		                 std::to_string(spiSize) + " overruns the " + std::to_string(r.remaining()) +
		                 " bytes left");
	n.spi = toVector(r.take(spiSize));
	n.data = toVector(r.rest());
	return n;
}

Result<std::vector<uint8_t>> buildNotify(const NotifyPayload &n)
{
	if (n.spi.size() > 0xff)
		return tooLarge("notify SPI of " + std::to_string(n.spi.size()) + " bytes");
	std::vector<uint8_t> out;
	wire::put32(out, static_cast<uint32_t>(n.doi));
	wire::put8(out, static_cast<uint8_t>(n.protocol));
	wire::put8(out, static_cast<uint8_t>(n.spi.size()));
	wire::put16(out, static_cast<uint16_t>(n.type));
	wire::putBytes(out, n.spi);
	wire::putBytes(out, n.data);
	return out;
}

Result<uint32_t> dpdSequence(const NotifyPayload &n)
{
	if (n.type != NotifyType::RUThere && n.type != NotifyType::RUThereAck)
		return malformed("notify type " + std::to_string(static_cast<unsigned>(n.type)) + " is not DPD");
	if (n.data.size() != 4)
		return malformed("DPD notify with " + std::to_string(n.data.size()) + " bytes of data, expected 4");
	wire::ByteReader r(n.data);
	return r.u32();
}

Result<std::vector<DataAttribute>> responderLifetimeAttributes(const NotifyPayload &n)
{
	if (n.type != NotifyType::ResponderLifetime)
		return malformed("notify type " + std::to_string(static_cast<unsigned>(n.type)) +
		                 " is not RESPONDER-LIFETIME");
	return parseAttributes(n.data);
}

} // namespace l2tpsec::ike
