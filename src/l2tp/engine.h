#pragma once
// L2tpEngine: the L2TPv2 control protocol (RFC 2661) for every tunnel and
// session of the daemon, in the LNS and the LAC role.
//
// It does no I/O of its own. Datagrams come in through onDatagram(), time
// through onTimer() (the owner arms one timer at nextDeadline()), pppd exits
// through pppEnded(); it answers through its ports: TunnelSockets (one UDP
// socket per tunnel, connected to the peer), kernel::L2tpDataplane (the
// kernel tunnel at SCCCN, the kernel session and PPPoL2TP socket at ICCN) and
// PppLauncher (one pppd per session). What happens is reported to an
// EngineObserver: the audit record and the control socket's view come from
// there.
//
// The protocol itself is in the state tables of tunnel.cpp (§7.2) and
// session.cpp (§7.4); reliable delivery (§5.8) is ReliableTransport.

#include "common/ip_address.h"
#include "common/result.h"
#include "kernel/l2tp_dataplane.h"
#include "l2tp/engine_ports.h"
#include "l2tp/reliable_transport.h"
#include "ppp/address_pool.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace l2tpsec::l2tp {

class Tunnel;
struct Packet;

struct EngineConfig {
	/// Host Name AVP we send (§4.4.3).
	std::string hostName = "l2tpsec";
	/// The tunnel secret (§4.2, §5.1.1): with one, we challenge every peer and
	/// unhide hidden AVPs; without, a peer that challenges us is refused.
	std::string secret;
	/// Accept SCCRQs (act as LNS). A LAC-only daemon refuses them.
	bool acceptTunnels = true;
	std::chrono::seconds helloInterval{60};
	/// Our Receive Window Size.
	uint16_t receiveWindow = 16;
	/// Retransmissions before a silent peer's tunnel is dropped.
	uint32_t retries = 5;
	std::chrono::milliseconds initialTimeout{1000};
	std::chrono::milliseconds maxTimeout{8000};
	std::chrono::milliseconds ackDelay{100};
	/// How long a tunnel that sent or received StopCCN stays to (re)acknowledge
	/// it (§5.7: one full retransmission cycle).
	std::chrono::milliseconds stopLinger{31000};
	/// A call that is not connected (ICCN) this long after ICRQ is cleared.
	std::chrono::milliseconds callSetupTimeout{30000};
	uint32_t maxTunnelsPerPeer = 16;
	/// LNS: the most tunnels at once, all peers together; 0: no limit.
	uint32_t maxTunnels = 0;
	/// LNS: the most sessions at once, all tunnels together; 0: no limit.
	uint32_t maxSessions = 0;
	kernel::OwnedTunnelIds tunnelIds;
	/// LNS: the addresses handed to clients; unset means pppd (or RADIUS)
	/// decides, with no limit here.
	std::optional<std::pair<IpAddress, IpAddress>> pool;
	/// Asked for every new tunnel from a peer: a reason to refuse it (the
	/// daemon: "[l2tp] ipsec = required and no IPsec SA protects ..."), or
	/// nullopt to go ahead. Unset admits everyone.
	std::function<std::optional<std::string>(const Endpoint &peer)> admitPeer;
	/// Seeds the id generator (tests want repeatable ids); 0 = random.
	uint32_t seed = 0;
};

enum class TunnelStateName { Idle, WaitCtlReply, WaitCtlConn, Established, Closing, Dead };
enum class SessionStateName { Idle, WaitReply, WaitConnect, Established, Closed };
std::string_view tunnelStateName(TunnelStateName s);
std::string_view sessionStateName(SessionStateName s);

struct TunnelInfo {
	uint16_t tunnelId = 0, peerTunnelId = 0;
	bool lns = true;
	Endpoint local, peer;
	TunnelStateName state = TunnelStateName::Idle;
	std::string peerHostName, peerVendorName;
	std::optional<uint16_t> peerFirmwareRevision;
	std::string lacProfile;
	size_t sessions = 0;
	TimePoint created;
	TransportCounters transport;
};

struct SessionInfo {
	uint16_t tunnelId = 0, sessionId = 0, peerTunnelId = 0, peerSessionId = 0;
	bool lns = true;
	Endpoint peer;
	SessionStateName state = SessionStateName::Idle;
	std::optional<IpAddress> address; ///< LNS: the client's PPP address
	uint32_t callSerialNumber = 0;
	std::string lacProfile;
	TimePoint started; ///< when it was established (ICCN)
};

/// A session that ended, for the audit record and accounting.
struct SessionEnd {
	SessionInfo session;
	std::string reason;
	EndCause cause = EndCause::Error;
	/// From the kernel just before the session was deleted (absent when the
	/// session never reached the kernel or the read failed).
	std::optional<kernel::L2tpStats> stats;
	TimePoint ended;
};

class EngineObserver {
public:
	virtual ~EngineObserver() = default;
	virtual void tunnelUp(const TunnelInfo &) {}
	virtual void tunnelDown(const TunnelInfo &, const std::string & /*reason*/) {}
	virtual void sessionUp(const SessionInfo &) {}
	virtual void sessionDown(const SessionEnd &) {}
};

/// What a LAC profile asks for: one tunnel to `server`, one session in it.
struct LacRequest {
	std::string profile;
	Endpoint local; ///< port 0: let the socket port pick one
	Endpoint server;
};

