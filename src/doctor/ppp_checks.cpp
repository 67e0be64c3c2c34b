#include "doctor/ppp_checks.h"

#include "doctor/text_lines.h"

#include <fmt/format.h>

namespace l2tpsec::doctor {

Finding checkDevPpp(const std::set<std::string> &existing, bool pppGenericLoadable)
{
	Finding f{"/dev/ppp", Status::Ok, "present", ""};
	if (existing.contains("/dev/ppp"))
		return f;
	f.status = pppGenericLoadable ? Status::Warn : Status::Fatal;
	f.why = pppGenericLoadable ? "missing; pppd (as root) makes it when ppp_generic loads"
	                           : "missing, and the kernel has no ppp_generic: pppd cannot run";
	f.fix = "modprobe ppp_generic (it creates /dev/ppp, char 108 0)";
	return f;
}

Finding checkPppd(const std::set<std::string> &existing, const std::string &pppd)
{
	Finding f{"pppd", Status::Ok, pppd, ""};
	if (existing.contains(pppd))
		return f;
	f.status = Status::Fatal;
	f.why = fmt::format("{} is missing: no session can start", pppd);
	f.fix = "apt install ppp (RHEL: dnf install ppp), or set [ppp] pppd to where it is";
	return f;
}

Finding checkPppdPlugins(const std::set<std::string> &existing, const std::vector<std::string> &plugins)
{
	Finding f{"pppd plugins", Status::Ok, "", ""};
	std::vector<std::string> missing, names;
	for (const std::string &p : plugins) {
		names.push_back(p.substr(p.rfind('/') + 1));
		if (!existing.contains(p))
			missing.push_back(p);
	}
	f.why = "present: " + joined(names);
	if (!missing.empty()) {
		f.status = Status::Fatal;
		f.why = fmt::format("missing {}: pppd refuses to start without them", joined(missing));
		f.fix = "apt install ppp (RHEL: dnf install ppp), and install l2tpsec built for this pppd's version "
		        "(its package, or meson install)";
	}
	return f;
}

} // namespace l2tpsec::doctor
