#pragma once
// PPP's side: /dev/ppp, the pppd l2tpsecd runs, and the plugins it loads
// into it (pppol2tp.so always, l2tpsec-pppd.so, radius.so with [radius],
// passwordfd.so for [[lac]] profiles; see src/ppp/pppd_command.cpp).

#include "doctor/finding.h"

#include <set>
#include <string>
#include <vector>

namespace l2tpsec::doctor {

/// /dev/ppp; `pppGenericLoadable`: the kernel can load ppp_generic, whose
/// node pppd makes itself when it is missing.
Finding checkDevPpp(const std::set<std::string> &existing, bool pppGenericLoadable);

/// The pppd binary ([ppp] pppd).
Finding checkPppd(const std::set<std::string> &existing, const std::string &pppd);

/// The plugins, each a full path, which must all be in `existing`.
Finding checkPppdPlugins(const std::set<std::string> &existing, const std::vector<std::string> &plugins);

} // namespace l2tpsec::doctor
