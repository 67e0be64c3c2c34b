// l2tpsec-dp "xfrm ...": the IPsec dataplane (NetlinkIpsecDataplane) from the
// command line, without IKE: SAs and policies in, out and back, l2tpsec's own
// state listed and flushed, a UDP 4500 socket held with UDP_ENCAP set, and
// the kernel's XFRM events printed as they come. The kernel tests
// (tests/kernel/xfrm_*.sh) drive the dataplane through this.
//
// Output is one line per object, key=value, for scripts; get-sa and list
// also speak --json. Errors are one line on stderr: exit 1 when the kernel
// or the dataplane refused, 64 for arguments this tool cannot make sense of.

#include "common/log.h"
#include "kernel/xfrm/netlink_ipsec_dataplane.h"
#include "kernel/xfrm/xfrm_events.h"
#include "kernel/xfrm/xfrm_msg.h"
#include "tools/dp/commands.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::dp {

namespace {

using namespace l2tpsec::kernel;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 64;

/// A problem with the arguments, found after CLI11 accepted them.
struct Usage {
	std::string message;
};

void fail(Outcome &out, int code, const std::string &message)
{
	std::fprintf(stderr, "l2tpsec-dp: %s\n", message.c_str());
	out.code = code;
}

// ---- Argument parsing: every function returns nullopt and sets usage. ----

struct Parser {
	std::optional<Usage> usage;

	void bad(std::string message)
	{
		if (!usage)
			usage = Usage{std::move(message)};
	}

	std::optional<IpAddress> address(std::string_view opt, const std::string &text)
	{
		auto a = IpAddress::parse(text);
		if (!a)
			bad(fmt::format("{}: '{}' is not an IP address", opt, text));
		return a;
	}

	/// "192.0.2.0/24", or a bare address meaning the whole host.
	std::optional<std::pair<IpAddress, uint8_t>> prefix(std::string_view opt, const std::string &text)
	{
		auto slash = text.find('/');
		auto a = address(opt, text.substr(0, slash));
		if (!a)
			return std::nullopt;
		unsigned max = a->isV4() ? 32 : 128;
		if (slash == std::string::npos)
			return std::pair{*a, uint8_t(max)};
		auto len = number(opt, text.substr(slash + 1), max);
		if (!len)
			return std::nullopt;
		return std::pair{*a, uint8_t(*len)};
	}

	/// Decimal or 0x-prefixed hex, at most `max`.
	std::optional<uint64_t> number(std::string_view opt, const std::string &text, uint64_t max = UINT32_MAX)
	{
		std::string_view s = text;
		int base = 10;
		if (s.starts_with("0x") || s.starts_with("0X")) {
			s.remove_prefix(2);
			base = 16;
		}
		uint64_t v = 0;
		auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
		if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max) {
			bad(fmt::format("{}: '{}' is not a number up to {}", opt, text, max));
			return std::nullopt;
		}
		return v;
	}

	std::vector<uint8_t> hex(std::string_view opt, const std::string &text)
	{
		std::string_view s = text;
		if (s.starts_with("0x"))
			s.remove_prefix(2);
		std::vector<uint8_t> out;
		if (s.size() % 2) {
			bad(fmt::format("{}: odd number of hex digits", opt));
			return out;
		}
		for (size_t i = 0; i < s.size(); i += 2) {
			uint8_t b = 0;
			auto [end, ec] = std::from_chars(s.data() + i, s.data() + i + 2, b, 16);
			if (ec != std::errc() || end != s.data() + i + 2) {
				bad(fmt::format("{}: '{}' is not hex", opt, text));
				return {};
			}
			out.push_back(b);
		}
		return out;
	}

	uint8_t protocol(std::string_view opt, const std::string &text)
	{
		if (text.empty() || text == "any")
			return 0;
		if (text == "udp")
			return IPPROTO_UDP;
		if (text == "tcp")
			return IPPROTO_TCP;
		if (text == "icmp")
			return IPPROTO_ICMP;
		return uint8_t(number(opt, text, 255).value_or(0));
	}

