#include "crypto/signature.h"

#include "common/file_replace.h"
#include "crypto/signature_detail.h"

#include <botan/asn1_obj.h>
#include <botan/ber_dec.h>
#include <botan/build.h>
#include <botan/data_src.h>
#include <botan/der_enc.h>
#include <botan/ecdsa.h>
#include <botan/exceptn.h>
#include <botan/pem.h>
#include <botan/pkcs8.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <iterator>

#if !defined(BOTAN_HAS_RSA) || !defined(BOTAN_HAS_ECDSA) || !defined(BOTAN_HAS_EMSA_PKCS1)
#error "Botan lacks RSA, ECDSA or EMSA-PKCS1, which IKEv1 signature authentication needs"
#endif

namespace l2tpsec::crypto {

namespace {

// RSA: type-1 padding over the bare hash (no DigestInfo). ECDSA: the hash
// as the message representative, r | s of fixed length (IEEE 1363 format).
const char *emsaFor(SignatureKind k)
{
	return k == SignatureKind::Rsa ? "EMSA3(Raw)" : "Raw";
}

// The traditional OpenSSL forms: PKCS#1 RSAPrivateKey and SEC 1
// ECPrivateKey, which carries its curve as [0] parameters.
std::unique_ptr<Botan::Private_Key> traditionalKey(const std::string &label, const Botan::secure_vector<uint8_t> &der)
{
	if (label == "RSA PRIVATE KEY")
		return std::make_unique<Botan::RSA_PrivateKey>(
		        Botan::AlgorithmIdentifier(Botan::OID::from_string("RSA"),
		                                   Botan::AlgorithmIdentifier::USE_NULL_PARAM),
		        der);
	Botan::OID curve;
	Botan::BER_Decoder outer(der);
	Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE);
	size_t version = 0;
	Botan::secure_vector<uint8_t> secret;
	seq.decode(version).decode(secret, Botan::OCTET_STRING);
	Botan::BER_Object params = seq.get_next_object();
	if (!params.is_a(0, Botan::ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED)))
		throw Botan::Decoding_Error("EC PRIVATE KEY without its curve ([0] parameters)");
	Botan::BER_Decoder(params).decode(curve);
	std::vector<uint8_t> encodedCurve;
	Botan::DER_Encoder(encodedCurve).encode(curve);
	return std::make_unique<Botan::ECDSA_PrivateKey>(
	        Botan::AlgorithmIdentifier(Botan::OID::from_string("ECDSA"), encodedCurve), der);
}

} // namespace

std::optional<SignatureKind> detail::KeyAccess::kindOf(const Botan::Public_Key &key)
{
	if (key.algo_name() == "RSA")
		return SignatureKind::Rsa;
	if (key.algo_name() != "ECDSA")
		return std::nullopt;
	const auto *ec = dynamic_cast<const Botan::EC_PublicKey *>(&key);
	if (!ec)
		return std::nullopt;
	const Botan::OID &curve = ec->domain().get_curve_oid();
	if (curve == Botan::OID::from_string("secp256r1"))
		return SignatureKind::EcdsaP256;
	if (curve == Botan::OID::from_string("secp384r1"))
		return SignatureKind::EcdsaP384;
	if (curve == Botan::OID::from_string("secp521r1"))
		return SignatureKind::EcdsaP521;
	return std::nullopt;
}

std::string_view signatureKindName(SignatureKind k)
{
	switch (k) {
	case SignatureKind::Rsa: return "RSA";
	case SignatureKind::EcdsaP256: return "ECDSA P-256";
	case SignatureKind::EcdsaP384: return "ECDSA P-384";
	case SignatureKind::EcdsaP521: return "ECDSA P-521";
	}
	return "?";
}

// ---- PublicKey ---------------------------------------------------------------

struct PublicKey::State {
	std::unique_ptr<Botan::Public_Key> key;
};

PublicKey::PublicKey(std::unique_ptr<State> state, std::optional<SignatureKind> kind)
    : state_(std::move(state)), kind_(kind)
{
}
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey &&) noexcept = default;
PublicKey &PublicKey::operator=(PublicKey &&) noexcept = default;

