#include "config/config_keys.h"

#include "common/duration.h"
#include "config/proposal_syntax.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>
#include <string_view>

namespace l2tpsec {

namespace {

template <typename T>
void assign(std::optional<T> v, T &dst)
{
	if (v)
		dst = std::move(*v);
}

// "A.B.C.D:PORT" or "[IPv6]:PORT", the port required.
std::optional<ListenAddress> parseListenAddress(std::string_view text)
{
	auto colon = text.rfind(':');
	if (colon == std::string_view::npos)
		return std::nullopt;
	std::string_view host = text.substr(0, colon), digits = text.substr(colon + 1);
	bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
	if (bracketed)
		host = host.substr(1, host.size() - 2);
	if (digits.empty() || digits.size() > 5 ||
	    !std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
		return std::nullopt;
	unsigned long port = std::stoul(std::string(digits));
	auto address = IpAddress::parse(host);
	if (!address || address->isV4() == bracketed || port < 1 || port > 65535)
		return std::nullopt;
	return ListenAddress{*address, static_cast<uint16_t>(port)};
}

// A host name's rules (RFC 1123 §2.1): labels of letters, digits and
// hyphens, neither starting nor ending with a hyphen, 63 octets at most, 253
// in all. Clients put the domain in their DNS search list as it is.
bool isDomainName(std::string_view name)
{
	if (name.empty() || name.size() > 253)
		return false;
	size_t start = 0;
	while (start <= name.size()) {
		size_t dot = std::min(name.find('.', start), name.size());
		std::string_view label = name.substr(start, dot - start);
		if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
			return false;
		for (char ch : label)
			if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'))
				return false;
		start = dot + 1;
	}
	return true;
}

/// A list of IPv4 addresses ([radius] das_listen, das_clients).
std::optional<std::vector<IpAddress>> ipv4List(ValueReader &l, const toml::Value &n)
{
	return l.list<IpAddress>(n, "IPv4 addresses", [&](const toml::Value &e) { return l.address(e, true); });
}

std::optional<IpPrefix> v4Subnet(std::string_view text)
{
	if (auto p = IpPrefix::parse(text); p && p->address.isV4())
		return p;
	return std::nullopt;
}

constexpr std::string_view kSubnetExample = "an IPv4 subnet such as \"192.0.2.0/24\"";

using UserRoutes = std::pair<std::string, std::vector<IpPrefix>>;

// One element of [ppp] user_routes: "USER SUBNET...", split at white space.
std::optional<UserRoutes> userRoutesOf(ValueReader &l, const toml::Value &e)
{
	auto s = stringOf(e);
	std::vector<std::string> words;
	if (s) {
		std::istringstream in(*s);
		for (std::string w; in >> w;)
			words.push_back(std::move(w));
	}
	if (words.size() < 2) {
		l.expected(e, "a user name then IPv4 subnets such as \"alice 10.20.0.0/24 10.30.0.0/16\"");
		return std::nullopt;
	}
	UserRoutes out{words[0], {}};
	for (size_t i = 1; i < words.size(); ++i) {
		auto p = v4Subnet(words[i]);
		if (!p) {
			l.invalid(e,
			          fmt::format("{}: expected {}, got \"{}\"", e.describe(), kSubnetExample, words[i]));
			return std::nullopt;
		}
		if (std::find(out.second.begin(), out.second.end(), *p) != out.second.end()) {
			l.invalid(e, fmt::format("{}: {} is listed twice", e.describe(), words[i]));
			return std::nullopt;
		}
		out.second.push_back(*p);
	}
	return out;
}

} // namespace

const std::vector<KeyEntry> &keyTable()
{
	using L = ValueReader;
	using N = toml::Value;
	using C = Config;
	using P = LacProfile;
	using std::chrono::seconds;
	static const std::vector<KeyEntry> table = {
		// [server]
		{"server", "listen",
		 [](L &l, const N &n, C &c, P *) {
			 // The IKE and L2TP listeners bind IPv4 only: an IPv6 address
			 // used to be accepted, shown by l2tpctl status, and serve nobody.
			 assign(l.list<IpAddress>(n, "IPv4 addresses",
						  [&](const N &e) -> std::optional<IpAddress> {
							  auto s = stringOf(e);
							  auto a = s ? IpAddress::parse(*s) : std::nullopt;
							  if (a && !a->isV4()) {
								  l.invalid(e, fmt::format("IPv6 listen addresses are not "
											   "supported; {} would bind "
											   "nothing (IKE and L2TP listen "
											   "on IPv4 only)",
											   e.describe()));
								  return std::nullopt;
							  }
							  return l.address(e, true);
						  }),
				c.server.listen);
		 }},
		{"server", "control_socket",
		 [](L &l, const N &n, C &c, P *) {
			 auto p = l.path(n);
			 if (p && p->path.size() >= 108) // sizeof(sockaddr_un::sun_path)
				 l.invalid(n, fmt::format("\"{}\" is longer than a UNIX socket path may be (107 bytes)",
							  p->path));
			 else if (p)
				 c.server.controlSocket = p->path;
		 }},
		{"server", "audit_log", [](L &l, const N &n, C &c, P *) { assign(l.path(n), c.server.auditLog); }},
		{"server", "log_level",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.choice<LogLevel>(n, {{"debug", LogLevel::Debug},
						       {"info", LogLevel::Info},
						       {"warn", LogLevel::Warn},
						       {"error", LogLevel::Error}}),
				c.server.logLevel);
		 }},
		// [blocking]
		{"blocking", "enabled", [](L &l, const N &n, C &c, P *) { assign(l.boolean(n), c.blocking.enabled); }},
		{"blocking", "failures",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 1000))
				 c.blocking.failures = static_cast<uint32_t>(*v);
		 }},
		{"blocking", "window",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(1), seconds(86400)), c.blocking.window); }},
		{"blocking", "block_time",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.duration(n, seconds(1), seconds(7 * 86400)), c.blocking.blockTime);
		 }},
		{"blocking", "exempt",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.list<IpPrefix>(n, "addresses or subnets",
						 [&](const N &e) -> std::optional<IpPrefix> {
							 if (auto s = stringOf(e))
								 if (auto p = IpPrefix::parse(*s))
									 return p;
							 l.expected(e, "an address or subnet such as \"10.0.0.0/8\" "
								       "or \"192.0.2.7\"");
							 return std::nullopt;
						 }),
				c.blocking.exempt);
		 }},
		// [ike]
		{"ike", "psk_file",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto s = l.secret(n))
				 c.ike.psk = *s;
		 }},
		{"ike", "certificate", [](L &l, const N &n, C &c, P *) { assign(l.path(n), c.ike.cert.certificate); }},
		{"ike", "private_key", [](L &l, const N &n, C &c, P *) { assign(l.path(n), c.ike.cert.privateKey); }},
		{"ike", "ca", [](L &l, const N &n, C &c, P *) { assign(l.caList(n), c.ike.cert.ca); }},
		{"ike", "local_id", [](L &l, const N &n, C &c, P *) { assign(l.identity(n), c.ike.cert.localId); }},
		{"ike", "bind_ppp_user",
		 [](L &l, const N &n, C &c, P *) {
			 constexpr std::string_view what = "\"off\", \"cn\", \"email\", \"dns\" or the path of a "
							   "table file (with a '/')";
			 auto s = stringOf(n);
			 if (!s) {
				 l.expected(n, what);
				 return;
			 }
			 for (auto [name, mode] : {std::pair{"off", PppUserBinding::Off}, std::pair{"cn", PppUserBinding::CommonName},
						   std::pair{"email", PppUserBinding::Email}, std::pair{"dns", PppUserBinding::Dns}})
				 if (*s == name) {
					 c.ike.bindPppUser = PppUserBindingConfig{mode, {}, {}};
					 return;
				 }
			 // A bare word is a mistyped mode more often than a file beside the config.
			 if (s->find('/') == std::string::npos) {
				 l.expected(n, what);
				 return;
			 }
			 if (auto p = l.path(n))
				 c.ike.bindPppUser = PppUserBindingConfig{PppUserBinding::Table, *p, {}};
		 }},
		{"ike", "proposals",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.choice<ProposalProfile>(n, {{"modern", ProposalProfile::Modern},
							      {"compat", ProposalProfile::Compat},
							      {"legacy", ProposalProfile::Legacy}}),
				c.ike.profile);
		 }},
		{"ike", "ike",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.list<std::string>(n, "IKE proposals",
						    [&](const N &e) -> std::optional<std::string> {
							    auto s = stringOf(e);
							    if (s && parseIkeProposal(*s))
								    return s;
							    l.expected(e, "an IKE proposal such as \"aes256-sha256-modp2048\" "
									  "(cipher-integrity-group)");
							    return std::nullopt;
						    }),
				c.ike.ikeProposals);
		 }},
		{"ike", "esp",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.list<std::string>(n, "ESP proposals",
						    [&](const N &e) -> std::optional<std::string> {
							    auto s = stringOf(e);
							    if (s && parseEspProposal(*s))
								    return s;
							    l.expected(e, "an ESP proposal such as \"aes256-sha1\" or "
									  "\"aes128gcm16\"");
							    return std::nullopt;
						    }),
				c.ike.espProposals);
		 }},
		{"ike", "dpd_interval",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(0), seconds(3600)), c.ike.dpdInterval); }},
		{"ike", "dpd_timeout",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(1), seconds(86400)), c.ike.dpdTimeout); }},
		{"ike", "nat_keepalive",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(0), seconds(3600)), c.ike.natKeepalive); }},
		{"ike", "ike_lifetime",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.duration(n, seconds(60), seconds(7 * 86400)), c.ike.ikeLifetime);
		 }},
		{"ike", "sa_lifetime",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.duration(n, seconds(60), seconds(2 * 86400)), c.ike.saLifetime);
		 }},
		{"ike", "aggressive_mode", [](L &l, const N &n, C &c, P *) { assign(l.boolean(n), c.ike.aggressiveMode); }},
		{"ike", "conceal_server_nat",
		 [](L &l, const N &n, C &c, P *) { assign(l.boolean(n), c.ike.concealServerNat); }},
		{"ike", "allow_short_psk", [](L &l, const N &n, C &c, P *) { assign(l.boolean(n), c.ike.allowShortPsk); }},
		{"ike", "tunnel_mode",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.choice<TunnelModePolicy>(
					n, {{"refuse", TunnelModePolicy::Refuse}, {"accept", TunnelModePolicy::Accept}}),
				c.ike.tunnelMode);
		 }},
		// [l2tp]
		{"l2tp", "ipsec",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.choice<IpsecRequirement>(n, {{"required", IpsecRequirement::Required},
							       {"optional", IpsecRequirement::Optional},
							       {"off", IpsecRequirement::Off}}),
				c.l2tp.ipsec);
		 }},
		{"l2tp", "hello_interval",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(0), seconds(3600)), c.l2tp.helloInterval); }},
		{"l2tp", "secret_file",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto s = l.secret(n))
				 c.l2tp.secret = *s;
		 }},
		{"l2tp", "receive_window",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 1024))
				 c.l2tp.receiveWindow = static_cast<uint16_t>(*v);
		 }},
		{"l2tp", "retries",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 100))
				 c.l2tp.retries = static_cast<uint32_t>(*v);
		 }},
		{"l2tp", "max_tunnels_per_peer",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 65535))
				 c.l2tp.maxTunnelsPerPeer = static_cast<uint32_t>(*v);
		 }},
		{"l2tp", "max_tunnels",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 65535))
				 c.l2tp.maxTunnels = static_cast<uint32_t>(*v);
		 }},
		{"l2tp", "max_sessions",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 65535))
				 c.l2tp.maxSessions = static_cast<uint32_t>(*v);
		 }},
		// [ppp]
		{"ppp", "auth",
		 [](L &l, const N &n, C &c, P *) {
			 auto v = l.list<PppAuth>(n, "authentication methods", [&](const N &e) {
				 return l.choice<PppAuth>(e, {{"mschap-v2", PppAuth::MsChapV2},
							      {"chap", PppAuth::Chap},
							      {"pap", PppAuth::Pap}});
			 });
			 if (v && v->empty())
				 l.invalid(n, "at least one authentication method is needed");
			 else
				 assign(v, c.ppp.auth);
		 }},
		{"ppp", "secrets", [](L &l, const N &n, C &c, P *) { assign(l.path(n), c.ppp.secrets); }},
		{"ppp", "local_address",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto a = l.address(n, true))
				 c.ppp.localAddress = *a;
		 }},
		{"ppp", "pool",
		 [](L &l, const N &n, C &c, P *) {
			 auto s = stringOf(n);
			 std::optional<IpAddress> first, last;
			 if (s) {
				 auto dash = s->find('-');
				 if (dash != std::string_view::npos) {
					 first = IpAddress::parse(s->substr(0, dash));
					 last = IpAddress::parse(s->substr(dash + 1));
				 }
			 }
			 if (!first || !last || !first->isV4() || !last->isV4()) {
				 l.expected(n, "an IPv4 range \"FIRST-LAST\" such as \"10.99.0.10-10.99.0.250\"");
				 return;
			 }
			 if (first->v4HostOrder() > last->v4HostOrder()) {
				 l.invalid(n, fmt::format("range \"{}\" ends before it starts", *s));
				 return;
			 }
			 AddressRange r{*first, *last};
			 if (r.size() > 65536) {
				 l.invalid(n, fmt::format("range \"{}\" holds {} addresses; at most 65536 are allowed",
							  *s, r.size()));
				 return;
			 }
			 c.ppp.pool = r;
		 }},
		{"ppp", "dns",
		 [](L &l, const N &n, C &c, P *) {
			 auto v = l.list<IpAddress>(n, "IPv4 addresses", [&](const N &e) { return l.address(e, true); });
			 // IPCP (RFC 1877) carries a primary and a secondary server only.
			 if (v && v->size() > 2)
				 l.invalid(n, fmt::format("{} servers listed; PPP can hand out at most 2", v->size()));
			 else
				 assign(v, c.ppp.dns);
		 }},
		{"ppp", "routes",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.list<IpPrefix>(n, "IPv4 subnets",
						 [&](const N &e) -> std::optional<IpPrefix> {
							 if (auto s = stringOf(e))
								 if (auto p = v4Subnet(*s))
									 return p;
							 l.expected(e, kSubnetExample);
							 return std::nullopt;
						 }),
				c.ppp.routes);
		 }},
		{"ppp", "user_routes",
		 [](L &l, const N &n, C &c, P *) {
			 auto v = l.list<UserRoutes>(n, "strings", [&](const N &e) { return userRoutesOf(l, e); });
			 if (!v)
				 return;
			 std::map<std::string, std::vector<IpPrefix>> byUser;
			 bool good = true;
			 for (size_t i = 0; i < v->size(); ++i)
				 if (!byUser.emplace((*v)[i].first, (*v)[i].second).second) {
					 l.invalid(n.items[i], fmt::format("user \"{}\" is listed twice", (*v)[i].first));
					 good = false;
				 }
			 if (good)
				 c.ppp.userRoutes = std::move(byUser);
		 }},
		{"ppp", "domain",
		 [](L &l, const N &n, C &c, P *) {
			 auto s = stringOf(n);
			 if (s && isDomainName(*s))
				 c.ppp.domain = *s;
			 else
				 l.expected(n, "a DNS domain such as \"corp.example\"");
		 }},
		{"ppp", "mtu",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 576, 1500))
				 c.ppp.mtu = static_cast<uint32_t>(*v);
		 }},
		{"ppp", "mru",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 576, 1500))
				 c.ppp.mru = static_cast<uint32_t>(*v);
		 }},
		{"ppp", "idle_timeout",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.duration(n, seconds(0), seconds(7 * 86400)), c.ppp.idleTimeout);
		 }},
		{"ppp", "pppd",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto p = l.path(n))
				 c.ppp.pppd = p->path;
		 }},
		{"ppp", "scripts", [](L &l, const N &n, C &c, P *) { assign(l.boolean(n), c.ppp.scripts); }},
		{"ppp", "prestart",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 0, 64))
				 c.ppp.prestart = static_cast<uint32_t>(*v);
		 }},
		{"ppp", "options",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.list<std::string>(n, "pppd options",
						    [&](const N &e) -> std::optional<std::string> {
							    auto s = stringOf(e);
							    if (s && !s->empty() && s->find('\n') == std::string::npos)
								    return s;
							    l.expected(e, "a pppd option on one line such as \"lcp-echo-interval 30\"");
							    return std::nullopt;
						    }),
				c.ppp.options);
		 }},
		// [[lac]]
		{"lac", "name",
		 [](L &l, const N &n, C &, P *p) {
			 auto s = stringOf(n);
			 bool good = s && !s->empty() && s->size() <= 64 &&
				     std::all_of(s->begin(), s->end(), [](char ch) {
					     return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
						    ch == '.';
				     });
			 if (good)
				 p->name = *s;
			 else
				 l.expected(n, "a name of letters, digits, '-', '_' or '.' (at most 64)");
		 }},
		{"lac", "server",
		 [](L &l, const N &n, C &, P *p) {
			 if (auto a = l.address(n, false))
				 p->server = *a;
		 }},
		{"lac", "psk_file",
		 [](L &l, const N &n, C &, P *p) {
			 if (auto s = l.secret(n))
				 p->psk = *s;
		 }},
		{"lac", "certificate", [](L &l, const N &n, C &, P *p) { assign(l.path(n), p->cert.certificate); }},
		{"lac", "private_key", [](L &l, const N &n, C &, P *p) { assign(l.path(n), p->cert.privateKey); }},
		{"lac", "ca", [](L &l, const N &n, C &, P *p) { assign(l.caList(n), p->cert.ca); }},
		{"lac", "local_id", [](L &l, const N &n, C &, P *p) { assign(l.identity(n), p->cert.localId); }},
		{"lac", "peer_id", [](L &l, const N &n, C &, P *p) { assign(l.identity(n), p->cert.peerId); }},
		{"lac", "user", [](L &l, const N &n, C &, P *p) { assign(l.string(n, "a user name"), p->user); }},
		{"lac", "password_file",
		 [](L &l, const N &n, C &, P *p) {
			 if (auto s = l.secret(n))
				 p->password = *s;
		 }},
		{"lac", "autoconnect", [](L &l, const N &n, C &, P *p) { assign(l.boolean(n), p->autoconnect); }},
		{"lac", "mode",
		 [](L &l, const N &n, C &, P *p) {
			 assign(l.choice<EspMode>(n, {{"transport", EspMode::Transport}, {"tunnel", EspMode::Tunnel}}),
				p->mode);
		 }},
		{"lac", "aggressive_mode", [](L &l, const N &n, C &, P *p) { assign(l.boolean(n), p->aggressiveMode); }},
		// [metrics]
		{"metrics", "listen",
		 [](L &l, const N &n, C &c, P *) {
			 auto s = stringOf(n);
			 if (auto a = s ? parseListenAddress(*s) : std::nullopt)
				 c.metrics.listen = *a;
			 else
				 l.expected(n, "an address and port such as \"127.0.0.1:9586\" or \"[::1]:9586\"");
		 }},
		// [radius] (Loader::run engages c.ppp.radius before these run)
		{"radius", "auth_servers",
		 [](L &l, const N &n, C &c, P *) {
			 auto v = l.list<RadiusServer>(n, "RADIUS servers", [&](const N &e) { return l.radiusServer(e, 1812); });
			 if (v && v->empty())
				 l.invalid(n, "at least one server is needed");
			 else if (v && v->size() > 8)
				 l.invalid(n, fmt::format("{} servers listed; pppd's radius plugin takes at most 8", v->size()));
			 else
				 assign(v, c.ppp.radius->authServers);
		 }},
		{"radius", "accounting_servers",
		 [](L &l, const N &n, C &c, P *) {
			 auto v = l.list<RadiusServer>(n, "RADIUS servers", [&](const N &e) { return l.radiusServer(e, 1813); });
			 if (v && v->empty())
				 l.invalid(n, "at least one server is needed (leave the key out to use auth_servers)");
			 else if (v && v->size() > 8)
				 l.invalid(n, fmt::format("{} servers listed; pppd's radius plugin takes at most 8", v->size()));
			 else
				 assign(v, c.ppp.radius->accountingServers);
		 }},
		{"radius", "secret_file",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto s = l.secret(n))
				 c.ppp.radius->secret = *s;
		 }},
		{"radius", "nas_identifier",
		 [](L &l, const N &n, C &c, P *) {
			 auto s = stringOf(n);
			 bool good = s && !s->empty() && s->size() <= 253 && s->front() != ' ' && s->back() != ' ' &&
			             std::all_of(s->begin(), s->end(), [](char ch) {
				             return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f;
			             });
			 if (good)
				 c.ppp.radius->nasIdentifier = *s;
			 else
				 l.expected(n, "a name of 1 to 253 printable characters such as \"vpn-gw1\"");
		 }},
		{"radius", "nas_ip_address",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto a = l.address(n, true))
				 c.ppp.radius->nasIpAddress = *a;
		 }},
		{"radius", "interim_interval",
		 [](L &l, const N &n, C &c, P *) {
			 assign(l.duration(n, seconds(60), seconds(86400)), c.ppp.radius->interimInterval);
		 }},
		{"radius", "timeout",
		 [](L &l, const N &n, C &c, P *) { assign(l.duration(n, seconds(1), seconds(60)), c.ppp.radius->timeout); }},
		{"radius", "retries",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 10))
				 c.ppp.radius->retries = static_cast<uint32_t>(*v);
		 }},
		{"radius", "das_listen",
		 [](L &l, const N &n, C &c, P *) { assign(ipv4List(l, n), c.ppp.radius->dasListen); }},
		{"radius", "das_port",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto v = l.integer(n, 1, 65535))
				 c.ppp.radius->dasPort = static_cast<uint16_t>(*v);
		 }},
		{"radius", "das_clients",
		 [](L &l, const N &n, C &c, P *) { assign(ipv4List(l, n), c.ppp.radius->dasClients); }},
		{"radius", "das_secret_file",
		 [](L &l, const N &n, C &c, P *) {
			 if (auto s = l.secret(n))
				 c.ppp.radius->dasSecret = *s;
		 }},
	};
	return table;
}

} // namespace l2tpsec