	/// "VALUE[/MASK]"; a bare value is matched exactly.
	std::pair<uint32_t, uint32_t> mark(const std::string &text)
	{
		if (text.empty())
			return {0, 0};
		auto slash = text.find('/');
		auto v = number("--mark", text.substr(0, slash));
		auto m = slash == std::string::npos ? std::optional<uint64_t>(0xffffffff)
		                                    : number("--mark", text.substr(slash + 1));
		return {uint32_t(v.value_or(0)), uint32_t(m.value_or(0))};
	}

	std::optional<IpsecMode> mode(const std::string &text)
	{
		if (text == "transport")
			return IpsecMode::Transport;
		if (text == "tunnel")
			return IpsecMode::Tunnel;
		bad(fmt::format("--mode: '{}' is neither transport nor tunnel", text));
		return std::nullopt;
	}

	std::optional<PolicyDirection> direction(const std::string &text)
	{
		if (text == "in")
			return PolicyDirection::In;
		if (text == "out")
			return PolicyDirection::Out;
		if (text == "fwd")
			return PolicyDirection::Fwd;
		bad(fmt::format("--dir: '{}' is not in, out or fwd", text));
		return std::nullopt;
	}
};

// Our names for the algorithms (RFC-ish, as in proposals), and the kernel's.
struct CipherName {
	const char *name;
	EspCipher cipher;
};
constexpr CipherName kCiphers[] = {
        {"aes-cbc", EspCipher::AesCbc},      {"3des-cbc", EspCipher::TripleDesCbc},
        {"aes-gcm-16", EspCipher::AesGcm16}, {"aes-gcm", EspCipher::AesGcm16},
        {"null", EspCipher::Null},
};
struct IntegName {
	const char *name;
	EspIntegrity integrity;
};
constexpr IntegName kIntegs[] = {
        {"none", EspIntegrity::None},
        {"hmac-md5-96", EspIntegrity::HmacMd5_96},
        {"hmac-sha1-96", EspIntegrity::HmacSha1_96},
        {"hmac-sha2-256-128", EspIntegrity::HmacSha256_128},
        {"hmac-sha2-256-96", EspIntegrity::HmacSha256_96},
        {"hmac-sha2-384-192", EspIntegrity::HmacSha384_192},
        {"hmac-sha2-512-256", EspIntegrity::HmacSha512_256},
};

/// The entry of a name table (kCiphers, kIntegs) called `name`, or nullptr.
template <typename Entry, size_t N>
const Entry *byName(const Entry (&table)[N], const std::string &name)
{
	for (const Entry &e : table)
		if (name == e.name)
			return &e;
	return nullptr;
}

/// A name with parentheses is the kernel's own ("cbc(aes)"): it goes to the
/// kernel as written, so the kernel's refusal of an unknown one can be seen.
bool isKernelName(const std::string &s)
{
	return s.find('(') != std::string::npos;
}

struct SaOptions {
	std::string src, dst, spi, reqid, mode = "transport", mark;
	std::string cipher, encKey, integ = "none", authKey;
	unsigned integBits = 0;
	uint16_t encapSport = 0, encapDport = 0;
	std::string encapOa;
	std::string selSrc, selDst, selProto;
	uint16_t selSport = 0, selDport = 0;
	uint64_t softBytes = 0, hardBytes = 0, softPackets = 0, hardPackets = 0, softSeconds = 0, hardSeconds = 0;
	unsigned replayWindow = 32;
	bool update = false, allocSpi = false, json = false;
	std::string spiMin = "0x100", spiMax = "0xffffffff";
};

struct PolicyOptions {
	std::string dir, src, dst, proto, reqid, mode = "transport", tmplSrc, tmplDst, mark;
	uint16_t sport = 0, dport = 0;
	uint32_t priority = 0;
};

struct MiscOptions {
	uint16_t port = 4500;
	std::string address = "0.0.0.0";
	unsigned count = 0;
	unsigned timeout = 30;
	bool json = false;
};

