#include "crypto/hash.h"

#include "algorithms/algorithm_table.h"

#include <botan/build.h>
#include <botan/hash.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <string>

// Every hash IKEv1 can negotiate must be there, so that hash() and the PRF
// need no runtime "unknown algorithm" path.
#if !defined(BOTAN_HAS_MD5) || !defined(BOTAN_HAS_SHA1) || !defined(BOTAN_HAS_SHA2_32) ||                              \
        !defined(BOTAN_HAS_SHA2_64) || !defined(BOTAN_HAS_HMAC)
#error "Botan lacks a hash or HMAC that IKEv1 negotiates (MD5, SHA-1, SHA-2)"
#endif

namespace l2tpsec::crypto {

size_t hashLength(HashAlgorithm alg)
{
	return algorithms::integrityRow(alg).digestBytes;
}

std::string_view hashName(HashAlgorithm alg)
{
	return algorithms::integrityRow(alg).logName;
}

std::vector<uint8_t> hash(HashAlgorithm alg, std::initializer_list<std::span<const uint8_t>> parts)
{
	// This thread's hash object for alg, made once (create() parses the name
	// and searches Botan's registry every time); final() leaves it ready for
	// the next message. create() reports an unknown name with nullptr, never
	// an exception; the build-time check above rules that out.
	static thread_local std::array<std::unique_ptr<Botan::HashFunction>, 5> hashes;
	auto &h = hashes.at(static_cast<size_t>(alg));
	if (!h)
		h = Botan::HashFunction::create(std::string(algorithms::integrityRow(alg).botan));
	if (!h)
		std::abort();
	for (std::span<const uint8_t> part : parts)
		h->update(part.data(), part.size());
	std::vector<uint8_t> out(h->output_length());
	h->final(out.data());
	return out;
}

} // namespace l2tpsec::crypto
