// RFC 2409 §5 / Appendix B key derivation against a real exchange: the
// strongSwan 5.9.8 Main Mode + Quick Mode in strongswan_capture.h
// (aes256-sha1-modp2048, PSK "l2tpsec-test-psk", ESP aes256-sha1, no PFS).
//
// Both charons ran with "ike = 4", which logs g^xy, SKEYID, SKEYID_d/a/e,
// the encryption key Ka, the initial IV, HASH_I/R, Hash(1)/(2), the
// Informational's Hash and each "next IV for MID n"; both sides logged the
// same values, and they are pasted below as kCharon*. Everything else
// (nonces, KE values, SAi_b, IDs, SPIs) is read from the captured packets.
// The DH private values were not logged, so g^xy comes from the log too.
//
// Charon logged no ESP KEYMAT (it sent NO-PROPOSAL-CHOSEN instead of
// HASH(3)), so HASH(3), KEYMAT and the other derivations marked "python"
// were computed with python3's hmac/hashlib from the same inputs, e.g.
//   k = b""; out = b""
//   while len(out) < 52:
//       k = hmac.new(skeyid_d, k + pfs + bytes([3]) + spi + ni_b + nr_b, "sha1").digest(); out += k
// (the python inputs reproduce every charon value above as well).

#include "crypto/cbc_cipher.h"
#include "hex.h"
#include "ike/codec/header.h"
#include "ike/codec/payload_chain.h"
#include "ike/codec/sa_payload.h"
#include "ike/keymat.h"
#include "strongswan_capture.h"

#include <doctest.h>

#include <string_view>

using namespace l2tpsec::ike;
using l2tpsec::crypto::CbcCipher;
using l2tpsec::crypto::HashAlgorithm;
using l2tpsec::ike::test::hex;
namespace cap = l2tpsec::ike::capture;

namespace {

constexpr HashAlgorithm kSha1 = HashAlgorithm::Sha1;
constexpr uint32_t kQuickModeMid = 0x94285f58;     // 2485673816 in charon's log
constexpr uint32_t kInformationalMid = 0x078e0045; // 126746693

// charon (initiator and responder alike), "shared Diffie Hellman secret".
const auto kCharonGxy = hex("72ba6f753203468ce4f3af8d2875a522dc3209596b2b6f97871791a80ff84d1b"
                            "0de04f1174cf82386837dc2d1c7b049560c879ce49c6d53c22c5aadf35e67fc5"
                            "bccb818c204c701bb4f5b6e4d5d1c93ebeac5b921cbb454620c3af5fe7c65be5"
                            "7f5124a69c3e57a0c3e6acddda8dce147c1b2e6747c4776711a32cf86ca3b813"
                            "45c2cf3fd160283837f680d52bc20fd3eb0fe0e430fc81df745b29b7c8f8cb7c"
                            "1b350ba963eb7d492305ce76b7030ad7212d7ae081e8d976a9b992a23710f60e"
                            "9b21a124ae3248fd6cbd5a04ecdcfae68ab6a691141d28b55c67fd796430449c"
                            "0ac3519298a47e3c8b4d00fb7f87583a28567e34492439b3687d7819b1b26969");
const auto kCharonSkeyid = hex("0ef8a3917b93c9ad36e31d6e19a7a64914bcb776");
const auto kCharonSkeyidD = hex("cb56c72d9faf60c5a2e506dba9b9ab4094813b47");
const auto kCharonSkeyidA = hex("ff0d92a82aa840b01a5f68dbd83e1cee4a1912f0");
const auto kCharonSkeyidE = hex("5966d61e0c252bc92c6bebc1a8f0a44d67bdd480");
const auto kCharonKa = hex("eefa32966853a345d54c979286c68f711bb4340f4190d7eac07d731e4d96a544");
const auto kCharonInitialIv = hex("0da3d4c1cb188c92fb884ac258edd1ab");
const auto kCharonMm5NextIv = hex("f3f0a03299db2dabbc94484bcb65b18f"); // "next IV for MID 0" after MM5
const auto kCharonMm6NextIv = hex("260de5bfd77b568a1398386e2514e032"); // ... after MM6
const auto kCharonHashI = hex("b3ea9b2d8732f05305496da7a11f481c75246e99");
const auto kCharonHashR = hex("5facde86de08eaa147480501b4f8519d2d25cb5e");
const auto kCharonQuickModeIv = hex("b6f2719823e81b29215688e99d582167"); // "next IV for MID 2485673816"
const auto kCharonQm1NextIv = hex("521a69307f97c871243e090a96575e4b");
const auto kCharonHash1 = hex("302a982e86f81a0c3c730cb9cf11fbb9c84dc37d");
const auto kCharonHash2 = hex("580d907a5876876425c03893e2e835022ac11588");
const auto kCharonInformationalIv = hex("d5d026912a5b4eb3064b5b19d238c3ce"); // MID 126746693
const auto kCharonInformationalHash = hex("422fc1779265f9302b6c9e6b1161503e2ce3703b");

std::vector<uint8_t> vec(Bytes b)
{
	return {b.begin(), b.end()};
}

std::vector<RawPayload> clearPayloads(const std::vector<uint8_t> &datagram)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	return *chain;
}

