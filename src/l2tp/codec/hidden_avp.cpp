#include "l2tp/codec/hidden_avp.h"

#include "common/byte_io.h"
#include "crypto/md5.h"

#include <algorithm>

namespace l2tpsec::l2tp {

namespace {

using crypto::kMd5Size;

// The keystream block for the block at `offset` of the (hidden) text:
// §4.3 b1 for the first block, bi = MD5(secret + c(i-1)) after that, where
// c(i-1) is always ciphertext (which the caller has at hand in both
// directions).
crypto::Md5Digest keyBlock(crypto::Md5 &md5, uint16_t attributeType, std::string_view secret, Bytes randomVector,
                           Bytes ciphertext, size_t offset)
{
	if (offset == 0) {
		const uint8_t type[2] = {static_cast<uint8_t>(attributeType >> 8), static_cast<uint8_t>(attributeType)};
		md5.update(Bytes(type));
		md5.update(secret);
		md5.update(randomVector);
	} else {
		md5.update(secret);
		md5.update(ciphertext.subspan(offset - kMd5Size, kMd5Size));
	}
	return md5.finish();
}

} // namespace

std::vector<uint8_t> hideAvpValue(uint16_t attributeType, Bytes value, std::string_view secret, Bytes randomVector,
                                  Bytes padding)
{
	std::vector<uint8_t> text;
	text.reserve(2 + value.size() + padding.size());
	wire::put16(text, static_cast<uint16_t>(value.size()));
	text.insert(text.end(), value.begin(), value.end());
	text.insert(text.end(), padding.begin(), padding.end());

	crypto::Md5 md5;
	for (size_t offset = 0; offset < text.size(); offset += kMd5Size) {
		// Blocks are encrypted in place, so text[0, offset) is already c(1..i-1).
		crypto::Md5Digest b = keyBlock(md5, attributeType, secret, randomVector, text, offset);
		size_t n = std::min(kMd5Size, text.size() - offset);
		for (size_t i = 0; i < n; ++i)
			text[offset + i] ^= b[i];
	}
	return text;
}

DecodeResult<std::vector<uint8_t>> unhideAvpValue(uint16_t attributeType, Bytes hidden, std::string_view secret,
                                                  Bytes randomVector)
{
	auto fail = [&](std::string what) {
		DecodeError e;
		e.kind = DecodeErrorKind::BadHiddenAvp;
		e.attributeType = attributeType;
		e.message = attributeName(kIetfVendorId, attributeType) + ": " + std::move(what);
		return e;
	};
	if (hidden.size() < 2)
		return fail("hidden value of " + std::to_string(hidden.size()) + " bytes has no room for its length");

	std::vector<uint8_t> text(hidden.begin(), hidden.end());
	crypto::Md5 md5;
	for (size_t offset = 0; offset < text.size(); offset += kMd5Size) {
		// The keystream depends on the previous ciphertext block: read it
		// from `hidden`, not from `text`, which is being decrypted in place.
		crypto::Md5Digest b = keyBlock(md5, attributeType, secret, randomVector, hidden, offset);
		size_t n = std::min(kMd5Size, text.size() - offset);
		for (size_t i = 0; i < n; ++i)
			text[offset + i] ^= b[i];
	}
	size_t length = wire::load16(text, 0);
	if (length > text.size() - 2)
		return fail("original length " + std::to_string(length) + " exceeds the " +
		            std::to_string(text.size() - 2) + " bytes hidden (wrong secret?)");
	return std::vector<uint8_t>(text.begin() + 2, text.begin() + 2 + static_cast<std::ptrdiff_t>(length));
}

} // namespace l2tpsec::l2tp
