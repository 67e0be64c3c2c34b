#pragma once
// The algorithms l2tpsec implements, as enums. They live below crypto/ and
// kernel/ (which re-export them as crypto::HashAlgorithm, kernel::EspCipher,
// ...) so that one table, algorithm_table.h, can name each algorithm in every
// vocabulary: the config's, IKE's, the kernel's and Botan's.

#include <cstdint>

namespace l2tpsec::algorithms {

/// The hash functions IKEv1 negotiates (RFC 2409 Appendix A "Hash
/// Algorithm", SHA-2 from RFC 4868). The values index per-algorithm caches
/// in crypto/.
enum class HashAlgorithm : uint8_t {
	Md5,
	Sha1,
	Sha256,
	Sha384,
	Sha512,
};

/// The block ciphers IKEv1 encrypts its messages with, in CBC mode.
enum class CbcCipher : uint8_t {
	Aes128,
	Aes192,
	Aes256,
	TripleDes, ///< DES-EDE3, three independent 8-byte keys (RFC 2451)
};

/// The supported Diffie-Hellman groups; the values are the IANA "Group
/// Description" numbers that the SA attributes carry (RFC 2409 Appendix A).
enum class DhGroup : uint16_t {
	Modp1024 = 2,
	Modp1536 = 5,
	Modp2048 = 14,
	Modp3072 = 15,
	Modp4096 = 16,
	Ecp256 = 19,
	Ecp384 = 20,
};

/// ESP ciphers the stock clients use (doc/clients.md).
enum class EspCipher {
	AesCbc,       ///< cbc(aes); key 16, 24 or 32 bytes
	TripleDesCbc, ///< cbc(des3_ede); key 24 bytes
	AesGcm16,     ///< rfc4106(gcm(aes)), 128-bit ICV; key 16 or 32 bytes + 4 bytes salt
	Null,         ///< ecb(cipher_null); tests only
};

enum class EspIntegrity {
	None,           ///< only with AesGcm16
	HmacMd5_96,     ///< hmac(md5), 96-bit ICV
	HmacSha1_96,    ///< hmac(sha1), 96-bit ICV
	HmacSha256_128, ///< hmac(sha256), 128-bit ICV (RFC 4868)
	HmacSha256_96,  ///< hmac(sha256) truncated to 96 bits (Android 6/7)
	HmacSha384_192, ///< hmac(sha384), 192-bit ICV
	HmacSha512_256, ///< hmac(sha512), 256-bit ICV
};

} // namespace l2tpsec::algorithms
