#pragma once
// IkeEngine: every ISAKMP SA of the daemon, in the responder (LNS) and the
// initiator (LAC) role, IKEv1 with pre-shared keys.
//
// It does no I/O of its own. Datagrams from the UDP 500 and 4500 sockets
// come in through onDatagram(), time through onTimer() (the owner arms one
// timer at nextDeadline()); it answers through IkeSockets and installs SAs
// and policies through kernel::IpsecDataplane. What happens goes to an
// IkeObserver, which is how the daemon learns that a peer's L2TP flow is
// protected (childSaUp) and no longer is (childSaDown).
//
// Routing is by cookie pair (RFC 2408 §2.5.3); a Main Mode 1 with a new
// initiator cookie makes a responder SA, within the half-open limits, and so
// does an Aggressive Mode 1 when the config allows it (dropped otherwise). The
// newest ISAKMP SA of a peer (same address and phase-1 ID) owns the peer's
// IPsec SAs: an older one hands them over when the new one is up, unless the
// new one came with INITIAL-CONTACT, which removes the older SAs outright.
//
// The engine decides (admission and limits, hand-overs, re-authentication,
// the kernel's events); the SAs themselves, their indexes, half-open counts
// and deadlines are its SaTable's (sa_table.h).

#include "common/result.h"
#include "ike/codec/header.h"
#include "ike/ike_context.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::ike {

class IkeSa;   // ike_sa.h, internal to src/ike/
class SaTable; // sa_table.h, internal to src/ike/

/// The LAC side: protect our L2TP flow to a server.
struct ConnectRequest {
	IpAddress local;  ///< our address (the socket's, before any NAT)
	IpAddress server; ///< its IKE runs on the config's ikePort
	/// The flow to protect; nullopt for an ISAKMP SA alone.
	std::optional<ChildRequest> child = ChildRequest{};
	/// A new Main Mode even when an ISAKMP SA to the server is up
	/// (re-authentication): once it is, it takes over the IPsec SAs and the
	/// older ISAKMP SAs are deleted.
	bool reauthenticate = false;
	/// Aggressive Mode instead of Main Mode (pre-shared key only); refused
	/// unless the engine's aggressiveMode allows it.
	bool aggressive = false;
	/// Start on the NAT-T socket towards this port of the server, not on
	/// the IKE port: a server re-authenticating a client behind a NAT, which
	/// is reachable only where its NAT maps the client's 4500.
	std::optional<uint16_t> natTPort;
};

struct IkeEngineStats {
	uint64_t datagrams = 0;
	uint64_t dropped = 0;           ///< unparsable or for no SA
	uint64_t refusedMainMode = 0;   ///< Main Mode 1 or Aggressive Mode 1 over a limit
	uint64_t refusedAggressive = 0; ///< Aggressive Mode 1 while aggressiveMode is off
	/// Phase-1 messages of blocked sources dropped before any DH (IkeEngineConfig::blocked).
	uint64_t refusedBlocked = 0;
	/// Diffie-Hellman computations begun as responder.
	uint64_t responderDh = 0;
};

class IkeEngine {
public:
	/// How long a re-authenticated ISAKMP SA stays after its successor took
	/// over its IPsec SAs, before its Delete (whenEstablished says why).
	static constexpr std::chrono::seconds kReauthHandover{10};

	IkeEngine(IkeEngineConfig config, IkeSockets &sockets, kernel::IpsecDataplane &dataplane, IkeRandom &random,
	          IkeObserver *observer = nullptr);
	~IkeEngine();
	IkeEngine(const IkeEngine &) = delete;
	IkeEngine &operator=(const IkeEngine &) = delete;

	/// One datagram from the IKE socket (500) or the NAT-T socket (4500,
	/// non-ESP marker still on; a NAT keepalive is ignored). `local` is where
	/// it arrived, address and port.
	void onDatagram(IkeSocket socket, const Endpoint &local, const Endpoint &from,
	                std::span<const uint8_t> datagram, TimePoint now);

