#pragma once
// Pure XFRM netlink messages (linux/xfrm.h): builders write one request into
// a caller's buffer, parsers read the kernel's answers and events out of
// untrusted byte spans. No sockets here (xfrm_netlink.h sends the bytes), so
// every message is testable without root, the way AOSP netd tests its XFRM
// messages (its XfrmController tests compare built bytes with expected ones).
//
// Parsers never trust a length: every message, attribute and key length is
// checked against the bytes actually present, and a malformed input is an
// Error (EBADMSG) naming what was wrong, never a crash.

#include "kernel/ipsec_dataplane.h"
#include "kernel/netlink/nl_frame.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::kernel::xfrm {

/// Room for any request built here: the largest, NEWSA with three
/// algorithms and their keys, stays under 2 KiB.
inline constexpr size_t kMsgBufferSize = 4096;

/// A request buffer; 8-byte alignment lets the kernel's structs (which hold
/// u64s) sit in it without misaligned access.
struct MsgBuffer {
	alignas(8) std::array<uint8_t, kMsgBufferSize> bytes{};
};

/// One algorithm as XFRM carries it.
struct Algorithm {
	std::string name; ///< the kernel crypto API's name, e.g. "cbc(aes)"
	std::vector<uint8_t> key;
	/// XFRMA_ALG_AUTH_TRUNC: ICV truncation; XFRMA_ALG_AEAD: ICV length;
	/// unused (0) for XFRMA_ALG_CRYPT.
	unsigned bits = 0;
	friend bool operator==(const Algorithm &, const Algorithm &) = default;
};

/// An SA exactly as NEWSA/UPDSA describe it: what SaId + SaParams resolve
/// to once names, defaults and flags are fixed.
struct SaSpec {
	SaId id;
	IpsecMode mode = IpsecMode::Transport;
	uint32_t reqid = 0;
	Selector selector;
	std::optional<Algorithm> crypt; ///< XFRMA_ALG_CRYPT
	std::optional<Algorithm> auth;  ///< XFRMA_ALG_AUTH_TRUNC
	std::optional<Algorithm> aead;  ///< XFRMA_ALG_AEAD
	std::optional<NatTEncap> encap; ///< XFRMA_ENCAP, UDP_ENCAP_ESPINUDP
	SaLifetime lifetime;
	uint8_t replayWindow = 0;
	uint8_t flags = 0;    ///< XFRM_STATE_*
	uint32_t setMark = 0; ///< XFRMA_SET_MARK with an all-ones XFRMA_SET_MARK_MASK; 0: none
	friend bool operator==(const SaSpec &, const SaSpec &) = default;
};

/// Checks id and params and resolves them: algorithm names and key sizes
/// (RFC 3602, 2451, 4106, 2404, 4868), the default selector (transport mode:
/// the SA's own two addresses, keeping params' protocol and ports; tunnel
/// mode: any), reqid inside `owned`. EINVAL with a message naming the field.
Result<SaSpec> makeSaSpec(const SaId &id, const SaParams &params, const OwnedReqids &owned = {});

/// What the kernel says about one SA (NEWSA reply, dump entry).
struct SaInfo {
	SaSpec spec;
	uint8_t protocol = 0;              ///< IPPROTO_ESP for ours; dumps also show AH and IPComp SAs
	uint64_t bytes = 0, packets = 0;   ///< curlft
	uint64_t addTime = 0, useTime = 0; ///< curlft, seconds since the epoch
	uint32_t replayDrops = 0, integrityFailures = 0;
};
SaState toSaState(const SaInfo &info);

/// XFRM_MSG_ALLOCSPI: a larval SA src->dst with a free SPI in [min, max].
struct SpiRequest {
	IpAddress src, dst;
	uint32_t reqid = 0;
	IpsecMode mode = IpsecMode::Transport;
	uint32_t min = 0x100, max = 0xffffffff;
};

/// A policy as NEWPOLICY/dumps carry it.
struct PolicyInfo {
	PolicyState state; ///< params from the first template
	size_t templates = 0;
	bool block = false;  ///< action XFRM_POLICY_BLOCK
	bool socket = false; ///< a per-socket policy (IP_XFRM_POLICY), not in the SPD proper
};

/// Checks a policy l2tpsec is about to install: selector families and
/// prefixes, template reqid inside `owned`, tunnel addresses. EINVAL.
Result<void> checkPolicy(const PolicyId &id, const PolicyParams &params, const OwnedReqids &owned = {});