/// What the tunnels and sessions share: ports, config, ids, the pool.
struct EngineContext {
	EngineConfig config;
	kernel::L2tpDataplane &dataplane;
	TunnelSockets &sockets;
	PppLauncher &ppp;
	EngineObserver *observer;
	std::optional<ppp::AddressPool> pool;
	std::mt19937 rng;
	TimePoint now{};
	uint32_t nextCallSerial = 1;
	bool shuttingDown = false;
	/// LNS sessions answered and not yet cleared (EngineConfig::maxSessions).
	uint32_t lnsSessions = 0;
};

class L2tpEngine {
public:
	L2tpEngine(EngineConfig config, kernel::L2tpDataplane &dataplane, TunnelSockets &sockets, PppLauncher &ppp,
	           EngineObserver *observer = nullptr);
	~L2tpEngine();
	/// A reload's settings, for the tunnels and sessions set up from now on.
	/// The pool's range is read at start only (its leases stay).
	void reconfigure(EngineConfig config);
	L2tpEngine(const L2tpEngine &) = delete;
	L2tpEngine &operator=(const L2tpEngine &) = delete;

	/// One datagram from a listener (socketId 0) or a tunnel's socket.
	/// `local` is where it arrived (the listener learns it with IP_PKTINFO).
	void onDatagram(uint64_t socketId, const Endpoint &local, const Endpoint &from,
	                std::span<const uint8_t> datagram, TimePoint now);

	/// LAC: opens a tunnel to the server and, once it is up, one session.
	/// Returns our tunnel id.
	Result<uint16_t> connect(const LacRequest &request, TimePoint now);
	/// LAC: one more session in an existing LAC tunnel.
	Result<void> placeCall(uint16_t tunnelId, TimePoint now);
	/// Clears one session with a CDN (Result Code 3, administrative).
	Result<void> disconnectSession(uint16_t tunnelId, uint16_t sessionId, const std::string &reason, TimePoint now,
	                               EndCause cause = EndCause::Admin);
	/// Clears a tunnel and its sessions with a StopCCN.
	Result<void> closeTunnel(uint16_t tunnelId, const std::string &reason, TimePoint now,
	                         EndCause cause = EndCause::Admin);
	/// LNS: the client's address as its pppd reported it at IP up. When it
	/// is not the pool's offer (RADIUS's Framed-IP-Address wins in pppd),
	/// the offer goes back to the pool and an address inside the pool is
	/// leased instead; one another session holds is an error (the caller
	/// ends the session: two clients with one address).
	Result<void> adoptAddress(uint16_t tunnelId, uint16_t sessionId, IpAddress address);
	/// The session's pppd ended by itself: the session is cleared with a CDN.
	void pppEnded(uint16_t tunnelId, uint16_t sessionId, const std::string &reason, TimePoint now,
	              EndCause cause = EndCause::PeerRequest);
	/// StopCCN to every tunnel; new SCCRQs are refused (ShuttingDown) from
	/// now on. done() tells when the StopCCNs are acknowledged or given up.
	void shutdown(TimePoint now);
	bool done() const { return tunnels_.empty(); }

	std::optional<TimePoint> nextDeadline() const;
	void onTimer(TimePoint now);

	std::vector<TunnelInfo> tunnels() const;
	std::vector<SessionInfo> sessions() const;
	std::optional<SessionInfo> findSession(uint16_t tunnelId, uint16_t sessionId) const;
	size_t tunnelCount() const { return tunnels_.size(); }
	/// The tunnels this engine answered as the LNS (EngineConfig::maxTunnels).
	size_t lnsTunnelCount() const;
	const ppp::AddressPool *pool() const { return ctx_.pool ? &*ctx_.pool : nullptr; }

private:
	Tunnel *findTunnel(uint16_t tunnelId);
	const Tunnel *findTunnel(uint16_t tunnelId) const;
	void onSccrq(uint64_t socketId, const Endpoint &local, const Endpoint &from, const Packet &packet);
	std::optional<uint16_t> allocateTunnelId();
	Tunnel &addTunnel(std::unique_ptr<Tunnel> t);
	/// After anything touched tunnel t: re-arm its timer, or remove it.
	void settle(uint16_t tunnelId);

	EngineContext ctx_;
	bool shuttingDown_ = false;
	std::map<uint16_t, std::unique_ptr<Tunnel>> tunnels_;
	/// tunnels_ by id - idBase_, over the range ids are allocated from: a
	/// message's tunnel (and so a session by id) is found in the same time
	/// at any tunnel count (scale_bench), where the tree's depth grew.
	std::vector<Tunnel *> byId_;
	uint32_t idBase_ = 0;
	Tunnel **slot(uint16_t tunnelId);
	/// Tunnels by peer address and port, and how many each peer address has:
	/// a new SCCRQ looks only at its own peer's, whatever the tunnel count.
	std::map<Endpoint, std::set<uint16_t>> byPeer_;
	std::map<IpAddress, size_t> perAddress_;
	/// The tunnels answered as the LNS ([l2tp] max_tunnels), kept as they
	/// come and go: an SCCRQ does not count them.
	size_t lnsTunnels_ = 0;
	std::set<std::pair<TimePoint, uint16_t>> deadlines_;
	std::unordered_map<uint16_t, TimePoint> deadlineOf_;
};

} // namespace l2tpsec::l2tp
