#pragma once
// What the IKE SAs of one engine share: the configuration, the ports, the
// observer, the clock, and the table of protected flows. Also the types the
// engine reports to its observer.

#include "common/ip_address.h"
#include "common/result.h"
#include "config/config.h"
#include "crypto/secret_bytes.h"
#include "ike/cert_auth.h"
#include "ike/child_flow_index.h"
#include "ike/child_sa.h"
#include "ike/child_spi_index.h"
#include "ike/ike_ports.h"
#include "ike/proposals.h"
#include "kernel/ipsec_dataplane.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace l2tpsec::ike {

struct IkeEngineConfig {
	ProposalSet proposals;
	/// The pre-shared key for a peer address (per address or a wildcard;
	/// RFC 2409 §5.4: in Main Mode it must be found before the peer's ID is
	/// seen). nullopt refuses the peer.
	std::function<std::optional<crypto::SecretBytes>(const IpAddress &peer)> psk;
	/// Certificate credentials for a peer address (RFC 2409 §5.1; a LAC
	/// profile's for its server, else the [ike] ones), nullptr for none. An
	/// initiator with credentials offers signatures, with a key as well the
	/// key too; a responder accepts what it has credentials for.
	std::function<std::shared_ptr<const CertCredentials>(const IpAddress &peer)> certs;
	/// The time a peer's certificate must be valid at.
	std::function<std::chrono::system_clock::time_point()> wallClock = [] {
		return std::chrono::system_clock::now();
	};
	/// Answer Main Mode from peers (the LNS); a LAC-only engine refuses.
	bool acceptPeers = true;
	/// Whether a source is blocked (too many failed authentications): its
	/// Main Mode 1 or Aggressive Mode 1 is dropped unanswered, and so is a
	/// Main Mode 3 of an exchange it began before, so a blocked source costs
	/// no Diffie-Hellman. Unset blocks no one.
	std::function<bool(const IpAddress &source)> blocked;
	/// Responder: take a Quick Mode that asks for tunnel mode ([ike]
	/// tunnel_mode = "accept"); its IDs must still name the L2TP flow
	/// between the two hosts. Refused (NO-PROPOSAL-CHOSEN) otherwise.
	bool acceptTunnelMode = false;
	/// [ike] aggressive_mode: answer Aggressive Mode (RFC 2409 §5.4, PSK
	/// only) and allow connect() to ask for it. Off, an Aggressive Mode 1
	/// is dropped with one log line.
	bool aggressiveMode = false;
	/// [ike] conceal_server_nat: behind a NAT, answer a Main Mode from a
	/// Microsoft client (its vendor id) with NAT-D that shows only the
	/// client behind one, so Windows does not refuse us (error 809).
	bool concealServerNat = false;
	std::chrono::seconds ikeLifetime{8 * 3600};
	std::chrono::seconds saLifetime{3600};
	/// RFC 3706: probe a peer silent this long (0 = off), declare it dead
	/// after this long without an answer, probing every dpdRetry meanwhile.
	std::chrono::seconds dpdInterval{30};
	std::chrono::seconds dpdTimeout{150};
	std::chrono::seconds dpdRetry{5};
	/// RFC 3948 §4: keepalives while we are behind a NAT (0 = off).
	std::chrono::seconds natKeepalive{20};
	/// Retransmission of our unanswered messages (RFC 2408 §5 leaves the
	/// schedule to us): doubling from retransmitTimeout up to
	/// maxRetransmitTimeout, given up after retransmitTries. The defaults
	/// resend after 2, 6, 14 and 30 s and give up at 46 s, inside
	/// setupTimeout, so a silent responder is reported as "no answer".
	std::chrono::milliseconds retransmitTimeout{2000};
	std::chrono::milliseconds maxRetransmitTimeout{16000};
	uint32_t retransmitTries = 4;
	/// An ISAKMP SA not established this long after its first message is
	/// dropped (half-open SAs), and a Quick Mode likewise.
	std::chrono::seconds setupTimeout{60};
	/// How long a finished Quick Mode stays to answer a retransmitted QM2 (initiator) or QM3.
	std::chrono::seconds quickModeLinger{30};
	/// Limits against a flood of Main Mode 1 (each half-open SA costs memory).
	size_t maxHalfOpen = 4096;
	size_t maxHalfOpenPerPeer = 16;
	/// ISAKMP SAs per peer address, established or not.
	size_t maxSasPerPeer = 64;
	uint16_t ikePort = 500;
	uint16_t natTPort = 4500;
	/// The L2TP port our side of every protected flow uses (RFC 2661 §8.1).
	uint16_t l2tpPort = 1701;
	kernel::OwnedReqids reqids;
	/// Clients behind one NAT may share an L2TP flow, each under its own
	/// mark (ChildFlows): the daemon sets it when the kernel can tell their
	/// L2TP tunnels apart (Linux 6.10 and later).
	bool shareNatFlows = false;
};

/// An engine config from the daemon's [ike] section; the PSK and
/// certificate lookups stay the caller's to set (the daemon knows
/// per-profile keys). The [ike] certificate files are read here (errors as
/// loadCertCredentials() gives them) and serve every peer.
Result<IkeEngineConfig> ikeEngineConfig(const IkeConfig &config);