// The values Main Mode 1-4 carry in the clear.
struct Phase1Inputs {
	std::vector<uint8_t> saiB, gxi, niB, gxr, nrB;
};

Phase1Inputs phase1Inputs()
{
	const auto mm1 = clearPayloads(cap::kMainMode1);
	const auto mm3 = clearPayloads(cap::kMainMode3);
	const auto mm4 = clearPayloads(cap::kMainMode4);
	REQUIRE(mm1[0].type == PayloadType::SecurityAssociation);
	REQUIRE(mm3[0].type == PayloadType::KeyExchange);
	REQUIRE(mm3[1].type == PayloadType::Nonce);
	REQUIRE(mm4[0].type == PayloadType::KeyExchange);
	REQUIRE(mm4[1].type == PayloadType::Nonce);
	return {vec(mm1[0].body), vec(mm3[0].body), vec(mm3[1].body), vec(mm4[0].body), vec(mm4[1].body)};
}

// An encrypted captured message: its header, ciphertext and last block.
struct Encrypted {
	Header header;
	std::vector<uint8_t> ciphertext;
	std::vector<uint8_t> lastBlock() const { return {ciphertext.end() - 16, ciphertext.end()}; }
};

Encrypted encrypted(const std::vector<uint8_t> &datagram)
{
	auto m = parseMessage(datagram);
	REQUIRE(m);
	REQUIRE(m->header.encrypted());
	return {m->header, vec(m->body)};
}

// Decrypts with our cipher and checks the result against charon's own
// decryption; returns the plaintext.
std::vector<uint8_t> decryptAndCompare(const Encrypted &e, Bytes key, Bytes iv, const std::vector<uint8_t> &charonPlain)
{
	auto plain = l2tpsec::crypto::cbcDecrypt(CbcCipher::Aes256, key, iv, e.ciphertext);
	REQUIRE(plain);
	CHECK(*plain == charonPlain);
	// And back: encrypting charon's plaintext gives the captured bytes.
	auto again = l2tpsec::crypto::cbcEncrypt(CbcCipher::Aes256, key, iv, charonPlain);
	REQUIRE(again);
	CHECK(*again == e.ciphertext);
	return *plain;
}

// The HASH payload body and the payloads after it (generic headers in,
// padding out), as quickModeHash1/2 and informationalHash take them.
struct HashedMessage {
	std::vector<uint8_t> hash;
	std::vector<uint8_t> afterHash;
	std::vector<RawPayload> chain;
};

HashedMessage splitAtHash(PayloadType first, const std::vector<uint8_t> &plain)
{
	auto chain = parseDecryptedPayloadChain(first, plain);
	REQUIRE(chain);
	REQUIRE(chain->front().type == PayloadType::Hash);
	const uint8_t *begin = chain->front().body.data() + chain->front().body.size();
	const uint8_t *end = chain->back().body.data() + chain->back().body.size();
	return {vec(chain->front().body), std::vector<uint8_t>(begin, end), *chain};
}

const RawPayload &find(const std::vector<RawPayload> &chain, PayloadType t)
{
	for (const RawPayload &p : chain)
		if (p.type == t)
			return p;
	FAIL("payload missing");
	return chain.front();
}

uint32_t spiOf(const RawPayload &sa)
{
	auto parsed = parseSa(sa.body);
	REQUIRE(parsed);
	const auto &spi = parsed->proposals.at(0).spi;
	REQUIRE(spi.size() == 4);
	return static_cast<uint32_t>(spi[0]) << 24 | static_cast<uint32_t>(spi[1]) << 16 |
	       static_cast<uint32_t>(spi[2]) << 8 | spi[3];
}

} // namespace

