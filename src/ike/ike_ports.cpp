#include "ike/ike_ports.h"

#include "crypto/random.h"

namespace l2tpsec::ike {

Result<std::vector<uint8_t>> SystemRandom::bytes(size_t n)
{
	return crypto::randomBytes(n);
}

Result<crypto::DhKeyPair> SystemRandom::keyPair(crypto::DhGroup group)
{
	return crypto::DhKeyPair::generate(group);
}

Result<DhWorkDone> computeDh(Result<crypto::DhKeyPair> pair, std::span<const uint8_t> peerPublic)
{
	if (!pair)
		return std::move(pair).error();
	L2S_TRY_ASSIGN(auto secret, pair->sharedSecret(peerPublic));
	return DhWorkDone{pair->publicValue(), std::move(secret)};
}

} // namespace l2tpsec::ike
