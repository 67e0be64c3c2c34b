#include "ppp/plugin_message.h"

#include "l2tpsec_pppd_wire.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace l2tpsec::ppp {

const uint16_t kPluginProtocol = L2TPSEC_PPPD_PROTOCOL;

namespace {

std::string_view typeName(uint8_t type)
{
	switch (type) {
	case L2TPSEC_PPPD_HELLO: return "hello";
	case L2TPSEC_PPPD_AUTH_UP: return "auth-up";
	case L2TPSEC_PPPD_IP_UP: return "ip-up";
	case L2TPSEC_PPPD_IP_DOWN: return "ip-down";
	case L2TPSEC_PPPD_EXIT: return "exit";
	case L2TPSEC_PPPD_RADIUS_ROUTES: return "radius-routes";
	case L2TPSEC_PPPD_AUTH_FAILED: return "auth-failed";
	case L2TPSEC_PPPD_PEER_OPTIONS: return "peer-options";
	default: return "unknown";
	}
}

/// Reads fields front to back; the first read past the end sets `error` and
/// every later read returns zero, so a decoder checks once at the end.
class Reader {
public:
	Reader(std::span<const uint8_t> data, std::string_view what) : data_(data), what_(what) {}

	uint8_t u8(std::string_view field)
	{
		if (!need(1, field))
			return 0;
		return data_[at_++];
	}
	uint16_t u16(std::string_view field)
	{
		if (!need(2, field))
			return 0;
		uint16_t v = static_cast<uint16_t>(data_[at_] << 8 | data_[at_ + 1]);
		at_ += 2;
		return v;
	}
	uint32_t u32(std::string_view field)
	{
		if (!need(4, field))
			return 0;
		uint32_t v = 0;
		for (size_t i = 0; i < 4; ++i)
			v = v << 8 | data_[at_ + i];
		at_ += 4;
		return v;
	}
	/// A length-prefixed string of at most `max` bytes, none of them NUL;
	/// `graphic`: printable ASCII without spaces (names of things, not people).
	std::string str(std::string_view field, size_t min, size_t max, bool graphic)
	{
		size_t n = u16(field);
		if (!error.empty())
			return {};
		if (n < min || n > max) {
			fail(fmt::format("{} is {} bytes long, not {}-{}", field, n, min, max));
			return {};
		}
		if (!need(n, field))
			return {};
		std::string s(reinterpret_cast<const char *>(data_.data() + at_), n);
		at_ += n;
		bool ok = graphic ? std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; })
		                  : s.find('\0') == std::string::npos;
		if (!ok)
			fail(fmt::format("{} has a byte that is not allowed there", field));
		return s;
	}
	/// A u8 count and that many bytes, the count at most `max`.
	std::vector<uint8_t> list(std::string_view field, size_t max)
	{
		size_t n = u8(field);
		if (!error.empty())
			return {};
		if (n > max) {
			fail(fmt::format("{} has {} entries, more than {}", field, n, max));
			return {};
		}
		if (!need(n, field))
			return {};
		std::vector<uint8_t> v(data_.begin() + static_cast<std::ptrdiff_t>(at_),
		                       data_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
		at_ += n;
		return v;
	}
	void fail(std::string why)
	{
		if (error.empty())
			error = std::move(why);
	}
	/// The result: every byte read, none missing, nothing invalid.
	Result<void> finish()
	{
		if (error.empty() && at_ != data_.size())
			error = fmt::format("{} trailing byte(s)", data_.size() - at_);
		if (!error.empty())
			return Error{EBADMSG, fmt::format("pppd plugin {} message: {}", what_, error)};
		return {};
	}

	std::string error;

private:
	bool need(size_t n, std::string_view field)
	{
		if (!error.empty())
			return false;
		if (data_.size() - at_ < n) {
			error = fmt::format("ends inside {} ({} bytes)", field, data_.size());
			return false;
		}
		return true;
	}

	std::span<const uint8_t> data_;
	std::string_view what_;
	size_t at_ = 1; // after the type byte
};

