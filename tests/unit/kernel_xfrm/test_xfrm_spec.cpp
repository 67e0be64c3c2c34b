// makeSaSpec() and checkPolicy(): what an SA or policy may look like before
// it reaches the kernel, with the exact words of every refusal.

#include "kernel/xfrm/xfrm_msg.h"
#include "tests/unit/kernel_xfrm/xfrm_test_util.h"

#include <doctest.h>
#include <linux/xfrm.h>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using namespace l2tpsec::kernel::xfrm;
using namespace testutil;

namespace {

const SaId kId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 0, 0};

SaParams good()
{
	return paramsFor(kAlgorithms[0], kId.src, kId.dst);
}

std::string refusal(const SaId &id, const SaParams &p)
{
	auto r = makeSaSpec(id, p);
	REQUIRE(!r);
	CHECK(r.error().code == EINVAL);
	return r.error().message;
}

} // namespace

TEST_CASE("makeSaSpec resolves names, ICV lengths and keys")
{
	for (const AlgCase &a : kAlgorithms) {
		CAPTURE(a.label);
		auto s = makeSaSpec(kId, paramsFor(a, kId.src, kId.dst));
		REQUIRE(s);
		bool aead = a.authName[0] == '\0';
		CHECK(bool(s->aead) == aead);
		CHECK(bool(s->crypt) == !aead);
		CHECK(bool(s->auth) == !aead);
		if (aead) {
			CHECK(s->aead->name == a.cryptName);
			CHECK(s->aead->bits == 128);
			CHECK(s->aead->key == keyBytes(a.encKey, 0x40));
		} else {
			CHECK(s->crypt->name == a.cryptName);
			CHECK(s->crypt->key == keyBytes(a.encKey, 0x40));
			CHECK(s->auth->name == a.authName);
			CHECK(s->auth->bits == a.bits);
			CHECK(s->auth->key == keyBytes(a.authKey, 0x80));
		}
		CHECK(s->flags == 0);
		CHECK(s->selector == l2tpFlow(kId.src, kId.dst));
	}
}

TEST_CASE("makeSaSpec defaults the transport selector to the SA's own addresses")
{
	SaParams p = good();
	p.selector = Selector{};
	p.selector.protocol = IPPROTO_UDP;
	p.selector.dstPort = 1701;
	auto s = makeSaSpec(SaId{ip("2001:db8::1"), ip("2001:db8::2"), 0x100, 0, 0}, p);
	REQUIRE(s);
	CHECK(s->selector.src == ip("2001:db8::1"));
	CHECK(s->selector.dst == ip("2001:db8::2"));
	CHECK(s->selector.srcPrefix == 128);
	CHECK(s->selector.dstPrefix == 128);
	CHECK(s->selector.protocol == IPPROTO_UDP);
	CHECK(s->selector.dstPort == 1701);
}

