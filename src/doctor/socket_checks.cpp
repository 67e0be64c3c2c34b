#include "doctor/socket_checks.h"

#include "doctor/text_lines.h"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <array>
#include <charconv>

namespace l2tpsec::doctor {

namespace {

std::optional<uint64_t> hexNumber(std::string_view s)
{
	uint64_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
	if (ec != std::errc() || end != s.data() + s.size() || s.empty())
		return std::nullopt;
	return v;
}

// The kernel prints the address as 32-bit words in host order (%08X each).
std::optional<std::string> procAddress(std::string_view hex, bool v6)
{
	const size_t words = v6 ? 4 : 1;
	if (hex.size() != words * 8)
		return std::nullopt;
	std::array<uint32_t, 4> raw{};
	for (size_t i = 0; i < words; i++) {
		auto w = hexNumber(hex.substr(i * 8, 8));
		if (!w)
			return std::nullopt;
		raw[i] = static_cast<uint32_t>(*w);
	}
	char text[INET6_ADDRSTRLEN] = {};
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, raw.data(), text, sizeof text))
		return std::nullopt;
	return std::string(text);
}

struct Holder {
	std::string_view process;
	std::string_view what;
	std::string_view fix;
};

// The daemons that hold these ports on a stock system.
constexpr std::array kKnownHolders{
        Holder{"charon", "strongSwan's IKE daemon",
               "systemctl disable --now strongswan-starter strongswan (RHEL: systemctl disable --now strongswan)"},
        Holder{"charon-systemd", "strongSwan's IKE daemon",
               "systemctl disable --now strongswan (Debian 11 and older: strongswan-swanctl)"},
        Holder{"pluto", "libreswan's IKE daemon", "systemctl disable --now ipsec"},
        Holder{"racoon", "ipsec-tools' IKE daemon", "systemctl disable --now racoon"},
        Holder{"xl2tpd", "the xl2tpd L2TP daemon", "systemctl disable --now xl2tpd"},
        Holder{"openl2tpd", "the OpenL2TP daemon", "systemctl disable --now openl2tp"},
};

} // namespace

std::vector<UdpSocket> parseProcNetUdp(std::string_view text, bool v6)
{
	std::vector<UdpSocket> out;
	for (std::string_view line : lines(text)) {
		auto w = words(line);
		// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ...
		if (w.size() < 10 || w[0] == "sl")
			continue;
		size_t colon = w[1].find(':');
		if (colon == std::string_view::npos)
			continue;
		auto address = procAddress(w[1].substr(0, colon), v6);
		auto port = hexNumber(w[1].substr(colon + 1));
		uint64_t inode = 0;
		auto [end, ec] = std::from_chars(w[9].data(), w[9].data() + w[9].size(), inode);
		if (!address || !port || *port > 65535 || ec != std::errc() || end != w[9].data() + w[9].size())
			continue;
		out.push_back(UdpSocket{*address, static_cast<uint16_t>(*port), inode});
	}
	return out;
}

Finding checkPort(uint16_t port, std::string_view use, const std::vector<UdpSocket> &sockets,
                  const std::map<uint64_t, std::string> &owners, bool needed)
{
	Finding f{fmt::format("udp {}", port), Status::Ok, "", ""};
	std::vector<std::string> ours;
	for (const UdpSocket &s : sockets) {
		if (s.port != port)
			continue;
		const std::string where = s.address.find(':') != std::string::npos
		                                  ? fmt::format("[{}]:{}", s.address, port)
		                                  : fmt::format("{}:{}", s.address, port);
		auto owner = owners.find(s.inode);
		if (owner == owners.end()) {
			if (f.status == Status::Ok) {
				f.status = Status::Warn;
				f.why = fmt::format("{} is held by a process this user cannot see", where);
				f.fix = "run l2tpctl doctor as root to name it";
			}
			continue;
		}
		if (owner->second == "l2tpsecd") {
			ours.push_back(where);
			continue;
		}
		const Holder *known = nullptr;
		for (const Holder &h : kKnownHolders)
			if (owner->second == h.process)
				known = &h;
		f.status = needed ? Status::Fatal : Status::Warn;
		f.why = fmt::format("{} is held by {} ({}): l2tpsecd cannot bind {}", where, owner->second,
		                    known ? known->what : "not l2tpsecd", use);
		f.fix = known ? std::string(known->fix)
		              : fmt::format("stop {}, or give l2tpsecd another address in [server] listen",
		                            owner->second);
		return f;
	}
	if (f.status != Status::Ok)
		return f;
	if (!ours.empty())
		f.why = fmt::format("held by l2tpsecd ({})", ours.front());
	else
		f.why = fmt::format("free for {}", use);
	return f;
}

} // namespace l2tpsec::doctor