TEST_CASE("keymat: strongSwan Main Mode, phase-1 keys")
{
	const Phase1Inputs in = phase1Inputs();
	CHECK(in.saiB.size() == 132);
	CHECK(in.gxi.size() == 256);
	CHECK(in.niB.size() == 32);

	const std::string_view psk = "l2tpsec-test-psk";
	auto skeyid = skeyidPreSharedKey(kSha1, std::span(reinterpret_cast<const uint8_t *>(psk.data()), psk.size()),
	                                 in.niB, in.nrB);
	REQUIRE(skeyid);
	CHECK(vec(*skeyid) == kCharonSkeyid);

	auto keys = derivePhase1Keys(kSha1, *skeyid, kCharonGxy, cap::kCkyI, cap::kCkyR);
	REQUIRE(keys);
	CHECK(vec(keys->skeyid) == kCharonSkeyid);
	CHECK(vec(keys->skeyidD) == kCharonSkeyidD);
	CHECK(vec(keys->skeyidA) == kCharonSkeyidA);
	CHECK(vec(keys->skeyidE) == kCharonSkeyidE);

	// AES-256 needs 32 bytes from a 20-byte PRF: the Appendix B expansion.
	auto ka = phase1EncryptionKey(kSha1, keys->skeyidE, CbcCipher::Aes256);
	REQUIRE(ka);
	CHECK(vec(*ka) == kCharonKa);

	CHECK(phase1Iv(kSha1, CbcCipher::Aes256, in.gxi, in.gxr) == kCharonInitialIv);
}

TEST_CASE("keymat: strongSwan Main Mode 5/6 decrypt, IV chaining, HASH_I and HASH_R")
{
	const Phase1Inputs in = phase1Inputs();
	const auto iv1 = phase1Iv(kSha1, CbcCipher::Aes256, in.gxi, in.gxr);

	const Encrypted mm5 = encrypted(cap::kMainMode5);
	const auto plain5 = decryptAndCompare(mm5, kCharonKa, iv1, cap::kMainMode5Plain);
	CHECK(mm5.lastBlock() == kCharonMm5NextIv);

	// Main Mode 6 chains from Main Mode 5's last ciphertext block.
	const Encrypted mm6 = encrypted(cap::kMainMode6);
	const auto plain6 = decryptAndCompare(mm6, kCharonKa, mm5.lastBlock(), cap::kMainMode6Plain);
	CHECK(mm6.lastBlock() == kCharonMm6NextIv);

	auto chain5 = parseDecryptedPayloadChain(mm5.header.nextPayload, plain5);
	auto chain6 = parseDecryptedPayloadChain(mm6.header.nextPayload, plain6);
	REQUIRE(chain5);
	REQUIRE(chain6);
	const RawPayload &idii = find(*chain5, PayloadType::Identification);
	const RawPayload &idir = find(*chain6, PayloadType::Identification);

	auto hashI = mainModeHashI(kSha1, kCharonSkeyid, in.gxi, in.gxr, cap::kCkyI, cap::kCkyR, in.saiB, idii.body);
	REQUIRE(hashI);
	CHECK(*hashI == kCharonHashI);
	CHECK(*hashI == vec(find(*chain5, PayloadType::Hash).body));

	auto hashR = mainModeHashR(kSha1, kCharonSkeyid, in.gxi, in.gxr, cap::kCkyI, cap::kCkyR, in.saiB, idir.body);
	REQUIRE(hashR);
	CHECK(*hashR == kCharonHashR);
	CHECK(*hashR == vec(find(*chain6, PayloadType::Hash).body));

	// The two differ only by the order of their inputs.
	CHECK(*hashI != *hashR);
}

