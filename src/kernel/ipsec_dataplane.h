#pragma once
// IpsecDataplane: what the IKE engine asks of the kernel's IPsec (XFRM).
// Implementations: NetlinkIpsecDataplane (libmnl, xfrm/netlink_ipsec_dataplane.h),
// NullIpsecDataplane (counts, keeps nothing: --fake-dataplane, benchmarks;
// factory/dataplane_factory.h picks one) and, for tests only, FakeIpsecDataplane
// (tests/support), which records calls and refuses what the kernel refuses.
// The IKE engine sees only this header.
//
// Ownership: every SA and policy l2tpsec installs carries a reqid from
// OwnedReqids (the SA's reqid, the policy template's reqid). Listing and
// flushing look only at that range, so an admin's own `ip xfrm` state and
// other IKE daemons are never touched, and state left by a crashed l2tpsecd
// is found again at start-up.

#include "algorithms/algorithm_enums.h"
#include "common/ip_address.h"
#include "common/result.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::kernel {

/// reqids in [first, last] are l2tpsec's.
struct OwnedReqids {
	uint32_t first = 0x4c320000; // "L2" in the top half
	uint32_t last = 0x4c32ffff;
	bool contains(uint32_t reqid) const { return reqid >= first && reqid <= last; }
};

enum class IpsecMode { Transport, Tunnel };
enum class PolicyDirection { In, Out, Fwd };

/// ESP ciphers and integrity algorithms (algorithms/algorithm_enums.h).
using algorithms::EspCipher;
using algorithms::EspIntegrity;

struct EspKeys {
	EspCipher cipher = EspCipher::AesCbc;
	std::vector<uint8_t> encryptionKey; ///< for AesGcm16 the salt is the last 4 bytes
	EspIntegrity integrity = EspIntegrity::HmacSha1_96;
	std::vector<uint8_t> integrityKey;
};

/// Traffic selector; a zero prefix length, protocol or port means "any".
struct Selector {
	IpAddress src;
	IpAddress dst;
	uint8_t srcPrefix = 32;
	uint8_t dstPrefix = 32;
	uint8_t protocol = 0; ///< IPPROTO_UDP for L2TP
	uint16_t srcPort = 0;
	uint16_t dstPort = 0;
	friend bool operator==(const Selector &, const Selector &) = default;
};

/// ESP in UDP (RFC 3948) when NAT-T is in use.
struct NatTEncap {
	uint16_t srcPort = 4500;
	uint16_t dstPort = 4500;
	std::optional<IpAddress> originalAddress; ///< NAT-OA, transport mode
	friend bool operator==(const NatTEncap &, const NatTEncap &) = default;
};

/// Zero means "no limit". Times count from when the SA was added.
struct SaLifetime {
	uint64_t softBytes = 0, hardBytes = 0;
	uint64_t softPackets = 0, hardPackets = 0;
	std::chrono::seconds softAdd{0}, hardAdd{0};
	friend bool operator==(const SaLifetime &, const SaLifetime &) = default;
};

/// What identifies an SA in the kernel: (dst, spi, ESP) plus the mark.
struct SaId {
	IpAddress src;
	IpAddress dst;
	uint32_t spi = 0; ///< host byte order
	uint32_t mark = 0, markMask = 0;
	friend bool operator==(const SaId &, const SaId &) = default;
};

struct SaParams {
	IpsecMode mode = IpsecMode::Transport;
	uint32_t reqid = 0; ///< must be in OwnedReqids
	/// Transport mode: the L2TP flow. Left with unspecified addresses, it
	/// becomes the SA's own two addresses (keeping protocol and ports);
	/// in tunnel mode, any traffic.
	Selector selector;
	EspKeys keys;
	std::optional<NatTEncap> encap;
	SaLifetime lifetime;
	uint8_t replayWindow = 32; ///< inbound; 0 for outbound SAs
	/// Inbound only: the mark the kernel gives every packet this SA
	/// decrypted (XFRMA_SET_MARK, all 32 bits), so that the policy check
	/// and a socket's SO_RCVMARK tell apart clients behind one NAT. 0: none.
	uint32_t setMark = 0;
};

