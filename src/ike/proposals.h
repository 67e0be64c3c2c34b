#pragma once
// Phase-1 and phase-2 proposals: the lists the config asks for (a profile or
// explicit strongSwan-style spellings, config/proposal_syntax.h), matching a
// received SA payload, the SA payloads an initiator sends, and the mapping of
// an ESP choice to kernel::EspKeys.
//
// Selection (RFC 2408 §4.2, RFC 2409 §5): the responder picks exactly one
// transform and returns it unchanged. We pick in OUR order of preference,
// not the initiator's (strongSwan's default, prefer_configured_proposals):
// the admin's list decides, so a client that lists a weak suite first still
// gets the strongest one both sides support. Clients order by strength
// anyway, so in practice the two orders agree.
//
// Lifetimes: the transform goes back as offered (RFC 2408 §4.2: the
// responder MUST NOT modify it; Windows and strongSwan compare). The lifetime
// in force is the initiator's when it is not longer than ours, else ours.
// In phase 2 a shortened lifetime is announced with RESPONDER-LIFETIME
// (RFC 2407 §4.6.3.1); in phase 1 it is only enforced locally (the ISAKMP
// SA is deleted, with a Delete, when ours runs out).

#include "common/result.h"
#include "config/config.h"
#include "crypto/cbc_cipher.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "ike/codec/sa_payload.h"
#include "ike/codec/transform_attributes.h"
#include "kernel/ipsec_dataplane.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::ike {

/// A phase-1 suite: cipher (with its key length), hash (and its HMAC as the
/// PRF, RFC 2409 §4), DH group. The authentication method is negotiated
/// alongside (the auth lists below): what the credentials allow, not the
/// admin's suite list.
struct IkeSuite {
	crypto::CbcCipher cipher = crypto::CbcCipher::Aes128;
	crypto::HashAlgorithm hash = crypto::HashAlgorithm::Sha1;
	crypto::DhGroup group = crypto::DhGroup::Modp2048;
	friend bool operator==(const IkeSuite &, const IkeSuite &) = default;
};

/// A phase-2 (ESP) suite. HMAC-SHA-256 with 96 or 128 bits is one value on
/// the wire (RFC 2407 §4.5 auth algorithm 5): the config's order decides
/// which the kernel gets.
struct EspSuite {
	kernel::EspCipher cipher = kernel::EspCipher::AesCbc;
	size_t keyBytes = 16; ///< cipher key without the GCM salt
	kernel::EspIntegrity integrity = kernel::EspIntegrity::HmacSha1_96;
	std::optional<crypto::DhGroup> pfs;
	friend bool operator==(const EspSuite &, const EspSuite &) = default;
};

/// "aes256-sha1-modp2048", "aes128gcm16", "3des-sha1-modp1024" (config spellings).
std::string suiteName(const IkeSuite &s);
std::string suiteName(const EspSuite &s);

struct ProposalSet {
	std::vector<IkeSuite> ike;
	std::vector<EspSuite> esp;
};

std::optional<IkeSuite> ikeSuiteFromSpelling(std::string_view text);
std::optional<EspSuite> espSuiteFromSpelling(std::string_view text);
/// The spellings a profile stands for, in order of preference.
std::vector<std::string_view> profileIkeProposals(ProposalProfile p);
std::vector<std::string_view> profileEspProposals(ProposalProfile p);
/// The explicit lists when set, else the profile's. An error names an entry
/// that does not parse (the loader has checked them; a hand-built config may
/// not have been).
Result<ProposalSet> proposalsFromConfig(const IkeConfig &config);

// ---- phase 1 ----

/// The engine authenticates with a pre-shared key (RFC 2409 §5.4) or
/// signatures (§5.1: RSA, and ECDSA by the RFC 4754 numbers, cert_auth.h).
/// "psk", "rsasig", "ecdsa256", ... for logs.
std::string authMethodName(IkeAuthMethod m);
inline constexpr std::array<IkeAuthMethod, 1> kPskOnly{IkeAuthMethod::PreSharedKey};

struct Phase1Choice {
	IkeSuite suite;
	IkeAuthMethod auth = IkeAuthMethod::PreSharedKey;
	std::chrono::seconds lifetime{0}; ///< in force: min(initiator's, ours)
	/// Responder: the MM2 SA payload, the chosen proposal with the chosen
	/// transform as it was offered.
	SaPayload reply;
};

/// Responder: the first of `ours` that the offer contains with one of
/// `auths` (no PRF attribute, a supported group and no attribute we do not
/// know). For one suite the offer's order of methods decides.
std::optional<Phase1Choice> choosePhase1(const SaPayload &offer, std::span<const IkeSuite> ours,
                                         std::chrono::seconds ourLifetime,
                                         std::span<const IkeAuthMethod> auths = kPskOnly);
/// Initiator: MM1's SA, one ISAKMP proposal with one transform per suite
/// and authentication method (suites in order, each with every method).
SaPayload phase1Offer(std::span<const IkeSuite> ours, std::chrono::seconds lifetime,
                      std::span<const IkeAuthMethod> auths = kPskOnly);
