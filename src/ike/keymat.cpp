#include "ike/keymat.h"

#include "crypto/prf.h"

#include <algorithm>
#include <array>
#include <utility>

namespace l2tpsec::ike {

namespace {

using crypto::HashAlgorithm;
using crypto::Prf;
using crypto::SecretBytes;

std::array<uint8_t, 4> bigEndian32(uint32_t v)
{
	return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
	        static_cast<uint8_t>(v)};
}

// A PRF output that goes on the wire (HASH_I, HASH(1), ...): once sent it
// is no longer secret, so it leaves the wiped buffer.
Result<std::vector<uint8_t>> publicPrf(HashAlgorithm alg, Bytes key, std::initializer_list<Bytes> parts)
{
	L2S_TRY_ASSIGN(auto out, crypto::prf(alg, key, parts));
	return crypto::toPublic(out);
}

// hash(parts) truncated to the cipher's block size. Every negotiable hash
// (16 bytes or more) is at least as long as every block (16 or 8 bytes).
std::vector<uint8_t> truncatedHash(HashAlgorithm hash, crypto::CbcCipher cipher, std::initializer_list<Bytes> parts)
{
	std::vector<uint8_t> h = crypto::hash(hash, parts);
	h.resize(std::min(h.size(), crypto::cipherBlockSize(cipher)));
	return h;
}

} // namespace

Result<SecretBytes> skeyidPreSharedKey(HashAlgorithm prf, Bytes preSharedKey, Bytes niB, Bytes nrB)
{
	return crypto::prf(prf, preSharedKey, {niB, nrB});
}

Result<SecretBytes> skeyidSignature(HashAlgorithm prf, Bytes niB, Bytes nrB, Bytes gxy)
{
	// The nonces are the key here, so they are concatenated first.
	SecretBytes key(niB.begin(), niB.end());
	key.insert(key.end(), nrB.begin(), nrB.end());
	return crypto::prf(prf, key, {gxy});
}

Result<Phase1Keys> derivePhase1Keys(HashAlgorithm prf, SecretBytes skeyid, Bytes gxy, const Cookie &ckyI,
                                    const Cookie &ckyR)
{
	L2S_TRY_ASSIGN(auto p, Prf::create(prf, skeyid));
	// Each key chains the previous one in front (none for SKEYID_d) and a
	// one-octet counter 0, 1, 2 behind.
	auto next = [&](Bytes previous, uint8_t counter) {
		p.update(previous);
		p.update(gxy);
		p.update(ckyI);
		p.update(ckyR);
		p.update(counter);
		return p.finish();
	};
	Phase1Keys keys;
	keys.skeyidD = next({}, 0);
	keys.skeyidA = next(keys.skeyidD, 1);
	keys.skeyidE = next(keys.skeyidA, 2);
	keys.skeyid = std::move(skeyid);
	return keys;
}

Result<SecretBytes> phase1EncryptionKey(HashAlgorithm prf, Bytes skeyidE, crypto::CbcCipher cipher)
{
	const size_t want = crypto::cipherKeyLength(cipher);
	if (skeyidE.size() >= want)
		return SecretBytes(skeyidE.begin(), skeyidE.begin() + static_cast<std::ptrdiff_t>(want));
	L2S_TRY_ASSIGN(auto p, Prf::create(prf, skeyidE));
	SecretBytes ka;
	p.update(uint8_t{0});
	SecretBytes k = p.finish();
	for (;;) {
		ka.insert(ka.end(), k.begin(), k.end());
		if (ka.size() >= want)
			break;
		p.update(k);
		k = p.finish();
	}
	ka.resize(want);
	return ka;
}

std::vector<uint8_t> phase1Iv(HashAlgorithm hash, crypto::CbcCipher cipher, Bytes gxi, Bytes gxr)
{
	return truncatedHash(hash, cipher, {gxi, gxr});
}

