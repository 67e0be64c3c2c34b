#include "crypto/cbc_cipher.h"

#include "algorithms/algorithm_table.h"

#include <botan/build.h>
#include <botan/cipher_mode.h>
#include <botan/exceptn.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <string>

#if !defined(BOTAN_HAS_AES) || !defined(BOTAN_HAS_DES) || !defined(BOTAN_HAS_MODE_CBC)
#error "Botan lacks AES, 3DES or CBC, which IKEv1 message encryption needs"
#endif

namespace l2tpsec::crypto {

namespace {

// This thread's Cipher_Mode for (c, dir), made once. Cipher_Mode::create()
// parses the name and searches Botan's registry each time: in the setup
// benchmark that was about three quarters of a whole ISAKMP message's
// encryption or decryption. Per thread, because a Cipher_Mode is stateful.
Botan::Cipher_Mode *cachedMode(CbcCipher c, Botan::Cipher_Dir dir)
{
	static thread_local std::array<std::unique_ptr<Botan::Cipher_Mode>, 8> modes;
	auto &m = modes[static_cast<size_t>(c) * 2 + (dir == Botan::ENCRYPTION ? 0 : 1)];
	if (!m)
		m = Botan::Cipher_Mode::create(std::string(algorithms::cipherRow(c).botan), dir);
	return m.get();
}

Result<std::vector<uint8_t>> run(CbcCipher c, Botan::Cipher_Dir dir, std::span<const uint8_t> key,
                                 std::span<const uint8_t> iv, std::span<const uint8_t> in)
{
	const std::string what = std::string(cipherName(c)) + (dir == Botan::ENCRYPTION ? " encrypt" : " decrypt");
	if (key.size() != cipherKeyLength(c))
		return Error{EINVAL, what + ": key is " + std::to_string(key.size()) + " bytes, want " +
		                             std::to_string(cipherKeyLength(c))};
	if (iv.size() != cipherBlockSize(c))
		return Error{EINVAL, what + ": IV is " + std::to_string(iv.size()) + " bytes, want " +
		                             std::to_string(cipherBlockSize(c))};
	if (in.size() % cipherBlockSize(c) != 0)
		return Error{EINVAL, what + ": " + std::to_string(in.size()) + " bytes is not a multiple of the " +
		                             std::to_string(cipherBlockSize(c)) + "-byte block"};

	// The checks above leave Botan nothing to object to, but its exceptions
	// must not leave src/crypto/ whatever happens.
	try {
		Botan::Cipher_Mode *mode = cachedMode(c, dir);
		if (!mode)
			return Error{0, what + ": not available in Botan"};
		// clear() wipes the key schedule, whatever happens, so that no key
		// outlives its message in the cached object.
		struct Clear {
			Botan::Cipher_Mode *m;
			~Clear() { m->clear(); }
		} clear{mode};
		mode->set_key(key.data(), key.size());
		mode->start(iv.data(), iv.size());
		Botan::secure_vector<uint8_t> buf(in.begin(), in.end());
		mode->finish(buf);
		return std::vector<uint8_t>(buf.begin(), buf.end());
	} catch (const Botan::Exception &e) {
		return Error{0, what + ": " + e.what()};
	}
}

} // namespace

size_t cipherKeyLength(CbcCipher c)
{
	return algorithms::cipherRow(c).keyBytes;
}

size_t cipherBlockSize(CbcCipher c)
{
	return algorithms::cipherRow(c).blockBytes;
}

std::string_view cipherName(CbcCipher c)
{
	return algorithms::cipherRow(c).logName;
}

Result<std::vector<uint8_t>> cbcEncrypt(CbcCipher c, std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                        std::span<const uint8_t> plaintext)
{
	return run(c, Botan::ENCRYPTION, key, iv, plaintext);
}

Result<std::vector<uint8_t>> cbcDecrypt(CbcCipher c, std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                        std::span<const uint8_t> ciphertext)
{
	return run(c, Botan::DECRYPTION, key, iv, ciphertext);
}

} // namespace l2tpsec::crypto
