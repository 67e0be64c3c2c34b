#include "crypto/prf.h"

#include "algorithms/algorithm_table.h"

#include <botan/exceptn.h>
#include <botan/mac.h>

#include <array>
#include <string>
#include <utility>

namespace l2tpsec::crypto {

struct Prf::State {
	std::unique_ptr<Botan::MessageAuthenticationCode> mac;
};

Prf::Prf(HashAlgorithm alg, std::unique_ptr<State> state) : alg_(alg), state_(std::move(state))
{
}

Prf::~Prf() = default;
Prf::Prf(Prf &&) noexcept = default;
Prf &Prf::operator=(Prf &&) noexcept = default;

namespace {

std::string hmacName(HashAlgorithm alg)
{
	return "HMAC(" + std::string(algorithms::integrityRow(alg).botan) + ")";
}

// A fresh HMAC for alg, cloned from this thread's unkeyed one: create() by
// name parses the name and searches Botan's registry every time, which cost
// more than the HMAC itself for IKE's short inputs.
std::unique_ptr<Botan::MessageAuthenticationCode> newHmac(HashAlgorithm alg)
{
	static thread_local std::array<std::unique_ptr<Botan::MessageAuthenticationCode>, 5> prototypes;
	auto &p = prototypes.at(static_cast<size_t>(alg));
	if (!p)
		p = Botan::MessageAuthenticationCode::create(hmacName(alg));
	return std::unique_ptr<Botan::MessageAuthenticationCode>(p ? p->clone() : nullptr);
}

} // namespace

Result<Prf> Prf::create(HashAlgorithm alg, std::span<const uint8_t> key)
{
	auto state = std::make_unique<State>();
	state->mac = newHmac(alg);
	if (!state->mac)
		return Error{0, "PRF " + hmacName(alg) + ": not available in Botan"};
	// set_key() throws Invalid_Key_Length past HMAC's maximum; nothing of
	// Botan's may escape src/crypto/.
	try {
		state->mac->set_key(key.data(), key.size());
	} catch (const Botan::Exception &e) {
		return Error{0,
		             "PRF " + hmacName(alg) + " key of " + std::to_string(key.size()) + " bytes: " + e.what()};
	}
	return Prf(alg, std::move(state));
}

size_t Prf::outputLength() const
{
	return state_->mac->output_length();
}

void Prf::update(std::span<const uint8_t> bytes)
{
	state_->mac->update(bytes.data(), bytes.size());
}

void Prf::update(uint8_t byte)
{
	state_->mac->update(byte);
}

SecretBytes Prf::finish()
{
	SecretBytes out(state_->mac->output_length());
	// final() writes output_length() bytes and keeps the key for reuse.
	state_->mac->final(out.data());
	return out;
}

Result<SecretBytes> prf(HashAlgorithm alg, std::span<const uint8_t> key,
                        std::initializer_list<std::span<const uint8_t>> parts)
{
	L2S_TRY_ASSIGN(auto p, Prf::create(alg, key));
	for (std::span<const uint8_t> part : parts)
		p.update(part);
	return p.finish();
}

} // namespace l2tpsec::crypto