enum class EventKind {
	Expire,   ///< XFRM_MSG_EXPIRE: soft = time to rekey, hard = the SA is gone
	Acquire,  ///< XFRM_MSG_ACQUIRE: traffic matched a policy with no SA
	Mapping,  ///< XFRM_MSG_MAPPING: a NAT-T peer's address or port changed
	Overflow, ///< the socket dropped events (ENOBUFS): resynchronise by listing
};

/// One event from the XFRM multicast groups, parsed.
struct Event {
	EventKind kind = EventKind::Expire;
	SaId sa;            ///< Expire, Mapping: the SA; Acquire: src/dst, spi 0
	uint32_t reqid = 0; ///< Acquire: the policy template's
	bool hard = false;  ///< Expire
	Selector selector;  ///< Expire: the SA's; Acquire: the flow's
	uint32_t policyIndex = 0;
	PolicyDirection direction = PolicyDirection::Out; ///< Acquire
	IpAddress newAddress;                             ///< Mapping
	uint16_t oldPort = 0, newPort = 0;                ///< Mapping
};

// ---- Builders. Each returns the bytes written into buf. ----

Result<std::span<const uint8_t>> buildNewSa(MsgBuffer &buf, uint32_t seq, const SaSpec &sa, bool update);
Result<std::span<const uint8_t>> buildDelSa(MsgBuffer &buf, uint32_t seq, const SaId &id);
Result<std::span<const uint8_t>> buildGetSa(MsgBuffer &buf, uint32_t seq, const SaId &id);
Result<std::span<const uint8_t>> buildAllocSpi(MsgBuffer &buf, uint32_t seq, const SpiRequest &req);
Result<std::span<const uint8_t>> buildNewPolicy(MsgBuffer &buf, uint32_t seq, const PolicyId &id,
                                                const PolicyParams &params, bool update = false);
Result<std::span<const uint8_t>> buildDelPolicy(MsgBuffer &buf, uint32_t seq, const PolicyId &id);
/// Dump requests (NLM_F_DUMP): every SA / every policy of the namespace.
std::span<const uint8_t> buildDumpSas(MsgBuffer &buf, uint32_t seq);
std::span<const uint8_t> buildDumpPolicies(MsgBuffer &buf, uint32_t seq);

/// The per-socket policy (IP_XFRM_POLICY / IPV6_XFRM_POLICY) that lets a
/// socket's traffic bypass every IPsec policy in one direction: a bare
/// xfrm_userpolicy_info with action ALLOW, as setsockopt() wants it.
std::vector<uint8_t> buildSocketBypass(IpAddress::Family family, PolicyDirection dir);

// ---- Parsers. ----

/// Netlink framing is shared with generic netlink (kernel/netlink/nl_frame.h).
using NlMessage = netlink::Message;
using NlAck = netlink::Ack;
using netlink::splitMessages;

/// NLMSG_ERROR (the first message in `msg`): error 0 is an ACK, otherwise a
/// positive errno, with the kernel's extended-ACK text when it sent one.
Result<NlAck> parseAck(std::span<const uint8_t> msg);
/// NLMSG_DONE's status: 0, or a positive errno when the dump failed.
Result<int> parseDone(std::span<const uint8_t> msg);

/// XFRM_MSG_NEWSA or XFRM_MSG_UPDSA (requests, replies and dump entries).
Result<SaInfo> parseSa(std::span<const uint8_t> msg);
/// XFRM_MSG_NEWPOLICY or XFRM_MSG_UPDPOLICY.
Result<PolicyInfo> parsePolicy(std::span<const uint8_t> msg);
/// XFRM_MSG_EXPIRE, XFRM_MSG_ACQUIRE or XFRM_MSG_MAPPING.
Result<Event> parseEvent(std::span<const uint8_t> msg);

// ---- Text, for error contexts, logs and the fake's records. ----

/// "XFRM_MSG_NEWSA"; "XFRM_MSG_0x42" for unknown types.
std::string msgTypeName(uint16_t type);
/// "spi 0x0000c001 192.0.2.1->192.0.2.2" (+ " mark 0x1/0xff" when marked).
std::string describeSa(const SaId &id);
/// "192.0.2.1/32->192.0.2.2/32 udp 1701->1701"
std::string describeSelector(const Selector &sel);
/// "out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701"
std::string describePolicy(const PolicyId &id);
std::string_view directionName(PolicyDirection dir); ///< "in", "out", "fwd"

} // namespace l2tpsec::kernel::xfrm
