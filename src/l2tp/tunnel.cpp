// The tunnel half of Tunnel: the control connection's state table (RFC 2661
// §7.2), tunnel authentication (§5.1.1), HELLO (§6.5), StopCCN (§5.7) and the
// plumbing between the reliable transport, the codec and the socket.
#include "l2tp/tunnel.h"

#include "common/log.h"
#include "l2tp/codec/l2tp_header.h"
#include "l2tp/l2tp_log.h"

#include <algorithm>

namespace l2tpsec::l2tp {

namespace {

// Firmware Revision AVP: the protocol engine's revision, for peers' logs.
constexpr uint16_t kFirmwareRevision = 0x0100;
constexpr size_t kChallengeSize = 16;

using TunState = TunnelStateName;
using TunEvent = TunnelEvent;

TransportConfig transportConfig(const EngineConfig &c)
{
	TransportConfig t;
	t.receiveWindow = c.receiveWindow;
	t.initialTimeout = c.initialTimeout;
	t.maxTimeout = c.maxTimeout;
	t.maxRetransmits = c.retries;
	t.ackDelay = c.ackDelay;
	return t;
}

} // namespace

// RFC 2661 §7.2, both roles. Every (state, event) pair not listed is a
// protocol error, or ignored while closing.
const std::vector<Tunnel::TunnelRule> Tunnel::kTunnelRules = {
        {TunState::Idle, TunEvent::Open, &Tunnel::lacSendSccrq},
        {TunState::Idle, TunEvent::RecvSccrq, &Tunnel::lnsAnswerSccrq},
        {TunState::WaitCtlReply, TunEvent::RecvSccrp, &Tunnel::lacAnswerSccrp},
        {TunState::WaitCtlConn, TunEvent::RecvScccn, &Tunnel::lnsAcceptScccn},

        {TunState::WaitCtlReply, TunEvent::RecvStopCcn, &Tunnel::peerStopped},
        {TunState::WaitCtlConn, TunEvent::RecvStopCcn, &Tunnel::peerStopped},
        {TunState::Established, TunEvent::RecvStopCcn, &Tunnel::peerStopped},

        {TunState::WaitCtlReply, TunEvent::RecvHello, &Tunnel::stayUp},
        {TunState::WaitCtlConn, TunEvent::RecvHello, &Tunnel::stayUp},
        {TunState::Established, TunEvent::RecvHello, &Tunnel::stayUp},

        {TunState::Idle, TunEvent::Close, &Tunnel::localStop},
        {TunState::WaitCtlReply, TunEvent::Close, &Tunnel::localStop},
        {TunState::WaitCtlConn, TunEvent::Close, &Tunnel::localStop},
        {TunState::Established, TunEvent::Close, &Tunnel::localStop},

        {TunState::Idle, TunEvent::TransportFailed, &Tunnel::peerGone},
        {TunState::WaitCtlReply, TunEvent::TransportFailed, &Tunnel::peerGone},
        {TunState::WaitCtlConn, TunEvent::TransportFailed, &Tunnel::peerGone},
        {TunState::Established, TunEvent::TransportFailed, &Tunnel::peerGone},
        {TunState::Closing, TunEvent::TransportFailed, &Tunnel::peerGone},
};

Tunnel::Tunnel(EngineContext &ctx, uint16_t tunnelId, bool lns, TunnelSocket socket, Endpoint local, Endpoint peer)
    : ctx_(ctx), tunnelId_(tunnelId), lns_(lns), socket_(socket), local_(std::move(local)), peer_(std::move(peer)),
      transport_(transportConfig(ctx.config)), created_(ctx.now)
{
}

Tunnel::~Tunnel()
{
	if (state_ != TunState::Dead && state_ != TunState::Closing)
		abandon("the daemon is stopping", EndCause::Shutdown);
	ctx_.sockets.close(socket_.id);
}

void Tunnel::tunnelEvent(TunnelEvent event, const ControlMessage *msg)
{
	for (const TunnelRule &r : kTunnelRules) {
		if (r.state == state_ && r.event == event) {
			state_ = (this->*r.action)(msg);
			return;
		}
	}
	if (state_ == TunState::Closing || state_ == TunState::Dead)
		return; // what arrives after StopCCN only needs the transport's ack
	std::string what = msg ? messageTypeName(msg->type) : "event " + std::to_string(static_cast<int>(event));
	logWarn(kLog, "tunnel {} (peer {}): unexpected {} in state {}", tunnelId_, peer_.str(), what,
	        tunnelStateName(state_));
	state_ = refuse(StopCcnResult::FsmError, std::nullopt, "unexpected " + what);
}

// ---- inbound -------------------------------------------------------------

void Tunnel::receive(const Packet &packet, const ControlMessage *decoded)
{
	const Header &h = packet.header;
	(void)transport_.receive(h.ns, h.nr, h.sessionId, packet.payload, ctx_.now);
	for (const Delivery &d : transport_.takeDeliveries()) {
		if (state_ == TunState::Dead)
			break;
		// One receive delivers each Ns at most once: this one is the packet's.
		if (decoded && d.ns == h.ns)
			dispatch(d.sessionId, *decoded);
		else
			deliver(d);
	}
	flush();
}

void Tunnel::deliver(const Delivery &d)
{
	auto decoded = decodeControlBody(d.body, DecodeOptions{ctx_.config.secret});
	if (!decoded) {
		onDecodeError(d.sessionId, decoded.error());
		return;
	}
	dispatch(d.sessionId, decoded.value());
}

void Tunnel::dispatch(uint16_t headerSessionId, const ControlMessage &msg)
{
	switch (msg.type) {
	case MessageType::Sccrq: tunnelEvent(TunEvent::RecvSccrq, &msg); break;
	case MessageType::Sccrp: tunnelEvent(TunEvent::RecvSccrp, &msg); break;
	case MessageType::Scccn: tunnelEvent(TunEvent::RecvScccn, &msg); break;
	case MessageType::StopCcn: tunnelEvent(TunEvent::RecvStopCcn, &msg); break;
	case MessageType::Hello: tunnelEvent(TunEvent::RecvHello, &msg); break;
	case MessageType::Zlb: break; // acknowledgements never reach here; nothing to do if one did
	case MessageType::Ocrq:
	case MessageType::Ocrp:
	case MessageType::Occn:
	case MessageType::Icrq:
	case MessageType::Icrp:
	case MessageType::Iccn:
	case MessageType::Cdn:
	case MessageType::Wen:
	case MessageType::Sli: onSessionMessage(headerSessionId, msg); break;
	}
}

void Tunnel::onDecodeError(uint16_t headerSessionId, const DecodeError &e)
{
	if (e.kind == DecodeErrorKind::UnknownMessageType && !e.mandatory) {
		// §4.4.1: an unknown message type without the M bit is ignored.
		logDebug(kLog, "tunnel {}: ignoring {}", tunnelId_, e.message);
		return;
	}
	logWarn(kLog, "tunnel {} (peer {}): bad control message: {}", tunnelId_, peer_.str(), e.message);
	bool sessionMessage = false;
	if (e.messageType) {
		auto t = static_cast<MessageType>(*e.messageType);
		sessionMessage = t == MessageType::Icrq || t == MessageType::Icrp || t == MessageType::Iccn ||
		                 t == MessageType::Cdn || t == MessageType::Ocrq || t == MessageType::Ocrp ||
		                 t == MessageType::Occn || t == MessageType::Wen || t == MessageType::Sli;
	}
	if (sessionMessage) {
		// §4.1: a bad session message clears the session, not the tunnel.
		auto it = sessions_.find(headerSessionId);
		if (headerSessionId != 0 && it != sessions_.end()) {
			sendCdn(it->second, CdnResult::GeneralError, e.generalError(), e.message);
			sessions_.erase(it);
		}
		return;
	}
	if (state_ == TunState::Closing || state_ == TunState::Dead)
		return;
	state_ = refuse(StopCcnResult::GeneralError, e.generalError(), e.message);
}

// ---- tunnel actions ---------------------------------------------------------

TunnelStateName Tunnel::lacSendSccrq(const ControlMessage *)
{
	ControlMessage m = startOfControlConnection(MessageType::Sccrq);
	send(m, 0);
	logInfo(kLog, "tunnel {}: SCCRQ sent to {}", tunnelId_, peer_.str());
	return TunState::WaitCtlReply;
}

TunnelStateName Tunnel::lnsAnswerSccrq(const ControlMessage *msg)
{
	peerTunnelId_ = msg->assignedTunnelId.value_or(0);
	peerHostName_ = msg->hostName.value_or("");
	peerVendorName_ = msg->vendorName.value_or("");
	peerFirmwareRevision_ = msg->firmwareRevision;
	if (peerTunnelId_ == 0)
		return refuse(StopCcnResult::GeneralError, GeneralError::FieldOutOfRange,
		              "SCCRQ without a valid Assigned Tunnel ID");
	if (ctx_.shuttingDown)
		return refuse(StopCcnResult::ShuttingDown, std::nullopt, "the server is shutting down");
	if (!ctx_.config.acceptTunnels)
		return refuse(StopCcnResult::NotAuthorized, std::nullopt, "this host does not accept tunnels");
	if (ctx_.config.admitPeer)
		if (auto why = ctx_.config.admitPeer(peer_))
			return refuse(StopCcnResult::NotAuthorized, std::nullopt, *why);
	if (msg->protocolVersion && (msg->protocolVersion->version != 1 || msg->protocolVersion->revision != 0)) {
		// §4.4.2: the Error Code carries the highest version we support.
		ControlMessage stop = stopCcn(StopCcnResult::UnsupportedProtocolVersion, std::nullopt, "");
		stop.resultCode->error = 0x0100;
		send(stop, 0);
		enterClosing("unsupported L2TP protocol version", false, EndCause::Error);
		return TunState::Closing;
	}
	if (msg->receiveWindowSize)
		transport_.setPeerReceiveWindow(*msg->receiveWindowSize);

	if (msg->challenge && ctx_.config.secret.empty())
		return refuse(StopCcnResult::NotAuthorized, std::nullopt,
		              "the peer asks for tunnel authentication and no [l2tp] secret is configured");
	ControlMessage m = startOfControlConnection(MessageType::Sccrp);
	if (msg->challenge)
		m.challengeResponse = computeChallengeResponse(MessageType::Sccrp, ctx_.config.secret, *msg->challenge);
	send(m, 0);
	logInfo(kLog, "tunnel {}: SCCRQ from {} (host \"{}\", vendor \"{}\", peer tunnel {}), SCCRP sent", tunnelId_,
	        peer_.str(), peerHostName_, peerVendorName_, peerTunnelId_);
	return TunState::WaitCtlConn;
}

TunnelStateName Tunnel::lacAnswerSccrp(const ControlMessage *msg)
{
	peerTunnelId_ = msg->assignedTunnelId.value_or(0);
	peerHostName_ = msg->hostName.value_or("");
	peerVendorName_ = msg->vendorName.value_or("");
	peerFirmwareRevision_ = msg->firmwareRevision;
	if (peerTunnelId_ == 0)
		return refuse(StopCcnResult::GeneralError, GeneralError::FieldOutOfRange,
		              "SCCRP without a valid Assigned Tunnel ID");
	if (msg->protocolVersion && (msg->protocolVersion->version != 1 || msg->protocolVersion->revision != 0))
		return refuse(StopCcnResult::UnsupportedProtocolVersion, std::nullopt, "unsupported protocol version");
	if (!ourChallenge_.empty() &&
	    (!msg->challengeResponse ||
	     !verifyChallengeResponse(MessageType::Sccrp, ctx_.config.secret, ourChallenge_, *msg->challengeResponse)))
		return refuse(StopCcnResult::NotAuthorized, std::nullopt,
		              "tunnel authentication failed: wrong or missing Challenge Response in SCCRP");
	if (msg->receiveWindowSize)
		transport_.setPeerReceiveWindow(*msg->receiveWindowSize);

	ControlMessage m;
	m.type = MessageType::Scccn;
	if (msg->challenge) {
		if (ctx_.config.secret.empty())
			return refuse(StopCcnResult::NotAuthorized, std::nullopt,
			              "the server asks for tunnel authentication and no secret is configured");
		m.challengeResponse = computeChallengeResponse(MessageType::Scccn, ctx_.config.secret, *msg->challenge);
	}
	send(m, 0);
	if (!createKernelTunnel())
		return refuse(StopCcnResult::GeneralError, GeneralError::InsufficientResources,
		              "the kernel refused the tunnel");
	logInfo(kLog, "tunnel {}: established with {} (host \"{}\", peer tunnel {})", tunnelId_, peer_.str(),
	        peerHostName_, peerTunnelId_);
	announcedUp_ = true;
	if (ctx_.observer)
		ctx_.observer->tunnelUp(info());
	state_ = TunState::Established;
	startPendingCalls();
	return state_;
}

TunnelStateName Tunnel::lnsAcceptScccn(const ControlMessage *msg)
{
	if (!ourChallenge_.empty() &&
	    (!msg->challengeResponse ||
	     !verifyChallengeResponse(MessageType::Scccn, ctx_.config.secret, ourChallenge_, *msg->challengeResponse)))
		return refuse(StopCcnResult::NotAuthorized, std::nullopt,
		              "tunnel authentication failed: wrong or missing Challenge Response in SCCCN");
	if (!createKernelTunnel())
		return refuse(StopCcnResult::GeneralError, GeneralError::InsufficientResources,
		              "the kernel refused the tunnel");
	logInfo(kLog, "tunnel {}: established with {} (peer tunnel {})", tunnelId_, peer_.str(), peerTunnelId_);
	announcedUp_ = true;
	if (ctx_.observer)
		ctx_.observer->tunnelUp(info());
	return TunState::Established;
}

TunnelStateName Tunnel::peerStopped(const ControlMessage *msg)
{
	std::string why = "peer sent StopCCN (" + resultCodeText(msg->resultCode) + ")";
	logInfo(kLog, "tunnel {} (peer {}): {}", tunnelId_, peer_.str(), why);
	// §5.7: acknowledge at once; the linger re-acknowledges retransmissions.
	transport_.acknowledgeNow();
	enterClosing(why, true, EndCause::PeerRequest);
	return TunState::Closing;
}

TunnelStateName Tunnel::stayUp(const ControlMessage *)
{
	return state_;
}

TunnelStateName Tunnel::localStop(const ControlMessage *)
{
	send(stopCcn(pendingStopResult_, std::nullopt, closeReason_), 0);
	logInfo(kLog, "tunnel {} (peer {}): closing: {}", tunnelId_, peer_.str(), closeReason_);
	enterClosing(closeReason_, false, closeCause_);
	return TunState::Closing;
}

TunnelStateName Tunnel::peerGone(const ControlMessage *)
{
	std::string why =
	        state_ == TunState::Closing
	                ? closeReason_ + " (StopCCN not acknowledged)"
	                : "the peer stopped answering (" + std::to_string(ctx_.config.retries) + " retransmissions)";
	if (state_ != TunState::Closing) {
		logWarn(kLog, "tunnel {} (peer {}): {}", tunnelId_, peer_.str(), why);
		enterClosing(why, false, EndCause::PeerLost);
	}
	return TunState::Dead;
}

// ---- local requests ---------------------------------------------------------

void Tunnel::open(const std::string &lacProfile)
{
	lacProfile_ = lacProfile;
	pendingCalls_ = 1;
	tunnelEvent(TunEvent::Open, nullptr);
	flush();
}

void Tunnel::close(StopCcnResult result, const std::string &reason, EndCause cause)
{
	closeReason_ = reason;
	closeCause_ = cause;
	pendingStopResult_ = result;
	tunnelEvent(TunEvent::Close, nullptr);
	flush();
}

void Tunnel::abandon(const std::string &reason, EndCause cause)
{
	if (state_ == TunState::Dead)
		return;
	if (state_ != TunState::Closing)
		enterClosing(reason, false, cause);
	state_ = TunState::Dead;
}

// ---- timers -----------------------------------------------------------------

std::optional<TimePoint> Tunnel::deadline() const
{
	if (state_ == TunState::Dead)
		return ctx_.now;
	std::optional<TimePoint> next = transport_.nextDeadline();
	auto consider = [&next](TimePoint t) {
		if (!next || t < *next)
			next = t;
	};
	if (state_ == TunState::Closing) {
		if (closingByPeer_)
			consider(lingerUntil_);
		else if (transport_.allAcked())
			consider(ctx_.now);
		return next;
	}
	if (state_ == TunState::Established && ctx_.config.helloInterval.count() > 0) {
		TimePoint heard = std::max(transport_.lastHeard().value_or(created_), lastHello_);
		consider(heard + ctx_.config.helloInterval);
	}
	for (const auto &[id, s] : sessions_)
		if (s.state == SessionStateName::WaitConnect || s.state == SessionStateName::WaitReply)
			consider(s.setupDeadline);
	return next;
}

void Tunnel::onTimer()
{
	transport_.onTimer(ctx_.now);
	if (transport_.failed()) {
		tunnelEvent(TunEvent::TransportFailed, nullptr);
		flush();
		return;
	}
	if (state_ == TunState::Established) {
		TimePoint heard = std::max(transport_.lastHeard().value_or(created_), lastHello_);
		// hello_interval = 0s turns HELLOs off.
		if (ctx_.config.helloInterval.count() > 0 && heard + ctx_.config.helloInterval <= ctx_.now) {
			// §6.5: keepalive after a quiet interval; its retransmissions
			// find out whether the peer is still there.
			ControlMessage hello;
			hello.type = MessageType::Hello;
			send(hello, 0);
			lastHello_ = ctx_.now;
		}
		std::vector<uint16_t> late;
		for (const auto &[id, s] : sessions_)
			if ((s.state == SessionStateName::WaitConnect || s.state == SessionStateName::WaitReply) &&
			    s.setupDeadline <= ctx_.now)
				late.push_back(id);
		for (uint16_t id : late)
			(void)closeSession(id, CdnResult::NotEstablishedInTime, "the call was not connected in time",
			                   EndCause::Error);
	}
	flush();
}

bool Tunnel::removable() const
{
	if (state_ == TunState::Dead)
		return true;
	if (state_ != TunState::Closing)
		return false;
	// The linger re-acknowledges a peer's StopCCN; a daemon that is stopping
	// does not wait for it.
	if (closingByPeer_)
		return ctx_.now >= lingerUntil_ || ctx_.shuttingDown;
	return transport_.allAcked();
}

// ---- helpers ------------------------------------------------------------------

ControlMessage Tunnel::startOfControlConnection(MessageType type)
{
	// §6.1/§6.2: what SCCRQ and SCCRP both carry.
	ControlMessage m;
	m.type = type;
	m.protocolVersion = ProtocolVersion{1, 0};
	m.hostName = ctx_.config.hostName;
	m.framingCapabilities = kFramingSync | kFramingAsync;
	m.bearerCapabilities = kBearerDigital | kBearerAnalog;
	m.assignedTunnelId = tunnelId_;
	m.receiveWindowSize = ctx_.config.receiveWindow;
	m.firmwareRevision = kFirmwareRevision;
	m.vendorName = "l2tpsec";
	// With a secret, every peer is challenged (§5.1.1).
	if (!ctx_.config.secret.empty()) {
		ourChallenge_.resize(kChallengeSize);
		for (uint8_t &b : ourChallenge_)
			b = static_cast<uint8_t>(ctx_.rng());
		m.challenge = ourChallenge_;
	}
	return m;
}

std::string resultCodeText(const std::optional<ResultCode> &rc)
{
	if (!rc)
		return "no Result Code";
	std::string s = "result " + std::to_string(rc->result);
	if (rc->error)
		s += " error " + std::to_string(*rc->error);
	if (!rc->message.empty())
		s += " \"" + rc->message + "\"";
	return s;
}

ControlMessage Tunnel::stopCcn(StopCcnResult result, std::optional<GeneralError> error, const std::string &text) const
{
	ControlMessage m;
	m.type = MessageType::StopCcn;
	m.assignedTunnelId = tunnelId_;
	ResultCode rc;
	rc.result = static_cast<uint16_t>(result);
	if (error)
		rc.error = static_cast<uint16_t>(*error);
	// A message needs an error code on the wire: send it only with one, or
	// with GeneralError, where the text is the point.
	if (error || result == StopCcnResult::GeneralError)
		rc.message = text.substr(0, 256);
	m.resultCode = rc;
	return m;
}

TunnelStateName Tunnel::refuse(StopCcnResult result, std::optional<GeneralError> error, const std::string &why)
{
	logWarn(kLog, "tunnel {} (peer {}): closing: {}", tunnelId_, peer_.str(), why);
	send(stopCcn(result, error, why), 0);
	enterClosing(why, false, EndCause::Error);
	return TunState::Closing;
}

void Tunnel::enterClosing(const std::string &reason, bool peerInitiated, EndCause cause)
{
	closeReason_ = reason;
	closingByPeer_ = peerInitiated;
	lingerUntil_ = ctx_.now + ctx_.config.stopLinger;
	releaseAll(reason, cause);
	if (kernelTunnel_) {
		if (auto r = ctx_.dataplane.deleteTunnel(tunnelId_); !r && r.error().code != ENODEV)
			logWarn(kLog, "tunnel {}: {}", tunnelId_, r.error().message);
		kernelTunnel_ = false;
		ctx_.sockets.detach(socket_.id);
	}
	if (announcedUp_ && ctx_.observer)
		ctx_.observer->tunnelDown(info(), reason);
	announcedUp_ = false;
}

bool Tunnel::createKernelTunnel()
{
	kernel::TunnelParams p;
	p.tunnelId = tunnelId_;
	p.peerTunnelId = peerTunnelId_;
	p.version = 2;
	p.udpFd = socket_.fd;
	// The kernel sends the tunnel's data from the socket's connected address.
	if (auto r = ctx_.sockets.attach(socket_.id); !r) {
		logError(kLog, "tunnel {}: {}", tunnelId_, r.error().message);
		return false;
	}
	if (auto r = ctx_.dataplane.createTunnel(p); !r) {
		logError(kLog, "tunnel {}: {}", tunnelId_, r.error().message);
		ctx_.sockets.detach(socket_.id);
		return false;
	}
	kernelTunnel_ = true;
	return true;
}

void Tunnel::send(const ControlMessage &msg, uint16_t peerSessionId)
{
	auto bytes = encodeControlMessage(msg, ControlEnvelope{peerTunnelId_, peerSessionId, 0, 0});
	if (!bytes) {
		// Our own message did not encode: a bug, not the peer's doing.
		logError(kLog, "tunnel {}: cannot encode {}: {}", tunnelId_, messageTypeName(msg.type),
		         bytes.error().message);
		return;
	}
	transport_.send(peerSessionId, std::move(bytes.value()), ctx_.now);
	flush();
}

void Tunnel::flush()
{
	for (Transmission &t : transport_.takeTransmissions()) {
		std::vector<uint8_t> datagram;
		if (t.isZlb()) {
			datagram = buildHeader(controlHeader(peerTunnelId_, 0, t.ns, t.nr, kControlHeaderSize));
		} else {
			datagram = std::move(t.body);
			// The message was encoded once with Ns = Nr = 0; each
			// transmission carries the sequence numbers of its moment.
			if (!stampSequence(datagram, t.ns, t.nr)) {
				logError(kLog, "tunnel {}: a queued message has no control header", tunnelId_);
				continue;
			}
		}
		if (auto r = ctx_.sockets.send(socket_.id, datagram); !r)
			logDebug(kLog, "tunnel {}: send to {}: {}", tunnelId_, peer_.str(), r.error().message);
	}
}

TunnelInfo Tunnel::info() const
{
	TunnelInfo i;
	i.tunnelId = tunnelId_;
	i.peerTunnelId = peerTunnelId_;
	i.lns = lns_;
	i.local = local_;
	i.peer = peer_;
	i.state = state_;
	i.peerHostName = peerHostName_;
	i.peerVendorName = peerVendorName_;
	i.peerFirmwareRevision = peerFirmwareRevision_;
	i.lacProfile = lacProfile_;
	i.sessions = sessions_.size();
	i.created = created_;
	i.transport = transport_.counters();
	return i;
}

} // namespace l2tpsec::l2tp
