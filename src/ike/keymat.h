#pragma once
// IKEv1 key material and authentication hashes, RFC 2409 §5 and Appendix B.
//
// Pure functions over bytes: the engine keeps the state (which exchange,
// which IV is current) and passes the pieces in. Naming follows the RFC:
// "_b" is a payload's body without its generic header, g^xi / g^xr are the
// KE payload bodies (as crypto::DhKeyPair::publicValue() gives them), g^xy
// is crypto::DhKeyPair::sharedSecret(). "prf" is the negotiated PRF: the
// HMAC of the negotiated hash (RFC 2409 §4); "hash" is the hash itself.
//
// The PRF-based functions return Result because Prf::create() does (a key
// HMAC cannot take, i.e. a pre-shared key over 4096 bytes); for the keys
// derived here that cannot happen. The IV functions only hash: infallible.

#include "common/result.h"
#include "crypto/cbc_cipher.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"
#include "ike/codec/isakmp_types.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::ike {

// Bytes (a span of const bytes) comes from isakmp_types.h.

// ---- Phase 1 (RFC 2409 §5) ----

/// SKEYID for pre-shared key authentication: prf(pre-shared-key, Ni_b | Nr_b).
Result<crypto::SecretBytes> skeyidPreSharedKey(crypto::HashAlgorithm prf, Bytes preSharedKey, Bytes niB, Bytes nrB);

/// SKEYID for signature authentication: prf(Ni_b | Nr_b, g^xy).
Result<crypto::SecretBytes> skeyidSignature(crypto::HashAlgorithm prf, Bytes niB, Bytes nrB, Bytes gxy);

struct Phase1Keys {
	crypto::SecretBytes skeyid;
	crypto::SecretBytes skeyidD; ///< derives phase-2 KEYMAT
	crypto::SecretBytes skeyidA; ///< keys the phase-2 / Informational HASHes
	crypto::SecretBytes skeyidE; ///< derives the ISAKMP SA's cipher key
};

/// RFC 2409 §5:
///   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
///   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
///   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
Result<Phase1Keys> derivePhase1Keys(crypto::HashAlgorithm prf, crypto::SecretBytes skeyid, Bytes gxy,
                                    const Cookie &ckyI, const Cookie &ckyR);

/// The ISAKMP SA's cipher key from SKEYID_e (RFC 2409 Appendix B): the
/// first bytes of SKEYID_e when the PRF output is long enough, else the
/// first bytes of K1 | K2 | ... with K1 = prf(SKEYID_e, 0) (one zero octet)
/// and Kn = prf(SKEYID_e, Kn-1). AES-256 and 3DES with SHA-1 or MD5 take the
/// expansion.
Result<crypto::SecretBytes> phase1EncryptionKey(crypto::HashAlgorithm prf, Bytes skeyidE, crypto::CbcCipher cipher);

/// The first phase-1 IV (Appendix B): hash(g^xi | g^xr), truncated to the
/// cipher's block size. Later phase-1 messages chain: the IV is the last
/// ciphertext block of the previous message.
std::vector<uint8_t> phase1Iv(crypto::HashAlgorithm hash, crypto::CbcCipher cipher, Bytes gxi, Bytes gxr);

/// Main Mode / Aggressive Mode authentication (RFC 2409 §5):
///   HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
/// SAi_b is the initiator's SA payload body as sent in its first message
/// (DOI, situation and every proposal), whoever computes the hash.
Result<std::vector<uint8_t>> mainModeHashI(crypto::HashAlgorithm prf, Bytes skeyid, Bytes gxi, Bytes gxr,
                                           const Cookie &ckyI, const Cookie &ckyR, Bytes saiB, Bytes idiiB);

///   HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
/// Arguments are passed in initiator/responder order as for mainModeHashI;
/// the function does the swapping.
Result<std::vector<uint8_t>> mainModeHashR(crypto::HashAlgorithm prf, Bytes skeyid, Bytes gxi, Bytes gxr,
                                           const Cookie &ckyI, const Cookie &ckyR, Bytes saiB, Bytes idirB);

