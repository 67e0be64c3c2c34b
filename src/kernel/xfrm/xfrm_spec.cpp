// SaId + SaParams -> SaSpec: every check and default that decides what an
// SA looks like in the kernel, in one place, shared by NetlinkIpsecDataplane
// and the fake so both refuse the same inputs with the same words.

#include "kernel/xfrm/xfrm_msg.h"

#include <fmt/format.h>

#include <linux/xfrm.h>

#include <cerrno>

namespace l2tpsec::kernel::xfrm {

namespace {

unsigned maxPrefix(const IpAddress &a)
{
	return a.isV4() ? 32 : 128;
}

bool keySizeOk(EspCipher c, size_t n)
{
	switch (c) {
	case EspCipher::AesCbc: return n == 16 || n == 24 || n == 32;   // RFC 3602 §2.4
	case EspCipher::TripleDesCbc: return n == 24;                   // RFC 2451 §2.2
	case EspCipher::AesGcm16: return n == 20 || n == 28 || n == 36; // RFC 4106 §8.1: key + 4-byte salt
	case EspCipher::Null: return n == 0;                            // RFC 2410
	}
	return false;
}

/// HMAC keys are as long as the hash output (RFC 2403, 2404, 4868 §2.1.1).
size_t integrityKeySize(EspIntegrity i)
{
	switch (i) {
	case EspIntegrity::None: return 0;
	case EspIntegrity::HmacMd5_96: return 16;
	case EspIntegrity::HmacSha1_96: return 20;
	case EspIntegrity::HmacSha256_128:
	case EspIntegrity::HmacSha256_96: return 32;
	case EspIntegrity::HmacSha384_192: return 48;
	case EspIntegrity::HmacSha512_256: return 64;
	}
	return 0;
}

bool isAead(EspCipher c)
{
	switch (c) {
	case EspCipher::AesGcm16: return true;
	case EspCipher::AesCbc:
	case EspCipher::TripleDesCbc:
	case EspCipher::Null: return false;
	}
	return false;
}

std::optional<std::string> checkLimit(std::string_view what, uint64_t soft, uint64_t hard)
{
	if (soft && hard && soft > hard)
		return fmt::format("soft {} limit {} is above the hard limit {}", what, soft, hard);
	return std::nullopt;
}

} // namespace

Result<SaSpec> makeSaSpec(const SaId &id, const SaParams &p, const OwnedReqids &owned)
{
	auto fail = [&](const std::string &why) { return Error{EINVAL, describeSa(id) + ": " + why}; };

	if (id.src.family() != id.dst.family())
		return fail("source and destination are of different address families");
	// RFC 4303 §2.1: 0 is reserved for local use, 1-255 by IANA.
	if (id.spi < 0x100)
		return fail("SPIs below 256 are reserved (RFC 4303 §2.1)");
	if (!owned.contains(p.reqid))
		return fail(fmt::format("reqid 0x{:08x} is outside l2tpsec's range 0x{:08x}-0x{:08x}", p.reqid,
		                        owned.first, owned.last));

	SaSpec s;
	s.id = id;
	s.mode = p.mode;
	s.reqid = p.reqid;
	s.replayWindow = p.replayWindow;
	s.setMark = p.setMark;
	s.lifetime = p.lifetime;

	const EspKeys &k = p.keys;
	if (!keySizeOk(k.cipher, k.encryptionKey.size()))
		return fail(fmt::format("{} cannot take a {}-byte key", cipherName(k.cipher), k.encryptionKey.size()));
	if (isAead(k.cipher)) {
		// RFC 4106 §8.1: the ICV is the integrity check; a second one makes no sense.
		if (k.integrity != EspIntegrity::None)
			return fail(fmt::format("{} is an AEAD cipher and takes no separate integrity algorithm",
			                        cipherName(k.cipher)));
		s.aead = Algorithm{std::string(cipherName(k.cipher)), k.encryptionKey, 128};
	} else {
		// RFC 8221 §5: ESP without integrity is NOT RECOMMENDED; no stock client wants it.
		if (k.integrity == EspIntegrity::None)
			return fail(fmt::format("{} needs an integrity algorithm", cipherName(k.cipher)));
		if (k.integrityKey.size() != integrityKeySize(k.integrity))
			return fail(fmt::format("{} needs a {}-byte key, not {}", integrityName(k.integrity),
			                        integrityKeySize(k.integrity), k.integrityKey.size()));
		s.crypt = Algorithm{std::string(cipherName(k.cipher)), k.encryptionKey, 0};
		s.auth = Algorithm{std::string(integrityName(k.integrity)), k.integrityKey,
		                   integrityTruncationBits(k.integrity)};
	}

	if (p.encap) {
		if (!p.encap->srcPort || !p.encap->dstPort)
			return fail("NAT-T encapsulation needs both UDP ports");
		if (p.encap->originalAddress && p.encap->originalAddress->family() != id.src.family())
			return fail("NAT-OA is of another address family than the SA");
		s.encap = p.encap;
	}

	const SaLifetime &l = p.lifetime;
	if (l.softAdd.count() < 0 || l.hardAdd.count() < 0)
		return fail("negative lifetime");
	if (auto e = checkLimit("byte", l.softBytes, l.hardBytes))
		return fail(*e);
	if (auto e = checkLimit("packet", l.softPackets, l.hardPackets))
		return fail(*e);
	if (auto e = checkLimit("time", uint64_t(l.softAdd.count()), uint64_t(l.hardAdd.count())))
		return fail(*e);

	Selector sel = p.selector;
	bool unset = sel.src.isUnspecified() && sel.dst.isUnspecified();
	switch (p.mode) {
	case IpsecMode::Transport:
		// A transport SA protects traffic between its own two addresses.
		if (unset) {
			sel.src = id.src;
			sel.dst = id.dst;
			sel.srcPrefix = sel.dstPrefix = uint8_t(maxPrefix(id.src));
		}
		if (sel.src.family() != id.src.family() || sel.dst.family() != id.src.family())
			return fail("the selector's address family differs from the SA's");
		break;
	case IpsecMode::Tunnel:
		// Any inner traffic, of either family (XFRM_STATE_AF_UNSPEC, as strongSwan does).
		s.flags |= XFRM_STATE_AF_UNSPEC;
		if (unset) {
			sel.src = sel.dst = IpAddress();
			sel.srcPrefix = sel.dstPrefix = 0;
		}
		if (sel.src.family() != sel.dst.family())
			return fail("the selector's addresses are of different families");
		break;
	}
	if (sel.srcPrefix > maxPrefix(sel.src) || sel.dstPrefix > maxPrefix(sel.dst))
		return fail("selector prefix length out of range");
	s.selector = sel;
	return s;
}

Result<void> checkPolicy(const PolicyId &id, const PolicyParams &params, const OwnedReqids &owned)
{
	auto fail = [&](const std::string &why) { return Error{EINVAL, "policy " + describePolicy(id) + ": " + why}; };
	const Selector &sel = id.selector;
	if (sel.src.family() != sel.dst.family())
		return fail("the selector's addresses are of different families");
	if (sel.srcPrefix > maxPrefix(sel.src) || sel.dstPrefix > maxPrefix(sel.dst))
		return fail("selector prefix length out of range");
	if (!owned.contains(params.reqid))
		return fail(fmt::format("reqid 0x{:08x} is outside l2tpsec's range 0x{:08x}-0x{:08x}", params.reqid,
		                        owned.first, owned.last));
	switch (params.mode) {
	case IpsecMode::Transport: break;
	case IpsecMode::Tunnel:
		if (params.tunnelSrc.isUnspecified() || params.tunnelDst.isUnspecified())
			return fail("tunnel mode needs both outer addresses");
		if (params.tunnelSrc.family() != params.tunnelDst.family())
			return fail("the tunnel's outer addresses are of different families");
		break;
	}
	return {};
}

SaState toSaState(const SaInfo &info)
{
	SaState st;
	st.id = info.spec.id;
	st.reqid = info.spec.reqid;
	st.mode = info.spec.mode;
	st.bytes = info.bytes;
	st.packets = info.packets;
	st.addTime = info.addTime;
	st.useTime = info.useTime;
	if (info.spec.aead)
		st.cipher = info.spec.aead->name;
	else if (info.spec.crypt)
		st.cipher = info.spec.crypt->name;
	if (info.spec.auth)
		st.integrity = info.spec.auth->name;
	st.encap = info.spec.encap;
	return st;
}

} // namespace l2tpsec::kernel::xfrm