Result<std::vector<uint8_t>> mainModeHashI(HashAlgorithm prf, Bytes skeyid, Bytes gxi, Bytes gxr, const Cookie &ckyI,
                                           const Cookie &ckyR, Bytes saiB, Bytes idiiB)
{
	return publicPrf(prf, skeyid, {gxi, gxr, ckyI, ckyR, saiB, idiiB});
}

Result<std::vector<uint8_t>> mainModeHashR(HashAlgorithm prf, Bytes skeyid, Bytes gxi, Bytes gxr, const Cookie &ckyI,
                                           const Cookie &ckyR, Bytes saiB, Bytes idirB)
{
	return publicPrf(prf, skeyid, {gxr, gxi, ckyR, ckyI, saiB, idirB});
}

std::vector<uint8_t> phase2Iv(HashAlgorithm hash, crypto::CbcCipher cipher, Bytes lastPhase1Block, uint32_t messageId)
{
	const auto mid = bigEndian32(messageId);
	return truncatedHash(hash, cipher, {lastPhase1Block, mid});
}

Result<std::vector<uint8_t>> quickModeHash1(HashAlgorithm prf, Bytes skeyidA, uint32_t messageId,
                                            Bytes payloadsAfterHash)
{
	const auto mid = bigEndian32(messageId);
	return publicPrf(prf, skeyidA, {mid, payloadsAfterHash});
}

Result<std::vector<uint8_t>> quickModeHash2(HashAlgorithm prf, Bytes skeyidA, uint32_t messageId, Bytes niB,
                                            Bytes payloadsAfterHash)
{
	const auto mid = bigEndian32(messageId);
	return publicPrf(prf, skeyidA, {mid, niB, payloadsAfterHash});
}

Result<std::vector<uint8_t>> quickModeHash3(HashAlgorithm prf, Bytes skeyidA, uint32_t messageId, Bytes niB, Bytes nrB)
{
	const auto mid = bigEndian32(messageId);
	const std::array<uint8_t, 1> zero{0};
	return publicPrf(prf, skeyidA, {zero, mid, niB, nrB});
}

Result<std::vector<uint8_t>> informationalHash(HashAlgorithm prf, Bytes skeyidA, uint32_t messageId,
                                               Bytes payloadsAfterHash)
{
	return quickModeHash1(prf, skeyidA, messageId, payloadsAfterHash);
}

Result<SecretBytes> quickModeKeymat(HashAlgorithm prf, Bytes skeyidD, Bytes pfsSharedSecret, ProtocolId protocol,
                                    uint32_t spi, Bytes niB, Bytes nrB, size_t length)
{
	L2S_TRY_ASSIGN(auto p, Prf::create(prf, skeyidD));
	const auto spiBytes = bigEndian32(spi);
	SecretBytes keymat;
	SecretBytes k; // K(n-1); empty for K1
	while (keymat.size() < length) {
		p.update(k);
		p.update(pfsSharedSecret);
		p.update(static_cast<uint8_t>(protocol));
		p.update(spiBytes);
		p.update(niB);
		p.update(nrB);
		k = p.finish();
		keymat.insert(keymat.end(), k.begin(), k.end());
	}
	keymat.resize(length);
	return keymat;
}

Result<QuickModeKeymat> quickModeKeymatPair(HashAlgorithm prf, Bytes skeyidD, Bytes pfsSharedSecret,
                                            ProtocolId protocol, uint32_t initiatorSpi, uint32_t responderSpi,
                                            Bytes niB, Bytes nrB, size_t length)
{
	L2S_TRY_ASSIGN(auto out,
	               quickModeKeymat(prf, skeyidD, pfsSharedSecret, protocol, responderSpi, niB, nrB, length));
	L2S_TRY_ASSIGN(auto in,
	               quickModeKeymat(prf, skeyidD, pfsSharedSecret, protocol, initiatorSpi, niB, nrB, length));
	return QuickModeKeymat{std::move(out), std::move(in)};
}

} // namespace l2tpsec::ike
