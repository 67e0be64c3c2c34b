#pragma once
// Every algorithm l2tpsec negotiates or installs, one row each, with a
// column per vocabulary: the config's spelling ([ike] ike and esp,
// config/proposal_syntax.h), the IKE attribute values of phase 1 (RFC 2409
// Appendix A) and phase 2 (RFC 2407 §4.4.4, §4.5), the kernel's crypto API
// name for XFRM, Botan's name and the name in logs. The config parser, the
// proposal code in ike/, the XFRM names in kernel/ and the Botan calls in
// crypto/ all look up here, so a new row is a new name everywhere.
//
// A zero id means "not in that phase": sha256_96 has no phase-1 hash, GCM no
// phase-1 cipher, the null cipher (kernel tests only) is never negotiated.

#include "algorithms/algorithm_enums.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace l2tpsec::algorithms {

struct CipherRow {
	std::string_view config;      ///< "aes128"; empty: not in the config
	std::optional<CbcCipher> cbc; ///< the phase-1 (ISAKMP) cipher, if IKE may use it
	uint16_t ikeId;               ///< RFC 2409 App. A Encryption Algorithm
	uint16_t ikeKeyBits;          ///< phase 1 Key Length attribute; 0: fixed length, none sent
	uint8_t blockBytes;           ///< CBC block and IV (phase 1)
	std::string_view botan;       ///< Botan Cipher_Mode (phase 1)
	std::string_view logName;     ///< crypto::cipherName(): "AES-CBC-128"
	EspCipher esp;
	uint8_t espId;         ///< RFC 2407 §4.4.4 ESP transform id (RFC 3602, RFC 4106)
	uint8_t keyBytes;      ///< cipher key, without the salt
	uint8_t saltBytes;     ///< GCM's salt after the key in KEYMAT (RFC 4106 §8.1)
	bool espKeyLength;     ///< phase 2 sends a Key Length attribute
	bool aead;             ///< integrity included: the ESP proposal names none
	std::string_view xfrm; ///< the kernel crypto API's name
};

struct IntegrityRow {
	std::string_view config;           ///< "sha256"
	std::optional<HashAlgorithm> hash; ///< phase-1 hash and PRF (RFC 2409 §4); none: ESP only
	uint16_t ikeId;                    ///< RFC 2409 App. A Hash Algorithm, RFC 4868 §4
	uint8_t digestBytes;               ///< the hash's output
	std::string_view botan;            ///< Botan HashFunction
	std::string_view logName;          ///< crypto::hashName(): "SHA2-256"
	EspIntegrity esp;
	uint16_t espAuthId;    ///< RFC 2407 §4.5 Authentication Algorithm, RFC 4868 §2.4
	uint8_t espKeyBytes;   ///< HMAC key from KEYMAT
	std::string_view xfrm; ///< the kernel crypto API's name
	uint16_t truncBits;    ///< ICV length
};

struct GroupRow {
	std::string_view config; ///< "modp2048"
	DhGroup group;
	uint16_t id;              ///< IANA Group Description, phase 1 and 2 (= the enum's value)
	std::string_view botan;   ///< Botan DL_Group or EC_Group name
	std::string_view logName; ///< crypto::dhGroupName(), strongSwan's spelling
	bool ecp;                 ///< RFC 5903: public value x | y, secret x
	uint16_t secretBytes;     ///< g^xy: the prime's or the field's length
};

// The orders are those of the lists in l2tpsec.conf(5). Lookups are by key,
// with one exception: a received Authentication Algorithm value is logged
// with its first row's name, so sha256 stays before sha256_96.

inline constexpr std::array kCiphers{
        CipherRow{"aes128", CbcCipher::Aes128, 7, 128, 16, "AES-128/CBC/NoPadding", "AES-CBC-128", EspCipher::AesCbc,
                  12, 16, 0, true, false, "cbc(aes)"},
        CipherRow{"aes192", CbcCipher::Aes192, 7, 192, 16, "AES-192/CBC/NoPadding", "AES-CBC-192", EspCipher::AesCbc,
                  12, 24, 0, true, false, "cbc(aes)"},
        CipherRow{"aes256", CbcCipher::Aes256, 7, 256, 16, "AES-256/CBC/NoPadding", "AES-CBC-256", EspCipher::AesCbc,
                  12, 32, 0, true, false, "cbc(aes)"},
        CipherRow{"3des", CbcCipher::TripleDes, 5, 0, 8, "TripleDES/CBC/NoPadding", "3DES-CBC", EspCipher::TripleDesCbc,
                  3, 24, 0, false, false, "cbc(des3_ede)"},
        CipherRow{"aes128gcm16", std::nullopt, 0, 0, 0, "", "", EspCipher::AesGcm16, 20, 16, 4, true, true,
                  "rfc4106(gcm(aes))"},
        CipherRow{"aes256gcm16", std::nullopt, 0, 0, 0, "", "", EspCipher::AesGcm16, 20, 32, 4, true, true,
                  "rfc4106(gcm(aes))"},
        CipherRow{"", std::nullopt, 0, 0, 0, "", "", EspCipher::Null, 0, 0, 0, false, false, "ecb(cipher_null)"},
};