/// The flow an initiator asks Quick Mode for: our port to the peer's 1701,
/// in transport or tunnel mode.
struct ChildRequest {
	uint16_t localPort = 1701;
	uint16_t peerPort = 1701;
	kernel::IpsecMode mode = kernel::IpsecMode::Transport;
	/// 0: the IDs are ID_IPV4_ADDR; else ID_IPV4_ADDR_SUBNET of the address
	/// with this prefix length, the form some routers send (tests).
	uint8_t idPrefix = 0;
	/// The peer's ID for the flow (IDcr, and NAT-OAr behind NAT) when it is not
	/// its IKE address: a NATed peer's own address, when we rekey a pair it
	/// negotiated (the NAT-OA it sent then).
	std::optional<IpAddress> peerId;
};

struct IkeSaInfo {
	uint64_t id = 0;
	bool initiator = false;
	bool established = false;
	std::string_view phase; ///< phase1StateName(): "MM2 sent", "MM3 DH", ...
	Endpoint local, peer;   ///< current IKE endpoints (4500 after floating)
	bool natLocal = false;  ///< we are behind a NAT (RFC 3947 §3.2)
	bool natPeer = false;   ///< the peer is
	std::string suite;      ///< "aes256-sha1-modp2048"
	std::string peerId;     ///< "192.168.1.10" (the peer's phase-1 ID)
	/// The peer's certificate once its signature checked out; none with a
	/// pre-shared key.
	std::optional<PeerCertificate> peerCert;
	std::string peerVendorIds;
	std::string peerOffer;   ///< responder: compactPhase1Offer() of the peer's offer
	bool dpd = false;        ///< both sides speak RFC 3706
	bool aggressive = false; ///< phase 1 was Aggressive Mode, not Main Mode
	std::chrono::seconds lifetime{0};
	TimePoint created{}, establishedAt{};
};

struct ChildSaInfo {
	uint64_t ikeSaId = 0;
	Endpoint local, peer; ///< the IKE endpoints (ESP-in-UDP ports when natT)
	uint32_t inboundSpi = 0, outboundSpi = 0;
	uint32_t reqid = 0;
	/// Non-zero for a client that shares its L2TP flow with another one
	/// behind the same NAT (ChildFlows): what its inbound SA marks and its
	/// L2TP tunnel socket must send with.
	uint32_t mark = 0;
	std::string suite;     ///< "aes256-sha1"
	std::string peerOffer; ///< responder: compactPhase2Offer() of the peer's offer
	kernel::IpsecMode mode = kernel::IpsecMode::Transport;
	bool natT = false; ///< ESP in UDP (RFC 3948)
	/// Our side of the flow: local:1701 -> peer:port, UDP (in tunnel mode
	/// the inner flow; behind a NAT its peer is the peer's own address).
	kernel::Selector flow;
	std::optional<IpAddress> natOa; ///< the peer's original address (NAT-OA)
	std::chrono::seconds lifetime{0};
	TimePoint established{};
};

/// A negotiation a peer began that we refused, or whose authentication
/// failed: the daemon classifies it for the operator (a failure line with
/// the error the client likely shows), so it carries what the peer offered.
struct IkeRefusal {
	/// Phase1Timeout: a Main Mode we answered stalled (the client sent no
	/// MM3 or no MM5 before setupTimeout or our retransmissions ran out).
	enum class Step : uint8_t { Phase1Proposal, Phase1Authentication, Phase1Timeout, QuickModeProposal };
	Step step = Step::Phase1Proposal;
	IpAddress peer;
	std::string reason;    ///< the engine's words
	std::string offered;   ///< compactPhase1Offer() or compactPhase2Offer()
	std::string vendorIds; ///< the peer's, named ("none")
};

class IkeObserver {
public:
	virtual ~IkeObserver() = default;
	virtual void ikeSaUp(const IkeSaInfo &) {}
	/// Also for an initiator's SA that failed before it was up.
	virtual void ikeSaDown(const IkeSaInfo &, const std::string & /*reason*/) {}
	virtual void childSaUp(const ChildSaInfo &) {}
	virtual void childSaDown(const ChildSaInfo &, const std::string & /*reason*/) {}
	/// A Quick Mode we initiated did not produce an SA pair.
	virtual void childSaFailed(uint64_t /*ikeSaId*/, const std::string & /*reason*/) {}
	/// A peer we answered failed to authenticate (pre-shared key mismatch,
	/// certificate or ID refused): what brute-force blocking counts.
	virtual void authenticationFailed(const IpAddress & /*peer*/, const std::string & /*reason*/) {}
	/// A responder's negotiation refused (no proposal chosen), failed
	/// (authentication; after authenticationFailed()) or stalled.
	virtual void negotiationRefused(const IkeRefusal &) {}
};

struct IkeContext {
	IkeEngineConfig config;
	IkeSockets &sockets;
	kernel::IpsecDataplane &dataplane;
	IkeRandom &random;
	IkeObserver *observer = nullptr;
	/// Main Mode 3's DH on other threads; none: on the engine's own.
	DhOffload *dhOffload = nullptr;
	ChildFlows flows;
	TimePoint now{};
	/// Diffie-Hellman computations begun as responder (Main Mode 3,
	/// Aggressive Mode 1), and the ones a block saved.
	uint64_t responderDh = 0;
	uint64_t refusedBlocked = 0;
	/// SPI -> ISAKMP SA of every pair (ChildSaSet keeps it).
	ChildSpiIndex spis;
	/// Peer address:port -> the pairs that cover L2TP from it (ChildSaSet keeps it).
	ChildFlowIndex l2tpFlows;
};

} // namespace l2tpsec::ike