TEST_CASE("makeSaSpec refuses, naming the SA and the reason")
{
	SaParams p = good();
	p.reqid = 7;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: reqid 0x00000007 is outside l2tpsec's range "
	                         "0x4c320000-0x4c32ffff");
	CHECK(refusal(SaId{kId.src, kId.dst, 0xff, 0, 0}, good()) ==
	      "spi 0x000000ff 192.0.2.1->192.0.2.2: SPIs below 256 are reserved (RFC 4303 §2.1)");
	CHECK(refusal(SaId{kId.src, ip("2001:db8::1"), 0x100, 0, 0}, good()) ==
	      "spi 0x00000100 192.0.2.1->2001:db8::1: source and destination are of different address families");

	p = good();
	p.keys.encryptionKey.resize(15);
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: cbc(aes) cannot take a 15-byte key");
	p = good();
	p.keys.cipher = EspCipher::TripleDesCbc;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: cbc(des3_ede) cannot take a 16-byte key");
	p = good();
	p.keys.cipher = EspCipher::AesGcm16;
	p.keys.encryptionKey.resize(20);
	CHECK(refusal(kId, p) ==
	      "spi 0x0000c001 192.0.2.1->192.0.2.2: rfc4106(gcm(aes)) is an AEAD cipher and takes no "
	      "separate integrity algorithm");
	p.keys.encryptionKey.resize(16); // the salt is missing
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: rfc4106(gcm(aes)) cannot take a 16-byte key");
	p = good();
	p.keys.integrity = EspIntegrity::None;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: cbc(aes) needs an integrity algorithm");
	p = good();
	p.keys.integrity = EspIntegrity::HmacSha512_256;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: hmac(sha512) needs a 64-byte key, not 20");
	p = good();
	p.keys.cipher = EspCipher::Null;
	p.keys.encryptionKey.clear();
	p.keys.integrity = EspIntegrity::None;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: ecb(cipher_null) needs an integrity algorithm");

	p = good();
	p.encap = NatTEncap{0, 4500, std::nullopt};
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: NAT-T encapsulation needs both UDP ports");
	p.encap = NatTEncap{4500, 4500, ip("2001:db8::9")};
	CHECK(refusal(kId, p) ==
	      "spi 0x0000c001 192.0.2.1->192.0.2.2: NAT-OA is of another address family than the SA");

	p = good();
	p.lifetime.softBytes = 10;
	p.lifetime.hardBytes = 5;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: soft byte limit 10 is above the hard limit 5");
	p = good();
	p.lifetime.softAdd = std::chrono::seconds(3600);
	p.lifetime.hardAdd = std::chrono::seconds(60);
	CHECK(refusal(kId, p) ==
	      "spi 0x0000c001 192.0.2.1->192.0.2.2: soft time limit 3600 is above the hard limit 60");
	p.lifetime.hardAdd = std::chrono::seconds(0); // no hard limit: any soft one is fine
	CHECK(makeSaSpec(kId, p));

	p = good();
	p.selector.src = ip("2001:db8::1");
	p.selector.dst = ip("2001:db8::2");
	CHECK(refusal(kId, p) ==
	      "spi 0x0000c001 192.0.2.1->192.0.2.2: the selector's address family differs from the SA's");
	p = good();
	p.selector.dstPrefix = 33;
	CHECK(refusal(kId, p) == "spi 0x0000c001 192.0.2.1->192.0.2.2: selector prefix length out of range");
}

TEST_CASE("checkPolicy")
{
	PolicyId id{l2tpFlow(kId.src, kId.dst), PolicyDirection::Out, 0, 0};
	PolicyParams pp;
	pp.reqid = 0x4c320001;
	CHECK(checkPolicy(id, pp));
	pp.reqid = 0x4c330000;
	CHECK(checkPolicy(id, pp).error().message == "policy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701: reqid "
	                                             "0x4c330000 is outside l2tpsec's range 0x4c320000-0x4c32ffff");
	pp.reqid = 0x4c320001;
	pp.mode = IpsecMode::Tunnel;
	CHECK(checkPolicy(id, pp).error().message ==
	      "policy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701: tunnel mode needs both outer addresses");
	pp.tunnelSrc = ip("198.51.100.1");
	pp.tunnelDst = ip("2001:db8::1");
	CHECK(!checkPolicy(id, pp));
	pp.tunnelDst = ip("198.51.100.2");
	CHECK(checkPolicy(id, pp));
	id.selector.dst = ip("2001:db8::1");
	CHECK(checkPolicy(id, pp).error().message == "policy out 192.0.2.1/32->2001:db8::1/32 udp 1701->1701: the "
	                                             "selector's addresses are of different families");
}

TEST_CASE("descriptions used in error messages")
{
	CHECK(describeSa(SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 0, 0}) ==
	      "spi 0x0000c001 192.0.2.1->192.0.2.2");
	CHECK(describeSa(SaId{ip("::1"), ip("::2"), 1, 0x10, 0xff}) == "spi 0x00000001 ::1->::2 mark 0x10/0xff");
	Selector any;
	any.srcPrefix = any.dstPrefix = 0;
	CHECK(describeSelector(any) == "0.0.0.0/0->0.0.0.0/0");
	Selector s = l2tpFlow(kId.src, kId.dst);
	s.srcPort = 0;
	CHECK(describeSelector(s) == "192.0.2.1/32->192.0.2.2/32 udp any->1701");
	s.protocol = 132;
	CHECK(describeSelector(s) == "192.0.2.1/32->192.0.2.2/32 proto 132 any->1701");
	CHECK(describePolicy(PolicyId{l2tpFlow(kId.src, kId.dst), PolicyDirection::Fwd, 1, 1}) ==
	      "fwd 192.0.2.1/32->192.0.2.2/32 udp 1701->1701 mark 0x1/0x1");
	CHECK(msgTypeName(XFRM_MSG_UPDSA) == "XFRM_MSG_UPDSA");
	CHECK(msgTypeName(0x99) == "XFRM_MSG_0x99");
}