std::optional<SaId> saId(Parser &p, const SaOptions &o, bool needSpi)
{
	auto src = p.address("--src", o.src), dst = p.address("--dst", o.dst);
	std::optional<uint64_t> spi = needSpi ? p.number("--spi", o.spi) : uint64_t(0);
	auto [mark, mask] = p.mark(o.mark);
	if (p.usage)
		return std::nullopt;
	return SaId{*src, *dst, uint32_t(*spi), mark, mask};
}

/// SaParams from the options; kernel-name algorithms are left to the caller
/// (see addSaRaw), with stand-ins here so makeSaSpec() checks the rest.
std::optional<SaParams> saParams(Parser &p, const SaOptions &o)
{
	SaParams s;
	auto mode = p.mode(o.mode);
	auto reqid = p.number("--reqid", o.reqid);
	if (!mode || !reqid)
		return std::nullopt;
	s.mode = *mode;
	s.reqid = uint32_t(*reqid);
	s.replayWindow = uint8_t(std::min(o.replayWindow, 255u));

	if (isKernelName(o.cipher)) {
		s.keys.cipher = EspCipher::AesCbc;
		s.keys.encryptionKey.assign(16, 0);
	} else {
		if (const CipherName *c = byName(kCiphers, o.cipher))
			s.keys.cipher = c->cipher;
		else
			p.bad(fmt::format(
			        "--cipher: unknown cipher '{}' (aes-cbc, 3des-cbc, aes-gcm-16, null, or a kernel "
			        "name such as 'cbc(aes)')",
			        o.cipher));
		s.keys.encryptionKey = p.hex("--enc-key", o.encKey);
	}
	if (isKernelName(o.integ)) {
		s.keys.integrity = EspIntegrity::HmacSha1_96;
		s.keys.integrityKey.assign(20, 0);
	} else {
		if (const IntegName *i = byName(kIntegs, o.integ))
			s.keys.integrity = i->integrity;
		else
			p.bad(fmt::format("--integ: unknown integrity algorithm '{}'", o.integ));
		s.keys.integrityKey = p.hex("--auth-key", o.authKey);
	}

	if (o.encapSport || o.encapDport) {
		NatTEncap e{o.encapSport, o.encapDport, std::nullopt};
		if (!o.encapOa.empty())
			e.originalAddress = p.address("--encap-oa", o.encapOa);
		s.encap = e;
	}
	if (!o.selSrc.empty() || !o.selDst.empty()) {
		auto src = p.prefix("--sel-src", o.selSrc.empty() ? o.src : o.selSrc);
		auto dst = p.prefix("--sel-dst", o.selDst.empty() ? o.dst : o.selDst);
		if (src && dst) {
			s.selector.src = src->first;
			s.selector.srcPrefix = src->second;
			s.selector.dst = dst->first;
			s.selector.dstPrefix = dst->second;
		}
	}
	s.selector.protocol = p.protocol("--sel-proto", o.selProto);
	s.selector.srcPort = o.selSport;
	s.selector.dstPort = o.selDport;
	s.lifetime = {o.softBytes,
	              o.hardBytes,
	              o.softPackets,
	              o.hardPackets,
	              std::chrono::seconds(int64_t(o.softSeconds)),
	              std::chrono::seconds(int64_t(o.hardSeconds))};
	if (p.usage)
		return std::nullopt;
	return s;
}

/// An SA with a kernel algorithm name: resolved like any other, then the
/// algorithm swapped in and sent as it stands.
Result<void> addSaRaw(NetlinkIpsecDataplane &dp, Parser &p, const SaOptions &o, const SaId &id, const SaParams &params,
                      bool update)
{
	L2S_TRY_ASSIGN(auto spec, xfrm::makeSaSpec(id, params, dp.owned()));
	if (isKernelName(o.cipher)) {
		spec.aead.reset();
		spec.crypt = xfrm::Algorithm{o.cipher, p.hex("--enc-key", o.encKey), 0};
	}
	if (isKernelName(o.integ))
		spec.auth = xfrm::Algorithm{o.integ, p.hex("--auth-key", o.authKey), o.integBits};
	if (p.usage)
		return Error{EINVAL, p.usage->message};
	return dp.installSpec(spec, update);
}

