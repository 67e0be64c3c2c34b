#include "human_format.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <type_traits>

namespace l2tpsec::ctl {

namespace {

std::string joined(const std::vector<std::string> &items, const char *ifEmpty)
{
	std::string s;
	for (auto &e : items)
		s += (s.empty() ? "" : ", ") + e;
	return s.empty() ? ifEmpty : s;
}

// A table cell: "-" for nothing.
std::string cell(const std::string &s)
{
	return s.empty() ? "-" : s;
}

std::string cell(const std::optional<std::string> &s)
{
	return s ? cell(*s) : "-";
}

template <typename Number>
std::string cell(Number n) requires std::is_arithmetic_v<Number>
{
	return fmt::format("{}", n);
}

template <typename Number>
std::string cell(const std::optional<Number> &n)
{
	return n ? cell(*n) : "-";
}

// One value of `show`'s key: value list, as the table cells print it.
std::string cell(const nlohmann::json &v)
{
	if (v.is_null())
		return "-";
	if (v.is_string())
		return cell(v.get<std::string>());
	return v.dump();
}

// A table whose columns are as wide as their widest cell (a long user name
// or an IPv6 peer never pushes the rest out of line), two spaces apart;
// numbers are right-aligned, the last column is not padded.
class Table {
public:
	struct Column {
		std::string title;
		bool right = false;
	};
	explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
	void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
	std::string str() const
	{
		std::vector<size_t> width(columns_.size());
		for (size_t c = 0; c < columns_.size(); c++) {
			width[c] = columns_[c].title.size();
			for (auto &r : rows_)
				width[c] = std::max(width[c], r[c].size());
		}
		std::string out;
		auto line = [&](auto cellAt) {
			std::string l;
			for (size_t c = 0; c < columns_.size(); c++) {
				const std::string &v = cellAt(c);
				bool last = c + 1 == columns_.size();
				if (columns_[c].right)
					l += std::string(width[c] - v.size(), ' ') + v;
				else
					l += last ? v : v + std::string(width[c] - v.size(), ' ');
				if (!last)
					l += "  ";
			}
			out += l + "\n";
		};
		line([&](size_t c) -> const std::string & { return columns_[c].title; });
		for (auto &r : rows_)
			line([&](size_t c) -> const std::string & { return r[c]; });
		return out;
	}

private:
	std::vector<Column> columns_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace

std::string humanDuration(int64_t s)
{
	if (s < 60)
		return fmt::format("{}s", s);
	if (s < 3600)
		return fmt::format("{}m {}s", s / 60, s % 60);
	if (s < 86400)
		return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
	return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

std::string humanBytes(const std::optional<uint64_t> &n, const HumanOptions &o)
{
	if (!n)
		return "-";
	if (o.exactBytes || *n < 10000)
		return fmt::format("{}", *n);
	static constexpr const char *kUnits[] = {"K", "M", "G", "T"};
	double v = static_cast<double>(*n) / 1024;
	size_t unit = 0;
	while (v >= 1024 && unit + 1 < std::size(kUnits)) {
		v /= 1024;
		unit++;
	}
	// One decimal where it says something; the rounding must not print
	// "10.0": 9.96 shows as 10.
	if (v < 9.95)
		return fmt::format("{:.1f}{}", v, kUnits[unit]);
	return fmt::format("{:.0f}{}", v, kUnits[unit]);
}

std::string formatStatus(const control::StatusView &d)
{
	std::string out = fmt::format("l2tpsecd {}, pid {}, up {} (since {})\n", d.version, d.pid,
	                              humanDuration(d.uptimeSeconds), d.started);
	out += fmt::format("config:   {} (loaded {}, {} reload(s), {} failed)\n", d.configFile, d.configLoaded,
	                   d.reloads, d.reloadFailures);
	out += fmt::format("listen:   {}\n", joined(d.listen, "all IPv4 addresses"));
	out += fmt::format("control:  {}\n", d.controlSocket);
	out += fmt::format("profiles: {}\n", joined(d.lacProfiles, "none"));
	out += fmt::format("ipsec:    {} (dataplane {})\n", d.ipsec, d.dataplane);
	out += fmt::format("ike:      {} ISAKMP SA(s) established, {} connecting; {} IPsec SA pair(s)\n",
	                   d.isakmpEstablished, d.isakmpConnecting, d.ipsecSaPairs);
	out += fmt::format("l2tp:     {} tunnel(s), {} session(s)\n", d.tunnels, d.sessions);
	if (d.poolSize)
		out += fmt::format("pool:     {} of {} address(es) in use\n", d.poolUsed.value_or(0), *d.poolSize);
	else
		out += "pool:     none\n";
	out += fmt::format("blocked:  {} source(s)\n", d.blockedSources);
	return out;
}

std::string formatTunnels(const std::vector<control::TunnelView> &tunnels)
{
	Table t({{"TUNNEL"},
	         {"PEER"},
	         {"ROLE"},
	         {"PEER ADDRESS"},
	         {"STATE"},
	         {"SESSIONS", true},
	         {"UP"},
	         {"PEER HOST"}});
	for (const control::TunnelView &v : tunnels)
		t.add({cell(v.tunnel), cell(v.peerTunnel), cell(v.role), cell(v.peer), cell(v.state), cell(v.sessions),
		       humanDuration(v.uptimeSeconds), cell(v.peerHost)});
	return t.str();
}

std::string formatSessions(const std::vector<control::SessionView> &sessions, const HumanOptions &o)
{
	Table t({{"SESSION"},
	         {"USER"},
	         {"ADDRESS"},
	         {"PEER"},
	         {"IF"},
	         {"CLIENT"},
	         {"STATE"},
	         {"UP"},
	         {"RX", true},
	         {"TX", true},
	         {"RX/S", true},
	         {"TX/S", true}});
	for (const control::SessionView &s : sessions)
		t.add({cell(s.tunnel) + "/" + cell(s.session), cell(s.user), cell(s.address),
		       // Where its packets come from: behind a NAT the NAT's port.
		       s.ikePeer ? *s.ikePeer : cell(s.peer), cell(s.interface), cell(s.client), cell(s.state),
		       s.uptimeSeconds ? humanDuration(*s.uptimeSeconds) : "-", humanBytes(s.rxBytes, o),
		       humanBytes(s.txBytes, o), humanBytes(s.rxRate, o), humanBytes(s.txRate, o)});
	return t.str();
}

namespace {

// The client's PPP choices: "ppp mru 1400, ms-chap-v2, magic-number, pfc,
// acfc, asks dns wins; lcp request mru magic-number pfc acfc callback; ipcp
// request address dns1 wins1 dns2 wins2; ccp request mppe".
std::string pppText(const control::PppFingerprintView &p)
{
	std::string s = "ppp mru " + (p.mru ? std::to_string(*p.mru) : std::string("default")) + ", " + p.auth;
	if (p.accm)
		s += ", accm " + *p.accm;
	for (auto [on, name] : {std::pair{p.magicNumber, "magic-number"}, std::pair{p.protocolFieldCompression, "pfc"},
	                        std::pair{p.addressControlFieldCompression, "acfc"}, std::pair{p.vjCompression, "vj"}})
		if (on)
			s += std::string(", ") + name;
	if (p.dnsRequested || p.winsRequested)
		s += std::string(", asks") + (p.dnsRequested ? " dns" : "") + (p.winsRequested ? " wins" : "");
	auto request = [](const std::vector<std::string> &options) {
		std::string r;
		for (const std::string &o : options)
			r += " " + o;
		return r.empty() ? std::string(" none") : r;
	};
	s += "; lcp request" + request(p.lcpRequest) + "; ipcp request" + request(p.ipcpRequest);
	if (p.ccpRequest)
		s += "; ccp request" + request(*p.ccpRequest);
	return s;
}

// The client's fingerprint on one line: "host DESKTOP-4F2K, vendor
// Microsoft, firmware 0x0600; vendor ids MS NT5 ISAKMPOAKLEY, RFC 3947;
// phase 1 aes256-sha1-modp2048; phase 2 aes256-sha1 pfs none".
std::string fingerprintText(const control::ClientFingerprintView &f)
{
	std::string s = fmt::format("host {}, vendor {}", cell(f.hostName), cell(f.vendorName));
	if (f.firmwareRevision)
		s += fmt::format(", firmware 0x{:04x}", *f.firmwareRevision);
	s += "; vendor ids " + joined(f.vendorIds, "none");
	if (f.phase1)
		s += "; phase 1 " + *f.phase1;
	if (f.phase2)
		s += "; phase 2 " + *f.phase2;
	if (f.ppp)
		s += "; " + pppText(*f.ppp);
	return s;
}

// Every key the session has, as it goes over the wire; counters as the
// tables print them, the fingerprint on one line.
std::string sessionKeys(const control::SessionView &view, const HumanOptions &o)
{
	std::string out;
	const nlohmann::json s = view;
	size_t width = 0;
	for (auto it = s.begin(); it != s.end(); ++it)
		width = std::max(width, it.key().size() + 1);
	for (auto it = s.begin(); it != s.end(); ++it) {
		std::string value = cell(it.value());
		if ((it.key().ends_with("_bytes") || it.key().ends_with("_rate")) && it.value().is_number_unsigned())
			value = humanBytes(it.value().get<uint64_t>(), o) + (it.key().ends_with("_rate") ? "/s" : "");
		else if (it.key() == "fingerprint" && view.fingerprint)
			value = fingerprintText(*view.fingerprint);
		out += fmt::format("{:<{}} {}\n", it.key() + ":", width, value);
	}
	return out;
}

// `show`'s chain of a session, from its L2TP tunnel down to pppd and up to
// the SAs that protect it.
std::string chainLines(const control::SessionChainView &c, const HumanOptions &o)
{
	std::vector<std::pair<std::string, std::string>> lines;
	const control::SessionView &s = c.session;
	if (c.tunnel) {
		const control::TunnelView &t = *c.tunnel;
		lines.emplace_back("L2TP tunnel",
		                   fmt::format("{} (peer's {}), {}, {} <-> {}, {}, up {}", t.tunnel, t.peerTunnel,
		                               t.role, t.local, t.peer, t.state, humanDuration(t.uptimeSeconds)));
		lines.emplace_back("peer host", fmt::format("{} (vendor {})", cell(t.peerHost), cell(t.peerVendor)));
	}
	lines.emplace_back("L2TP session",
	                   fmt::format("{}/{} (peer's {}/{})", s.tunnel, s.session, s.peerTunnel, s.peerSession));
	lines.emplace_back("pppd", fmt::format("pid {}, interface {}", cell(c.pppdPid), cell(s.interface)));
	lines.emplace_back("audit", fmt::format("start record {}, tunnel {} session {}", cell(c.auditStarted), s.tunnel,
	                                        s.session));
	if (c.isakmp) {
		const control::IsakmpSaView &sa = *c.isakmp;
		std::string nat = sa.natLocal ? "local" : "";
		if (sa.natPeer)
			nat += nat.empty() ? "peer" : "+peer";
		lines.emplace_back("ISAKMP SA", fmt::format("{}, {} {}, {} <-> {}, peer id {}", sa.id, sa.role,
		                                            sa.exchange, sa.local, sa.peer, cell(sa.peerId)));
		lines.emplace_back("", fmt::format("{}, NAT {}, age {}, expires in {}", sa.suite,
		                                   nat.empty() ? "no" : nat, humanDuration(sa.ageSeconds),
		                                   sa.expiresInSeconds ? humanDuration(*sa.expiresInSeconds) : "-"));
	} else {
		lines.emplace_back("ISAKMP SA", "none");
	}
	if (c.ipsec) {
		const control::IpsecSaView &p = *c.ipsec;
		lines.emplace_back("IPsec SAs", fmt::format("in {} out {}, {}, {}, NAT-T {}, reqid {}, expires in {}",
		                                            p.inSpi, p.outSpi, p.suite, p.mode, p.natT ? "yes" : "no",
		                                            p.reqid, humanDuration(p.expiresInSeconds)));
		lines.emplace_back("IPsec traffic",
		                   fmt::format("in {} ({} packets), out {} ({} packets)", humanBytes(p.inBytes, o),
		                               cell(p.inPackets), humanBytes(p.outBytes, o), cell(p.outPackets)));
	} else {
		lines.emplace_back("IPsec SAs", "none");
	}
	std::string out;
	for (const auto &[key, value] : lines)
		out += fmt::format("{:<14} {}\n", key.empty() ? "" : key + ":", value);
	return out;
}

} // namespace

std::string formatShow(const control::ShowView &v, const HumanOptions &o)
{
	std::string out;
	if (v.user) {
		for (const control::SessionChainView &c : v.chains.value_or(std::vector<control::SessionChainView>{})) {
			if (!out.empty())
				out += "\n";
			out += fmt::format("session {}/{} of {}\n", c.session.tunnel, c.session.session, *v.user);
			out += sessionKeys(c.session, o) + "\n" + chainLines(c, o);
		}
		return out;
	}
	if (v.session) {
		out += sessionKeys(*v.session, o);
		if (v.chains)
			for (const control::SessionChainView &c : *v.chains)
				out += "\n" + chainLines(c, o);
		return out;
	}
	if (v.tunnel)
		out += formatTunnels({*v.tunnel});
	out += "\n";
	out += formatSessions(v.sessions.value_or(std::vector<control::SessionView>{}), o);
	return out;
}

std::string formatSas(const control::SasView &d, const HumanOptions &o)
{
	std::string out;
	if (d.ike)
		out += fmt::format("IKE: {}\n", cell(d.ike));
	auto nat = [](const control::IsakmpSaView &sa) {
		std::string s = sa.natLocal ? "local" : "";
		if (sa.natPeer)
			s += s.empty() ? "peer" : "+peer";
		return s.empty() ? std::string("-") : s;
	};
	Table isakmp(
	        {{"ID"}, {"ROLE"}, {"EXCHANGE"}, {"STATE"}, {"PEER"}, {"NAT"}, {"SUITE"}, {"EXPIRES"}, {"PEER ID"}});
	for (const control::IsakmpSaView &sa : d.isakmp)
		isakmp.add({cell(sa.id), cell(sa.role), cell(sa.exchange), cell(sa.state), cell(sa.peer), nat(sa),
		            cell(sa.suite), sa.expiresInSeconds ? humanDuration(*sa.expiresInSeconds) : "-",
		            cell(sa.peerId)});
	Table ipsec({{"ISAKMP"},
	             {"PEER"},
	             {"IN SPI"},
	             {"OUT SPI"},
	             {"SUITE"},
	             {"MODE"},
	             {"NAT-T"},
	             {"EXPIRES"},
	             {"IN", true},
	             {"OUT", true}});
	for (const control::IpsecSaView &c : d.ipsec)
		ipsec.add({cell(c.isakmp), cell(c.peer), cell(c.inSpi), cell(c.outSpi), cell(c.suite), cell(c.mode),
		           c.natT ? "yes" : "no", humanDuration(c.expiresInSeconds), humanBytes(c.inBytes, o),
		           humanBytes(c.outBytes, o)});
	out += "ISAKMP SAs\n" + isakmp.str() + "\nIPsec SAs\n" + ipsec.str();
	return out;
}

std::string formatBlocked(const control::BlockedView &d)
{
	std::string out;
	const control::BlockingSettingsView &settings = d.settings;
	if (!settings.enabled)
		out += "blocking is off ([blocking] enabled = false)\n";
	else
		out += fmt::format("blocking after {} failed authentications within {}, for {}\n",
		                   cell(settings.failures), humanDuration(settings.windowSeconds),
		                   humanDuration(settings.blockSeconds));
	Table blocked({{"SOURCE"}, {"FAILURES", true}, {"BLOCKED"}, {"REMAINING"}});
	for (const control::BlockView &b : d.blocked)
		blocked.add({cell(b.source), cell(b.failures), humanDuration(b.blockedSeconds),
		             humanDuration(b.remainingSeconds)});
	out += blocked.str();
	if (!d.counting.empty()) {
		Table counting({{"SOURCE"}, {"FAILURES", true}});
		for (const control::CountingView &c : d.counting)
			counting.add({cell(c.source), cell(c.failures)});
		out += "\nnot blocked (yet)\n" + counting.str();
	}
	return out;
}

std::string stageName(const std::string &stage)
{
	if (stage == "ike")
		return "IKE";
	if (stage == "l2tp")
		return "L2TP";
	if (stage == "ppp")
		return "PPP";
	return stage;
}

std::string formatProfiles(const control::ProfilesView &v)
{
	Table t({{"PROFILE"},
	         {"SERVER"},
	         {"WANTED"},
	         {"STATE"},
	         {"TUNNEL", true},
	         {"SESSION"},
	         {"ADDRESS"},
	         {"RETRY IN"},
	         {"FAILED AT"},
	         {"LAST ERROR"}});
	for (const control::ProfileView &p : v.profiles)
		t.add({cell(p.name), cell(p.server), p.wanted ? "yes" : "no", cell(p.state), cell(p.tunnel),
		       cell(p.session), cell(p.address), p.retryInSeconds ? humanDuration(*p.retryInSeconds) : "-",
		       p.errorStage ? stageName(*p.errorStage) : "-", cell(p.lastError)});
	return t.str();
}

} // namespace l2tpsec::ctl
