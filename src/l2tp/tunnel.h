#pragma once
// One L2TP tunnel (control connection) and its sessions: the engine's unit of
// state. Internal to the engine (src/l2tp); engine.h is the public face.
//
// Two state tables drive it, written out as data so that every transition the
// protocol allows is visible in one place:
//  - kTunnelRules (tunnel.cpp): RFC 2661 §7.2, LAC and LNS;
//  - kSessionRules (session.cpp): §7.4.1 (LAC incoming call) and §7.4.2 (LNS
//    incoming call), plus CDN from either side.
// An event a table does not list for the current state is a protocol error
// (StopCCN "FSM error" for the tunnel, CDN for a session) unless the object is
// already closing, when it is ignored.

#include "l2tp/codec/control_message.h"
#include "l2tp/engine.h"
#include "l2tp/reliable_transport.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::l2tp {

enum class TunnelEvent {
	Open,            ///< LAC: start the control connection
	RecvSccrq,       ///< LNS: the first message of a new tunnel
	RecvSccrp,       ///< LAC
	RecvScccn,       ///< LNS
	RecvStopCcn,     ///< either side clears the tunnel
	RecvHello,       ///< keepalive: the transport already acknowledged it
	Close,           ///< local: admin, shutdown
	TransportFailed, ///< retry limit: the peer is gone
};

enum class SessionEvent {
	Open,     ///< LAC: place an incoming call (ICRQ)
	RecvIcrq, ///< LNS
	RecvIcrp, ///< LAC
	RecvIccn, ///< LNS
	RecvCdn,  ///< either side clears the call
	RecvWen,  ///< WAN-Error-Notify: counted, ignored
	RecvSli,  ///< Set-Link-Info: ignored (PPP ACCM is pppd's concern)
	Close,    ///< local: admin, pppd ended, setup timeout
};

struct Session {
	uint16_t sessionId = 0;
	uint16_t peerSessionId = 0;
	SessionStateName state = SessionStateName::Idle;
	std::optional<IpAddress> address;
	uint32_t callSerialNumber = 0;
	bool sequencing = false;
	bool inKernel = false;
	bool pppRunning = false;
	/// LNS, from ICRQ until ICCN: a descriptor of the session's PPPoL2TP
	/// socket (pppd holds the other), to turn sequence numbers on if the
	/// ICCN requires them.
	UniqueFd earlySocket;
	/// Announced to the observer as up (its end is then audited).
	bool up = false;
	/// Why it ends, once something ended it (SessionEnd::cause).
	EndCause endCause = EndCause::Error;
	/// Counted in EngineContext::lnsSessions until it is cleared.
	bool counted = false;
	TimePoint setupDeadline{};
	TimePoint started{};
};

/// "result 2 error 8 \"text\"" for logs and audit reasons.
std::string resultCodeText(const std::optional<ResultCode> &rc);

class Tunnel {
public:
	Tunnel(EngineContext &ctx, uint16_t tunnelId, bool lns, TunnelSocket socket, Endpoint local, Endpoint peer);
	~Tunnel();
	Tunnel(const Tunnel &) = delete;
	Tunnel &operator=(const Tunnel &) = delete;

	uint16_t tunnelId() const { return tunnelId_; }
	uint16_t peerTunnelId() const { return peerTunnelId_; }
	const Endpoint &peer() const { return peer_; }
	uint64_t socketId() const { return socket_.id; }
	TunnelStateName state() const { return state_; }
	bool lns() const { return lns_; }
	/// Closing because the peer sent StopCCN: it has forgotten the tunnel.
	bool closedByPeer() const { return state_ == TunnelStateName::Closing && closingByPeer_; }

	/// LAC: send SCCRQ; once established, place one call.
	void open(const std::string &lacProfile);
	/// LAC: one more call (session) in this tunnel, now or once it is up.
	Result<void> placeCall();
	/// A parsed control packet for this tunnel (the first SCCRQ included).
	/// `decoded`: its message when the caller decoded it already (the
	/// engine does an SCCRQ's), so that it is not decoded twice.
	void receive(const Packet &packet, const ControlMessage *decoded = nullptr);
	void close(StopCcnResult result, const std::string &reason, EndCause cause);
	Result<void> closeSession(uint16_t sessionId, CdnResult result, const std::string &reason, EndCause cause);
	/// The session's pppd is gone: clear the session (without stopping pppd).
	void pppEnded(uint16_t sessionId, const std::string &reason, EndCause cause);
	/// Drops everything without telling the peer (it restarted, or we stop).
	void abandon(const std::string &reason, EndCause cause);
	/// LNS: the client's address as its pppd set it (RADIUS's
	/// Framed-IP-Address overrides the pool's offer); see L2tpEngine.
	Result<void> adoptAddress(uint16_t sessionId, IpAddress address);

	std::optional<TimePoint> deadline() const;
	void onTimer();
	/// Nothing left to do: closed, acknowledged (or given up) and lingered.
	bool removable() const;

