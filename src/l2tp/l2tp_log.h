#pragma once
// The log component of the L2TP engine's files (internal to src/l2tp/): one
// definition, so that the files can share a unity build's translation unit.

#include <string_view>

namespace l2tpsec::l2tp {

inline constexpr std::string_view kLog = "l2tp";

} // namespace l2tpsec::l2tp