PluginLink readLink(Reader &r)
{
	PluginLink l;
	l.local = IpAddress::v4(r.u32("our address"));
	l.peer = IpAddress::v4(r.u32("the peer's address"));
	l.interface = r.str("the interface name", 1, L2TPSEC_PPPD_MAX_IFNAME, true);
	if (r.error.empty() && l.interface.find('/') != std::string::npos)
		r.fail("the interface name has a '/'");
	return l;
}

constexpr uint8_t kPeerFlags = L2TPSEC_PPPD_PEER_MRU | L2TPSEC_PPPD_PEER_ACCM | L2TPSEC_PPPD_PEER_MAGIC |
                               L2TPSEC_PPPD_PEER_PFC | L2TPSEC_PPPD_PEER_ACFC | L2TPSEC_PPPD_PEER_VJ |
                               L2TPSEC_PPPD_PEER_CCP;

PluginPeerOptions readPeerOptions(Reader &r)
{
	PluginPeerOptions o;
	uint8_t flags = r.u8("the flags");
	uint16_t mru = r.u16("the MRU");
	uint32_t accm = r.u32("the ACCM");
	uint8_t auth = r.u8("the authentication");
	o.lcpRequest = r.list("the LCP request", L2TPSEC_PPPD_MAX_OPTIONS);
	o.ipcpRequest = r.list("the IPCP request", L2TPSEC_PPPD_MAX_OPTIONS);
	std::vector<uint8_t> ccp = r.list("the CCP request", L2TPSEC_PPPD_MAX_OPTIONS);
	if (!r.error.empty())
		return o;
	if ((flags & ~kPeerFlags) != 0)
		r.fail(fmt::format("unknown flags 0x{:02x}", flags & ~kPeerFlags));
	else if ((flags & L2TPSEC_PPPD_PEER_MRU) != 0 ? mru == 0 : mru != 0)
		r.fail(fmt::format("the MRU is {} with the MRU flag {}", mru,
		                   (flags & L2TPSEC_PPPD_PEER_MRU) ? "set" : "clear"));
	else if ((flags & L2TPSEC_PPPD_PEER_ACCM) == 0 && accm != 0)
		r.fail("an ACCM without the ACCM flag");
	else if (auth > L2TPSEC_PPPD_AUTH_EAP)
		r.fail(fmt::format("unknown authentication {}", auth));
	else if ((flags & L2TPSEC_PPPD_PEER_CCP) == 0 && !ccp.empty())
		r.fail("a CCP request without the CCP flag");
	if (flags & L2TPSEC_PPPD_PEER_MRU)
		o.mru = mru;
	if (flags & L2TPSEC_PPPD_PEER_ACCM)
		o.accm = accm;
	o.magicNumber = (flags & L2TPSEC_PPPD_PEER_MAGIC) != 0;
	o.protocolCompression = (flags & L2TPSEC_PPPD_PEER_PFC) != 0;
	o.addressCompression = (flags & L2TPSEC_PPPD_PEER_ACFC) != 0;
	o.vjCompression = (flags & L2TPSEC_PPPD_PEER_VJ) != 0;
	o.auth = static_cast<PeerAuth>(auth);
	if (flags & L2TPSEC_PPPD_PEER_CCP)
		o.ccpRequest = std::move(ccp);
	return o;
}

template <typename T>
Result<PluginMessage> done(Reader &r, T message)
{
	L2S_TRY(r.finish());
	return PluginMessage{std::move(message)};
}

// ---- encoding ----

void putU16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

void putU32(std::vector<uint8_t> &out, uint32_t v)
{
	putU16(out, static_cast<uint16_t>(v >> 16));
	putU16(out, static_cast<uint16_t>(v));
}

void putStr(std::vector<uint8_t> &out, std::string_view s, size_t max)
{
	s = s.substr(0, std::min(max, s.find('\0'))); // the plugin sends C strings
	putU16(out, static_cast<uint16_t>(s.size()));
	out.insert(out.end(), s.begin(), s.end());
}

// The plugin sends the first L2TPSEC_PPPD_MAX_OPTIONS.
void putList(std::vector<uint8_t> &out, const std::vector<uint8_t> &types)
{
	size_t n = std::min<size_t>(types.size(), L2TPSEC_PPPD_MAX_OPTIONS);
	out.push_back(static_cast<uint8_t>(n));
	out.insert(out.end(), types.begin(), types.begin() + static_cast<std::ptrdiff_t>(n));
}