PublicKey detail::KeyAccess::makePublicKey(std::unique_ptr<Botan::Public_Key> key)
{
	auto kind = kindOf(*key);
	auto state = std::make_unique<PublicKey::State>();
	state->key = std::move(key);
	return PublicKey(std::move(state), kind);
}

bool PublicKey::verifyIke(std::span<const uint8_t> hash, std::span<const uint8_t> signature) const
{
	if (!kind_ || !state_ || hash.empty() || signature.empty())
		return false;
	try {
		Botan::PK_Verifier verifier(*state_->key, emsaFor(*kind_), Botan::IEEE_1363);
		return verifier.verify_message(hash.data(), hash.size(), signature.data(), signature.size());
	} catch (const std::exception &) {
		// A malformed signature (too long for the modulus, say) is a wrong one.
		return false;
	}
}

std::vector<uint8_t> PublicKey::keyBits() const
{
	return state_ ? state_->key->public_key_bits() : std::vector<uint8_t>{};
}

// ---- PrivateKey --------------------------------------------------------------

struct PrivateKey::State {
	std::unique_ptr<Botan::Private_Key> key;
};

PrivateKey::PrivateKey(std::unique_ptr<State> state, SignatureKind kind) : state_(std::move(state)), kind_(kind)
{
}
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey &&) noexcept = default;
PrivateKey &PrivateKey::operator=(PrivateKey &&) noexcept = default;

Result<PrivateKey> PrivateKey::fromBytes(std::span<const uint8_t> data)
{
	std::unique_ptr<Botan::Private_Key> key;
	try {
		Botan::DataSource_Memory probe(data.data(), data.size());
		std::string label;
		if (Botan::PEM_Code::matches(probe, "RSA PRIVATE KEY") ||
		    Botan::PEM_Code::matches(probe, "EC PRIVATE KEY")) {
			Botan::DataSource_Memory src(data.data(), data.size());
			auto der = Botan::PEM_Code::decode(src, label);
			key = traditionalKey(label, der);
		} else {
			Botan::DataSource_Memory src(data.data(), data.size());
			key = Botan::PKCS8::load_key(src);
		}
	} catch (const std::exception &e) {
		return Error{EINVAL, std::string("not a private key in a form we read (unencrypted PKCS#8, RSA or EC "
		                                 "PRIVATE KEY): ") +
		                             e.what()};
	}
	auto kind = detail::KeyAccess::kindOf(*key);
	if (!kind)
		return Error{EINVAL, "a " + key->algo_name() +
		                             " key; IKEv1 signatures take RSA or ECDSA on P-256, P-384 or P-521"};
	auto state = std::make_unique<State>();
	state->key = std::move(key);
	return PrivateKey(std::move(state), *kind);
}

Result<PrivateKey> PrivateKey::loadFile(const std::string &path)
{
	L2S_TRY_ASSIGN(auto bytes, detail::readFile(path));
	return fromBytes(bytes);
}

Result<std::vector<uint8_t>> PrivateKey::signIke(std::span<const uint8_t> hash) const
{
	try {
		Botan::PK_Signer signer(*state_->key, Botan::system_rng(), emsaFor(kind_), Botan::IEEE_1363);
		return signer.sign_message(hash.data(), hash.size(), Botan::system_rng());
	} catch (const std::exception &e) {
		return Error{EINVAL, std::string(signatureKindName(kind_)) + " signature: " + e.what()};
	}
}

bool PrivateKey::matches(const PublicKey &key) const
{
	return key.kind() == kind_ && state_->key->public_key_bits() == key.keyBits();
}

// ---- files ---------------------------------------------------------------------

// Not an ifstream: one opens a directory, and reading it then threw out of
// the daemon's start-up ("internal error ... Is a directory").
Result<std::vector<uint8_t>> detail::readFile(const std::string &path)
{
	auto text = readWholeFile(path);
	if (!text)
		return errnoError(text.error().code, "cannot read it");
	if (text->empty())
		return Error{EINVAL, "it is empty"};
	return std::vector<uint8_t>(text->begin(), text->end());
}

} // namespace l2tpsec::crypto
