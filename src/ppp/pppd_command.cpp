#include "ppp/pppd_command.h"

#include "ppp/radius_files.h"

#include <sstream>

namespace l2tpsec::ppp {

namespace {

std::string_view requireOption(PppAuth a)
{
	switch (a) {
	case PppAuth::MsChapV2: return "require-mschap-v2";
	case PppAuth::Chap: return "require-chap";
	case PppAuth::Pap: return "require-pap";
	}
	return "require-mschap-v2";
}

// How long the LNS's LCP waits for the peer's first Configure-Request: as
// long as pppd's restart timer, so that a peer that never speaks first costs
// no more than one lost request would.
constexpr const char *kLnsListenMs = "3000";

} // namespace

std::vector<std::string> pppdArguments(const PppConfig &cfg, const PppdSession &s)
{
	std::vector<std::string> a{cfg.pppd,
	                           "plugin",
	                           "pppol2tp.so",
	                           "pppol2tp",
	                           std::to_string(s.pppol2tpFd),
	                           "pppol2tp_tunnel_id",
	                           std::to_string(s.tunnelId),
	                           "pppol2tp_session_id",
	                           std::to_string(s.sessionId)};
	if (s.lns)
		a.emplace_back("pppol2tp_lns_mode");
	// The supervisor owns pppd's lifetime: it must not fork away, and its log
	// (stdout by default) goes into ours.
	a.emplace_back("nodetach");
	if (s.lns && cfg.radius) {
		// pppd-radius(8): the plugin authenticates the peer and sends
		// accounting. Every request carries the session's tag as
		// NAS-Port-Id (joins the audit log) and, as Calling-Station-Id, the
		// peer's address (without it the plugin sends ipparam). Loaded
		// before l2tpsec's plugin, whose plugin_init looks for its hook
		// (pppd loads and initialises plugins in command-line order).
		a.emplace_back("plugin");
		a.emplace_back("radius.so");
		a.emplace_back("radius-config-file");
		a.push_back(radiusConfigPath(*cfg.radius));
		if (!s.tag.empty()) {
			a.emplace_back("avpair");
			a.push_back("NAS-Port-Id=" + s.tag);
		}
		// The radiusclient library sends NAS-IP-Address only when it has
		// no NAS-Identifier; SQL backends (sqlippool, Accounting-On/Off)
		// key a server's leases and sessions on it.
		if (cfg.radius->nasIpAddress) {
			a.emplace_back("avpair");
			a.push_back("NAS-IP-Address=" + cfg.radius->nasIpAddress->str());
		}
		if (!s.peerAddress.empty()) {
			a.emplace_back("remotenumber");
			a.push_back(s.peerAddress);
		}
	}
	// What the daemon must know about the link (the user the peer
	// authenticated as, IP up and down) the plugin tells it, so pppd runs
	// without `debug`, whose packet trace carries the MS-CHAPv2 challenge
	// and response.
	if (!s.plugin.empty() && s.reportFd >= 0) {
		a.emplace_back("plugin");
		a.push_back(s.plugin);
		a.emplace_back("l2tpsec_fd");
		a.push_back(std::to_string(s.reportFd));
		if (s.lns) {
			// The LNS's pppd starts at the ICRQ, before the peer's: its
			// LCP waits for the peer's first request (the plugin's header).
			a.emplace_back("l2tpsec_listen");
			a.emplace_back(kLnsListenMs);
		}
	}

	if (s.lns) {
		a.emplace_back("auth");
		for (PppAuth m : cfg.auth)
			a.emplace_back(requireOption(m));
		if (cfg.localAddress)
			a.push_back(cfg.localAddress->str() + ":" +
			            (s.remoteAddress ? s.remoteAddress->str() : std::string()));
		for (const IpAddress &d : cfg.dns) {
			a.emplace_back("ms-dns");
			a.push_back(d.str());
		}
		// The pool is IPv4: IPv6CP would only add a negotiation round and
		// the ipv6-up and ipv6-down scripts ([ppp] options "+ipv6" undoes it).
		a.emplace_back("noipv6");
		if (!cfg.scripts) {
			// pppd skips a script that does not exist (Debian keeps
			// /nonexistent absent); ip-pre-up has no option, the
			// launcher binds a no-op over it (daemon/pppd_launcher.cpp).
			a.insert(a.end(),
			         {"ip-up-script", "/nonexistent/ip-up", "ip-down-script", "/nonexistent/ip-down"});
		}
	} else {
		// The server proves nothing to us at the PPP layer: IKE and the L2TP
		// tunnel secret already authenticated it.
		a.emplace_back("noauth");
		a.emplace_back("noipdefault");
		if (!s.user.empty()) {
			a.emplace_back("user");
			a.push_back(s.user);
		}
		if (s.passwordFd >= 0) {
			a.emplace_back("plugin");
			a.emplace_back("passwordfd.so");
			a.emplace_back("passwordfd");
			a.push_back(std::to_string(s.passwordFd));
		}
	}
	a.emplace_back("mtu");
	a.push_back(std::to_string(cfg.mtu));
	a.emplace_back("mru");
	a.push_back(std::to_string(cfg.mru));
	if (cfg.idleTimeout.count() > 0) {
		a.emplace_back("idle");
		a.push_back(std::to_string(cfg.idleTimeout.count()));
	}
	if (!s.tag.empty()) {
		a.emplace_back("ipparam");
		a.push_back(s.tag);
	}
	for (const std::string &line : cfg.options) {
		std::istringstream words(line);
		for (std::string w; words >> w;)
			a.push_back(w);
	}
	return a;
}

std::vector<std::string> pppdPrestartArguments(const PppConfig &cfg, const std::string &plugin, int reportFd)
{
	std::vector<std::string> a{cfg.pppd, "plugin", "pppol2tp.so", "nodetach"};
	if (cfg.radius)
		a.insert(a.end(), {"plugin", "radius.so", "radius-config-file", radiusConfigPath(*cfg.radius)});
	a.insert(a.end(), {"plugin", plugin, "l2tpsec_fd", std::to_string(reportFd), "l2tpsec_wait"});
	return a;
}

std::vector<std::string> pppdSessionWords(const PppConfig &cfg, const PppdSession &s)
{
	std::vector<std::string> all = pppdArguments(cfg, s);
	std::vector<std::string> words;
	// pppdArguments' words, each option with its argument, minus those of
	// pppdPrestartArguments.
	for (size_t i = 1; i < all.size(); ++i) {
		const std::string &w = all[i];
		bool hasNext = i + 1 < all.size();
		if (w == "nodetach")
			continue;
		if (hasNext && w == "plugin" &&
		    (all[i + 1] == "pppol2tp.so" || all[i + 1] == "radius.so" || all[i + 1] == s.plugin)) {
			++i;
			continue;
		}
		if (hasNext && (w == "radius-config-file" || w == "l2tpsec_fd")) {
			++i;
			continue;
		}
		words.push_back(w);
		if (hasNext && w == "pppol2tp") {
			words.emplace_back(kPppSocketWord);
			++i;
		}
	}
	return words;
}

std::string sessionPortId(uint16_t tunnelId, uint16_t sessionId)
{
	return "l2tpsec-" + std::to_string(tunnelId) + "-" + std::to_string(sessionId);
}

} // namespace l2tpsec::ppp
