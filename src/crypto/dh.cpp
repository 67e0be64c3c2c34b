#include "crypto/dh.h"

#include "algorithms/algorithm_table.h"

#include <botan/bigint.h>
#include <botan/build.h>
#include <botan/dh.h>
#include <botan/dl_group.h>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/exceptn.h>
#include <botan/pow_mod.h>
#include <botan/pubkey.h>
#include <botan/system_rng.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#if !defined(BOTAN_HAS_DIFFIE_HELLMAN) || !defined(BOTAN_HAS_ECDH) || !defined(BOTAN_HAS_SYSTEM_RNG)
#error "Botan lacks DH, ECDH or System_RNG, which the IKE key exchange needs"
#endif

namespace l2tpsec::crypto {

namespace {

bool isEcp(DhGroup g)
{
	return algorithms::groupRow(g).ecp;
}

// Botan's name (algorithm_table.h), as the std::string its constructors take.
std::string botanGroupName(DhGroup g)
{
	return std::string(algorithms::groupRow(g).botan);
}

// One MODP group's precomputed state, made once and immutable afterwards,
// so the DH worker threads share it without locks:
//  - the DL_Group: Botan builds it from its name by parsing the prime and
//    computing Montgomery parameters and the generator's window table;
//  - a Power_Mod over p for the shared secret y^x mod p. Botan's power_mod()
//    builds a Modular_Reducer and Montgomery parameters for p on every call
//    (a constant-time division of 2^4096 by p for MODP2048, about a third of
//    the whole computation); each use copies this one, and the copy shares
//    them without recomputing.
struct ModpGroup {
	Botan::DL_Group group;
	Botan::Power_Mod powerModP;
	explicit ModpGroup(const std::string &name) : group(name), powerModP(group.get_p()) {}
};

template <DhGroup G>
const ModpGroup &cachedModpGroup()
{
	static const ModpGroup modp(botanGroupName(G));
	return modp;
}

const ModpGroup &modpGroup(DhGroup g)
{
	switch (g) {
	case DhGroup::Modp1024: return cachedModpGroup<DhGroup::Modp1024>();
	case DhGroup::Modp1536: return cachedModpGroup<DhGroup::Modp1536>();
	case DhGroup::Modp2048: return cachedModpGroup<DhGroup::Modp2048>();
	case DhGroup::Modp3072: return cachedModpGroup<DhGroup::Modp3072>();
	case DhGroup::Modp4096: return cachedModpGroup<DhGroup::Modp4096>();
	case DhGroup::Ecp256:
	case DhGroup::Ecp384: break;
	}
	std::abort();
}

// Botan finds an EC_Group by name in a registry under a global lock; the DH
// worker threads would queue on it for every key pair and shared secret.
template <DhGroup G>
const Botan::EC_Group &cachedEcGroup()
{
	static const Botan::EC_Group group(botanGroupName(G));
	return group;
}

const Botan::EC_Group &ecGroup(DhGroup g)
{
	if (g == DhGroup::Ecp256)
		return cachedEcGroup<DhGroup::Ecp256>();
	if (g == DhGroup::Ecp384)
		return cachedEcGroup<DhGroup::Ecp384>();
	std::abort();
}

std::string what(DhGroup g, std::string_view text)
{
	std::string s = "DH group ";
	s += std::to_string(static_cast<unsigned>(g));
	s += " (";
	s += dhGroupName(g);
	s += "): ";
	s += text;
	return s;
}

} // namespace

struct DhKeyPair::State {
	/// ECP only; null for the private value 1 (see fromPrivateValue()).
	std::unique_ptr<Botan::Private_Key> key;
	/// MODP only: the private exponent, for the shared secret's one
	/// exponentiation (sharedSecret() says why not PK_Key_Agreement).
	Botan::BigInt x;
};

std::optional<DhGroup> dhGroupFromId(uint16_t id)
{
	const algorithms::GroupRow *row = algorithms::groupById(id);
	return row ? std::optional(row->group) : std::nullopt;
}

std::string_view dhGroupName(DhGroup g)
{
	return algorithms::groupRow(g).logName;
}

size_t dhSharedSecretLength(DhGroup g)
{
	return algorithms::groupRow(g).secretBytes;
}

size_t dhPublicValueLength(DhGroup g)
{
	return isEcp(g) ? 2 * dhSharedSecretLength(g) : dhSharedSecretLength(g);
}

DhKeyPair::DhKeyPair(DhGroup g, std::unique_ptr<State> state, std::vector<uint8_t> publicValue)
    : group_(g), state_(std::move(state)), public_(std::move(publicValue))
{
}

DhKeyPair::~DhKeyPair() = default;
DhKeyPair::DhKeyPair(DhKeyPair &&) noexcept = default;
DhKeyPair &DhKeyPair::operator=(DhKeyPair &&) noexcept = default;

Result<DhKeyPair> DhKeyPair::generate(DhGroup g)
{
	// Botan takes a zero private value as "draw one": for MODP an exponent
	// of DL_Group::exponent_bits() (twice the group's work factor), for ECP
	// a scalar in [1, n-1].
	return fromPrivateValue(g, {});
}

Result<DhKeyPair> DhKeyPair::fromPrivateValue(DhGroup g, std::span<const uint8_t> privateValue)
{
	try {
		Botan::RandomNumberGenerator &rng = Botan::system_rng();
		const Botan::BigInt x(privateValue.data(), privateValue.size());
		auto state = std::make_unique<State>();
		std::vector<uint8_t> pub;
		if (isEcp(g)) {
			const Botan::EC_Group &ec = ecGroup(g);
			if (!privateValue.empty() && (x.is_zero() || x >= ec.get_order()))
				return Error{EINVAL, what(g, "private value is 0 or not below the group order")};
			// The private value 1 (given only by known-answer tests and the
			// setup benchmark's load generator, never drawn in practice: a
			// chance of 2^-256): its public point is the base point and its
			// shared secret the peer's own x coordinate, so no scalar
			// multiplication is needed. Botan would blind and multiply all
			// the same, which kept the load generator's ECDH at full cost
			// while the MODP one (an exponent of one bit) costs nothing.
			std::unique_ptr<Botan::ECDH_PrivateKey> key;
			std::vector<uint8_t> sec1;
			if (x == 1) {
				sec1 = ec.get_base_point().encode(Botan::PointGFp::UNCOMPRESSED);
			} else {
				key = std::make_unique<Botan::ECDH_PrivateKey>(rng, ec, x);
				sec1 = key->public_value(Botan::PointGFp::UNCOMPRESSED);
			}
			// Botan encodes 0x04 | x | y (SEC 1 uncompressed); IKE drops the 0x04.
			if (sec1.size() != 1 + dhPublicValueLength(g) || sec1[0] != 0x04)
				return Error{0, what(g, "unexpected public point encoding from Botan")};
			pub.assign(sec1.begin() + 1, sec1.end());
			state->key = std::move(key);
		} else {
			const Botan::DL_Group &dl = modpGroup(g).group;
			if (!privateValue.empty() && x.is_zero())
				return Error{EINVAL, what(g, "private value is 0")};
			// What Botan's DH_PrivateKey does for a drawn exponent: one of
			// exponent_bits() bits, g^x with the fixed-base table. A given
			// value is raised over its own length: DH_PrivateKey would take
			// the prime's (2048 bits for MODP2048, ~8x the work), and only
			// known-answer tests and the setup benchmark's load generator
			// give one. The shared secret needs x alone, so no Botan key.
			Botan::BigInt exponent = x;
			size_t bits = exponent.bits();
			if (privateValue.empty()) {
				bits = dl.exponent_bits();
				exponent.randomize(rng, bits);
			}
			const Botan::BigInt y = dl.power_g_p(exponent, std::max<size_t>(bits, 1));
			// Padded to the prime's length whatever Botan's encoding does.
			pub = Botan::unlock(Botan::BigInt::encode_1363(y, dhPublicValueLength(g)));
			state->x = std::move(exponent);
		}
		return DhKeyPair(g, std::move(state), std::move(pub));
	} catch (const Botan::Exception &e) {
		return Error{0, what(g, std::string("key generation: ") + e.what())};
	}
}

Result<SecretBytes> DhKeyPair::sharedSecret(std::span<const uint8_t> peerPublic) const
{
	const DhGroup g = group_;
	if (peerPublic.size() != dhPublicValueLength(g))
		return Error{EINVAL, what(g, "peer public value is " + std::to_string(peerPublic.size()) +
		                                     " bytes, want " + std::to_string(dhPublicValueLength(g)))};
	try {
		Botan::secure_vector<uint8_t> z;
		if (isEcp(g)) {
			const Botan::EC_Group &ec = ecGroup(g);
			std::vector<uint8_t> sec1;
			sec1.reserve(1 + peerPublic.size());
			sec1.push_back(0x04);
			sec1.insert(sec1.end(), peerPublic.begin(), peerPublic.end());
			// OS2ECP throws for a point that is not on the curve. P-256 and
			// P-384 have cofactor 1, so every point on the curve but the
			// identity is in the prime-order group: Botan's
			// verify_public_element() would add a full scalar multiplication
			// by the order to prove what the curve equation already does.
			bool valid = false;
			try {
				const Botan::PointGFp point = ec.OS2ECP(sec1.data(), sec1.size());
				valid = ec.get_cofactor() == 1 && !point.is_zero() && point.on_the_curve();
			} catch (const Botan::Exception &) {
				valid = false;
			}
			if (!valid)
				return Error{EINVAL, what(g, "peer public value is not a point on the curve")};
			if (!state_->key) {
				// Private value 1: 1 * P = P, so its x coordinate.
				z.assign(sec1.begin() + 1, sec1.begin() + 1 + dhSharedSecretLength(g));
			} else {
				// "Raw": no KDF, the x coordinate of the shared point.
				Botan::PK_Key_Agreement ka(*state_->key, Botan::system_rng(), "Raw");
				z = ka.derive_key(0, sec1).bits_of();
			}
		} else {
			const ModpGroup &modp = modpGroup(g);
			const Botan::BigInt y(peerPublic.data(), peerPublic.size());
			// 0, 1 and p-1 give a shared secret of 0, 1 or +-1 whatever our
			// private value; >= p is not a group element at all.
			if (y <= 1 || y >= modp.group.get_p() - 1)
				return Error{EINVAL, what(g, "peer public value is 0, 1, p-1 or not below p")};
			// y^x mod p by Botan's Montgomery exponentiation, which is
			// constant-time in the exponent (its loop runs over the
			// exponent's length rounded up to a byte). Not PK_Key_Agreement: its
			// operation blinds the base with a fresh blinder each time it is
			// made (a 2048-bit modular inverse and a second exponentiation),
			// which more than doubled this step's cost. Blinding protects a
			// long-lived key used on many inputs; this private value is
			// ephemeral and used for exactly one shared secret.
			Botan::Power_Mod pm(modp.powerModP);
			pm.set_exponent(state_->x); // first: the base's window size depends on it
			pm.set_base(y);
			z = Botan::BigInt::encode_1363(pm.execute(), dhSharedSecretLength(g));
		}
		if (z.size() > dhSharedSecretLength(g))
			return Error{0, what(g, "shared secret longer than the group")};
		// Botan pads a MODP result to the prime's length already; an x
		// coordinate may come shorter.
		SecretBytes out(dhSharedSecretLength(g) - z.size(), 0);
		out.insert(out.end(), z.begin(), z.end());
		return out;
	} catch (const Botan::Exception &e) {
		return Error{EINVAL, what(g, std::string("key agreement: ") + e.what())};
	}
}

} // namespace l2tpsec::crypto
