#include "doctor/firewall_checks.h"

#include "doctor/text_lines.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

using nlohmann::json;

namespace l2tpsec::doctor {

namespace {

constexpr std::array<uint16_t, 3> kPorts{500, 4500, 1701};

bool isEsp(const json &v)
{
	if (v.is_string())
		return v == "esp";
	if (v.is_number_integer())
		return v == 50;
	if (v.is_object() && v.contains("set"))
		return std::any_of(v["set"].begin(), v["set"].end(), isEsp);
	return false;
}

// The ports a match's right side names: 500, {"set": [...]}, {"range": [a, b]}.
void nftPorts(const json &v, std::set<uint16_t> &out)
{
	if (v.is_number_integer()) {
		out.insert(v.get<uint16_t>());
	} else if (v.is_object() && v.contains("set")) {
		for (const json &e : v["set"])
			nftPorts(e, out);
	} else if (v.is_object() && v.contains("range") && v["range"].size() == 2 && v["range"][0].is_number() &&
	           v["range"][1].is_number()) {
		for (uint16_t p : kPorts)
			if (v["range"][0].get<int>() <= p && p <= v["range"][1].get<int>())
				out.insert(p);
	}
}

// What one accepting nft rule accepts of the needs; "*" for everything.
std::set<std::string> nftAccepted(const json &expr)
{
	std::set<uint16_t> ports;
	bool esp = false, udp = false, restricted = false, portMatch = false;
	for (const json &e : expr) {
		if (!e.contains("match")) {
			if (e.contains("counter") || e.contains("accept") || e.contains("log"))
				continue;
			restricted = true;
			continue;
		}
		const json &m = e["match"];
		const json left = m.value("left", json());
		const json right = m.value("right", json());
		if (const std::string op = m.value("op", "=="); op != "==" && op != "in") {
			restricted = true;
			continue;
		}
		if (left.contains("payload") && left["payload"].value("field", "") == "dport") {
			portMatch = true;
			nftPorts(right, ports);
			udp = udp || left["payload"].value("protocol", "") == "udp" ||
			      left["payload"].value("protocol", "") == "th";
		} else if ((left.contains("meta") && left["meta"].value("key", "") == "l4proto") ||
		           (left.contains("payload") && (left["payload"].value("field", "") == "protocol" ||
		                                         left["payload"].value("field", "") == "nexthdr"))) {
			if (isEsp(right))
				esp = true;
			else if (right == "udp" || right == 17)
				udp = true;
			else
				restricted = true;
		} else if ((left.contains("meta") && left["meta"].value("key", "") == "secpath") ||
		           left.contains("ipsec")) {
			// Decapsulated IPsec only: what udp 1701 should have.
		} else if (left.contains("ct") && left["ct"].value("key", "") == "state") {
			std::string s = right.dump();
			if (s.find("new") == std::string::npos)
				restricted = true;
		} else {
			restricted = true;
		}
	}
	std::set<std::string> out;
	if (restricted)
		return out;
	if (!portMatch && !esp && !udp)
		return {"*"};
	if (esp)
		out.insert("esp");
	if (portMatch && udp)
		for (uint16_t p : ports)
			out.insert(fmt::format("udp {}", p));
	return out;
}

std::string nftChainName(const json &c)
{
	return fmt::format("{} {} {}", c.value("family", ""), c.value("table", ""), c.value("name", ""));
}

bool coversAll(const std::set<std::string> &s)
{
	return s.contains("*");
}

} // namespace

std::vector<std::string> firewallNeeds(bool ipsec)
{
	if (ipsec)
		return {"udp 500", "udp 4500", "esp", "udp 1701"};
	return {"udp 1701"};
}

namespace {

Result<std::vector<DroppingChain>> nftDroppingChainsOf(std::string_view text)
{
	json j = json::parse(text, nullptr, false);
	if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array())
		return Error{EINVAL, "nft -j list ruleset: not an nftables JSON ruleset"};
	struct Chain {
		DroppingChain c;
		bool drops = false;
	};
	std::map<std::string, Chain> chains;
	for (const json &o : j["nftables"]) {
		if (!o.is_object() || !o.contains("chain"))
			continue;
		const json &c = o["chain"];
		if (!c.is_object() || c.value("hook", "") != "input")
			continue;
		// iptables-nft's own chain: iptables-save reads it with its matches.
		if (c.value("table", "") == "filter" && c.value("name", "") == "INPUT" &&
		    c.value("family", "") != "inet")
			continue;
		Chain &ch = chains[nftChainName(c)];
		ch.c.name = nftChainName(c);
		ch.drops = c.value("policy", "accept") == "drop";
	}
	for (const json &o : j["nftables"]) {
		if (!o.is_object() || !o.contains("rule"))
			continue;
		const json &r = o["rule"];
		if (!r.is_object())
			continue;
		std::string name =
		        fmt::format("{} {} {}", r.value("family", ""), r.value("table", ""), r.value("chain", ""));
		auto it = chains.find(name);
		if (it == chains.end() || !r.contains("expr") || !r["expr"].is_array())
			continue;
		const json &expr = r["expr"];
		auto has = [&expr](const char *k) {
			return std::any_of(expr.begin(), expr.end(), [k](const json &e) { return e.contains(k); });
		};
		if (has("accept")) {
			for (const std::string &a : nftAccepted(expr))
				it->second.c.accepts.insert(a);
		} else if (has("jump") || has("goto")) {
			it->second.c.jumps = true;
		} else if ((has("drop") || has("reject")) && !has("match")) {
			it->second.drops = true; // a catch-all drop at the end acts as the policy
		}
	}
	std::vector<DroppingChain> out;
	for (auto &[name, ch] : chains)
		if (ch.drops)
			out.push_back(ch.c);
	return out;
}

} // namespace

