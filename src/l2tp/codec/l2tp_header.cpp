#include "l2tp/codec/l2tp_header.h"

#include "common/byte_io.h"

namespace l2tpsec::l2tp {

namespace {

// §3.1, first 16 bits: T L x x S x O P x x x x Ver(4).
constexpr uint16_t kFlagType = 0x8000;
constexpr uint16_t kFlagLength = 0x4000;
constexpr uint16_t kFlagSequence = 0x0800;
constexpr uint16_t kFlagOffset = 0x0200;
constexpr uint16_t kFlagPriority = 0x0100;
constexpr uint16_t kVersionMask = 0x000f;

DecodeError headerError(DecodeErrorKind kind, std::string message)
{
	DecodeError e;
	e.kind = kind;
	e.message = std::move(message);
	return e;
}

DecodeError truncated(size_t need, size_t have)
{
	return headerError(DecodeErrorKind::Truncated,
	                   "header needs " + std::to_string(need) + " bytes, datagram has " + std::to_string(have));
}

} // namespace

size_t Header::size() const
{
	size_t n = 6; // flags/version, Tunnel ID, Session ID
	if (hasLength)
		n += 2;
	if (hasSequence)
		n += 4;
	if (hasOffset)
		n += 2 + size_t{offsetSize};
	return n;
}

DecodeResult<Packet> parsePacket(Bytes datagram)
{
	if (datagram.size() < 2)
		return truncated(2, datagram.size());
	uint16_t flags = wire::load16(datagram, 0);
	Header h;
	h.version = static_cast<uint8_t>(flags & kVersionMask);
	// The version decides the layout of everything else, so it is checked
	// before anything is read: an L2TPv3 or L2F packet is not misparsed.
	if (h.version != kL2tpVersion) {
		DecodeError e = headerError(DecodeErrorKind::UnsupportedVersion,
		                            "version " + std::to_string(h.version) + " (only 2 is L2TPv2)");
		e.version = h.version;
		return e;
	}
	h.control = flags & kFlagType;
	h.hasLength = flags & kFlagLength;
	h.hasSequence = flags & kFlagSequence;
	h.hasOffset = flags & kFlagOffset;
	h.priority = flags & kFlagPriority;
	// §3.1: L and S MUST be 1 and O MUST be 0 in a control message.
	if (h.control && (!h.hasLength || !h.hasSequence || h.hasOffset))
		return headerError(DecodeErrorKind::BadControlFlags,
		                   std::string("control message with L=") + (h.hasLength ? "1" : "0") +
		                           " S=" + (h.hasSequence ? "1" : "0") + " O=" + (h.hasOffset ? "1" : "0"));

	size_t fixed = h.size(); // without the offset pad, offsetSize being 0 so far
	if (datagram.size() < fixed)
		return truncated(fixed, datagram.size());
	size_t at = 2;
	if (h.hasLength) {
		h.length = wire::load16(datagram, at);
		at += 2;
	}
	h.tunnelId = wire::load16(datagram, at);
	h.sessionId = wire::load16(datagram, at + 2);
	at += 4;
	if (h.hasSequence) {
		h.ns = wire::load16(datagram, at);
		h.nr = wire::load16(datagram, at + 2);
		at += 4;
	}
	if (h.hasOffset)
		h.offsetSize = wire::load16(datagram, at); // the pad after it is skipped via h.size()

	size_t end = datagram.size();
	if (h.hasLength) {
		if (h.length > datagram.size())
			return headerError(DecodeErrorKind::BadLength,
			                   "Length " + std::to_string(h.length) + " exceeds the datagram's " +
			                           std::to_string(datagram.size()) + " bytes");
		end = h.length;
	}
	size_t headerSize = h.size();
	if (headerSize > end) {
		if (h.hasLength)
			return headerError(DecodeErrorKind::BadLength,
			                   "Length " + std::to_string(h.length) + " is shorter than the " +
			                           std::to_string(headerSize) + "-byte header");
		return truncated(headerSize, datagram.size());
	}
	Packet p;
	p.header = h;
	p.payload = datagram.subspan(headerSize, end - headerSize);
	p.trailingBytes = datagram.size() - end;
	return p;
}

std::vector<uint8_t> buildHeader(const Header &h)
{
	std::vector<uint8_t> out;
	out.reserve(h.size());
	uint16_t flags = h.version & kVersionMask;
	if (h.control)
		flags |= kFlagType;
	if (h.hasLength)
		flags |= kFlagLength;
	if (h.hasSequence)
		flags |= kFlagSequence;
	if (h.hasOffset)
		flags |= kFlagOffset;
	if (h.priority)
		flags |= kFlagPriority;
	wire::put16(out, flags);
	if (h.hasLength)
		wire::put16(out, h.length);
	wire::put16(out, h.tunnelId);
	wire::put16(out, h.sessionId);
	if (h.hasSequence) {
		wire::put16(out, h.ns);
		wire::put16(out, h.nr);
	}
	if (h.hasOffset) {
		wire::put16(out, h.offsetSize);
		out.resize(out.size() + h.offsetSize, 0);
	}
	return out;
}

Header controlHeader(uint16_t tunnelId, uint16_t sessionId, uint16_t ns, uint16_t nr, uint16_t length)
{
	Header h;
	h.control = true;
	h.hasLength = true;
	h.hasSequence = true;
	h.length = length;
	h.tunnelId = tunnelId;
	h.sessionId = sessionId;
	h.ns = ns;
	h.nr = nr;
	return h;
}

bool stampSequence(std::span<uint8_t> message, uint16_t ns, uint16_t nr)
{
	constexpr uint16_t kControlFlags = kFlagType | kFlagLength | kFlagSequence;
	if (message.size() < kControlHeaderSize || (wire::load16(message, 0) & kControlFlags) != kControlFlags)
		return false;
	// Flags/version, Length, Tunnel ID, Session ID, then Ns and Nr.
	constexpr size_t kNsAt = 8;
	wire::store16(message, kNsAt, ns);
	wire::store16(message, kNsAt + 2, nr);
	return true;
}

} // namespace l2tpsec::l2tp