	/// LAC: Main Mode (or Aggressive Mode) to the server, then Quick Mode for
	/// the flow; only the Quick Mode when an ISAKMP SA to it is up. Returns
	/// the ISAKMP SA's id.
	Result<uint64_t> connect(const ConnectRequest &request, TimePoint now);
	/// Deletes one ISAKMP SA and its IPsec SAs, telling the peer.
	Result<void> closeSa(uint64_t id, const std::string &reason, TimePoint now);
	/// Every SA closed with Delete notifications, the kernel state removed.
	void shutdown(TimePoint now);
	/// Main Mode 3's DH goes to `offload` (DhWorkers in the daemon) instead
	/// of running inside onDatagram(); it must outlive the engine's use of it.
	void offloadDh(DhOffload &offload) { ctx_.dhOffload = &offload; }
	/// The offload's answer for SA `sa` (gone meanwhile: dropped).
	void onDhDone(uint64_t sa, Result<DhWorkDone> done, TimePoint now);
	/// An XFRM_MSG_EXPIRE for one of our SAs (kernel::xfrm::EventSubscription):
	/// soft, the initiator rekeys; hard, the pair is removed and the peer told.
	void onSaExpired(uint32_t spi, bool hard, TimePoint now);

	/// An XFRM_MSG_MAPPING: authenticated ESP for our inbound SA `inbound`
	/// came from `to`, not from the peer's known endpoint (its NAT rebound).
	/// A new port of the same address moves the owning ISAKMP SA and its
	/// IPsec SAs' ESP-in-UDP ports there; another address is only logged.
	/// An SPI of no SA here is ignored. Repeats (one per ESP packet until
	/// the kernel's inbound SA is updated) are cheap and quiet.
	void onNatMapping(const kernel::SaId &inbound, const Endpoint &to, TimePoint now);

	std::optional<TimePoint> nextDeadline() const;
	void onTimer(TimePoint now);

	std::vector<IkeSaInfo> ikeSas() const;
	std::vector<ChildSaInfo> childSas() const;
	/// The IPsec SA pair that covers L2TP from peer:port (port 0: not known
	/// yet), the first in childSas() order if several do, found through the
	/// flow index (child_flow_index.h): the L2TP admission asks this for
	/// every new tunnel, `sessions` for every line.
	std::optional<ChildSaInfo> childSaCovering(const IpAddress &peer, uint16_t port, uint32_t mark = 0) const;
	/// The IPsec SA pair with this inbound SPI (ours, unique), if any.
	std::optional<ChildSaInfo> childSaByInboundSpi(uint32_t spi) const;
	/// One ISAKMP SA by id, if it is there.
	std::optional<IkeSaInfo> ikeSa(uint64_t id) const;
	size_t saCount() const;
	size_t halfOpenCount() const;
	IkeEngineStats stats() const
	{
		IkeEngineStats s = stats_;
		s.refusedBlocked = ctx_.refusedBlocked;
		s.responderDh = ctx_.responderDh;
		return s;
	}

private:
	/// Main Mode 1 or Aggressive Mode 1 for no SA: a responder SA, within the limits.
	void onPhase1Start(IkeSocket socket, const Endpoint &local, const Endpoint &from, const Message &m,
	                   std::span<const uint8_t> datagram);
	/// Whether an Aggressive Mode 1 may go on (logs a refusal once per attempt).
	bool aggressiveAllowed(const Endpoint &from, const Cookie &ckyI);
	/// After anything touched SA `id`: what the SAs reported meanwhile
	/// (SaEvents) acted on in order, bookkeeping, INITIAL-CONTACT and
	/// hand-overs, removals, and the timers of the SAs concerned re-armed.
	void settle(uint64_t id);
	/// One SA's state change: cookies filed, half-open count, hand-overs.
	/// Returns whether it died (removed once the events are all handled).
	bool onStateChanged(IkeSa &sa);
	void onForeignDelete(IkeSa &sa, uint32_t spi);
	void whenEstablished(IkeSa &sa);
	/// A new Main Mode to the peer of `sa` before its lifetime runs out,
	/// which takes over its IPsec SAs once established (unless the peer
	/// has re-authenticated already).
	void reauthenticate(IkeSa &sa);

	IkeContext ctx_;
	/// The SAs' reports (IkeSaEvents), queued until settle().
	class SaEvents;
	std::unique_ptr<SaEvents> events_;
	uint64_t nextId_ = 1;
	/// The SAs, their indexes, half-open counts and deadlines (sa_table.h).
	std::unique_ptr<SaTable> table_;
	bool limitLogged_ = false;
	/// The last refused Aggressive Mode 1 of each address: its
	/// retransmissions are not logged again.
	std::map<IpAddress, Cookie> aggressiveRefused_;
	IkeEngineStats stats_;
};

} // namespace l2tpsec::ike
