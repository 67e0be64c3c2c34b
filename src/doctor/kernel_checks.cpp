#include "doctor/kernel_checks.h"

#include "common/kernel_release.h"
#include "doctor/text_lines.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace l2tpsec::doctor {

namespace {

// Where the distributions keep the modules the stock kernel leaves out.
constexpr std::string_view kModuleFix =
        "Debian: apt install linux-image-amd64 and boot it; Ubuntu: apt install linux-modules-extra-$(uname -r); "
        "RHEL: dnf install kernel-modules-extra";

bool hasModule(const ModuleFacts &f, const std::string &name)
{
	return f.loaded.contains(name) || f.builtin.contains(name) || f.available.contains(name);
}

} // namespace

std::string moduleName(std::string_view name)
{
	std::string s(name);
	std::replace(s.begin(), s.end(), '-', '_');
	return s;
}

std::set<std::string> parseProcModules(std::string_view text)
{
	std::set<std::string> names;
	for (std::string_view line : lines(text))
		if (auto w = words(line); !w.empty())
			names.insert(moduleName(w[0]));
	return names;
}

std::set<std::string> parseModulePaths(std::string_view text)
{
	std::set<std::string> names;
	for (std::string_view line : lines(text)) {
		std::string_view path = line.substr(0, line.find(':'));
		path = path.substr(path.rfind('/') + 1); // npos + 1 == 0
		size_t ko = path.find(".ko");
		if (ko == std::string_view::npos || ko == 0)
			continue;
		names.insert(moduleName(path.substr(0, ko)));
	}
	return names;
}

void parseModprobeConf(const TextFile &file, std::map<std::string, std::string> &disabled)
{
	for (std::string_view line : lines(file.text)) {
		auto w = words(line.substr(0, line.find('#')));
		bool blacklist = w.size() == 2 && w[0] == "blacklist";
		// "install X /bin/false" (or true): modprobe runs that instead.
		bool noop = w.size() == 3 && w[0] == "install" &&
		            (w[2] == "/bin/false" || w[2] == "/bin/true" || w[2] == "/usr/bin/false" ||
		             w[2] == "/usr/bin/true");
		if (blacklist || noop)
			disabled.emplace(moduleName(w[1]), fmt::format("{}: {}", file.path, trim(line)));
	}
}

std::optional<std::string> kernelConfigValue(std::string_view config, std::string_view key)
{
	const std::string notSet = fmt::format("# {} is not set", key);
	const std::string prefix = fmt::format("{}=", key);
	for (std::string_view line : lines(config)) {
		line = trim(line);
		if (line == notSet)
			return "n";
		if (line.starts_with(prefix))
			return std::string(line.substr(prefix.size()));
	}
	return std::nullopt;
}

ModuleFacts moduleFacts(const HostInputs &in)
{
	ModuleFacts f;
	f.release = in.kernelRelease.empty() ? "(unknown)" : in.kernelRelease;
	if (in.procModules) {
		f.loadedKnown = true;
		f.loaded = parseProcModules(*in.procModules);
	}
	if (in.modulesBuiltin)
		f.builtin = parseModulePaths(*in.modulesBuiltin);
	if (in.modulesDep)
		f.available = parseModulePaths(*in.modulesDep);
	for (const TextFile &conf : in.modprobeConfs)
		parseModprobeConf(conf, f.disabled);
	return f;
}