std::string encapText(const std::optional<NatTEncap> &e)
{
	if (!e)
		return "none";
	std::string s = fmt::format("{}->{}", e->srcPort, e->dstPort);
	if (e->originalAddress)
		s += " oa " + e->originalAddress->str();
	return s;
}

std::string saLine(const SaState &s)
{
	return fmt::format("sa spi=0x{:08x} src={} dst={} reqid=0x{:08x} mode={} cipher={} integrity={} encap={} "
	                   "bytes={} packets={} add_time={} use_time={}",
	                   s.id.spi, s.id.src.str(), s.id.dst.str(), s.reqid, kernel::modeName(s.mode),
	                   s.cipher.empty() ? "none" : s.cipher, s.integrity.empty() ? "none" : s.integrity,
	                   encapText(s.encap), s.bytes, s.packets, s.addTime, s.useTime);
}

std::string jsonString(std::string_view s)
{
	std::string out = "\"";
	for (char c : s) {
		if (c == '"' || c == '\\')
			out += '\\';
		if (uint8_t(c) < 0x20)
			out += fmt::format("\\u{:04x}", unsigned(uint8_t(c)));
		else
			out += c;
	}
	return out + "\"";
}

std::string saJson(const SaState &s)
{
	std::string encap = "null";
	if (s.encap)
		encap = fmt::format("{{\"sport\": {}, \"dport\": {}, \"oa\": {}}}", s.encap->srcPort, s.encap->dstPort,
		                    s.encap->originalAddress ? jsonString(s.encap->originalAddress->str()) : "null");
	return fmt::format("{{\"spi\": {}, \"src\": {}, \"dst\": {}, \"mark\": {}, \"mark_mask\": {}, \"reqid\": {}, "
	                   "\"mode\": {}, \"cipher\": {}, \"integrity\": {}, \"encap\": {}, \"bytes\": {}, "
	                   "\"packets\": {}, \"add_time\": {}, \"use_time\": {}}}",
	                   s.id.spi, jsonString(s.id.src.str()), jsonString(s.id.dst.str()), s.id.mark, s.id.markMask,
	                   s.reqid, jsonString(kernel::modeName(s.mode)), jsonString(s.cipher), jsonString(s.integrity),
	                   encap, s.bytes, s.packets, s.addTime, s.useTime);
}

std::string policyLine(const PolicyState &p)
{
	return fmt::format("policy dir={} sel={} reqid=0x{:08x} mode={} priority={} index={}",
	                   xfrm::directionName(p.id.direction), xfrm::describeSelector(p.id.selector), p.params.reqid,
	                   kernel::modeName(p.params.mode), p.params.priority, p.index);
}

std::string policyJson(const PolicyState &p)
{
	return fmt::format("{{\"dir\": {}, \"selector\": {}, \"reqid\": {}, \"mode\": {}, \"priority\": {}, \"index\": "
	                   "{}}}",
	                   jsonString(xfrm::directionName(p.id.direction)),
	                   jsonString(xfrm::describeSelector(p.id.selector)), p.params.reqid,
	                   jsonString(kernel::modeName(p.params.mode)), p.params.priority, p.index);
}

