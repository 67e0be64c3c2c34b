#include "kernel/l2tp/nl_wire.h"

#include <linux/netlink.h>

#include <cstring>

namespace l2tpsec::kernel::nl {

namespace {

// Host-order integers read and written through memcpy: received buffers carry
// no alignment guarantee (u64 attributes in particular, see nla_put_u64_64bit).
template <typename T>
T load(const uint8_t *p)
{
	T v;
	std::memcpy(&v, p, sizeof v);
	return v;
}

template <typename T>
void store(uint8_t *p, T v)
{
	std::memcpy(p, &v, sizeof v);
}

Error malformed(std::string what)
{
	return Error{EBADMSG, "malformed netlink data: " + std::move(what)};
}

template <typename T>
Result<T> attrInt(const Attr &a, const char *name)
{
	if (a.payload.size() != sizeof(T))
		return malformed("attribute " + std::to_string(a.type) + " is " + std::to_string(a.payload.size()) +
		                 " bytes, expected " + name);
	return load<T>(a.payload.data());
}

} // namespace

MessageWriter::MessageWriter(uint16_t family, uint16_t flags, uint32_t seq, uint8_t cmd, uint8_t version)
    : buf_(kNlmsgHdrLen + kGenlHdrLen, 0)
{
	// struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
	store<uint16_t>(&buf_[4], family);
	store<uint16_t>(&buf_[6], flags);
	store<uint32_t>(&buf_[8], seq);
	// struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }
	buf_[16] = cmd;
	buf_[17] = version;
}

void MessageWriter::putAttr(uint16_t type, const void *data, size_t len)
{
	size_t at = buf_.size();
	buf_.resize(at + align4(kAttrHdrLen + len), 0);
	store<uint16_t>(&buf_[at], static_cast<uint16_t>(kAttrHdrLen + len));
	store<uint16_t>(&buf_[at + 2], type);
	if (len)
		std::memcpy(&buf_[at + kAttrHdrLen], data, len);
}

void MessageWriter::putU8(uint16_t type, uint8_t v)
{
	putAttr(type, &v, sizeof v);
}

void MessageWriter::putU16(uint16_t type, uint16_t v)
{
	putAttr(type, &v, sizeof v);
}

void MessageWriter::putU32(uint16_t type, uint32_t v)
{
	putAttr(type, &v, sizeof v);
}

void MessageWriter::putU64(uint16_t type, uint64_t v)
{
	putAttr(type, &v, sizeof v);
}

void MessageWriter::putBytes(uint16_t type, Bytes payload)
{
	putAttr(type, payload.data(), payload.size());
}

void MessageWriter::putString(uint16_t type, std::string_view s)
{
	std::string z(s);
	putAttr(type, z.c_str(), z.size() + 1);
}

size_t MessageWriter::beginNest(uint16_t type)
{
	size_t at = buf_.size();
	putAttr(type, nullptr, 0);
	return at;
}

void MessageWriter::endNest(size_t offset)
{
	store<uint16_t>(&buf_[offset], static_cast<uint16_t>(buf_.size() - offset));
}

std::vector<uint8_t> MessageWriter::finish() &&
{
	store<uint32_t>(&buf_[0], static_cast<uint32_t>(buf_.size()));
	return std::move(buf_);
}

Result<GenlPayload> parseGenl(const Message &msg)
{
	if (msg.payload.size() < kGenlHdrLen)
		return malformed("generic netlink message of " + std::to_string(msg.payload.size()) + " bytes");
	GenlPayload g;
	g.cmd = msg.payload[0];
	g.version = msg.payload[1];
	g.attrs = msg.payload.subspan(kGenlHdrLen);
	return g;
}

Result<std::vector<Attr>> splitAttrs(Bytes stream)
{
	std::vector<Attr> out;
	size_t off = 0;
	while (off < stream.size()) {
		size_t rest = stream.size() - off;
		if (rest < kAttrHdrLen)
			return malformed(std::to_string(rest) + " trailing bytes are shorter than an attribute header");
		const uint8_t *h = stream.data() + off;
		uint16_t len = load<uint16_t>(h);
		if (len < kAttrHdrLen || len > rest)
			return malformed("attribute length " + std::to_string(len) + " with " + std::to_string(rest) +
			                 " bytes left");
		Attr a;
		a.type = load<uint16_t>(h + 2) & NLA_TYPE_MASK;
		a.payload = stream.subspan(off + kAttrHdrLen, len - kAttrHdrLen);
		out.push_back(a);
		off += std::min<size_t>(align4(len), rest);
	}
	return out;
}

Result<uint8_t> attrU8(const Attr &a)
{
	return attrInt<uint8_t>(a, "1 (u8)");
}

Result<uint16_t> attrU16(const Attr &a)
{
	return attrInt<uint16_t>(a, "2 (u16)");
}

Result<uint32_t> attrU32(const Attr &a)
{
	return attrInt<uint32_t>(a, "4 (u32)");
}

Result<uint64_t> attrU64(const Attr &a)
{
	return attrInt<uint64_t>(a, "8 (u64)");
}

std::string attrString(const Attr &a)
{
	if (a.payload.empty())
		return {};
	const char *p = reinterpret_cast<const char *>(a.payload.data());
	const void *nul = std::memchr(p, 0, a.payload.size());
	return std::string(p, nul ? static_cast<const char *>(nul) - p : a.payload.size());
}

} // namespace l2tpsec::kernel::nl