TEST_CASE("keymat: strongSwan Quick Mode and Informational IVs and HASHes")
{
	const Encrypted mm6 = encrypted(cap::kMainMode6);

	// Quick Mode 1: first IV from the last phase-1 block and the M-ID.
	const Encrypted qm1 = encrypted(cap::kQuickMode1);
	REQUIRE(qm1.header.messageId == kQuickModeMid);
	const auto ivQm = phase2Iv(kSha1, CbcCipher::Aes256, mm6.lastBlock(), kQuickModeMid);
	CHECK(ivQm == kCharonQuickModeIv);
	const auto plainQm1 = decryptAndCompare(qm1, kCharonKa, ivQm, cap::kQuickMode1Plain);
	CHECK(qm1.lastBlock() == kCharonQm1NextIv);
	const HashedMessage m1 = splitAtHash(qm1.header.nextPayload, plainQm1);
	auto hash1 = quickModeHash1(kSha1, kCharonSkeyidA, kQuickModeMid, m1.afterHash);
	REQUIRE(hash1);
	CHECK(*hash1 == kCharonHash1);
	CHECK(*hash1 == m1.hash);

	// Quick Mode 2 chains from Quick Mode 1 (same M-ID).
	const Encrypted qm2 = encrypted(cap::kQuickMode2);
	const auto plainQm2 = decryptAndCompare(qm2, kCharonKa, qm1.lastBlock(), cap::kQuickMode2Plain);
	const HashedMessage m2 = splitAtHash(qm2.header.nextPayload, plainQm2);
	const RawPayload &ni = find(m1.chain, PayloadType::Nonce);
	auto hash2 = quickModeHash2(kSha1, kCharonSkeyidA, kQuickModeMid, ni.body, m2.afterHash);
	REQUIRE(hash2);
	CHECK(*hash2 == kCharonHash2);
	CHECK(*hash2 == m2.hash);

	// HASH(3) was never sent (charon could not install the SAs): python.
	const RawPayload &nr = find(m2.chain, PayloadType::Nonce);
	auto hash3 = quickModeHash3(kSha1, kCharonSkeyidA, kQuickModeMid, ni.body, nr.body);
	REQUIRE(hash3);
	CHECK(*hash3 == hex("569df3a65d4c6871cd93264768f155bc048bae7f"));

	// The Informational (a new M-ID) restarts from the last phase-1 block.
	const Encrypted info = encrypted(cap::kInformationalNoProposal);
	REQUIRE(info.header.messageId == kInformationalMid);
	const auto ivInfo = phase2Iv(kSha1, CbcCipher::Aes256, mm6.lastBlock(), kInformationalMid);
	CHECK(ivInfo == kCharonInformationalIv);
	const auto plainInfo = decryptAndCompare(info, kCharonKa, ivInfo, cap::kInformationalNoProposalPlain);
	const HashedMessage mi = splitAtHash(info.header.nextPayload, plainInfo);
	CHECK(mi.chain.at(1).type == PayloadType::Notification);
	auto hashInfo = informationalHash(kSha1, kCharonSkeyidA, kInformationalMid, mi.afterHash);
	REQUIRE(hashInfo);
	CHECK(*hashInfo == kCharonInformationalHash);
	CHECK(*hashInfo == mi.hash);
}

TEST_CASE("keymat: Quick Mode KEYMAT for both SAs (python, from the capture's values)")
{
	const auto qm1 = splitAtHash(PayloadType::Hash, cap::kQuickMode1Plain);
	const auto qm2 = splitAtHash(PayloadType::Hash, cap::kQuickMode2Plain);
	const auto niB = vec(find(qm1.chain, PayloadType::Nonce).body);
	const auto nrB = vec(find(qm2.chain, PayloadType::Nonce).body);
	CHECK(niB == hex("d4e861c548c67c249c4b87121b131295ca0e9cd911305fd1b2dc94a32e4e3cdc"));
	CHECK(nrB == hex("676f8ae50f50652efadd0255047460171acbeee34a085503f9245200b353018b"));
	const uint32_t spiI = spiOf(find(qm1.chain, PayloadType::SecurityAssociation));
	const uint32_t spiR = spiOf(find(qm2.chain, PayloadType::SecurityAssociation));
	CHECK(spiI == 0xcd5be4a2);
	CHECK(spiR == 0xcfd5a93e);

	// ESP AES-256 (32 bytes) + HMAC-SHA1-96 (20-byte key): 52 bytes, three
	// PRF blocks.
	const auto toResponder = hex("b425b3e549159a7a45a63052efa3656e37dcb99e31279f08b0266ef9a8ea9848"
	                             "eff761a79ec290336ddf3572fa0816e810e8a3ed");
	const auto toInitiator = hex("3744a386b00b059ae0e873da41e4c2f383067d17759926db757613a801c78054"
	                             "866b5658ee4b25c6f6662b200b912e1ca0ecd9e9");
	auto k = quickModeKeymat(kSha1, kCharonSkeyidD, {}, ProtocolId::IpsecEsp, spiR, niB, nrB, 52);
	REQUIRE(k);
	CHECK(vec(*k) == toResponder);

	auto pair = quickModeKeymatPair(kSha1, kCharonSkeyidD, {}, ProtocolId::IpsecEsp, spiI, spiR, niB, nrB, 52);
	REQUIRE(pair);
	CHECK(vec(pair->initiatorToResponder) == toResponder);
	CHECK(vec(pair->responderToInitiator) == toInitiator);

	// Shorter material is a prefix (3DES 24 + SHA1 20 = 44 bytes).
	auto shorter = quickModeKeymat(kSha1, kCharonSkeyidD, {}, ProtocolId::IpsecEsp, spiR, niB, nrB, 44);
	REQUIRE(shorter);
	CHECK(vec(*shorter) == std::vector<uint8_t>(toResponder.begin(), toResponder.begin() + 44));

	// With PFS, g(qm)^xy goes in front of the protocol (here the phase-1
	// g^xy stands in for a Quick Mode one).
	auto pfs = quickModeKeymat(kSha1, kCharonSkeyidD, kCharonGxy, ProtocolId::IpsecEsp, spiR, niB, nrB, 52);
	REQUIRE(pfs);
	CHECK(vec(*pfs) == hex("979e1a49f27056085b67f1b320789f6e0e88580eb34947514408ee4b81943aa9"
	                       "3f22dd42f35a2f1a5b7f8ade08ac1dd8656480a1"));

	auto none = quickModeKeymat(kSha1, kCharonSkeyidD, {}, ProtocolId::IpsecEsp, spiR, niB, nrB, 0);
	REQUIRE(none);
	CHECK(none->empty());
}

