#include "dhcp/dhcp_message.h"

#include "common/byte_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace l2tpsec::dhcp {

namespace {

Error badMessage(std::string why)
{
	return Error{EBADMSG, "DHCP: " + std::move(why)};
}

void addOption(std::vector<Option> &options, uint8_t code, std::span<const uint8_t> value)
{
	auto same = std::find_if(options.begin(), options.end(), [code](const Option &o) { return o.code == code; });
	if (same == options.end())
		options.push_back(Option{code, {value.begin(), value.end()}});
	else
		same->value.insert(same->value.end(), value.begin(), value.end());
}

Result<std::vector<Option>> parseOptions(std::span<const uint8_t> field)
{
	std::vector<Option> options;
	wire::ByteReader r(field);
	while (r.has(1)) {
		uint8_t code = r.u8();
		if (code == option::kPad)
			continue;
		if (code == option::kEnd)
			return options;
		if (!r.has(1))
			return badMessage(fmt::format("option {} has no length octet", code));
		uint8_t length = r.u8();
		if (!r.has(length))
			return badMessage(
			        fmt::format("option {} says {} octets, {} left", code, length, r.remaining()));
		addOption(options, code, r.take(length));
	}
	return badMessage("options end without an End option");
}

} // namespace

const Option *Message::find(uint8_t code) const
{
	for (const Option &o : options)
		if (o.code == code)
			return &o;
	return nullptr;
}

std::optional<MessageType> Message::type() const
{
	const Option *o = find(option::kMessageType);
	if (!o || o->value.size() != 1)
		return std::nullopt;
	return static_cast<MessageType>(o->value[0]);
}

Result<Message> parseMessage(std::span<const uint8_t> bytes)
{
	if (bytes.size() < kFixedHeaderSize + kMagicCookie.size())
		return badMessage(fmt::format("{} octets, shorter than the {} of a header and cookie", bytes.size(),
		                              kFixedHeaderSize + kMagicCookie.size()));
	wire::ByteReader r(bytes);
	Message m;
	m.op = r.u8();
	m.htype = r.u8();
	m.hlen = r.u8();
	m.hops = r.u8();
	m.xid = r.u32();
	m.secs = r.u16();
	m.flags = r.u16();
	m.ciaddr = r.u32();
	m.yiaddr = r.u32();
	m.siaddr = r.u32();
	m.giaddr = r.u32();
	std::span<const uint8_t> chaddr = r.take(m.chaddr.size());
	std::copy(chaddr.begin(), chaddr.end(), m.chaddr.begin());
	(void)r.take(64 + 128); // sname, file
	std::span<const uint8_t> cookie = r.take(kMagicCookie.size());
	if (!std::equal(cookie.begin(), cookie.end(), kMagicCookie.begin()))
		return badMessage("no magic cookie (a BOOTP message?)");
	L2S_TRY_ASSIGN(m.options, parseOptions(r.rest()));
	return m;
}

std::vector<uint8_t> buildMessage(const Message &m)
{
	std::vector<uint8_t> out;
	out.reserve(kMinimumBuiltSize);
	wire::put8(out, m.op);
	wire::put8(out, m.htype);
	wire::put8(out, m.hlen);
	wire::put8(out, m.hops);
	wire::put32(out, m.xid);
	wire::put16(out, m.secs);
	wire::put16(out, m.flags);
	wire::put32(out, m.ciaddr);
	wire::put32(out, m.yiaddr);
	wire::put32(out, m.siaddr);
	wire::put32(out, m.giaddr);
	wire::putBytes(out, m.chaddr);
	out.resize(out.size() + 64 + 128, 0);
	wire::putBytes(out, kMagicCookie);
	for (const Option &o : m.options) {
		std::span<const uint8_t> rest(o.value);
		// An empty value is still one option of length 0.
		do {
			std::span<const uint8_t> chunk = rest.first(std::min<size_t>(rest.size(), 255));
			wire::put8(out, o.code);
			wire::put8(out, static_cast<uint8_t>(chunk.size()));
			wire::putBytes(out, chunk);
			rest = rest.subspan(chunk.size());
		} while (!rest.empty());
	}
	wire::put8(out, option::kEnd);
	if (out.size() < kMinimumBuiltSize)
		out.resize(kMinimumBuiltSize, option::kPad);
	return out;
}

} // namespace l2tpsec::dhcp
