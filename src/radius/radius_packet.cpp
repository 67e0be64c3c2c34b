#include "radius/radius_packet.h"

#include "common/byte_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace l2tpsec::radius {

namespace {

Error malformed(const std::string &why)
{
	return Error{EBADMSG, "RADIUS packet: " + why};
}

} // namespace

const Attribute *Packet::find(uint8_t type) const
{
	for (const Attribute &a : attributes)
		if (a.type == type)
			return &a;
	return nullptr;
}

size_t Packet::count(uint8_t type) const
{
	return static_cast<size_t>(std::count_if(attributes.begin(), attributes.end(),
	                                         [type](const Attribute &a) { return a.type == type; }));
}

Result<Packet> parsePacket(std::span<const uint8_t> bytes)
{
	if (bytes.size() < kHeaderSize)
		return malformed(fmt::format("{} octets, shorter than the {}-octet header", bytes.size(), kHeaderSize));
	size_t length = wire::load16(bytes, 2);
	if (length < kHeaderSize || length > kMaxPacketSize)
		return malformed(fmt::format("Length {} outside {}..{}", length, kHeaderSize, kMaxPacketSize));
	if (length > bytes.size())
		return malformed(fmt::format("Length {} but the datagram holds {} octets", length, bytes.size()));
	Packet p;
	p.code = bytes[0];
	p.identifier = bytes[1];
	std::copy_n(bytes.begin() + kAuthenticatorOffset, kAuthenticatorSize, p.authenticator.begin());
	size_t at = kHeaderSize;
	while (at < length) {
		if (length - at < 2)
			return malformed(fmt::format("a partial attribute header at offset {}", at));
		uint8_t type = bytes[at];
		size_t len = bytes[at + 1];
		if (len < 2)
			return malformed(fmt::format("attribute {} at offset {} has Length {}", type, at, len));
		if (len > length - at)
			return malformed(fmt::format("attribute {} at offset {} runs {} octets past the packet", type,
			                             at, len - (length - at)));
		p.attributes.push_back(
		        {type, std::vector<uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(at + 2),
		                                    bytes.begin() + static_cast<std::ptrdiff_t>(at + len))});
		at += len;
	}
	return p;
}

std::vector<uint8_t> buildPacket(const Packet &p)
{
	std::vector<uint8_t> out;
	out.reserve(kHeaderSize);
	out.push_back(p.code);
	out.push_back(p.identifier);
	wire::put16(out, 0); // Length, filled in below
	out.insert(out.end(), p.authenticator.begin(), p.authenticator.end());
	for (const Attribute &a : p.attributes) {
		size_t n = std::min<size_t>(a.value.size(), 253);
		out.push_back(a.type);
		out.push_back(static_cast<uint8_t>(n + 2));
		out.insert(out.end(), a.value.begin(), a.value.begin() + static_cast<std::ptrdiff_t>(n));
	}
	wire::store16(out, 2, static_cast<uint16_t>(std::min(out.size(), size_t{0xffff})));
	return out;
}

std::string textOf(const Attribute &a)
{
	return std::string(a.value.begin(), a.value.end());
}

std::optional<uint32_t> integerOf(const Attribute &a)
{
	if (a.value.size() != 4)
		return std::nullopt;
	return wire::load32(a.value, 0);
}

Attribute integerAttribute(uint8_t type, uint32_t value)
{
	Attribute a{type, {}};
	wire::put32(a.value, value);
	return a;
}

Attribute textAttribute(uint8_t type, std::string_view text)
{
	text = text.substr(0, 253);
	return {type, std::vector<uint8_t>(text.begin(), text.end())};
}

std::string codeName(uint8_t c)
{
	switch (c) {
	case code::kDisconnectRequest: return "Disconnect-Request";
	case code::kDisconnectAck: return "Disconnect-ACK";
	case code::kDisconnectNak: return "Disconnect-NAK";
	case code::kCoaRequest: return "CoA-Request";
	case code::kCoaAck: return "CoA-ACK";
	case code::kCoaNak: return "CoA-NAK";
	case code::kAccountingRequest: return "Accounting-Request";
	case code::kAccountingResponse: return "Accounting-Response";
	default: return "code " + std::to_string(c);
	}
}

} // namespace l2tpsec::radius
