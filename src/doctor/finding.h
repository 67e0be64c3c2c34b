#pragma once
// One result of `l2tpctl doctor` (l2tpctl(8), DOCTOR): what was checked, how
// it stands, one line of why and, unless it is fine, one line of how to fix
// it. Every check in this module is a pure function that returns Findings.

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::doctor {

/// Ok: fine. Info: worth knowing, nothing to fix. Warn: works, but badly or
/// not for everyone, or the doctor could not tell. Fatal: l2tpsecd cannot
/// serve until it is fixed. Skipped: not checked (no input, or not needed).
enum class Status { Ok, Info, Warn, Fatal, Skipped };

inline constexpr std::array kStatuses{Status::Ok, Status::Info, Status::Warn, Status::Fatal, Status::Skipped};

std::string_view statusName(Status s);

struct Finding {
	std::string check;
	Status status = Status::Ok;
	std::string why;
	std::string fix; ///< empty for ok, info and skipped
	bool operator==(const Finding &) const = default;
};

/// How many findings have status `s`.
size_t countStatus(const std::vector<Finding> &findings, Status s);

} // namespace l2tpsec::doctor
