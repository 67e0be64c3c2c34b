#include "kernel/ipsec_dataplane.h"

namespace l2tpsec::kernel {

std::string_view modeName(IpsecMode mode)
{
	switch (mode) {
	case IpsecMode::Transport: return "transport";
	case IpsecMode::Tunnel: return "tunnel";
	}
	return "?";
}

std::string_view cipherName(EspCipher c)
{
	switch (c) {
	case EspCipher::AesCbc: return "cbc(aes)";
	case EspCipher::TripleDesCbc: return "cbc(des3_ede)";
	case EspCipher::AesGcm16: return "rfc4106(gcm(aes))";
	case EspCipher::Null: return "ecb(cipher_null)";
	}
	return "";
}

std::string_view integrityName(EspIntegrity i)
{
	switch (i) {
	case EspIntegrity::None: return "";
	case EspIntegrity::HmacMd5_96: return "hmac(md5)";
	case EspIntegrity::HmacSha1_96: return "hmac(sha1)";
	case EspIntegrity::HmacSha256_128:
	case EspIntegrity::HmacSha256_96: return "hmac(sha256)";
	case EspIntegrity::HmacSha384_192: return "hmac(sha384)";
	case EspIntegrity::HmacSha512_256: return "hmac(sha512)";
	}
	return "";
}

unsigned integrityTruncationBits(EspIntegrity i)
{
	switch (i) {
	case EspIntegrity::None: return 0;
	case EspIntegrity::HmacMd5_96:
	case EspIntegrity::HmacSha1_96:
	case EspIntegrity::HmacSha256_96: return 96;
	case EspIntegrity::HmacSha256_128: return 128;
	case EspIntegrity::HmacSha384_192: return 192;
	case EspIntegrity::HmacSha512_256: return 256;
	}
	return 0;
}

} // namespace l2tpsec::kernel
