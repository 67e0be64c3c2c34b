#pragma once
// Comparison of secrets (MACs, challenge responses) in time that does not
// depend on where the first difference is.

#include <cstdint>
#include <span>

namespace l2tpsec::crypto {

/// True when a and b have the same length and the same bytes. Only the
/// lengths (which are public) may end the comparison early.
bool constantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);

} // namespace l2tpsec::crypto
