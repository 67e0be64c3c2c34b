#pragma once
// The hash functions IKEv1 negotiates (RFC 2409 Appendix A "Hash Algorithm",
// SHA-2 from RFC 4868), as plain digests: the phase-1 and phase-2 IVs
// (RFC 2409 Appendix B) and NAT-D (RFC 3947 §3.2) hash without a key. The
// keyed PRF built on them is in prf.h.

#include "algorithms/algorithm_enums.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto {

using algorithms::HashAlgorithm;

/// Digest length in bytes (16, 20, 32, 48, 64).
size_t hashLength(HashAlgorithm alg);

/// "MD5", "SHA1", "SHA2-256", ... for logs.
std::string_view hashName(HashAlgorithm alg);

/// The digest of the concatenation of parts. Infallible: every algorithm
/// above is checked at build time (hash.cpp).
std::vector<uint8_t> hash(HashAlgorithm alg, std::initializer_list<std::span<const uint8_t>> parts);

} // namespace l2tpsec::crypto
