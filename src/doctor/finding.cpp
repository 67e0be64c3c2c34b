#include "doctor/finding.h"

#include <algorithm>

namespace l2tpsec::doctor {

std::string_view statusName(Status s)
{
	switch (s) {
	case Status::Ok: return "ok";
	case Status::Info: return "info";
	case Status::Warn: return "warn";
	case Status::Fatal: return "fatal";
	case Status::Skipped: return "skipped";
	}
	return "?";
}

size_t countStatus(const std::vector<Finding> &findings, Status s)
{
	return static_cast<size_t>(
	        std::count_if(findings.begin(), findings.end(), [s](const Finding &f) { return f.status == s; }));
}

} // namespace l2tpsec::doctor