Finding checkModule(const ModuleFacts &facts, std::string_view name, Status missing, std::string_view role)
{
	const std::string n = moduleName(name);
	Finding f{fmt::format("module {}", n), Status::Ok, "", ""};
	auto disabled = facts.disabled.find(n);
	if (facts.builtin.contains(n)) {
		f.why = fmt::format("built into kernel {} ({})", facts.release, role);
		return f;
	}
	if (!facts.loadedKnown) {
		f.status = Status::Skipped;
		f.why = "could not read /proc/modules";
		return f;
	}
	if (facts.loaded.contains(n)) {
		f.why = fmt::format("loaded ({})", role);
		if (disabled != facts.disabled.end()) {
			f.status = Status::Warn;
			f.why = fmt::format("loaded now, but {} keeps it from loading after a reboot",
			                    disabled->second);
			f.fix = fmt::format("delete that line from {}",
			                    disabled->second.substr(0, disabled->second.find(':')));
		}
		return f;
	}
	if (!facts.available.contains(n)) {
		f.status = missing;
		f.why = fmt::format("kernel {} has no {} (not loaded, not built in, no {}.ko): {}", facts.release, n, n,
		                    role);
		f.fix = std::string(kModuleFix);
		return f;
	}
	if (disabled != facts.disabled.end()) {
		f.status = missing;
		f.why = fmt::format("not loaded, and {} keeps the kernel from loading it ({})", disabled->second, role);
		f.fix = fmt::format("delete that line from {}, then: modprobe {}",
		                    disabled->second.substr(0, disabled->second.find(':')), n);
		return f;
	}
	f.why = fmt::format("not loaded; the kernel loads it on first use ({})", role);
	return f;
}

Finding checkL2tpV3(const ModuleFacts &facts, const std::optional<std::string> &kernelConfig)
{
	Finding f{"kernel L2TP_V3", Status::Ok, "", ""};
	std::optional<std::string> v;
	if (kernelConfig)
		v = kernelConfigValue(*kernelConfig, "CONFIG_L2TP_V3");
	if (v && (*v == "y" || *v == "m")) {
		f.why = fmt::format("CONFIG_L2TP_V3={}: PPP sessions can be made over netlink", *v);
		return f;
	}
	if (v) {
		f.status = Status::Fatal;
		f.why = fmt::format("kernel {} is built without CONFIG_L2TP_V3: no PPP sessions over netlink",
		                    facts.release);
		f.fix = "boot a kernel with CONFIG_L2TP_V3=y (the stock kernels of Debian, Ubuntu and RHEL have it)";
		return f;
	}
	// l2tp_ip (L2TPv3 over IP) is only built with CONFIG_L2TP_V3.
	if (hasModule(facts, "l2tp_ip")) {
		f.why = "l2tp_ip is present, which only a kernel with CONFIG_L2TP_V3 has";
		return f;
	}
	f.status = Status::Warn;
	f.why = fmt::format("could not tell: no CONFIG_L2TP_V3 in /boot/config-{} and no l2tp_ip module",
	                    facts.release);
	f.fix = fmt::format("check: grep CONFIG_L2TP_V3 /boot/config-{} (it must be y)", facts.release);
	return f;
}

Finding checkNatSharing(const std::string &release)
{
	Finding f{"nat_sharing", Status::Ok, "", ""};
	if (release.empty() || !releaseAtLeast(release, 0, 0)) {
		f.status = Status::Skipped;
		f.why = "could not read the kernel's release";
	} else if (l2tpTunnelsMayShareAddressPort(release)) {
		f.why = fmt::format("Linux {}: several clients behind one NAT, all sending L2TP from port 1701 "
		                    "(Windows), are served at once",
		                    release);
	} else {
		f.status = Status::Info;
		f.why = fmt::format("Linux {}: one client per NAT address sending L2TP from port 1701 (Windows); "
		                    "a second one behind the same NAT is refused (several need Linux 6.10 or later)",
		                    release);
		f.fix = "a kernel of 6.10 or later (Debian 12: apt install linux-image-6.12-amd64), then reboot";
	}
	return f;
}

Finding checkIpForward(const std::optional<std::string> &value)
{
	Finding f{"ip_forward", Status::Ok, "", ""};
	std::string_view v = value ? trim(*value) : std::string_view();
	if (v == "1") {
		f.why = "net.ipv4.ip_forward = 1: clients reach the networks behind this host";
	} else if (v == "0") {
		f.status = Status::Warn;
		f.why = "net.ipv4.ip_forward = 0: VPN clients reach this host only, not the networks behind it";
		f.fix = "sysctl -w net.ipv4.ip_forward=1 && echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-l2tpsec.conf";
	} else {
		f.status = Status::Skipped;
		f.why = "could not read /proc/sys/net/ipv4/ip_forward";
	}
	return f;
}

} // namespace l2tpsec::doctor
