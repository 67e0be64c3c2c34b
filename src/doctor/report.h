#pragma once
// The doctor's findings for people (aligned columns, a "fix:" line under
// each one to act on, a summary) and for programs (JSON).

#include "doctor/finding.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace l2tpsec::doctor {

/// STATUS  CHECK  WHY, fixed widths, then "N ok, N info, ..." (l2tpctl(8)).
std::string formatHuman(const std::vector<Finding> &findings);

/// {"findings": [{check, status, why, fix}], "summary": {ok, info, warn,
/// fatal, skipped}}; fix is null when there is none.
nlohmann::json toJson(const std::vector<Finding> &findings);

} // namespace l2tpsec::doctor