void addSaOptions(CLI::App *c, SaOptions &o, bool withKeys)
{
	c->add_option("--src", o.src, "SA source address")->required();
	c->add_option("--dst", o.dst, "SA destination address")->required();
	c->add_option("--mark", o.mark, "mark VALUE[/MASK]");
	if (!withKeys)
		return;
	c->add_option("--reqid", o.reqid, "reqid, inside l2tpsec's range (0x4c320000-0x4c32ffff)")->required();
	c->add_option("--mode", o.mode, "transport (default) or tunnel");
	c->add_option("--cipher", o.cipher, "aes-cbc, 3des-cbc, aes-gcm-16, null, or a kernel name 'cbc(aes)'")
	        ->required();
	c->add_option("--enc-key", o.encKey, "encryption key in hex (GCM: key + 4-byte salt)");
	c->add_option("--integ", o.integ,
	              "hmac-sha1-96, hmac-sha2-256-128, hmac-sha2-256-96, hmac-sha2-384-192, hmac-sha2-512-256, "
	              "hmac-md5-96, none, or a kernel name 'hmac(sha1)'");
	c->add_option("--auth-key", o.authKey, "integrity key in hex");
	c->add_option("--integ-bits", o.integBits, "ICV bits for a kernel-named integrity algorithm");
	c->add_option("--encap-sport", o.encapSport, "ESP-in-UDP source port (RFC 3948)");
	c->add_option("--encap-dport", o.encapDport, "ESP-in-UDP destination port");
	c->add_option("--encap-oa", o.encapOa, "NAT-OA, the peer's original address");
	c->add_option("--sel-src", o.selSrc, "selector source PREFIX (default: --src as a host)");
	c->add_option("--sel-dst", o.selDst, "selector destination PREFIX (default: --dst as a host)");
	c->add_option("--sel-proto", o.selProto, "selector protocol: udp, tcp, icmp or a number");
	c->add_option("--sel-sport", o.selSport, "selector source port");
	c->add_option("--sel-dport", o.selDport, "selector destination port");
	c->add_option("--soft-bytes", o.softBytes, "rekey after this many bytes");
	c->add_option("--hard-bytes", o.hardBytes, "expire after this many bytes");
	c->add_option("--soft-packets", o.softPackets, "rekey after this many packets");
	c->add_option("--hard-packets", o.hardPackets, "expire after this many packets");
	c->add_option("--soft-seconds", o.softSeconds, "rekey this many seconds after adding");
	c->add_option("--hard-seconds", o.hardSeconds, "expire this many seconds after adding");
	c->add_option("--replay-window", o.replayWindow, "replay window in packets (0 for outbound SAs)");
}

void addPolicyOptions(CLI::App *c, PolicyOptions &o, bool withTemplate)
{
	c->add_option("--dir", o.dir, "in, out or fwd")->required();
	c->add_option("--src", o.src, "selector source PREFIX")->required();
	c->add_option("--dst", o.dst, "selector destination PREFIX")->required();
	c->add_option("--proto", o.proto, "selector protocol: udp, tcp, icmp or a number");
	c->add_option("--sport", o.sport, "selector source port");
	c->add_option("--dport", o.dport, "selector destination port");
	c->add_option("--mark", o.mark, "mark VALUE[/MASK]");
	if (!withTemplate)
		return;
	c->add_option("--reqid", o.reqid, "template reqid, inside l2tpsec's range")->required();
	c->add_option("--mode", o.mode, "transport (default) or tunnel");
	c->add_option("--priority", o.priority, "lower wins");
	c->add_option("--tmpl-src", o.tmplSrc, "tunnel mode: outer source address");
	c->add_option("--tmpl-dst", o.tmplDst, "tunnel mode: outer destination address");
}

std::optional<PolicyId> policyId(Parser &p, const PolicyOptions &o)
{
	auto dir = p.direction(o.dir);
	auto src = p.prefix("--src", o.src), dst = p.prefix("--dst", o.dst);
	auto [mark, mask] = p.mark(o.mark);
	uint8_t proto = p.protocol("--proto", o.proto);
	if (p.usage)
		return std::nullopt;
	PolicyId id;
	id.direction = *dir;
	id.selector.src = src->first;
	id.selector.srcPrefix = src->second;
	id.selector.dst = dst->first;
	id.selector.dstPrefix = dst->second;
	id.selector.protocol = proto;
	id.selector.srcPort = o.sport;
	id.selector.dstPort = o.dport;
	id.mark = mark;
	id.markMask = mask;
	return id;
}

