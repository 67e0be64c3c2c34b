#pragma once
// Random bytes from the kernel (getrandom(2) through Botan's System_RNG):
// cookies (RFC 2408 §2.5.3), nonces (RFC 2409 §5), SPIs, IVs, and DH
// private values (dh.h draws its own from the same source).

#include "common/result.h"
#include "crypto/secret_bytes.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::crypto {

/// Fills out. Fails only if the kernel's RNG does.
Result<void> randomFill(std::span<uint8_t> out);

/// n random bytes for public values (nonces, cookies, SPIs).
Result<std::vector<uint8_t>> randomBytes(size_t n);

/// n random bytes in wiped memory, for keys.
Result<SecretBytes> randomSecret(size_t n);

} // namespace l2tpsec::crypto