// sha256 and sha256_96 are one Authentication Algorithm value: the config's
// order decides which truncation the kernel gets (ike/proposals.h, EspSuite).
inline constexpr std::array kIntegrities{
        IntegrityRow{"sha1", HashAlgorithm::Sha1, 2, 20, "SHA-1", "SHA1", EspIntegrity::HmacSha1_96, 2, 20,
                     "hmac(sha1)", 96},
        IntegrityRow{"sha256", HashAlgorithm::Sha256, 4, 32, "SHA-256", "SHA2-256", EspIntegrity::HmacSha256_128, 5, 32,
                     "hmac(sha256)", 128},
        IntegrityRow{"sha384", HashAlgorithm::Sha384, 5, 48, "SHA-384", "SHA2-384", EspIntegrity::HmacSha384_192, 6, 48,
                     "hmac(sha384)", 192},
        IntegrityRow{"sha512", HashAlgorithm::Sha512, 6, 64, "SHA-512", "SHA2-512", EspIntegrity::HmacSha512_256, 7, 64,
                     "hmac(sha512)", 256},
        IntegrityRow{"md5", HashAlgorithm::Md5, 1, 16, "MD5", "MD5", EspIntegrity::HmacMd5_96, 1, 16, "hmac(md5)", 96},
        // Android 6/7 truncate HMAC-SHA-256 to 96 bits (legacy profile).
        IntegrityRow{"sha256_96", std::nullopt, 0, 0, "", "", EspIntegrity::HmacSha256_96, 5, 32, "hmac(sha256)", 96},
};

// "modp/ietf/N" are exactly the RFC 2409 §6.2 / RFC 3526 primes with
// generator 2 (the known-answer tests pin them).
inline constexpr std::array kGroups{
        GroupRow{"modp1024", DhGroup::Modp1024, 2, "modp/ietf/1024", "MODP_1024", false, 128},
        GroupRow{"modp1536", DhGroup::Modp1536, 5, "modp/ietf/1536", "MODP_1536", false, 192},
        GroupRow{"modp2048", DhGroup::Modp2048, 14, "modp/ietf/2048", "MODP_2048", false, 256},
        GroupRow{"modp3072", DhGroup::Modp3072, 15, "modp/ietf/3072", "MODP_3072", false, 384},
        GroupRow{"modp4096", DhGroup::Modp4096, 16, "modp/ietf/4096", "MODP_4096", false, 512},
        GroupRow{"ecp256", DhGroup::Ecp256, 19, "secp256r1", "ECP_256", true, 32},
        GroupRow{"ecp384", DhGroup::Ecp384, 20, "secp384r1", "ECP_384", true, 48},
};

/// The first row of `rows` that satisfies pred, or nullptr.
template <typename Row, size_t N, typename Pred>
constexpr const Row *findRow(const std::array<Row, N> &rows, Pred pred)
{
	auto it = std::find_if(rows.begin(), rows.end(), pred);
	return it == rows.end() ? nullptr : &*it;
}

/// The row of an enum value that the table must have (the unit tests walk
/// every value); a missing one is a bug, not an input.
template <typename Row>
constexpr const Row &existing(const Row *row)
{
	if (!row)
		std::abort();
	return *row;
}

/// The row the config calls `name`; "" names none (the rows no config spells).
template <typename Row, size_t N>
constexpr const Row *byConfigName(const std::array<Row, N> &rows, std::string_view name)
{
	return name.empty() ? nullptr : findRow(rows, [&](const Row &r) { return r.config == name; });
}

// ---- ciphers ----

constexpr const CipherRow *cipherByConfig(std::string_view name)
{
	return byConfigName(kCiphers, name);
}
constexpr const CipherRow &cipherRow(CbcCipher c)
{
	return existing(findRow(kCiphers, [&](const CipherRow &r) { return r.cbc == c; }));
}
/// The ESP cipher with that key length, if phase 2 negotiates it.
constexpr const CipherRow *cipherByEsp(EspCipher c, size_t keyBytes)
{
	return findRow(kCiphers,
	               [&](const CipherRow &r) { return r.espId != 0 && r.esp == c && r.keyBytes == keyBytes; });
}
/// Any row of the ESP cipher, for what does not depend on the key length
/// (XFRM's name); nullptr for a value outside the enum.
constexpr const CipherRow *cipherByEsp(EspCipher c)
{
	return findRow(kCiphers, [&](const CipherRow &r) { return r.esp == c; });
}

// ---- hashes and integrity ----

constexpr const IntegrityRow *integrityByConfig(std::string_view name)
{
	return byConfigName(kIntegrities, name);
}
constexpr const IntegrityRow &integrityRow(HashAlgorithm h)
{
	return existing(findRow(kIntegrities, [&](const IntegrityRow &r) { return r.hash == h; }));
}
/// The row of an ESP integrity algorithm; nullptr for None.
constexpr const IntegrityRow *integrityByEsp(EspIntegrity i)
{
	return findRow(kIntegrities, [&](const IntegrityRow &r) { return r.esp == i; });
}
/// The phase-1 hash with that Hash Algorithm value, if we have it.
constexpr const IntegrityRow *hashByIkeId(uint16_t id)
{
	return findRow(kIntegrities, [&](const IntegrityRow &r) { return r.hash && r.ikeId == id; });
}

// ---- groups ----

constexpr const GroupRow *groupByConfig(std::string_view name)
{
	return byConfigName(kGroups, name);
}
constexpr const GroupRow &groupRow(DhGroup g)
{
	return existing(findRow(kGroups, [&](const GroupRow &r) { return r.group == g; }));
}
/// The group with that IANA number, if we have it.
constexpr const GroupRow *groupById(uint16_t id)
{
	return findRow(kGroups, [&](const GroupRow &r) { return r.id == id; });
}

} // namespace l2tpsec::algorithms
