#pragma once
// Internal to src/crypto/: Botan's names for our algorithm enums.

#include "crypto/hash.h"

#include <string>

namespace l2tpsec::crypto::detail {

/// Botan's HashFunction name ("SHA-256").
std::string botanHashName(HashAlgorithm alg);

} // namespace l2tpsec::crypto::detail