TEST_CASE("keymat: phase-1 encryption key lengths (python)")
{
	// 3DES (24 bytes) from SHA-1 (20): expanded, and a prefix of the AES-256 key.
	auto tdes = phase1EncryptionKey(kSha1, kCharonSkeyidE, CbcCipher::TripleDes);
	REQUIRE(tdes);
	CHECK(vec(*tdes) == hex("eefa32966853a345d54c979286c68f711bb4340f4190d7ea"));
	// AES-128 (16) from SHA-1 (20): SKEYID_e truncated, no expansion.
	auto aes128 = phase1EncryptionKey(kSha1, kCharonSkeyidE, CbcCipher::Aes128);
	REQUIRE(aes128);
	CHECK(vec(*aes128) == hex("5966d61e0c252bc92c6bebc1a8f0a44d"));
	// AES-256 from MD5 (16): exactly K1 | K2. SKEYID_e here is
	// hmac.new(b"skeyid_e test", b"", "md5").
	const auto md5SkeyidE = hex("dcbee8dd948b0feecb7cb9c46dac6e1b");
	auto md5Key = phase1EncryptionKey(HashAlgorithm::Md5, md5SkeyidE, CbcCipher::Aes256);
	REQUIRE(md5Key);
	CHECK(vec(*md5Key) == hex("49ce318a79107e6a07c1da6caffd44a421f355ca0b2b00809fe711c9d28b0a2a"));
	auto md5Key192 = phase1EncryptionKey(HashAlgorithm::Md5, md5SkeyidE, CbcCipher::Aes192);
	REQUIRE(md5Key192);
	CHECK(vec(*md5Key192) == hex("49ce318a79107e6a07c1da6caffd44a421f355ca0b2b0080"));
}

TEST_CASE("keymat: SKEYID for signatures (python)")
{
	const Phase1Inputs in = phase1Inputs();
	// prf(Ni_b | Nr_b, g^xy) with the capture's nonces and g^xy.
	auto s = skeyidSignature(kSha1, in.niB, in.nrB, kCharonGxy);
	REQUIRE(s);
	CHECK(vec(*s) == hex("1a307db192396d7ca7e6e35164e27e691d1cab9d"));
}

TEST_CASE("keymat: IVs are truncated to the block size")
{
	const Phase1Inputs in = phase1Inputs();
	const auto aes = phase1Iv(HashAlgorithm::Sha256, CbcCipher::Aes128, in.gxi, in.gxr);
	const auto tdes = phase1Iv(HashAlgorithm::Sha256, CbcCipher::TripleDes, in.gxi, in.gxr);
	CHECK(aes.size() == 16);
	CHECK(tdes.size() == 8);
	CHECK(std::equal(tdes.begin(), tdes.end(), aes.begin()));
	const auto block = std::vector<uint8_t>(8, 0x11);
	CHECK(phase2Iv(HashAlgorithm::Md5, CbcCipher::TripleDes, block, 1).size() == 8);
	CHECK(phase2Iv(HashAlgorithm::Md5, CbcCipher::TripleDes, block, 1) !=
	      phase2Iv(HashAlgorithm::Md5, CbcCipher::TripleDes, block, 2));
}
