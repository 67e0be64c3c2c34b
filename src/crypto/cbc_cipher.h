#pragma once
// The block ciphers IKEv1 encrypts its messages with, in CBC mode
// (RFC 2409 §5.3 and Appendix B; AES per RFC 3602). Only whole blocks, no
// padding: ISAKMP pads the payloads itself (RFC 2408 §3.5: zero padding up
// to the block size), and the caller chains IVs across messages
// (Appendix B: the next IV is the last ciphertext block).

#include "algorithms/algorithm_enums.h"
#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto {

using algorithms::CbcCipher;

/// Key length in bytes: 16, 24, 32, 24.
size_t cipherKeyLength(CbcCipher c);
/// Block (and IV) length in bytes: 16 for AES, 8 for 3DES.
size_t cipherBlockSize(CbcCipher c);
/// "AES-CBC-128", ..., "3DES-CBC" for logs.
std::string_view cipherName(CbcCipher c);

/// Encrypts whole blocks. Fails on a wrong key or IV length, or input that
/// is not a multiple of the block size.
Result<std::vector<uint8_t>> cbcEncrypt(CbcCipher c, std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                        std::span<const uint8_t> plaintext);

/// Decrypts whole blocks, with the same checks.
Result<std::vector<uint8_t>> cbcDecrypt(CbcCipher c, std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                        std::span<const uint8_t> ciphertext);

} // namespace l2tpsec::crypto