Result<std::vector<DroppingChain>> nftDroppingChains(std::string_view text)
{
	// A ruleset of another shape than nft(8)'s JSON schema: a key of the wrong type throws.
	try {
		return nftDroppingChainsOf(text);
	} catch (const json::exception &e) {
		return Error{EINVAL, std::string("nft -j list ruleset: unexpected JSON: ") + e.what()};
	}
}

std::vector<DroppingChain> iptablesDroppingChains(std::string_view text)
{
	DroppingChain input{"INPUT", {}, false};
	bool inFilter = false, drops = false;
	for (std::string_view line : lines(text)) {
		auto w = words(line);
		if (w.empty())
			continue;
		if (w[0].starts_with("*")) {
			inFilter = w[0] == "*filter";
			continue;
		}
		if (!inFilter)
			continue;
		if (w[0] == ":INPUT" && w.size() >= 2) {
			drops = w[1] == "DROP";
			continue;
		}
		if (w.size() < 2 || w[0] != "-A" || w[1] != "INPUT")
			continue;
		std::string target, proto;
		std::set<uint16_t> ports;
		bool restricted = false, portMatch = false;
		for (size_t i = 2; i < w.size(); i++) {
			std::string_view o = w[i];
			std::string_view v = i + 1 < w.size() ? w[i + 1] : std::string_view();
			if (o == "-j") {
				target = v;
				i++;
			} else if (o == "-p") {
				proto = v;
				i++;
			} else if (o == "--dport" || o == "--dports") {
				portMatch = true;
				for (std::string_view p = v; !p.empty();) {
					std::string_view one = p.substr(0, p.find(','));
					p = one.size() < p.size() ? p.substr(one.size() + 1) : std::string_view();
					std::string_view lo = one.substr(0, one.find(':'));
					std::string_view hi = one.find(':') == std::string_view::npos
					                              ? lo
					                              : one.substr(one.find(':') + 1);
					unsigned a = 0, b = 0;
					std::from_chars(lo.data(), lo.data() + lo.size(), a);
					std::from_chars(hi.data(), hi.data() + hi.size(), b);
					for (uint16_t want : kPorts)
						if (a <= want && want <= b)
							ports.insert(want);
				}
				i++;
			} else if (o == "-m" || o == "--dir" || o == "--pol" || o == "--ctstate" || o == "--state") {
				// -m udp/multiport/policy/conntrack; --dir in --pol ipsec; --ctstate NEW
				if ((o == "--ctstate" || o == "--state") && v.find("NEW") == std::string_view::npos)
					restricted = true;
				i++;
			} else if (o == "-c") {
				i += 2; // packet and byte counters (iptables-save -c)
			} else {
				restricted = true; // -i, -s, !, and anything else not followed
			}
		}
		if (target == "ACCEPT" && !restricted) {
			if (proto.empty() && !portMatch)
				input.accepts.insert("*");
			else if (proto == "esp" || proto == "50")
				input.accepts.insert("esp");
			else if (proto == "udp")
				for (uint16_t p : ports)
					input.accepts.insert(fmt::format("udp {}", p));
		} else if ((target == "DROP" || target == "REJECT") && proto.empty() && !portMatch && !restricted) {
			drops = true;
		} else if (!target.empty() && target != "ACCEPT" && target != "DROP" && target != "REJECT" &&
		           target != "LOG" && target != "RETURN") {
			input.jumps = true;
		}
	}
	if (!drops)
		return {};
	return {input};
}