	TunnelInfo info() const;
	std::vector<SessionInfo> sessionInfos() const;
	std::optional<SessionInfo> sessionInfo(uint16_t sessionId) const;

private:
	using TunnelAction = TunnelStateName (Tunnel::*)(const ControlMessage *);
	using SessionAction = SessionStateName (Tunnel::*)(Session &, const ControlMessage *);
	struct TunnelRule {
		TunnelStateName state;
		TunnelEvent event;
		TunnelAction action;
	};
	struct SessionRule {
		SessionStateName state;
		SessionEvent event;
		SessionAction action;
	};
	static const std::vector<TunnelRule> kTunnelRules;
	static const std::vector<SessionRule> kSessionRules;

	// Dispatch through the tables.
	void tunnelEvent(TunnelEvent event, const ControlMessage *msg);
	void sessionEvent(Session &s, SessionEvent event, const ControlMessage *msg);
	void deliver(const Delivery &d);
	void dispatch(uint16_t headerSessionId, const ControlMessage &msg);
	void onSessionMessage(uint16_t headerSessionId, const ControlMessage &msg);
	void onDecodeError(uint16_t headerSessionId, const DecodeError &error);

	// Tunnel actions (tunnel.cpp). Each returns the next state.
	TunnelStateName lacSendSccrq(const ControlMessage *);
	TunnelStateName lnsAnswerSccrq(const ControlMessage *msg);
	TunnelStateName lacAnswerSccrp(const ControlMessage *msg);
	TunnelStateName lnsAcceptScccn(const ControlMessage *msg);
	TunnelStateName peerStopped(const ControlMessage *msg);
	TunnelStateName stayUp(const ControlMessage *);
	TunnelStateName localStop(const ControlMessage *);
	TunnelStateName peerGone(const ControlMessage *);

	// Session actions (session.cpp).
	SessionStateName lacSendIcrq(Session &s, const ControlMessage *);
	SessionStateName lnsAnswerIcrq(Session &s, const ControlMessage *msg);
	SessionStateName lacAnswerIcrp(Session &s, const ControlMessage *msg);
	SessionStateName lnsAcceptIccn(Session &s, const ControlMessage *msg);
	SessionStateName peerDisconnected(Session &s, const ControlMessage *msg);
	SessionStateName ignoreInfo(Session &s, const ControlMessage *msg);
	SessionStateName localDisconnect(Session &s, const ControlMessage *);

	// Helpers.
	/// SCCRQ or SCCRP with what both carry, and our challenge with a secret.
	ControlMessage startOfControlConnection(MessageType type);
	ControlMessage stopCcn(StopCcnResult result, std::optional<GeneralError> error, const std::string &text) const;
	TunnelStateName refuse(StopCcnResult result, std::optional<GeneralError> error, const std::string &why);
	void send(const ControlMessage &msg, uint16_t peerSessionId);
	void flush();
	bool createKernelTunnel();
	/// Places the LAC's waiting calls once the tunnel is up.
	void startPendingCalls();
	Session &newSession(uint16_t peerSessionId);
	std::optional<uint16_t> allocateSessionId() const;
	SessionStateName sendCdn(Session &s, CdnResult result, std::optional<GeneralError> error,
	                         const std::string &text);
	/// Connects a session to the kernel (session and PPPoL2TP socket) and
	/// starts its pppd; on failure undoes what it did and says why. With
	/// `keepSocket` a descriptor of the socket stays in s.earlySocket.
	Result<void> connectSession(Session &s, bool keepSocket);
	kernel::SessionParams sessionParams(const Session &s) const;
	/// Stops pppd, reads the counters, deletes the kernel session, returns the
	/// address, tells the observer; the session is erased by the caller.
	void releaseSession(Session &s, const std::string &reason);
	/// Every session, each ending for `cause`.
	void releaseAll(const std::string &reason, EndCause cause);
	void enterClosing(const std::string &reason, bool peerInitiated, EndCause cause);
	SessionInfo makeSessionInfo(const Session &s) const;

	EngineContext &ctx_;
	uint16_t tunnelId_;
	uint16_t peerTunnelId_ = 0;
	bool lns_;
	TunnelSocket socket_;
	Endpoint local_, peer_;
	TunnelStateName state_ = TunnelStateName::Idle;
	ReliableTransport transport_;
	std::map<uint16_t, Session> sessions_;
	std::vector<uint8_t> ourChallenge_;
	std::string peerHostName_, peerVendorName_;
	std::optional<uint16_t> peerFirmwareRevision_;
	std::string lacProfile_;
	/// LAC calls to place once the tunnel is up.
	uint32_t pendingCalls_ = 0;
	bool kernelTunnel_ = false;
	bool announcedUp_ = false;
	std::string closeReason_;
	EndCause closeCause_ = EndCause::Error;
	TimePoint created_;
	TimePoint lingerUntil_{};
	TimePoint lastHello_{};
	/// closeSession()'s request, for the Close event's action.
	CdnResult pendingCdnResult_ = CdnResult::Administrative;
	StopCcnResult pendingStopResult_ = StopCcnResult::GeneralRequest;
	std::string pendingCdnReason_;
	/// Where this tunnel's closing started, for the linger rule.
	bool closingByPeer_ = false;
};

} // namespace l2tpsec::l2tp
