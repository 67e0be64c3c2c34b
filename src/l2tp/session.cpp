// The session half of Tunnel: incoming calls (RFC 2661 §7.4.1 LAC, §7.4.2
// LNS), CDN (§5.4 call clearing), and each session's kernel session, PPPoL2TP
// socket, pppd and pool address. Outgoing calls (OCRQ) are refused: no stock
// L2TP/IPsec client or server uses them.
#include "common/log.h"
#include "l2tp/l2tp_log.h"
#include "l2tp/tunnel.h"

#include <fcntl.h>

namespace l2tpsec::l2tp {

namespace {

// (Tx) Connect Speed in ICCN, in bits per second: there is no modem; this is
// what Windows reports for its virtual one, and what peers log.
constexpr uint32_t kConnectSpeed = 100000000;

using SessState = SessionStateName;
using SessEvent = SessionEvent;

} // namespace

// §7.4.1 (LAC) and §7.4.2 (LNS), and CDN from the peer in any state.
const std::vector<Tunnel::SessionRule> Tunnel::kSessionRules = {
        {SessState::Idle, SessEvent::Open, &Tunnel::lacSendIcrq},
        {SessState::Idle, SessEvent::RecvIcrq, &Tunnel::lnsAnswerIcrq},
        {SessState::WaitReply, SessEvent::RecvIcrp, &Tunnel::lacAnswerIcrp},
        {SessState::WaitConnect, SessEvent::RecvIccn, &Tunnel::lnsAcceptIccn},

        {SessState::WaitReply, SessEvent::RecvCdn, &Tunnel::peerDisconnected},
        {SessState::WaitConnect, SessEvent::RecvCdn, &Tunnel::peerDisconnected},
        {SessState::Established, SessEvent::RecvCdn, &Tunnel::peerDisconnected},

        {SessState::Established, SessEvent::RecvWen, &Tunnel::ignoreInfo},
        {SessState::Established, SessEvent::RecvSli, &Tunnel::ignoreInfo},
        {SessState::WaitConnect, SessEvent::RecvSli, &Tunnel::ignoreInfo},

        {SessState::WaitReply, SessEvent::Close, &Tunnel::localDisconnect},
        {SessState::WaitConnect, SessEvent::Close, &Tunnel::localDisconnect},
        {SessState::Established, SessEvent::Close, &Tunnel::localDisconnect},
};

void Tunnel::sessionEvent(Session &s, SessionEvent event, const ControlMessage *msg)
{
	for (const SessionRule &r : kSessionRules) {
		if (r.state == s.state && r.event == event) {
			s.state = (this->*r.action)(s, msg);
			return;
		}
	}
	if (s.state == SessState::Closed)
		return;
	std::string what = msg ? messageTypeName(msg->type) : "event " + std::to_string(static_cast<int>(event));
	logWarn(kLog, "tunnel {} session {}: unexpected {} in state {}", tunnelId_, s.sessionId, what,
	        sessionStateName(s.state));
	s.state = sendCdn(s, CdnResult::GeneralError, GeneralError::NoError, "unexpected " + what);
}

void Tunnel::onSessionMessage(uint16_t headerSessionId, const ControlMessage &msg)
{
	if (state_ != TunnelStateName::Established) {
		if (state_ != TunnelStateName::Closing && state_ != TunnelStateName::Dead)
			logWarn(kLog, "tunnel {}: {} before the tunnel is established, ignored", tunnelId_,
			        messageTypeName(msg.type));
		return;
	}
	if (msg.type == MessageType::Icrq || msg.type == MessageType::Ocrq) {
		uint16_t peerSid = msg.assignedSessionId.value_or(0);
		if (peerSid == 0) {
			logWarn(kLog, "tunnel {}: {} without an Assigned Session ID, ignored", tunnelId_,
			        messageTypeName(msg.type));
			return;
		}
		if (sessions_.size() >= 0xfffe) {
			logWarn(kLog, "tunnel {}: no session id left for a new call", tunnelId_);
			return;
		}
		Session &s = newSession(peerSid);
		if (msg.type == MessageType::Ocrq || !lns_) {
			// We place no outgoing calls, and a LAC takes no incoming ones.
			sendCdn(s, CdnResult::NoFacilitiesPermanent, std::nullopt, "");
			sessions_.erase(s.sessionId);
			return;
		}
		sessionEvent(s, SessEvent::RecvIcrq, &msg);
		if (s.state == SessState::Closed)
			sessions_.erase(s.sessionId);
		return;
	}
	auto it = sessions_.find(headerSessionId);
	if (it == sessions_.end()) {
		// A CDN crossing ours, or a message for a session we cleared.
		logDebug(kLog, "tunnel {}: {} for unknown session {}, ignored", tunnelId_, messageTypeName(msg.type),
		         headerSessionId);
		return;
	}
	Session &s = it->second;
	switch (msg.type) {
	case MessageType::Icrp: sessionEvent(s, SessEvent::RecvIcrp, &msg); break;
	case MessageType::Iccn: sessionEvent(s, SessEvent::RecvIccn, &msg); break;
	case MessageType::Cdn: sessionEvent(s, SessEvent::RecvCdn, &msg); break;
	case MessageType::Wen: sessionEvent(s, SessEvent::RecvWen, &msg); break;
	case MessageType::Sli: sessionEvent(s, SessEvent::RecvSli, &msg); break;
	case MessageType::Ocrp:
	case MessageType::Occn:
		// They answer OCRQs we never send.
		sessionEvent(s, SessEvent::Close, &msg);
		break;
	case MessageType::Zlb:
	case MessageType::Sccrq:
	case MessageType::Sccrp:
	case MessageType::Scccn:
	case MessageType::StopCcn:
	case MessageType::Hello:
	case MessageType::Ocrq:
	case MessageType::Icrq: break; // tunnel messages and new calls are dispatched elsewhere
	}
	if (s.state == SessState::Closed)
		sessions_.erase(it);
}

// ---- session actions ---------------------------------------------------------

SessionStateName Tunnel::lacSendIcrq(Session &s, const ControlMessage *)
{
	ControlMessage m;
	m.type = MessageType::Icrq;
	m.assignedSessionId = s.sessionId;
	s.callSerialNumber = ctx_.nextCallSerial++;
	m.callSerialNumber = s.callSerialNumber;
	m.bearerType = kBearerAnalog;
	send(m, 0);
	s.setupDeadline = ctx_.now + ctx_.config.callSetupTimeout;
	return SessState::WaitReply;
}

SessionStateName Tunnel::lnsAnswerIcrq(Session &s, const ControlMessage *msg)
{
	s.callSerialNumber = msg->callSerialNumber.value_or(0);
	if (ctx_.config.maxSessions != 0 && ctx_.lnsSessions >= ctx_.config.maxSessions) {
		logWarn(kLog, "tunnel {} (peer {}): {} sessions ([l2tp] max_sessions): call refused", tunnelId_,
		        peer_.str(), ctx_.lnsSessions);
		return sendCdn(s, CdnResult::NoFacilitiesTemporary, GeneralError::InsufficientResources,
		               "too many sessions");
	}
	if (ctx_.pool) {
		s.address = ctx_.pool->allocate();
		if (!s.address) {
			logWarn(kLog, "tunnel {} (peer {}): address pool exhausted ({} addresses leased): call refused",
			        tunnelId_, peer_.str(), ctx_.pool->leased());
			return sendCdn(s, CdnResult::NoFacilitiesTemporary, GeneralError::InsufficientResources,
			               "address pool exhausted");
		}
	}
	s.counted = true;
	ctx_.lnsSessions++;
	ControlMessage m;
	m.type = MessageType::Icrp;
	m.assignedSessionId = s.sessionId;
	send(m, s.peerSessionId);
	s.setupDeadline = ctx_.now + ctx_.config.callSetupTimeout;
	// pppd starts now, not at ICCN: its launch (exec, options, plugins:
	// about as long as the peer's own pppd takes to start) then overlaps
	// the ICRP/ICCN round trip and the peer's pppd start instead of adding
	// to them. It listens before it speaks (the plugin's l2tpsec_listen), so
	// its first LCP Configure-Request does not reach a peer not yet set up.
	if (auto r = connectSession(s, true); !r) {
		logWarn(kLog, "tunnel {} session {}: call from {} refused: {}", tunnelId_, s.sessionId, peer_.str(),
		        r.error().message);
		return sendCdn(s, CdnResult::GeneralError, GeneralError::InsufficientResources, r.error().message);
	}
	return SessState::WaitConnect;
}

SessionStateName Tunnel::lacAnswerIcrp(Session &s, const ControlMessage *msg)
{
	s.peerSessionId = msg->assignedSessionId.value_or(0);
	if (s.peerSessionId == 0)
		return sendCdn(s, CdnResult::GeneralError, GeneralError::FieldOutOfRange,
		               "ICRP without a valid Assigned Session ID");
	ControlMessage m;
	m.type = MessageType::Iccn;
	m.txConnectSpeed = kConnectSpeed;
	m.framingType = kFramingSync;
	send(m, s.peerSessionId);
	if (auto r = connectSession(s, false); !r) {
		logWarn(kLog, "tunnel {} session {}: {}", tunnelId_, s.sessionId, r.error().message);
		return sendCdn(s, CdnResult::GeneralError, GeneralError::InsufficientResources, r.error().message);
	}
	s.started = ctx_.now;
	s.up = true;
	logInfo(kLog, "tunnel {} session {}: connected to {} (peer session {})", tunnelId_, s.sessionId, peer_.str(),
	        s.peerSessionId);
	if (ctx_.observer)
		ctx_.observer->sessionUp(makeSessionInfo(s));
	return SessState::Established;
}

SessionStateName Tunnel::lnsAcceptIccn(Session &s, const ControlMessage *msg)
{
	// pppd runs since the ICRQ (lnsAnswerIcrq); what the ICCN adds is
	// whether the data channel needs sequence numbers.
	s.sequencing = msg->sequencingRequired;
	UniqueFd socket = std::move(s.earlySocket);
	if (s.sequencing) {
		if (auto r = ctx_.dataplane.setSendSequence(sessionParams(s), socket.get()); !r) {
			logWarn(kLog, "tunnel {} session {}: call from {} refused: {}", tunnelId_, s.sessionId,
			        peer_.str(), r.error().message);
			return sendCdn(s, CdnResult::GeneralError, GeneralError::InsufficientResources,
			               r.error().message);
		}
	}
	s.started = ctx_.now;
	s.up = true;
	logInfo(kLog, "tunnel {} session {}: call from {} connected (peer session {}{}{})", tunnelId_, s.sessionId,
	        peer_.str(), s.peerSessionId, s.address ? ", address " : "", s.address ? s.address->str() : "");
	if (ctx_.observer)
		ctx_.observer->sessionUp(makeSessionInfo(s));
	return SessState::Established;
}

SessionStateName Tunnel::peerDisconnected(Session &s, const ControlMessage *msg)
{
	std::string why = "peer sent CDN (" + resultCodeText(msg->resultCode) + ")";
	logInfo(kLog, "tunnel {} session {}: {}", tunnelId_, s.sessionId, why);
	s.endCause = EndCause::PeerRequest;
	releaseSession(s, why);
	return SessState::Closed;
}

SessionStateName Tunnel::ignoreInfo(Session &s, const ControlMessage *msg)
{
	logDebug(kLog, "tunnel {} session {}: {} ignored", tunnelId_, s.sessionId, messageTypeName(msg->type));
	return s.state;
}

SessionStateName Tunnel::localDisconnect(Session &s, const ControlMessage *msg)
{
	if (msg) // an OCRP/OCCN we did not ask for
		return sendCdn(s, CdnResult::GeneralError, GeneralError::NoError,
		               "unexpected " + messageTypeName(msg->type));
	return sendCdn(s, pendingCdnResult_, std::nullopt, pendingCdnReason_);
}

// ---- local requests ----------------------------------------------------------

Result<void> Tunnel::closeSession(uint16_t sessionId, CdnResult result, const std::string &reason, EndCause cause)
{
	auto it = sessions_.find(sessionId);
	if (it == sessions_.end())
		return Error{ENOENT,
		             "tunnel " + std::to_string(tunnelId_) + " has no session " + std::to_string(sessionId)};
	pendingCdnResult_ = result;
	pendingCdnReason_ = reason;
	it->second.endCause = cause;
	sessionEvent(it->second, SessEvent::Close, nullptr);
	if (it->second.state == SessState::Closed)
		sessions_.erase(it);
	flush();
	return {};
}

void Tunnel::pppEnded(uint16_t sessionId, const std::string &reason, EndCause cause)
{
	auto it = sessions_.find(sessionId);
	if (it == sessions_.end())
		return;
	it->second.pppRunning = false;
	logInfo(kLog, "tunnel {} session {}: {}", tunnelId_, sessionId, reason);
	(void)closeSession(sessionId, CdnResult::LostCarrier, reason, cause);
}

Result<void> Tunnel::placeCall()
{
	if (lns_)
		return Error{EINVAL, "tunnel " + std::to_string(tunnelId_) + " is an LNS tunnel: it takes calls"};
	if (state_ == TunnelStateName::Closing || state_ == TunnelStateName::Dead)
		return Error{ESHUTDOWN, "tunnel " + std::to_string(tunnelId_) + " is closing"};
	if (sessions_.size() + pendingCalls_ >= 0xfffe)
		return Error{EAGAIN, "tunnel " + std::to_string(tunnelId_) + " has no session id left"};
	++pendingCalls_;
	if (state_ == TunnelStateName::Established)
		startPendingCalls();
	flush();
	return {};
}

void Tunnel::startPendingCalls()
{
	for (; pendingCalls_ > 0; --pendingCalls_) {
		Session &s = newSession(0);
		sessionEvent(s, SessEvent::Open, nullptr);
	}
}

// ---- helpers -------------------------------------------------------------------

Session &Tunnel::newSession(uint16_t peerSessionId)
{
	uint16_t id = *allocateSessionId();
	Session &s = sessions_[id];
	s.sessionId = id;
	s.peerSessionId = peerSessionId;
	return s;
}

std::optional<uint16_t> Tunnel::allocateSessionId() const
{
	// Random ids: a stale CDN or a guess does not hit a newer session.
	uint16_t start = static_cast<uint16_t>(ctx_.rng());
	for (uint32_t i = 0; i < 0x10000; ++i) {
		auto id = static_cast<uint16_t>(start + i);
		if (id != 0 && !sessions_.contains(id))
			return id;
	}
	return std::nullopt;
}

SessionStateName Tunnel::sendCdn(Session &s, CdnResult result, std::optional<GeneralError> error,
                                 const std::string &text)
{
	ControlMessage m;
	m.type = MessageType::Cdn;
	m.assignedSessionId = s.sessionId;
	ResultCode rc;
	rc.result = static_cast<uint16_t>(result);
	if (error)
		rc.error = static_cast<uint16_t>(*error);
	if (error)
		rc.message = text.substr(0, 256);
	m.resultCode = rc;
	send(m, s.peerSessionId);
	releaseSession(s, text.empty() ? "refused" : text);
	return SessState::Closed;
}

kernel::SessionParams Tunnel::sessionParams(const Session &s) const
{
	kernel::SessionParams p;
	p.tunnelId = tunnelId_;
	p.sessionId = s.sessionId;
	p.peerSessionId = s.peerSessionId;
	p.lnsMode = lns_;
	p.sendSeq = s.sequencing;
	return p;
}

Result<void> Tunnel::connectSession(Session &s, bool keepSocket)
{
	kernel::SessionParams p = sessionParams(s);
	L2S_TRY(ctx_.dataplane.createSession(p));
	s.inKernel = true;
	auto fd = ctx_.dataplane.openPppSocket(p, peerTunnelId_, socket_.fd);
	if (!fd)
		return std::move(fd).error(); // releaseSession() deletes the kernel session
	if (keepSocket && fd->get() >= 0) {
		s.earlySocket.reset(::fcntl(fd->get(), F_DUPFD_CLOEXEC, 0));
		if (!s.earlySocket)
			return sysError("session " + std::to_string(s.sessionId) + ": dup of the PPPoL2TP socket");
	}
	PppStart start;
	start.tunnelId = tunnelId_;
	start.sessionId = s.sessionId;
	start.peerTunnelId = peerTunnelId_;
	start.peerSessionId = s.peerSessionId;
	start.lns = lns_;
	start.peer = peer_;
	start.pppSocket = std::move(fd.value());
	start.remoteAddress = s.address;
	start.lacProfile = lacProfile_;
	L2S_TRY(ctx_.ppp.start(std::move(start)));
	s.pppRunning = true;
	return {};
}

void Tunnel::releaseSession(Session &s, const std::string &reason)
{
	bool wasUp = s.up;
	s.up = false;
	// Counters first: stopping pppd closes the PPPoL2TP socket, and with it
	// the kernel deletes the session.
	std::optional<kernel::L2tpStats> stats;
	if (s.inKernel)
		if (auto st = ctx_.dataplane.getSession(tunnelId_, s.sessionId))
			stats = st->stats;
	s.earlySocket.reset();
	if (s.pppRunning) {
		ctx_.ppp.stop(tunnelId_, s.sessionId);
		s.pppRunning = false;
	}
	if (s.inKernel) {
		if (auto r = ctx_.dataplane.deleteSession(tunnelId_, s.sessionId); !r && r.error().code != ENODEV)
			logWarn(kLog, "tunnel {} session {}: {}", tunnelId_, s.sessionId, r.error().message);
		s.inKernel = false;
	}
	if (s.address && ctx_.pool)
		ctx_.pool->release(*s.address);
	if (std::exchange(s.counted, false))
		ctx_.lnsSessions--;
	if (wasUp && ctx_.observer) {
		SessionEnd end;
		end.session = makeSessionInfo(s);
		end.reason = reason;
		end.cause = s.endCause;
		end.stats = stats;
		end.ended = ctx_.now;
		ctx_.observer->sessionDown(end);
	}
	s.address.reset();
	s.state = SessState::Closed;
}

Result<void> Tunnel::adoptAddress(uint16_t sessionId, IpAddress address)
{
	auto it = sessions_.find(sessionId);
	if (it == sessions_.end())
		return Error{ENOENT, fmt::format("no session {} in tunnel {}", sessionId, tunnelId_)};
	Session &s = it->second;
	if (!lns_ || s.address == address)
		return {};
	if (ctx_.pool && s.address)
		ctx_.pool->release(*s.address);
	s.address.reset();
	// An address outside the pool is RADIUS's own business (a shared SQL
	// pool); one inside it must not go to a second client.
	if (ctx_.pool && ctx_.pool->contains(address) && !ctx_.pool->claim(address))
		return Error{EADDRINUSE,
		             fmt::format("the client's address {} (RADIUS Framed-IP-Address) is in [ppp] pool "
		                         "and leased to another session",
		                         address.str())};
	s.address = address;
	return {};
}

void Tunnel::releaseAll(const std::string &reason, EndCause cause)
{
	for (auto &[id, s] : sessions_) {
		s.endCause = cause;
		releaseSession(s, reason);
	}
	sessions_.clear();
}

SessionInfo Tunnel::makeSessionInfo(const Session &s) const
{
	SessionInfo i;
	i.tunnelId = tunnelId_;
	i.sessionId = s.sessionId;
	i.peerTunnelId = peerTunnelId_;
	i.peerSessionId = s.peerSessionId;
	i.lns = lns_;
	i.peer = peer_;
	i.state = s.state;
	i.address = s.address;
	i.callSerialNumber = s.callSerialNumber;
	i.lacProfile = lacProfile_;
	i.started = s.started;
	return i;
}

std::vector<SessionInfo> Tunnel::sessionInfos() const
{
	std::vector<SessionInfo> v;
	v.reserve(sessions_.size());
	for (const auto &[id, s] : sessions_)
		v.push_back(makeSessionInfo(s));
	return v;
}

std::optional<SessionInfo> Tunnel::sessionInfo(uint16_t sessionId) const
{
	auto it = sessions_.find(sessionId);
	if (it == sessions_.end())
		return std::nullopt;
	return makeSessionInfo(it->second);
}

} // namespace l2tpsec::l2tp