void putLink(std::vector<uint8_t> &out, const PluginLink &l)
{
	putU32(out, l.local.isV4() ? l.local.v4HostOrder() : 0);
	putU32(out, l.peer.isV4() ? l.peer.v4HostOrder() : 0);
	putStr(out, l.interface, L2TPSEC_PPPD_MAX_IFNAME);
}

} // namespace

Result<PluginMessage> decodePluginMessage(std::span<const uint8_t> d)
{
	if (d.empty())
		return Error{EBADMSG, "pppd plugin message: empty"};
	uint8_t type = d[0];
	Reader r(d, typeName(type));
	switch (type) {
	case L2TPSEC_PPPD_HELLO: {
		PluginHello h;
		h.protocol = r.u16("the protocol version");
		if (r.error.empty() && h.protocol != kPluginProtocol)
			return PluginMessage{h}; // its layout after the version is not ours to know
		h.pppdVersion = r.str("the pppd version", 1, L2TPSEC_PPPD_MAX_VERSION, true);
		return done(r, std::move(h));
	}
	case L2TPSEC_PPPD_AUTH_UP: {
		PluginAuthUp a;
		a.peerName = r.str("the peer name", 0, L2TPSEC_PPPD_MAX_NAME, false);
		return done(r, std::move(a));
	}
	case L2TPSEC_PPPD_IP_UP: {
		PluginIpUp up;
		up.link = readLink(r);
		return done(r, std::move(up));
	}
	case L2TPSEC_PPPD_IP_DOWN: {
		PluginIpDown down;
		down.link = readLink(r);
		uint8_t valid = r.u8("the statistics flag");
		PluginLinkStats st;
		st.bytesIn = r.u32("bytes in");
		st.bytesOut = r.u32("bytes out");
		st.packetsIn = r.u32("packets in");
		st.packetsOut = r.u32("packets out");
		st.seconds = r.u32("the connect time");
		if (valid > 1)
			r.fail(fmt::format("the statistics flag is {}, not 0 or 1", valid));
		else if (valid == 1)
			down.stats = st;
		else if (st != PluginLinkStats{})
			r.fail("statistics that are not valid are not all 0");
		return done(r, std::move(down));
	}
	case L2TPSEC_PPPD_EXIT: {
		uint32_t status = r.u32("the exit status");
		if (status > 255)
			r.fail(fmt::format("exit status {} is more than 255", status));
		return done(r, PluginExit{static_cast<uint8_t>(status)});
	}
	case L2TPSEC_PPPD_RADIUS_ROUTES: {
		PluginRadiusRoutes routes;
		uint8_t count = r.u8("the route count");
		for (uint8_t i = 0; i < count && r.error.empty(); ++i)
			routes.routes.push_back(r.str("a Framed-Route", 1, L2TPSEC_PPPD_MAX_ROUTE, false));
		return done(r, std::move(routes));
	}
	case L2TPSEC_PPPD_AUTH_FAILED: {
		PluginAuthFailed f;
		f.peerName = r.str("the peer name", 0, L2TPSEC_PPPD_MAX_NAME, false);
		f.said = r.str("the server's message", 0, L2TPSEC_PPPD_MAX_SAID, false);
		return done(r, std::move(f));
	}
	case L2TPSEC_PPPD_PEER_OPTIONS: {
		PluginPeerOptions o = readPeerOptions(r);
		return done(r, std::move(o));
	}
	default: return Error{EBADMSG, fmt::format("pppd plugin message: unknown type {}", type)};
	}
}

std::string_view peerAuthName(PeerAuth auth)
{
	switch (auth) {
	case PeerAuth::None: return "none";
	case PeerAuth::Pap: return "pap";
	case PeerAuth::ChapMd5: return "chap-md5";
	case PeerAuth::MsChap: return "ms-chap";
	case PeerAuth::MsChapV2: return "ms-chap-v2";
	case PeerAuth::Eap: return "eap";
	}
	return "none";
}

