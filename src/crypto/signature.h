#pragma once
// Public-key signatures the IKEv1 way (RFC 2409 §5.1, Main Mode with
// signatures), behind a Botan-free interface.
//
// What is signed is HASH_I or HASH_R itself, the output of the negotiated
// PRF, never hashed again (strongSwan's pubkey_v1_authenticator and
// Windows agree):
//  - RSA (auth method 3): PKCS#1 v1.5 type-1 padding over the raw hash,
//    without a DigestInfo (RFC 2409 §5.1 leaves the hash unwrapped; Botan
//    "EMSA3(Raw)", strongSwan SIGN_RSA_EMSA_PKCS1_NULL).
//  - ECDSA (auth methods 9, 10, 11; RFC 4754 numbers): ECDSA over the raw
//    hash as well (strongSwan SIGN_ECDSA_WITH_NULL), the signature r | s
//    with each half the curve order's length (32, 48, 66 bytes). The SHA-2
//    the method names is not applied to the hash again: it is the HMAC that
//    computed HASH_I/HASH_R in the first place (the IKE engine's business).
// The signer does not care which PRF made the hash; only its bytes count.

#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto {

namespace detail {
struct KeyAccess; // signature_detail.h: src/crypto's way in
}

/// The kinds of key an IKEv1 signature can be made with; each maps to one
/// authentication method (RSA: 3; ECDSA on P-256/P-384/P-521: 9/10/11).
enum class SignatureKind : uint8_t {
	Rsa,
	EcdsaP256,
	EcdsaP384,
	EcdsaP521,
};

/// "RSA", "ECDSA P-256", ... for logs and errors.
std::string_view signatureKindName(SignatureKind k);

/// A public key taken from a certificate (x509_trust.h).
class PublicKey {
public:
	~PublicKey();
	PublicKey(PublicKey &&) noexcept;
	PublicKey &operator=(PublicKey &&) noexcept;
	PublicKey(const PublicKey &) = delete;
	PublicKey &operator=(const PublicKey &) = delete;

	/// nullopt for a key IKEv1 cannot use (DSA, Ed25519, another curve).
	std::optional<SignatureKind> kind() const { return kind_; }
	/// Checks an IKEv1 signature over `hash` (see the file comment). False
	/// for a wrong signature, a wrong length or an unusable key.
	bool verifyIke(std::span<const uint8_t> hash, std::span<const uint8_t> signature) const;
	/// The DER SubjectPublicKeyInfo contents (comparing a key with a certificate's).
	std::vector<uint8_t> keyBits() const;

private:
	friend struct detail::KeyAccess;
	struct State;
	PublicKey(std::unique_ptr<State> state, std::optional<SignatureKind> kind);
	std::unique_ptr<State> state_;
	std::optional<SignatureKind> kind_;
};

/// Our private key (RSA or ECDSA on P-256/384/521), kept in Botan's wiped memory.
class PrivateKey {
public:
	/// PKCS#8 (PEM "PRIVATE KEY" or DER, unencrypted), or the traditional PEM
	/// forms OpenSSL writes, "RSA PRIVATE KEY" (PKCS#1) and "EC PRIVATE KEY"
	/// (SEC 1). The error says what is wrong without the file's name (the
	/// caller knows which file and which config key).
	static Result<PrivateKey> fromBytes(std::span<const uint8_t> data);
	static Result<PrivateKey> loadFile(const std::string &path);

	~PrivateKey();
	PrivateKey(PrivateKey &&) noexcept;
	PrivateKey &operator=(PrivateKey &&) noexcept;
	PrivateKey(const PrivateKey &) = delete;
	PrivateKey &operator=(const PrivateKey &) = delete;

	SignatureKind kind() const { return kind_; }
	/// An IKEv1 signature over `hash` (see the file comment).
	Result<std::vector<uint8_t>> signIke(std::span<const uint8_t> hash) const;
	/// Whether a public key is this key's (a certificate matching the key).
	bool matches(const PublicKey &key) const;

private:
	struct State;
	PrivateKey(std::unique_ptr<State> state, SignatureKind kind);
	std::unique_ptr<State> state_;
	SignatureKind kind_;
};

} // namespace l2tpsec::crypto
