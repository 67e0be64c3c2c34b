#include "config/config_checks.h"

#include "common/result.h"
#include "common/unique_fd.h"
#include "config/chap_secrets.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace l2tpsec {

namespace {

// UTF-8 characters, as a person counts them when a guide asks for 20.
size_t characters(std::string_view s)
{
	return static_cast<size_t>(std::count_if(
	        s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xc0) != 0x80; }));
}

class Checks {
public:
	Checks(const Config &c, ConfigLoad &out) : c_(c), out_(out) {}

	void error(int line, std::string msg) { out_.errors.push_back({c_.file, line, std::move(msg)}); }
	void warning(int line, std::string msg) { out_.warnings.push_back({c_.file, line, std::move(msg)}); }

	void ipsecNeedsKey();
	void pskLength(const std::optional<Secret> &psk, std::string_view where);
	void pppSecrets();
	void papOnly();
	void poolSize();
	void listen(const HostFacts &host);

private:
	const Config &c_;
	ConfigLoad &out_;
};

// IPsec required, and nothing to authenticate phase 1 with: every client
// fails IKE. A daemon with [[lac]] profiles still serves them (each has its
// own key or certificate), so it is only an LNS without one that is refused.
void Checks::ipsecNeedsKey()
{
	if (c_.l2tp.ipsec != IpsecRequirement::Required || c_.ike.psk || c_.ike.cert.enabled() || !c_.lac.empty())
		return;
	int line = c_.lineOf("l2tp.ipsec");
	error(line, fmt::format("[l2tp] ipsec is \"required\"{} but [ike] has neither psk_file nor certificate, so "
	                        "no client can connect; set one of them, or ipsec = \"off\"",
	                        line ? "" : " (the default)"));
}

void Checks::pskLength(const std::optional<Secret> &psk, std::string_view where)
{
	if (!psk || psk->value.empty()) // unset, or unreadable (an error already)
		return;
	size_t n = characters(psk->value);
	if (n >= kMinPskCharacters)
		return;
	if (c_.ike.allowShortPsk)
		warning(psk->file.line, fmt::format("{}: the key in '{}' has {} characters, fewer than {} (accepted "
		                                    "because of [ike] allow_short_psk)",
		                                    where, psk->file.path, n, kMinPskCharacters));
	else
		error(psk->file.line, fmt::format("{}: the key in '{}' has {} characters; use one of at least {}, "
		                                  "or set [ike] allow_short_psk = true to accept it",
		                                  where, psk->file.path, n, kMinPskCharacters));
}

// The whole file, or an error message naming the path ("Is a directory"
// for a directory, which an ifstream would read as empty).
Result<std::string> readFile(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return sysError(fmt::format("cannot read '{}'", path));
	struct stat st {};
	if (::fstat(fd.get(), &st) < 0)
		return sysError(fmt::format("cannot read '{}'", path));
	if (S_ISDIR(st.st_mode))
		return errnoError(EISDIR, fmt::format("cannot read '{}'", path));
	std::string text;
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd.get(), buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sysError(fmt::format("cannot read '{}'", path));
		if (n == 0)
			break;
		text.append(buf, static_cast<size_t>(n));
	}
	return text;
}

// [ppp] secrets, unless [radius] authenticates the users (the loader warns
// that the file is then unused): missing, unreadable, a line pppd would skip
// or misread, or no client at all are errors; other users' access warns.
void Checks::pppSecrets()
{
	const ConfigPath &p = c_.ppp.secrets;
	if (p.empty() || c_.ppp.radius)
		return;
	auto text = readFile(p.path);
	if (!text) {
		error(p.line, fmt::format("[ppp] secrets: {}", text.error().message));
		return;
	}
	ChapSecrets parsed = parseChapSecrets(*text);
	for (const ChapSecretsProblem &problem : parsed.problems)
		out_.errors.push_back({p.path, problem.line, fmt::format("[ppp] secrets: {}", problem.message)});
	if (parsed.entries.empty() && parsed.problems.empty())
		error(p.line, fmt::format("[ppp] secrets: '{}' lists no client (lines of client, server, secret and "
		                          "addresses), so no one can log in",
		                          p.path));
	struct stat st {};
	if (::stat(p.path.c_str(), &st) == 0 && (st.st_mode & 077))
		warning(p.line, fmt::format("[ppp] secrets: '{}' can be read by other users; chmod 600 it", p.path));
}

