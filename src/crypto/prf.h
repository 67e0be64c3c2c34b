#pragma once
// The IKEv1 pseudo-random function: HMAC (RFC 2104) over the negotiated hash.
// RFC 2409 §4: "the HMAC version of the negotiated hash algorithm is used as
// a default prf" — no client we target negotiates a separate PRF attribute.
// Everything in RFC 2409 §5 (SKEYID, HASH_I/R, QM HASH(n), KEYMAT) is built
// from it.

#include "common/result.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>

namespace l2tpsec::crypto {

/// An incremental keyed PRF: update() any number of times, then finish(),
/// which resets it for the next message under the same key. A moved-from
/// Prf may only be destroyed or assigned to.
class Prf {
public:
	/// Fails only for a key HMAC cannot take (Botan caps it at 4096 bytes).
	static Result<Prf> create(HashAlgorithm alg, std::span<const uint8_t> key);

	~Prf();
	Prf(Prf &&) noexcept;
	Prf &operator=(Prf &&) noexcept;
	Prf(const Prf &) = delete;
	Prf &operator=(const Prf &) = delete;

	HashAlgorithm algorithm() const { return alg_; }
	/// Output length in bytes: the hash length.
	size_t outputLength() const;

	void update(std::span<const uint8_t> bytes);
	void update(uint8_t byte);
	/// The output is key material in most RFC 2409 uses, so it comes wiped.
	SecretBytes finish();

private:
	struct State;
	Prf(HashAlgorithm alg, std::unique_ptr<State> state);

	HashAlgorithm alg_;
	std::unique_ptr<State> state_;
};

/// prf(key, parts...) in one call.
Result<SecretBytes> prf(HashAlgorithm alg, std::span<const uint8_t> key,
                        std::initializer_list<std::span<const uint8_t>> parts);

} // namespace l2tpsec::crypto
