#pragma once
// The log component of the IKE engine's files (internal to src/ike/): one
// definition, so that the files can share a unity build's translation unit.

#include <string_view>

namespace l2tpsec::ike {

inline constexpr std::string_view kLog = "ike";

} // namespace l2tpsec::ike