namespace {

// How one tool spells the rules that accept each need.
struct RuleSpelling {
	std::string command; ///< up to the rule: "nft add rule inet filter input"
	std::string_view esp, l2tp, udpBefore, udpAfter;
};

RuleSpelling iptablesSpelling()
{
	return {"iptables -I INPUT", "-p esp -j ACCEPT", "-p udp --dport 1701 -m policy --dir in --pol ipsec -j ACCEPT",
	        "-p udp --dport ", " -j ACCEPT"};
}

RuleSpelling nftSpelling(const std::string &chain)
{
	return {"nft add rule " + chain, "meta l4proto esp accept", "meta ipsec exists udp dport 1701 accept",
	        "udp dport ", " accept"};
}

// The rules that would let `missing` through, as the admin types them.
std::string rulesToAdd(const RuleSpelling &r, const std::vector<std::string> &missing)
{
	std::string s;
	for (const std::string &m : missing) {
		std::string rule = m == "esp"        ? std::string(r.esp)
		                   : m == "udp 1701" ? std::string(r.l2tp)
		                                     : fmt::format("{}{}{}", r.udpBefore, m.substr(4), r.udpAfter);
		s += fmt::format("{}{} {}", s.empty() ? "" : "; ", r.command, rule);
	}
	return s;
}

} // namespace

Finding checkFirewall(const std::optional<std::string> &nftJson, const std::optional<std::string> &iptablesSave,
                      bool ipsec)
{
	Finding f{"firewall", Status::Ok, "", ""};
	if (!nftJson && !iptablesSave) {
		f.status = Status::Warn;
		f.why = "could not tell: neither nft -j list ruleset nor iptables-save answered";
		f.fix = "run l2tpctl doctor as root (both need CAP_NET_ADMIN)";
		return f;
	}
	std::vector<DroppingChain> chains;
	bool nft = false;
	if (nftJson) {
		auto c = nftDroppingChains(*nftJson);
		if (!c) {
			f.status = Status::Warn;
			f.why = "could not tell: " + c.error().message;
			f.fix = "check by hand: nft list ruleset";
			return f;
		}
		nft = !c->empty();
		chains = std::move(*c);
	}
	if (iptablesSave)
		for (DroppingChain &c : iptablesDroppingChains(*iptablesSave))
			chains.push_back(std::move(c));
	const std::vector<std::string> needs = firewallNeeds(ipsec);
	for (const DroppingChain &c : chains) {
		if (coversAll(c.accepts))
			continue;
		std::vector<std::string> missing;
		for (const std::string &n : needs)
			if (!c.accepts.contains(n))
				missing.push_back(n);
		if (missing.empty())
			continue;
		f.status = Status::Warn;
		f.why = fmt::format("input chain {} drops by default and accepts none of {}{}", c.name, joined(missing),
		                    c.jumps ? " (unless a chain it jumps to does: not followed)" : "");
		const bool isNft = nft && c.name != "INPUT";
		f.fix = rulesToAdd(isNft ? nftSpelling(c.name) : iptablesSpelling(), missing) +
		        " (RHEL with firewalld: firewall-cmd --permanent --add-service=ipsec --add-port=1701/udp && "
		        "firewall-cmd --reload)";
		return f;
	}
	f.why = chains.empty() ? "no input chain drops by default" : "the input chains accept " + joined(needs);
	return f;
}

} // namespace l2tpsec::doctor