std::vector<uint8_t> encodePluginMessage(const PluginMessage &m)
{
	std::vector<uint8_t> out;
	struct Encoder {
		std::vector<uint8_t> &out;
		void operator()(const PluginHello &h) const
		{
			out.push_back(L2TPSEC_PPPD_HELLO);
			putU16(out, h.protocol);
			putStr(out, h.pppdVersion, L2TPSEC_PPPD_MAX_VERSION);
		}
		void operator()(const PluginAuthUp &a) const
		{
			out.push_back(L2TPSEC_PPPD_AUTH_UP);
			putStr(out, a.peerName, L2TPSEC_PPPD_MAX_NAME);
		}
		void operator()(const PluginIpUp &up) const
		{
			out.push_back(L2TPSEC_PPPD_IP_UP);
			putLink(out, up.link);
		}
		void operator()(const PluginIpDown &down) const
		{
			out.push_back(L2TPSEC_PPPD_IP_DOWN);
			putLink(out, down.link);
			PluginLinkStats st = down.stats.value_or(PluginLinkStats{});
			out.push_back(down.stats ? 1 : 0);
			for (uint32_t v : {st.bytesIn, st.bytesOut, st.packetsIn, st.packetsOut, st.seconds})
				putU32(out, v);
		}
		void operator()(const PluginExit &e) const
		{
			out.push_back(L2TPSEC_PPPD_EXIT);
			putU32(out, e.status);
		}
		void operator()(const PluginRadiusRoutes &r) const
		{
			out.push_back(L2TPSEC_PPPD_RADIUS_ROUTES);
			size_t n = std::min<size_t>(r.routes.size(), 255);
			out.push_back(static_cast<uint8_t>(n));
			for (size_t i = 0; i < n; ++i)
				putStr(out, r.routes[i], L2TPSEC_PPPD_MAX_ROUTE);
		}
		void operator()(const PluginAuthFailed &f) const
		{
			out.push_back(L2TPSEC_PPPD_AUTH_FAILED);
			putStr(out, f.peerName, L2TPSEC_PPPD_MAX_NAME);
			putStr(out, f.said, L2TPSEC_PPPD_MAX_SAID);
		}
		void operator()(const PluginPeerOptions &o) const
		{
			out.push_back(L2TPSEC_PPPD_PEER_OPTIONS);
			uint8_t flags = 0;
			if (o.mru && *o.mru != 0)
				flags |= L2TPSEC_PPPD_PEER_MRU;
			if (o.accm)
				flags |= L2TPSEC_PPPD_PEER_ACCM;
			if (o.magicNumber)
				flags |= L2TPSEC_PPPD_PEER_MAGIC;
			if (o.protocolCompression)
				flags |= L2TPSEC_PPPD_PEER_PFC;
			if (o.addressCompression)
				flags |= L2TPSEC_PPPD_PEER_ACFC;
			if (o.vjCompression)
				flags |= L2TPSEC_PPPD_PEER_VJ;
			if (o.ccpRequest)
				flags |= L2TPSEC_PPPD_PEER_CCP;
			out.push_back(flags);
			putU16(out, (flags & L2TPSEC_PPPD_PEER_MRU) ? *o.mru : 0);
			putU32(out, o.accm.value_or(0));
			out.push_back(static_cast<uint8_t>(o.auth));
			for (const std::vector<uint8_t> *types : {&o.lcpRequest, &o.ipcpRequest})
				putList(out, *types);
			putList(out, o.ccpRequest.value_or(std::vector<uint8_t>{}));
		}
	};
	std::visit(Encoder{out}, m);
	return out;
}

