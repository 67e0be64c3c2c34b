#pragma once
// Diffie-Hellman for the IKEv1 KE payload (RFC 2409 §5): the MODP groups of
// RFC 2409 §6.2 (group 2) and RFC 3526 (5, 14, 15, 16), and the ECP groups
// of RFC 5903 (19 = P-256, 20 = P-384).
//
// Wire formats, which this header hides from its users:
//  - MODP: the public value g^x mod p, big-endian, left-padded with zeros to
//    the prime's length (RFC 2409 §5: "MUST be the length of the negotiated
//    Diffie-Hellman group"); the shared secret g^xy is padded the same way
//    (as strongSwan and RFC 2631 §2.1.2 do), so every SKEYID input has a
//    fixed length.
//  - ECP: the public value is x | y, each the field's length, without the
//    0x04 point-format octet (RFC 5903 §7); the shared secret is the x
//    coordinate of the shared point alone (RFC 5903 §7; §9 notes the change
//    from RFC 4753, which used x | y).

#include "algorithms/algorithm_enums.h"
#include "common/result.h"
#include "crypto/secret_bytes.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto {

/// The supported groups; the values are the IANA "Group Description"
/// numbers that the SA attributes carry (RFC 2409 Appendix A), so a
/// negotiated value maps with dhGroupFromId().
using algorithms::DhGroup;

/// The group with that IANA number, if this implementation has it.
std::optional<DhGroup> dhGroupFromId(uint16_t id);
/// "MODP_2048", "ECP_256", ... for logs (strongSwan's spelling).
std::string_view dhGroupName(DhGroup g);
/// Bytes of the KE payload's public value: the prime's length for MODP,
/// twice the field's for ECP.
size_t dhPublicValueLength(DhGroup g);
/// Bytes of the shared secret g^xy.
size_t dhSharedSecretLength(DhGroup g);

/// One side's ephemeral key pair. The private value stays inside (in
/// Botan's wiped memory). A moved-from DhKeyPair may only be destroyed or
/// assigned to.
class DhKeyPair {
public:
	/// A fresh key pair from the system RNG.
	static Result<DhKeyPair> generate(DhGroup g);
	/// The key pair for a given private value (big-endian): for known-answer
	/// tests. Fails for 0 or, for ECP, a value not below the group order.
	static Result<DhKeyPair> fromPrivateValue(DhGroup g, std::span<const uint8_t> privateValue);

	~DhKeyPair();
	DhKeyPair(DhKeyPair &&) noexcept;
	DhKeyPair &operator=(DhKeyPair &&) noexcept;
	DhKeyPair(const DhKeyPair &) = delete;
	DhKeyPair &operator=(const DhKeyPair &) = delete;

	DhGroup group() const { return group_; }
	/// This side's public value as it goes into the KE payload.
	const std::vector<uint8_t> &publicValue() const { return public_; }

	/// g^xy from the peer's KE payload data. The peer's value is checked
	/// first, and a bad one is an error naming the problem: a wrong length;
	/// for MODP 0, 1, p-1 or a value >= p (the values that force a known
	/// secret, RFC 2785 §3.1 / NIST SP 800-56A §5.6.2.3.1); for ECP a point
	/// that is not on the curve.
	Result<SecretBytes> sharedSecret(std::span<const uint8_t> peerPublic) const;

private:
	struct State;
	DhKeyPair(DhGroup g, std::unique_ptr<State> state, std::vector<uint8_t> publicValue);

	DhGroup group_;
	std::unique_ptr<State> state_;
	std::vector<uint8_t> public_;
};

} // namespace l2tpsec::crypto