/// Runs one command body: arguments first (exit 64), then the dataplane
/// (exit 1). Library logs below warnings would only clutter a test's stderr.
template <typename Body>
void run(Outcome &out, Body body)
{
	log::setLevel(LogLevel::Warn);
	Parser p;
	auto r = body(p);
	if (p.usage)
		return fail(out, kExitUsage, p.usage->message);
	if (!r)
		return fail(out, kExitRefused, r.error().message);
}

/// Opens the dataplane and hands it to `use`. Called once the arguments
/// have parsed, so that a usage error (exit 64) never depends on privileges.
template <typename Use>
Result<void> withDataplane(Use use)
{
	L2S_TRY_ASSIGN(auto dp, NetlinkIpsecDataplane::create());
	return use(*dp);
}

/// "list": l2tpsec's SAs, then its policies.
Result<void> printState(NetlinkIpsecDataplane &dp, bool json)
{
	L2S_TRY_ASSIGN(auto sas, dp.listSas());
	L2S_TRY_ASSIGN(auto pols, dp.listPolicies());
	if (json) {
		std::string s = "{\"sas\": [";
		for (size_t i = 0; i < sas.size(); i++)
			s += (i ? ", " : "") + saJson(sas[i]);
		s += "], \"policies\": [";
		for (size_t i = 0; i < pols.size(); i++)
			s += (i ? ", " : "") + policyJson(pols[i]);
		std::printf("%s]}\n", s.c_str());
		return {};
	}
	for (const SaState &s : sas)
		std::printf("%s\n", saLine(s).c_str());
	for (const PolicyState &pst : pols)
		std::printf("%s\n", policyLine(pst).c_str());
	return {};
}

/// "flush": l2tpsec's SAs and policies, and nothing else.
Result<void> flushState(NetlinkIpsecDataplane &dp)
{
	L2S_TRY_ASSIGN(auto r, dp.flush());
	std::printf("flushed %zu SAs, %zu policies\n", r.sas, r.policies);
	return {};
}

volatile sig_atomic_t stopRequested = 0;

void onStopSignal(int)
{
	stopRequested = 1;
}

/// The IKE-side UDP socket a daemon would keep for NAT-T: bound to the
/// port, IPsec bypass for its own traffic, UDP_ENCAP_ESPINUDP so the kernel
/// takes the ESP off it. Held until SIGTERM/SIGINT.
Result<void> holdEncapSocket(Parser &p, const MiscOptions &o)
{
	auto addr = p.address("--address", o.address);
	if (!addr)
		return {};
	L2S_TRY_ASSIGN(auto dp, NetlinkIpsecDataplane::create());
	int family = addr->isV4() ? AF_INET : AF_INET6;
	UniqueFd fd(socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
	if (!fd)
		return sysError("UDP socket");
	sockaddr_storage ss{};
	socklen_t len;
	if (addr->isV4()) {
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(o.port);
		std::memcpy(&sin->sin_addr, addr->bytes().data(), 4);
		len = sizeof(*sin);
	} else {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(o.port);
		std::memcpy(&sin6->sin6_addr, addr->bytes().data(), 16);
		len = sizeof(*sin6);
	}
	if (bind(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) < 0)
		return sysError(fmt::format("bind {} port {}", addr->str(), o.port));
	L2S_TRY(dp->bypassSocket(fd.get()));
	L2S_TRY(dp->enableUdpEncap(fd.get()));

	struct sigaction sa {};
	sa.sa_handler = onStopSignal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);
	std::printf("encap socket %s port %u ready\n", addr->str().c_str(), unsigned(o.port));
	std::fflush(stdout);
	// IKE (non-ESP marker) datagrams would arrive here; drain them.
	while (!stopRequested) {
		pollfd pfd{fd.get(), POLLIN, 0};
		if (poll(&pfd, 1, 1000) > 0) {
			char buf[2048];
			(void)recv(fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
		}
	}
	return {};
}

Result<void> monitor(const MiscOptions &o)
{
	L2S_TRY_ASSIGN(auto events, xfrm::EventSubscription::open());
	std::printf("listening\n");
	std::fflush(stdout);
	unsigned seen = 0;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout);
	while (o.count == 0 || seen < o.count) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
		                                                                  std::chrono::steady_clock::now());
		if (left.count() <= 0)
			break;
		pollfd pfd{events.fd(), POLLIN, 0};
		if (poll(&pfd, 1, int(left.count())) <= 0)
			continue;
		L2S_TRY_ASSIGN(auto got, events.readPending());
		for (const xfrm::Event &e : got) {
			std::printf("%s\n", xfrm::describeEvent(e).c_str());
			seen++;
		}
		std::fflush(stdout);
	}
	if (o.count && seen < o.count)
		return Error{ETIMEDOUT, fmt::format("monitor: {} of {} events in {} s", seen, o.count, o.timeout)};
	return {};
}

} // namespace