std::string describePluginMessage(const PluginMessage &m)
{
	struct Describer {
		std::string operator()(const PluginHello &h) const
		{
			return fmt::format("hello: protocol {}, pppd {}", h.protocol, h.pppdVersion);
		}
		std::string operator()(const PluginAuthUp &a) const
		{
			return fmt::format("the peer authenticated as '{}'", a.peerName);
		}
		std::string operator()(const PluginIpUp &up) const
		{
			return fmt::format("IP up on {}: local {}, peer {}", up.link.interface, up.link.local.str(),
			                   up.link.peer.str());
		}
		std::string operator()(const PluginIpDown &down) const
		{
			std::string s = fmt::format("IP down on {}: local {}, peer {}", down.link.interface,
			                            down.link.local.str(), down.link.peer.str());
			if (down.stats)
				s += fmt::format("; {} s up, {} bytes ({} packets) in, {} bytes ({} packets) out",
				                 down.stats->seconds, down.stats->bytesIn, down.stats->packetsIn,
				                 down.stats->bytesOut, down.stats->packetsOut);
			else
				s += "; no link statistics";
			return s;
		}
		std::string operator()(const PluginExit &e) const
		{
			return fmt::format("pppd is exiting with status {}", e.status);
		}
		std::string operator()(const PluginRadiusRoutes &r) const
		{
			return fmt::format("the RADIUS Access-Accept has {} Framed-Route(s)", r.routes.size());
		}
		std::string operator()(const PluginAuthFailed &f) const
		{
			// (The server's words on one line: RADIUS ends each with a newline.)
			std::string said = f.said;
			while (!said.empty() && said.back() == '\n')
				said.pop_back();
			std::replace(said.begin(), said.end(), '\n', ' ');
			if (said.empty())
				return fmt::format("the PAP password of '{}' was refused", f.peerName);
			return fmt::format("the PAP password of '{}' was refused: \"{}\"", f.peerName, said);
		}
		std::string operator()(const PluginPeerOptions &o) const
		{
			auto types = [](const std::vector<uint8_t> &v) {
				return v.empty() ? std::string("none") : fmt::format("{}", fmt::join(v, " "));
			};
			std::string s = fmt::format("the peer's PPP options: MRU {}, authentication {}",
			                            o.mru ? fmt::format("{}", *o.mru) : std::string("default"),
			                            peerAuthName(o.auth));
			if (o.accm)
				s += fmt::format(", ACCM 0x{:08x}", *o.accm);
			if (o.magicNumber)
				s += ", magic number";
			if (o.protocolCompression)
				s += ", PFC";
			if (o.addressCompression)
				s += ", ACFC";
			if (o.vjCompression)
				s += ", VJ";
			s += fmt::format("; its LCP request {}, IPCP request {}", types(o.lcpRequest),
			                 types(o.ipcpRequest));
			if (o.ccpRequest)
				s += fmt::format(", CCP request {}", types(*o.ccpRequest));
			return s;
		}
	};
	return std::visit(Describer{}, m);
}

std::optional<std::vector<uint8_t>> encodePluginSession(const std::vector<std::string> &words)
{
	if (words.size() > 0xffff)
		return std::nullopt;
	std::vector<uint8_t> out{L2TPSEC_PPPD_SESSION, static_cast<uint8_t>(words.size() >> 8),
	                         static_cast<uint8_t>(words.size() & 0xff)};
	for (const std::string &w : words) {
		if (w.size() > L2TPSEC_PPPD_MAX_WORD || w.find('\0') != std::string::npos)
			return std::nullopt;
		out.push_back(static_cast<uint8_t>(w.size() >> 8));
		out.push_back(static_cast<uint8_t>(w.size() & 0xff));
		out.insert(out.end(), w.begin(), w.end());
	}
	if (out.size() > L2TPSEC_PPPD_MAX_MESSAGE)
		return std::nullopt;
	return out;
}

Result<std::vector<std::string>> decodePluginSession(std::span<const uint8_t> d)
{
	if (d.size() < 3 || d[0] != L2TPSEC_PPPD_SESSION)
		return Error{EINVAL, "not a SESSION message"};
	size_t count = (size_t{d[1]} << 8) | d[2];
	size_t at = 3;
	std::vector<std::string> words;
	for (size_t i = 0; i < count; ++i) {
		if (d.size() - at < 2)
			return Error{EINVAL, "SESSION: word " + std::to_string(i) + " cut short"};
		size_t n = (size_t{d[at]} << 8) | d[at + 1];
		at += 2;
		if (n > L2TPSEC_PPPD_MAX_WORD || d.size() - at < n)
			return Error{EINVAL, "SESSION: word " + std::to_string(i) + " too long"};
		std::string w(reinterpret_cast<const char *>(d.data() + at), n);
		if (w.find('\0') != std::string::npos)
			return Error{EINVAL, "SESSION: word " + std::to_string(i) + " holds a NUL"};
		words.push_back(std::move(w));
		at += n;
	}
	if (at != d.size())
		return Error{EINVAL, "SESSION: bytes after the last word"};
	return words;
}

} // namespace l2tpsec::ppp
