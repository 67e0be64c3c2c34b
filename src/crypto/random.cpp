#include "crypto/random.h"

#include <botan/build.h>
#include <botan/exceptn.h>
#include <botan/system_rng.h>

#include <string>

#if !defined(BOTAN_HAS_SYSTEM_RNG)
#error "Botan was built without System_RNG"
#endif

namespace l2tpsec::crypto {

Result<void> randomFill(std::span<uint8_t> out)
{
	if (out.empty())
		return {};
	// System_RNG keeps no state of its own (every call reads the kernel),
	// so there is nothing to seed or share between threads.
	try {
		Botan::system_rng().randomize(out.data(), out.size());
	} catch (const Botan::Exception &e) {
		return Error{0, std::string("system RNG: ") + e.what()};
	}
	return {};
}

Result<std::vector<uint8_t>> randomBytes(size_t n)
{
	std::vector<uint8_t> out(n);
	L2S_TRY(randomFill(out));
	return out;
}

Result<SecretBytes> randomSecret(size_t n)
{
	SecretBytes out(n);
	L2S_TRY(randomFill(out));
	return out;
}

} // namespace l2tpsec::crypto
