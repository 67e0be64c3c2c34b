#include "ike/codec/header.h"

#include "common/byte_io.h"
#include "ike/codec/codec_error.h"

#include <algorithm>
#include <string>

namespace l2tpsec::ike {

Result<Message> parseMessage(Bytes datagram)
{
	if (datagram.size() < kHeaderLen)
		return malformed("datagram of " + std::to_string(datagram.size()) + " bytes is shorter than the " +
		                 std::to_string(kHeaderLen) + "-byte header");
	wire::ByteReader r(datagram);
	Message m;
	Header &h = m.header;
	std::ranges::copy(r.take(8), h.initiatorCookie.begin());
	std::ranges::copy(r.take(8), h.responderCookie.begin());
	h.nextPayload = static_cast<PayloadType>(r.u8());
	uint8_t version = r.u8();
	h.majorVersion = version >> 4;
	h.minorVersion = version & 0x0f;
	h.exchange = static_cast<ExchangeType>(r.u8());
	h.flags = r.u8();
	h.messageId = r.u32();
	h.length = r.u32();

	// RFC 2408 §5.2: an unknown major version is answered with
	// INVALID-MAJOR-VERSION before anything else is looked at.
	if (h.majorVersion != kIsakmpMajorVersion)
		return Error{kErrVersion, "unsupported ISAKMP version " + std::to_string(h.majorVersion) + "." +
		                                  std::to_string(h.minorVersion)};
	if (h.length < kHeaderLen)
		return malformed("header length " + std::to_string(h.length) + " is shorter than the header");
	if (h.length > datagram.size())
		return malformed("header length " + std::to_string(h.length) + " exceeds the " +
		                 std::to_string(datagram.size()) + "-byte datagram");
	m.body = datagram.subspan(kHeaderLen, h.length - kHeaderLen);
	m.trailingBytes = datagram.size() - h.length;
	return m;
}

std::vector<uint8_t> buildHeader(const Header &h)
{
	std::vector<uint8_t> out;
	out.reserve(kHeaderLen);
	wire::putBytes(out, h.initiatorCookie);
	wire::putBytes(out, h.responderCookie);
	wire::put8(out, static_cast<uint8_t>(h.nextPayload));
	wire::put8(out, static_cast<uint8_t>(h.majorVersion << 4 | (h.minorVersion & 0x0f)));
	wire::put8(out, static_cast<uint8_t>(h.exchange));
	wire::put8(out, h.flags);
	wire::put32(out, h.messageId);
	wire::put32(out, h.length);
	return out;
}

} // namespace l2tpsec::ike