/// Initiator: the responder's choice, which must be one proposal with one
/// transform that is one of `offered` with one of `auths`.
Result<Phase1Choice> acceptPhase1Reply(const SaPayload &reply, std::span<const IkeSuite> offered,
                                       std::chrono::seconds ourLifetime,
                                       std::span<const IkeAuthMethod> auths = kPskOnly);
/// The offer on one line, for the log: "aes256-sha1-modp2048/psk/28800s, ...";
/// what we cannot use says why: "#4 xauth-psk".
std::string describePhase1Offer(const SaPayload &offer);
/// The offer's suites alone, each once, for a client's fingerprint and its
/// failures: "aes256-sha1-modp2048, 3des-sha1-modp1024" ("nothing" when no
/// ISAKMP transform).
std::string compactPhase1Offer(const SaPayload &offer);

// ---- phase 2 ----

/// How NAT traversal was negotiated from the vendor ids (RFC 3947 §3.1; the
/// drafts 02/03 use payload types 130/131 and modes 61443/61444).
enum class NatTMethod : uint8_t { None, Rfc3947, Draft };

/// The Encapsulation Mode attribute (RFC 2407 §4.5) for ESP in `mode`:
/// Transport (2) or Tunnel (1); with NAT the UDP-encapsulated ones, 4 and 3
/// (RFC 3947 §5.1), or 61444 and 61443 (drafts).
EncapsulationMode encapsulationMode(kernel::IpsecMode mode, bool udpEncap, NatTMethod method);
/// encapsulationMode() for transport mode.
EncapsulationMode transportMode(bool udpEncap, NatTMethod method);
/// The kernel's mode of an Encapsulation Mode value (every tunnel value is Tunnel).
kernel::IpsecMode ipsecMode(EncapsulationMode mode);
/// "transport", "tunnel", "udp-tunnel-draft", "mode7", for logs.
std::string encapsulationModeName(EncapsulationMode mode);

struct Phase2Choice {
	EspSuite suite;
	EncapsulationMode mode = EncapsulationMode::Transport;
	std::chrono::seconds lifetime{0}; ///< in force: min(initiator's, ours)
	uint64_t lifeKilobytes = 0;       ///< 0 = none offered
	bool lifetimeReduced = false;     ///< responder: send RESPONDER-LIFETIME
	uint32_t peerSpi = 0;             ///< the SPI the other side chose (our outbound SA)
	/// Responder: the chosen proposal with only the chosen transform, SPI
	/// still the initiator's (phase2Reply() puts ours in).
	Proposal proposal;
};

/// Responder: the first of `ours` among the offer's ESP proposals.
/// Transport mode, and with acceptTunnel tunnel mode too (for one suite the
/// offer's order decides between them); with udpEncap only the
/// UDP-encapsulated values (4 or 61444, 3 or 61443), without it only the
/// plain ones. Proposals that AND ESP with AH or IPComp are passed over.
std::optional<Phase2Choice> choosePhase2(const SaPayload &offer, std::span<const EspSuite> ours,
                                         std::chrono::seconds ourLifetime, bool udpEncap, bool acceptTunnel = false);
/// The QM2 SA payload: the chosen proposal and transform, with our SPI.
SaPayload phase2Reply(const SaPayload &offer, const Phase2Choice &choice, uint32_t ourSpi);
/// Initiator: QM1's SA, one ESP proposal (our SPI) with one transform per suite.
SaPayload phase2Offer(std::span<const EspSuite> suites, std::chrono::seconds lifetime, EncapsulationMode mode,
                      uint32_t ourSpi);
/// Initiator: the responder's choice must be one of `offered` in the mode we asked for.
Result<Phase2Choice> acceptPhase2Reply(const SaPayload &reply, std::span<const EspSuite> offered,
                                       std::chrono::seconds ourLifetime, EncapsulationMode mode);
/// The offer on one line: "aes256-sha1/transport/3600s, 3des-sha1/udp-transport/3600s".
std::string describePhase2Offer(const SaPayload &offer);
/// The offer's ESP suites and PFS groups alone, each once:
/// "aes256-sha1 pfs none, aes128-sha1 pfs modp2048" ("nothing" without ESP).
std::string compactPhase2Offer(const SaPayload &offer);
/// The lifetime attributes of a RESPONDER-LIFETIME notify (RFC 2407 §4.6.3.1).
std::vector<DataAttribute> lifetimeAttributes(std::chrono::seconds lifetime);
/// Seconds out of lifetime attributes (a RESPONDER-LIFETIME's), if any.
std::optional<std::chrono::seconds> lifetimeSeconds(std::span<const DataAttribute> attrs);

/// KEYMAT bytes an ESP SA of this suite takes: cipher key (+ 4-byte salt for
/// GCM, RFC 4106 §8.1), then the integrity key.
size_t espKeymatLength(const EspSuite &s);
/// The kernel's keys from KEYMAT, split cipher key first (RFC 2409 §5.5;
/// the Linux and strongSwan convention).
kernel::EspKeys espKeys(const EspSuite &s, std::span<const uint8_t> keymat);

/// An ESP SPI as a proposal or notify carries it: 4 bytes, big-endian.
std::vector<uint8_t> spiBytes(uint32_t spi);
/// The SPI of 4 such bytes; nullopt for any other length.
std::optional<uint32_t> spiValue(const std::vector<uint8_t> &spi);

} // namespace l2tpsec::ike
