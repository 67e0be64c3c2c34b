#pragma once
// Encrypted ISAKMP messages (RFC 2409 §5.3 and Appendix B) and the
// hash-protected layout of Quick Mode and Informational messages (§5.5, §5.7).
//
// Encryption: the payload chain, padded with zeros to the block size (at
// least one byte, as strongSwan does; receivers ignore the padding), in CBC
// with the current IV. The IV of the next message in the same exchange is
// the last ciphertext block of this one, sent or received; the caller keeps
// it, and commits a received message's block only once the message is
// authenticated, so a forged packet cannot desynchronise the chain.

#include "common/result.h"
#include "crypto/cbc_cipher.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"
#include "ike/codec/header.h"
#include "ike/codec/payload_chain.h"

#include <cstdint>
#include <span>
#include <vector>

namespace l2tpsec::ike {

/// The ISAKMP SA's cipher and the key derived from SKEYID_e.
struct IsakmpCipher {
	crypto::CbcCipher cipher = crypto::CbcCipher::Aes128;
	crypto::SecretBytes key;
};

struct Sealed {
	std::vector<uint8_t> datagram;
	std::vector<uint8_t> lastBlock; ///< the next IV of this exchange
};

/// Header (E flag set, nextPayload and length filled in) + the encrypted chain.
Result<Sealed> sealMessage(const IsakmpCipher &c, Header header, std::span<const OutPayload> payloads, Bytes iv);

/// A decrypted message: the plaintext and its payloads, which point into
/// `plaintext` (moving an Opened keeps them valid; copying would not).
struct Opened {
	std::vector<uint8_t> plaintext;
	std::vector<RawPayload> payloads;
	std::vector<uint8_t> lastBlock; ///< commit as the next IV once authenticated
	Opened() = default;
	Opened(Opened &&) = default;
	Opened &operator=(Opened &&) = default;
	Opened(const Opened &) = delete;
	Opened &operator=(const Opened &) = delete;
};

/// Decrypts and splits an encrypted message's body. Errors: a body that is
/// empty or not whole blocks, and a chain that does not parse (with a wrong
/// key, the usual outcome).
Result<Opened> openMessage(const IsakmpCipher &c, const Message &m, Bytes iv);

/// The payloads after HASH as the wire carries them (RFC 2409 §5.5: HASH(1)
/// and HASH(2) are over "the entire message after the HASH payload", generic
/// headers included).
Result<std::vector<uint8_t>> encodeAfterHash(std::span<const OutPayload> rest);
/// For a received chain whose first payload is HASH: the bytes from the next
/// payload's generic header to the end of the last payload (padding excluded).
Bytes bytesAfterHash(const std::vector<RawPayload> &chain);

/// A digest of a datagram, to recognise a retransmission (RFC 2408 §5:
/// duplicates are answered with the last reply, not processed again).
std::vector<uint8_t> datagramDigest(Bytes datagram);

} // namespace l2tpsec::ike
