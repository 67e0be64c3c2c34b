#include "crypto/md5.h"

#include <botan/build.h>
#include <botan/hash.h>

#include <cstdlib>

// Botan is built with MD5 on every distribution we target; checking here turns
// a missing algorithm into a build error instead of a runtime one, which is
// what lets the Md5 constructor be infallible.
#if !defined(BOTAN_HAS_MD5)
#error "Botan was built without MD5, which RFC 2661 tunnel authentication needs"
#endif

namespace l2tpsec::crypto {

struct Md5::State {
	std::unique_ptr<Botan::HashFunction> hash;
};

Md5::Md5() : state_(std::make_unique<State>())
{
	// create() reports an unknown algorithm with nullptr, not an exception;
	// with BOTAN_HAS_MD5 checked above that cannot happen.
	state_->hash = Botan::HashFunction::create("MD5");
	if (!state_->hash)
		std::abort();
}

Md5::~Md5() = default;
Md5::Md5(Md5 &&) noexcept = default;
Md5 &Md5::operator=(Md5 &&) noexcept = default;

void Md5::update(std::span<const uint8_t> bytes)
{
	state_->hash->update(bytes.data(), bytes.size());
}

void Md5::update(std::string_view bytes)
{
	state_->hash->update(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

void Md5::update(uint8_t byte)
{
	state_->hash->update(byte);
}

Md5Digest Md5::finish()
{
	Md5Digest out{};
	// final() writes output_length() (16) bytes and resets the state.
	state_->hash->final(out.data());
	return out;
}

Md5Digest md5(std::span<const uint8_t> bytes)
{
	Md5 h;
	h.update(bytes);
	return h.finish();
}

} // namespace l2tpsec::crypto