void addXfrmCommands(CLI::App &app, Outcome &out)
{
	auto *x = app.add_subcommand("xfrm", "XFRM (IPsec) SAs and policies through NetlinkIpsecDataplane");
	x->require_subcommand(1);
	// Option storage outlives parsing: the callbacks run after it.
	static SaOptions sa;
	static PolicyOptions pol;
	static MiscOptions misc;

	auto *add = x->add_subcommand("add-sa", "install an SA (XFRM_MSG_NEWSA)");
	addSaOptions(add, sa, true);
	add->add_option("--spi", sa.spi, "SPI, e.g. 0xc001");
	add->add_flag("--update", sa.update, "send XFRM_MSG_UPDSA: complete an alloc-spi from another process");
	add->add_flag("--alloc-spi", sa.allocSpi, "allocate the SPI first (alloc-spi + UPDSA); prints it");
	add->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			if (sa.spi.empty() == !sa.allocSpi) {
				p.bad("add-sa needs exactly one of --spi and --alloc-spi");
				return {};
			}
			auto id = saId(p, sa, !sa.allocSpi);
			auto params = id ? saParams(p, sa) : std::nullopt;
			if (!params)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) -> Result<void> {
				if (sa.allocSpi) {
					L2S_TRY_ASSIGN(id->spi, dp.allocSpi(id->src, id->dst, params->reqid));
				}
				Result<void> r = isKernelName(sa.cipher) || isKernelName(sa.integ)
				                         ? addSaRaw(dp, p, sa, *id, *params, sa.update)
				                 : sa.update ? dp.updateSa(*id, *params)
				                             : dp.addSa(*id, *params);
				if (r && sa.allocSpi)
					std::printf("0x%08x\n", id->spi);
				return r;
			});
		});
	});

	auto *upd = x->add_subcommand("update-sa", "change an installed SA's NAT-T ports and lifetimes (UPDSA)");
	addSaOptions(upd, sa, true);
	upd->add_option("--spi", sa.spi, "SPI")->required();
	upd->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = saId(p, sa, true);
			auto params = id ? saParams(p, sa) : std::nullopt;
			if (!params)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) { return dp.updateSa(*id, *params); });
		});
	});

	auto *del = x->add_subcommand("del-sa", "delete an SA (XFRM_MSG_DELSA)");
	addSaOptions(del, sa, false);
	del->add_option("--spi", sa.spi, "SPI")->required();
	del->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = saId(p, sa, true);
			if (!id)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) { return dp.deleteSa(*id); });
		});
	});

	auto *get = x->add_subcommand("get-sa", "show one SA with its counters (XFRM_MSG_GETSA)");
	addSaOptions(get, sa, false);
	get->add_option("--spi", sa.spi, "SPI")->required();
	get->add_flag("--json", sa.json, "one JSON object");
	get->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = saId(p, sa, true);
			if (!id)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) -> Result<void> {
				L2S_TRY_ASSIGN(auto st, dp.querySa(*id));
				std::printf("%s\n", (sa.json ? saJson(st) : saLine(st)).c_str());
				return {};
			});
		});
	});

	auto *alloc = x->add_subcommand("alloc-spi", "reserve an inbound SPI (XFRM_MSG_ALLOCSPI); prints it");
	addSaOptions(alloc, sa, false);
	alloc->add_option("--reqid", sa.reqid, "reqid, inside l2tpsec's range")->required();
	alloc->add_option("--min", sa.spiMin, "lowest SPI (default 0x100)");
	alloc->add_option("--max", sa.spiMax, "highest SPI (default 0xffffffff)");
	alloc->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = saId(p, sa, false);
			auto reqid = p.number("--reqid", sa.reqid);
			auto min = p.number("--min", sa.spiMin), max = p.number("--max", sa.spiMax);
			if (p.usage)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) -> Result<void> {
				L2S_TRY_ASSIGN(uint32_t spi, dp.allocSpi(id->src, id->dst, uint32_t(*reqid),
				                                         uint32_t(*min), uint32_t(*max)));
				std::printf("0x%08x\n", spi);
				return {};
			});
		});
	});

	auto *addp = x->add_subcommand("add-policy", "install a policy with one ESP template (XFRM_MSG_NEWPOLICY)");
	addPolicyOptions(addp, pol, true);
	addp->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = policyId(p, pol);
			auto reqid = p.number("--reqid", pol.reqid);
			auto mode = p.mode(pol.mode);
			PolicyParams params;
			if (!pol.tmplSrc.empty())
				params.tunnelSrc = p.address("--tmpl-src", pol.tmplSrc).value_or(IpAddress());
			if (!pol.tmplDst.empty())
				params.tunnelDst = p.address("--tmpl-dst", pol.tmplDst).value_or(IpAddress());
			if (p.usage)
				return {};
			params.reqid = uint32_t(*reqid);
			params.mode = *mode;
			params.priority = pol.priority;
			return withDataplane([&](NetlinkIpsecDataplane &dp) { return dp.addPolicy(*id, params); });
		});
	});

	auto *delp = x->add_subcommand("del-policy", "delete a policy (XFRM_MSG_DELPOLICY)");
	addPolicyOptions(delp, pol, false);
	delp->callback([&out] {
		run(out, [](Parser &p) -> Result<void> {
			auto id = policyId(p, pol);
			if (!id)
				return {};
			return withDataplane([&](NetlinkIpsecDataplane &dp) { return dp.deletePolicy(*id); });
		});
	});

	auto *list = x->add_subcommand("list", "l2tpsec's SAs and policies (reqids 0x4c320000-0x4c32ffff)");
	list->add_flag("--json", misc.json, "one JSON object");
	list->callback([&out] {
		run(out, [](Parser &) {
			return withDataplane([](NetlinkIpsecDataplane &dp) { return printState(dp, misc.json); });
		});
	});

	auto *flush = x->add_subcommand("flush", "delete l2tpsec's SAs and policies, and nothing else");
	flush->callback([&out] { run(out, [](Parser &) { return withDataplane(flushState); }); });

	auto *encap = x->add_subcommand("encap-socket",
	                                "hold a UDP socket with UDP_ENCAP_ESPINUDP and IPsec bypass until killed");
	encap->add_option("--port", misc.port, "UDP port (default 4500)");
	encap->add_option("--address", misc.address, "local address (default 0.0.0.0; :: for IPv6)");
	encap->callback([&out] { run(out, [](Parser &p) { return holdEncapSocket(p, misc); }); });

	auto *mon = x->add_subcommand("monitor", "print XFRM expire/acquire/mapping events for l2tpsec's reqids");
	mon->add_option("--count", misc.count, "exit after this many events (0: run until --timeout)");
	mon->add_option("--timeout", misc.timeout, "seconds (default 30); fewer than --count events by then fails");
	mon->callback([&out] { run(out, [](Parser &) { return monitor(misc); }); });
}

} // namespace l2tpsec::dp