/// Current use of an SA, from the kernel (XFRM_MSG_GETSA).
struct SaState {
	SaId id;
	uint32_t reqid = 0;
	IpsecMode mode = IpsecMode::Transport;
	uint64_t bytes = 0, packets = 0;
	uint64_t addTime = 0, useTime = 0; ///< seconds since the epoch; useTime 0 = never used
	std::string cipher;                ///< the kernel's algorithm name, e.g. "cbc(aes)"
	std::string integrity;             ///< e.g. "hmac(sha1)"; empty for AEAD
	std::optional<NatTEncap> encap;
};

struct PolicyId {
	Selector selector;
	PolicyDirection direction = PolicyDirection::Out;
	uint32_t mark = 0, markMask = 0;
	friend bool operator==(const PolicyId &, const PolicyId &) = default;
};

struct PolicyParams {
	IpsecMode mode = IpsecMode::Transport;
	uint32_t reqid = 0;    ///< template reqid, in OwnedReqids
	uint32_t priority = 0; ///< lower wins; 0 lets the kernel default apply
	IpAddress tunnelSrc;   ///< tunnel mode: outer addresses of the template
	IpAddress tunnelDst;
};

struct PolicyState {
	PolicyId id;
	PolicyParams params;
	uint32_t index = 0;
};

/// What a flush removed.
struct FlushReport {
	size_t sas = 0;
	size_t policies = 0;
};

class IpsecDataplane {
public:
	virtual ~IpsecDataplane() = default;

	/// Reserves an inbound SPI in [min, max] for an SA from src to dst; the
	/// kernel holds a larval SA until addSa() with the same id fills it.
	virtual Result<uint32_t> allocSpi(const IpAddress &src, const IpAddress &dst, uint32_t reqid,
	                                  uint32_t min = 0x100, uint32_t max = 0xffffffff) = 0;
	/// Installs an SA (XFRM_MSG_NEWSA; UPDSA when it completes an allocSpi()).
	/// On success the kernel uses it for matching traffic at once.
	virtual Result<void> addSa(const SaId &id, const SaParams &params) = 0;
	/// Changes an installed SA in place (XFRM_MSG_UPDSA). The kernel takes
	/// only the NAT-T ports and the lifetimes from params and keeps the
	/// rest (xfrm_state_update()); new keys need a new SA.
	virtual Result<void> updateSa(const SaId &id, const SaParams &params) = 0;
	virtual Result<void> deleteSa(const SaId &id) = 0;
	virtual Result<SaState> querySa(const SaId &id) = 0;

	virtual Result<void> addPolicy(const PolicyId &id, const PolicyParams &params) = 0;
	virtual Result<void> deletePolicy(const PolicyId &id) = 0;

	/// Only l2tpsec's own objects (OwnedReqids). Larval SAs without an SPI
	/// (from an ACQUIRE or a failed allocSpi()) are left out: no request
	/// can name them and the kernel drops them itself after
	/// net.core.xfrm_acq_expires.
	virtual Result<std::vector<SaState>> listSas() = 0;
	virtual Result<std::vector<PolicyState>> listPolicies() = 0;
	/// Deletes every SA and policy listSas()/listPolicies() return.
	virtual Result<FlushReport> flush() = 0;

	/// IKE sockets must not be caught by the policies they negotiate.
	virtual Result<void> bypassSocket(int fd) = 0;
	/// The UDP 4500 socket: the kernel strips ESP-in-UDP itself and passes
	/// only IKE (non-ESP marker) up.
	virtual Result<void> enableUdpEncap(int fd) = 0;
};

std::string_view modeName(IpsecMode mode);      ///< "transport", "tunnel"
std::string_view cipherName(EspCipher c);       ///< XFRM's name, "cbc(aes)"
std::string_view integrityName(EspIntegrity i); ///< XFRM's name, "hmac(sha1)"; "" for None
unsigned integrityTruncationBits(EspIntegrity i);

} // namespace l2tpsec::kernel
