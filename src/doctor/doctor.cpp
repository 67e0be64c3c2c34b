#include "doctor/doctor.h"

#include "config/config_loader.h"
#include "doctor/firewall_checks.h"
#include "doctor/kernel_checks.h"
#include "doctor/ppp_checks.h"
#include "doctor/socket_checks.h"
#include "doctor/text_lines.h"

#include <fmt/format.h>

#include <algorithm>

namespace l2tpsec::doctor {

Finding checkConfig(const std::string &path, const std::optional<std::string> &text, bool given, ConfigFacts &facts)
{
	Finding f{"config", Status::Ok, "", ""};
	if (!text) {
		f.status = given ? Status::Fatal : Status::Skipped;
		f.why = fmt::format("cannot read {}{}", path, given ? "" : "; the checks assume the defaults");
		if (given)
			f.fix = "name a readable file with --config";
		return f;
	}
	ConfigLoad load = parseConfig(*text, path);
	if (!load.ok()) {
		f.status = Status::Fatal;
		f.why = fmt::format("{} error(s), the first: {}", load.errors.size(), load.errors.front().str());
		f.fix = fmt::format("l2tpsecd --check -c {} lists them all", path);
		return f;
	}
	const Config &c = *load.config;
	facts.ipsec = c.l2tp.ipsec != IpsecRequirement::Off;
	facts.radius = c.ppp.radius.has_value();
	facts.lac = !c.lac.empty();
	facts.pppd = c.ppp.pppd;
	facts.listen = c.server.listen;
	const char *ipsec = c.l2tp.ipsec == IpsecRequirement::Required   ? "required"
	                    : c.l2tp.ipsec == IpsecRequirement::Optional ? "optional"
	                                                                 : "off";
	f.why = fmt::format("{} parses (IPsec {}){}", path, ipsec,
	                    load.warnings.empty() ? "" : fmt::format("; {} warning(s)", load.warnings.size()));
	if (!load.warnings.empty()) {
		f.status = Status::Warn;
		f.fix = fmt::format("l2tpsecd --check -c {} shows them", path);
	}
	return f;
}

Finding checkListen(const ConfigFacts &facts, const std::optional<std::vector<IpAddress>> &addresses)
{
	Finding f{"listen", Status::Ok, "", ""};
	if (facts.listen.empty()) {
		f.why = "every IPv4 address ([server] listen unset)";
		return f;
	}
	if (!addresses) {
		f.status = Status::Skipped;
		f.why = "could not list the host's addresses";
		return f;
	}
	std::vector<std::string> missing, present;
	for (const IpAddress &a : facts.listen) {
		bool has = a.isUnspecified() || std::find(addresses->begin(), addresses->end(), a) != addresses->end();
		(has ? present : missing).push_back(a.str());
	}
	f.why = fmt::format("the host has {}", joined(present));
	if (!missing.empty()) {
		f.status = Status::Warn;
		f.why = fmt::format("no interface has {}: nothing arrives there until one does", joined(missing));
		f.fix = "add the address (ip addr add ADDRESS/LEN dev IF, or in /etc/network/interfaces) or change "
		        "[server] listen";
	}
	return f;
}

std::vector<std::string> pppdPlugins(const ConfigFacts &facts, const std::string &plugin)
{
	std::string dir = plugin.substr(0, plugin.rfind('/') + 1);
	std::vector<std::string> out{dir + "pppol2tp.so", plugin};
	if (facts.radius)
		out.push_back(dir + "radius.so");
	if (facts.lac)
		out.push_back(dir + "passwordfd.so");
	return out;
}

std::vector<std::string> probedPaths(const ConfigFacts &facts, const std::string &plugin)
{
	std::vector<std::string> out{"/dev/ppp", facts.pppd};
	for (std::string &p : pppdPlugins(facts, plugin))
		out.push_back(std::move(p));
	return out;
}

std::vector<Finding> checkHost(const HostInputs &in, const ConfigFacts &facts, const std::string &plugin)
{
	std::vector<Finding> out;
	const ModuleFacts modules = moduleFacts(in);
	const Status ipsecMissing = facts.ipsec ? Status::Fatal : Status::Warn;
	out.push_back(checkModule(modules, "l2tp_ppp", Status::Fatal, "PPP over L2TP"));
	out.push_back(checkModule(modules, "l2tp_netlink", Status::Fatal, "L2TP tunnels and sessions"));
	out.push_back(checkModule(modules, "ppp_generic", Status::Fatal, "PPP"));
	out.push_back(checkModule(modules, "esp4", ipsecMissing, "ESP over IPv4"));
	out.push_back(checkModule(modules, "esp6", Status::Warn, "ESP over IPv6"));
	out.push_back(checkModule(modules, "xfrm_user", ipsecMissing, "IPsec SAs over netlink"));
	out.push_back(checkL2tpV3(modules, in.kernelConfig));
	// Without /proc/modules, assume the kernel can load it (the module check says it could not tell).
	const bool pppGeneric = !modules.loadedKnown || modules.builtin.contains("ppp_generic") ||
	                        modules.loaded.contains("ppp_generic") || modules.available.contains("ppp_generic");
	out.push_back(checkDevPpp(in.existingFiles, pppGeneric));
	out.push_back(checkPppd(in.existingFiles, facts.pppd));
	out.push_back(checkPppdPlugins(in.existingFiles, pppdPlugins(facts, plugin)));
	out.push_back(checkIpForward(in.ipForward));
	out.push_back(checkNatSharing(in.kernelRelease));
	std::vector<UdpSocket> sockets;
	if (in.udp4)
		sockets = parseProcNetUdp(*in.udp4, false);
	if (in.udp6)
		for (UdpSocket &s : parseProcNetUdp(*in.udp6, true))
			sockets.push_back(std::move(s));
	for (auto [port, use, needed] :
	     {std::tuple{uint16_t{500}, "IKE", facts.ipsec}, std::tuple{uint16_t{4500}, "IKE with NAT-T", facts.ipsec},
	      std::tuple{uint16_t{1701}, "L2TP", true}}) {
		if (in.udp4 || in.udp6) {
			out.push_back(checkPort(port, use, sockets, in.socketOwners, needed));
		} else {
			out.push_back(Finding{fmt::format("udp {}", port), Status::Skipped,
			                      "could not read /proc/net/udp", ""});
		}
	}
	out.push_back(checkFirewall(in.nftRuleset, in.iptablesSave, facts.ipsec));
	out.push_back(checkListen(facts, in.addresses));
	return out;
}

} // namespace l2tpsec::doctor