// PAP alone sends the password in clear text over the PPP link. Inside
// required IPsec with [radius], that is the password + one-time code setup
// (a RADIUS server that checks both needs the typed text, which no CHAP
// carries): ESP protects it, so it is not worth a warning there.
void Checks::papOnly()
{
	if (c_.l2tp.ipsec == IpsecRequirement::Required && c_.ppp.radius)
		return;
	if (c_.ppp.auth == std::vector<PppAuth>{PppAuth::Pap})
		warning(c_.lineOf("ppp.auth"),
		        "[ppp] auth: with \"pap\" alone every password crosses the PPP link as clear text, protected "
		        "by IPsec at most; offer \"mschap-v2\" as well");
}

// More sessions allowed than addresses to give them: the calls past the pool
// are refused all the same, as "address pool exhausted".
void Checks::poolSize()
{
	if (!c_.ppp.pool || !c_.l2tp.maxSessions || c_.ppp.pool->size() >= *c_.l2tp.maxSessions)
		return;
	warning(c_.lineOf("ppp.pool"),
	        fmt::format("[ppp] pool has {} addresses but [l2tp] max_sessions allows {} sessions: calls past {} "
	                    "are refused (address pool exhausted); widen the pool or lower max_sessions",
	                    c_.ppp.pool->size(), *c_.l2tp.maxSessions, c_.ppp.pool->size()));
}

// A warning, not an error: the listeners bind with IP_FREEBIND, so an
// address that comes up later (a VRRP or cloud failover address) serves then.
void Checks::listen(const HostFacts &host)
{
	if (!host.addresses)
		return;
	for (const IpAddress &a : c_.server.listen) {
		// The whole of 127.0.0.0/8 is local on Linux, though lo lists 127.0.0.1.
		bool loopback = a.isV4() && (a.v4HostOrder() >> 24) == 127;
		if (a.isUnspecified() || loopback ||
		    std::find(host.addresses->begin(), host.addresses->end(), a) != host.addresses->end())
			continue;
		warning(c_.lineOf("server.listen"),
		        fmt::format("[server] listen: no local interface has {}; it is bound anyway and serves once "
		                    "an interface has it",
		                    a.str()));
	}
}

} // namespace

HostFacts currentHostFacts()
{
	ifaddrs *list = nullptr;
	if (::getifaddrs(&list) < 0)
		return {};
	std::vector<IpAddress> addresses;
	for (ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			auto *in = reinterpret_cast<const sockaddr_in *>(i->ifa_addr);
			addresses.push_back(IpAddress::v4(ntohl(in->sin_addr.s_addr)));
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			auto *in6 = reinterpret_cast<const sockaddr_in6 *>(i->ifa_addr);
			char text[INET6_ADDRSTRLEN] = {};
			if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text))
				if (auto a = IpAddress::parse(text))
					addresses.push_back(*a);
		}
	}
	::freeifaddrs(list);
	return HostFacts{std::move(addresses)};
}

void checkCanServe(const Config &c, const HostFacts &host, ConfigLoad &out)
{
	Checks checks(c, out);
	checks.ipsecNeedsKey();
	checks.pskLength(c.ike.psk, "[ike] psk_file");
	for (const LacProfile &p : c.lac)
		checks.pskLength(p.psk, fmt::format("[[lac]] '{}' psk_file", p.name));
	checks.pppSecrets();
	checks.papOnly();
	checks.poolSize();
	checks.listen(host);
}

} // namespace l2tpsec
