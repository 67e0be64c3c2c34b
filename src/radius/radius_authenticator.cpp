#include "radius/radius_authenticator.h"

#include "crypto/constant_time.h"
#include "crypto/md5.h"
#include "crypto/prf.h"

#include <algorithm>

namespace l2tpsec::radius {

namespace {

std::span<const uint8_t> bytesOf(std::string_view s)
{
	return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

/// MD5(bytes with the authenticator field replaced by `field` + secret).
Authenticator packetDigest(std::span<const uint8_t> bytes, const Authenticator &field, std::string_view secret)
{
	crypto::Md5 h;
	h.update(bytes.first(kAuthenticatorOffset));
	h.update(field);
	h.update(bytes.subspan(kHeaderSize));
	h.update(secret);
	return h.finish();
}

/// The offset of each Message-Authenticator value in a packet that parsed.
std::vector<size_t> messageAuthenticatorOffsets(std::span<const uint8_t> bytes)
{
	std::vector<size_t> at;
	size_t off = kHeaderSize;
	while (off + 2 <= bytes.size() && bytes[off + 1] >= 2) {
		if (bytes[off] == attr::kMessageAuthenticator)
			at.push_back(off + 2);
		off += bytes[off + 1];
	}
	return at;
}

/// HMAC-MD5(secret, bytes) with the authenticator field set to `field` and
/// the value at `valueAt` (16 octets) zeroed.
std::vector<uint8_t> hmacOver(std::span<const uint8_t> bytes, size_t valueAt, const Authenticator &field,
                              std::string_view secret)
{
	std::vector<uint8_t> copy(bytes.begin(), bytes.end());
	std::copy(field.begin(), field.end(), copy.begin() + kAuthenticatorOffset);
	std::fill_n(copy.begin() + static_cast<std::ptrdiff_t>(valueAt), kAuthenticatorSize, 0);
	auto mac = crypto::prf(algorithms::HashAlgorithm::Md5, bytesOf(secret), {copy});
	if (!mac)
		return {}; // a secret HMAC cannot take: nothing matches
	return std::vector<uint8_t>(mac->begin(), mac->end());
}

std::vector<uint8_t> sign(Packet p, const Authenticator &field, std::string_view secret, bool withMac)
{
	if (withMac)
		p.attributes.push_back({attr::kMessageAuthenticator, std::vector<uint8_t>(kAuthenticatorSize, 0)});
	p.authenticator = field;
	std::vector<uint8_t> out = buildPacket(p);
	if (withMac) {
		size_t at = out.size() - kAuthenticatorSize;
		std::vector<uint8_t> mac = hmacOver(out, at, field, secret);
		if (mac.size() == kAuthenticatorSize)
			std::copy(mac.begin(), mac.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
	}
	Authenticator digest = packetDigest(out, field, secret);
	std::copy(digest.begin(), digest.end(), out.begin() + kAuthenticatorOffset);
	return out;
}

} // namespace

bool requestAuthenticatorValid(std::span<const uint8_t> bytes, std::string_view secret)
{
	if (bytes.size() < kHeaderSize)
		return false;
	Authenticator digest = packetDigest(bytes, Authenticator{}, secret);
	return crypto::constantTimeEqual(digest, bytes.subspan(kAuthenticatorOffset, kAuthenticatorSize));
}

bool responseAuthenticatorValid(std::span<const uint8_t> bytes, const Authenticator &requestAuthenticator,
                                std::string_view secret)
{
	if (bytes.size() < kHeaderSize)
		return false;
	Authenticator digest = packetDigest(bytes, requestAuthenticator, secret);
	return crypto::constantTimeEqual(digest, bytes.subspan(kAuthenticatorOffset, kAuthenticatorSize));
}

bool messageAuthenticatorValid(std::span<const uint8_t> bytes, std::string_view secret, bool request)
{
	if (bytes.size() < kHeaderSize)
		return false;
	std::vector<size_t> at = messageAuthenticatorOffsets(bytes);
	if (at.empty())
		return true;
	// RFC 3579 §3.2: one at most, and its Length is 18.
	if (at.size() != 1 || bytes[at[0] - 1] != 2 + kAuthenticatorSize || at[0] + kAuthenticatorSize > bytes.size())
		return false;
	Authenticator field{};
	if (!request)
		std::copy_n(bytes.begin() + kAuthenticatorOffset, kAuthenticatorSize, field.begin());
	std::vector<uint8_t> mac = hmacOver(bytes, at[0], field, secret);
	return crypto::constantTimeEqual(mac, bytes.subspan(at[0], kAuthenticatorSize));
}

std::vector<uint8_t> signRequest(Packet p, std::string_view secret, bool withMessageAuthenticator)
{
	return sign(std::move(p), Authenticator{}, secret, withMessageAuthenticator);
}

std::vector<uint8_t> signResponse(Packet p, const Authenticator &requestAuthenticator, std::string_view secret,
                                  bool withMessageAuthenticator)
{
	return sign(std::move(p), requestAuthenticator, secret, withMessageAuthenticator);
}

} // namespace l2tpsec::radius
