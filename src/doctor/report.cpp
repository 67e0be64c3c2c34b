#include "doctor/report.h"

#include <fmt/format.h>

namespace l2tpsec::doctor {

std::string formatHuman(const std::vector<Finding> &findings)
{
	std::string s = fmt::format("{:<7}  {:<19}  {}\n", "STATUS", "CHECK", "WHY");
	for (const Finding &f : findings) {
		s += fmt::format("{:<7}  {:<19}  {}\n", statusName(f.status), f.check, f.why);
		if (!f.fix.empty())
			s += fmt::format("{:<7}  {:<19}  fix: {}\n", "", "", f.fix);
	}
	std::string summary;
	for (Status st : kStatuses)
		summary +=
		        fmt::format("{}{} {}", summary.empty() ? "" : ", ", countStatus(findings, st), statusName(st));
	return s + "\n" + summary + "\n";
}

nlohmann::json toJson(const std::vector<Finding> &findings)
{
	nlohmann::json list = nlohmann::json::array();
	for (const Finding &f : findings)
		list.push_back({{"check", f.check},
		                {"status", statusName(f.status)},
		                {"why", f.why},
		                {"fix", f.fix.empty() ? nlohmann::json() : nlohmann::json(f.fix)}});
	nlohmann::json summary = nlohmann::json::object();
	for (Status st : kStatuses)
		summary[std::string(statusName(st))] = countStatus(findings, st);
	return {{"findings", list}, {"summary", summary}};
}

} // namespace l2tpsec::doctor