// ---- Phase 2 and Informational (RFC 2409 §5.5, §5.7, Appendix B) ----

/// The first IV of a phase-2 or Informational exchange (Appendix B):
/// hash(last phase-1 CBC output block | M-ID), truncated to the block size.
/// lastPhase1Block is the last ciphertext block of the final phase-1
/// message; every exchange with a new M-ID starts from it, and messages
/// within that exchange chain from their own last blocks.
std::vector<uint8_t> phase2Iv(crypto::HashAlgorithm hash, crypto::CbcCipher cipher, Bytes lastPhase1Block,
                              uint32_t messageId);

/// Quick Mode HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ]).
/// payloadsAfterHash is the message body from the first payload after HASH
/// to the end of the last payload, generic headers included, padding
/// excluded (the payloads exactly as they follow HASH on the wire).
Result<std::vector<uint8_t>> quickModeHash1(crypto::HashAlgorithm prf, Bytes skeyidA, uint32_t messageId,
                                            Bytes payloadsAfterHash);

/// Quick Mode HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [ | KE ] [ | IDci | IDcr ]),
/// with Ni_b the initiator's nonce body and payloadsAfterHash as for HASH(1)
/// but from the responder's message.
Result<std::vector<uint8_t>> quickModeHash2(crypto::HashAlgorithm prf, Bytes skeyidA, uint32_t messageId, Bytes niB,
                                            Bytes payloadsAfterHash);

/// Quick Mode HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b), the 0 a single octet.
Result<std::vector<uint8_t>> quickModeHash3(crypto::HashAlgorithm prf, Bytes skeyidA, uint32_t messageId, Bytes niB,
                                            Bytes nrB);

/// Informational HASH(1) = prf(SKEYID_a, M-ID | N/D) (RFC 2409 §5.7), with
/// the Notification or Delete payload(s) as for quickModeHash1().
Result<std::vector<uint8_t>> informationalHash(crypto::HashAlgorithm prf, Bytes skeyidA, uint32_t messageId,
                                               Bytes payloadsAfterHash);

/// Quick Mode KEYMAT for one SA (RFC 2409 §5.5):
///   K1 = prf(SKEYID_d, [ g(qm)^xy | ] protocol | SPI | Ni_b | Nr_b)
///   Kn = prf(SKEYID_d, Kn-1 | [ g(qm)^xy | ] protocol | SPI | Ni_b | Nr_b)
/// truncated to length bytes. Pass an empty pfsSharedSecret without PFS.
/// Each direction is its own SA with its own SPI: the SPI the receiving end
/// chose (the responder's SPI from its SA payload keys initiator ->
/// responder, the initiator's SPI keys responder -> initiator); Ni_b | Nr_b
/// stay in that order for both. How the bytes split into keys belongs to the
/// ESP algorithms (the Linux and strongSwan convention: cipher key first,
/// then the integrity key).
Result<crypto::SecretBytes> quickModeKeymat(crypto::HashAlgorithm prf, Bytes skeyidD, Bytes pfsSharedSecret,
                                            ProtocolId protocol, uint32_t spi, Bytes niB, Bytes nrB, size_t length);

/// KEYMAT for both SAs of one Quick Mode negotiation.
struct QuickModeKeymat {
	crypto::SecretBytes initiatorToResponder; ///< keyed with the responder's SPI
	crypto::SecretBytes responderToInitiator; ///< keyed with the initiator's SPI
};

Result<QuickModeKeymat> quickModeKeymatPair(crypto::HashAlgorithm prf, Bytes skeyidD, Bytes pfsSharedSecret,
                                            ProtocolId protocol, uint32_t initiatorSpi, uint32_t responderSpi,
                                            Bytes niB, Bytes nrB, size_t length);

} // namespace l2tpsec::ike
