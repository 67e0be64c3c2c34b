#pragma once
// Shared by the kernel_xfrm tests: addresses, key material, the algorithm
// table, and a libmnl message writer for kernel-style inputs (what the
// kernel sends, which our builders never produce).

#include "kernel/ipsec_dataplane.h"

#include <libmnl/libmnl.h>

#include <linux/netlink.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace testutil {

using namespace l2tpsec;
using namespace l2tpsec::kernel;

inline IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

inline std::vector<uint8_t> keyBytes(size_t n, uint8_t first)
{
	std::vector<uint8_t> k(n);
	for (size_t i = 0; i < n; i++)
		k[i] = uint8_t(first + i);
	return k;
}

inline Selector l2tpFlow(const IpAddress &src, const IpAddress &dst)
{
	Selector s;
	s.src = src;
	s.dst = dst;
	s.srcPrefix = s.dstPrefix = src.isV4() ? 32 : 128;
	s.protocol = IPPROTO_UDP;
	s.srcPort = s.dstPort = 1701;
	return s;
}

struct AlgCase {
	const char *label;
	EspCipher cipher;
	size_t encKey;
	EspIntegrity integrity;
	size_t authKey;
	const char *cryptName; ///< XFRMA_ALG_CRYPT or XFRMA_ALG_AEAD
	const char *authName;  ///< "" for AEAD
	unsigned bits;         ///< truncation or ICV
};

inline const AlgCase kAlgorithms[] = {
        {"AES-CBC-128 + HMAC-SHA1-96", EspCipher::AesCbc, 16, EspIntegrity::HmacSha1_96, 20, "cbc(aes)", "hmac(sha1)",
         96},
        {"AES-CBC-192 + HMAC-SHA1-96", EspCipher::AesCbc, 24, EspIntegrity::HmacSha1_96, 20, "cbc(aes)", "hmac(sha1)",
         96},
        {"AES-CBC-256 + HMAC-SHA1-96", EspCipher::AesCbc, 32, EspIntegrity::HmacSha1_96, 20, "cbc(aes)", "hmac(sha1)",
         96},
        {"3DES-CBC + HMAC-SHA1-96", EspCipher::TripleDesCbc, 24, EspIntegrity::HmacSha1_96, 20, "cbc(des3_ede)",
         "hmac(sha1)", 96},
        {"AES-CBC-128 + HMAC-SHA2-256-128", EspCipher::AesCbc, 16, EspIntegrity::HmacSha256_128, 32, "cbc(aes)",
         "hmac(sha256)", 128},
        {"AES-CBC-256 + HMAC-SHA2-384-192", EspCipher::AesCbc, 32, EspIntegrity::HmacSha384_192, 48, "cbc(aes)",
         "hmac(sha384)", 192},
        {"AES-CBC-256 + HMAC-SHA2-512-256", EspCipher::AesCbc, 32, EspIntegrity::HmacSha512_256, 64, "cbc(aes)",
         "hmac(sha512)", 256},
        {"AES-CBC-128 + HMAC-SHA2-256-96 (Android truncation)", EspCipher::AesCbc, 16, EspIntegrity::HmacSha256_96, 32,
         "cbc(aes)", "hmac(sha256)", 96},
        {"AES-CBC-128 + HMAC-MD5-96", EspCipher::AesCbc, 16, EspIntegrity::HmacMd5_96, 16, "cbc(aes)", "hmac(md5)", 96},
        {"NULL + HMAC-SHA1-96", EspCipher::Null, 0, EspIntegrity::HmacSha1_96, 20, "ecb(cipher_null)", "hmac(sha1)",
         96},
        {"AES-GCM-128 (rfc4106, ICV 128)", EspCipher::AesGcm16, 20, EspIntegrity::None, 0, "rfc4106(gcm(aes))", "",
         128},
        {"AES-GCM-256 (rfc4106, ICV 128)", EspCipher::AesGcm16, 36, EspIntegrity::None, 0, "rfc4106(gcm(aes))", "",
         128},
};

inline SaParams paramsFor(const AlgCase &a, const IpAddress &src, const IpAddress &dst, uint32_t reqid = 0x4c320001)
{
	SaParams p;
	p.reqid = reqid;
	p.selector = l2tpFlow(src, dst);
	p.keys = {a.cipher, keyBytes(a.encKey, 0x40), a.integrity, keyBytes(a.authKey, 0x80)};
	return p;
}

/// Writes a netlink message the way the kernel would, with libmnl.
class KernelMsg {
public:
	explicit KernelMsg(uint16_t type, uint16_t flags = 0, uint32_t seq = 0) : buf_(8192 / 8, 0)
	{
		nlh_ = mnl_nlmsg_put_header(buf_.data());
		nlh_->nlmsg_type = type;
		nlh_->nlmsg_flags = flags;
		nlh_->nlmsg_seq = seq;
	}
	template <typename T>
	KernelMsg &body(const T &v)
	{
		std::memcpy(mnl_nlmsg_put_extra_header(nlh_, sizeof(T)), &v, sizeof(T));
		return *this;
	}
	KernelMsg &raw(const void *data, size_t len)
	{
		std::memcpy(mnl_nlmsg_put_extra_header(nlh_, len), data, len);
		return *this;
	}
	KernelMsg &attr(uint16_t type, const void *data, size_t len)
	{
		mnl_attr_put(nlh_, type, len, data);
		return *this;
	}
	KernelMsg &attr(uint16_t type, const std::vector<uint8_t> &v) { return attr(type, v.data(), v.size()); }
	template <typename T>
	KernelMsg &attr(uint16_t type, const T &v)
	{
		return attr(type, &v, sizeof(T));
	}
	std::vector<uint8_t> bytes() const
	{
		auto *p = reinterpret_cast<const uint8_t *>(buf_.data());
		return {p, p + nlh_->nlmsg_len};
	}

private:
	std::vector<uint64_t> buf_;
	nlmsghdr *nlh_;
};

/// xfrm_algo / xfrm_algo_auth bytes.
inline std::vector<uint8_t> algoAttr(const char *name, const std::vector<uint8_t> &key, int bits = -1)
{
	size_t head = bits < 0 ? 68 : 72;
	std::vector<uint8_t> out(head + key.size(), 0);
	std::memcpy(out.data(), name, std::strlen(name));
	uint32_t keyBits = uint32_t(key.size() * 8);
	std::memcpy(out.data() + 64, &keyBits, 4);
	if (bits >= 0) {
		uint32_t b = uint32_t(bits);
		std::memcpy(out.data() + 68, &b, 4);
	}
	if (!key.empty())
		std::memcpy(out.data() + head, key.data(), key.size());
	return out;
}

} // namespace testutil
