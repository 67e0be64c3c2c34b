#include "ike/message_protection.h"

#include "ike/codec/message_builder.h"

namespace l2tpsec::ike {

Result<Sealed> sealMessage(const IsakmpCipher &c, Header header, std::span<const OutPayload> payloads, Bytes iv)
{
	L2S_TRY_ASSIGN(auto chain, encodePayloadChain(payloads));
	size_t bs = crypto::cipherBlockSize(c.cipher);
	std::vector<uint8_t> plain = std::move(chain);
	plain.resize(plain.size() + (bs - plain.size() % bs), 0);
	L2S_TRY_ASSIGN(auto cipherText, crypto::cbcEncrypt(c.cipher, c.key, iv, plain));
	header.flags |= kFlagEncryption;
	header.nextPayload = payloads.empty() ? PayloadType::None : payloads.front().type;
	L2S_TRY_ASSIGN(auto datagram, buildMessage(header, cipherText));
	Sealed s;
	s.lastBlock.assign(cipherText.end() - static_cast<ptrdiff_t>(bs), cipherText.end());
	s.datagram = std::move(datagram);
	return s;
}

Result<Opened> openMessage(const IsakmpCipher &c, const Message &m, Bytes iv)
{
	size_t bs = crypto::cipherBlockSize(c.cipher);
	if (m.body.empty() || m.body.size() % bs != 0)
		return Error{EBADMSG, "encrypted body of " + std::to_string(m.body.size()) + " bytes is not whole " +
		                              std::to_string(bs) + "-byte blocks"};
	L2S_TRY_ASSIGN(auto plain, crypto::cbcDecrypt(c.cipher, c.key, iv, m.body));
	Opened o;
	o.plaintext = std::move(plain);
	o.lastBlock.assign(m.body.end() - static_cast<ptrdiff_t>(bs), m.body.end());
	L2S_TRY_ASSIGN(auto chain, parseDecryptedPayloadChain(m.header.nextPayload, Bytes(o.plaintext)));
	o.payloads = std::move(chain);
	return o;
}

Result<std::vector<uint8_t>> encodeAfterHash(std::span<const OutPayload> rest)
{
	return encodePayloadChain(rest);
}

Bytes bytesAfterHash(const std::vector<RawPayload> &chain)
{
	if (chain.size() < 2)
		return {};
	const uint8_t *start = chain[0].body.data() + chain[0].body.size();
	const uint8_t *end = chain.back().body.data() + chain.back().body.size();
	return Bytes(start, static_cast<size_t>(end - start));
}

std::vector<uint8_t> datagramDigest(Bytes datagram)
{
	return crypto::hash(crypto::HashAlgorithm::Sha1, {datagram});
}

} // namespace l2tpsec::ike
