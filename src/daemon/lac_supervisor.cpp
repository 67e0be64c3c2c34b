#include "daemon/lac_supervisor.h"

#include "common/log.h"
#include "daemon/ike_service.h"
#include "daemon/ike_views.h"

#include <algorithm>
#include <tuple>

namespace l2tpsec {

namespace {

constexpr std::string_view kLacLog = "l2tp";
// LAC reconnect back-off: 5 s, doubling, at most 5 minutes.
constexpr std::chrono::seconds kFirstBackoff{5};
constexpr std::chrono::seconds kMaxBackoff{300};
// From a LAC's IPsec SA pair up to its SCCRQ (see ipsecUp()).
constexpr std::chrono::milliseconds kQuickModeSettle{200};

const l2tp::TunnelInfo *lacTunnelInfo(const std::vector<l2tp::TunnelInfo> &tunnels, uint16_t id)
{
	auto t = std::find_if(tunnels.begin(), tunnels.end(),
	                      [id](const l2tp::TunnelInfo &x) { return x.tunnelId == id; });
	return t == tunnels.end() ? nullptr : &*t;
}

// Neither closing nor closed.
bool tunnelLive(const l2tp::TunnelInfo &t)
{
	return t.state != l2tp::TunnelStateName::Closing && t.state != l2tp::TunnelStateName::Dead;
}

// There, and live.
bool lacTunnelLive(const std::vector<l2tp::TunnelInfo> &tunnels, uint16_t id)
{
	const l2tp::TunnelInfo *t = lacTunnelInfo(tunnels, id);
	return t && tunnelLive(*t);
}

} // namespace

LacSupervisor::LacSupervisor(EventLoop &loop, l2tp::L2tpEngine &engine, const IpsecAdmission &admission,
                             IkeService *ike, uint16_t port, std::function<void()> touched)
    : loop_(loop), engine_(engine), admission_(admission), ike_(ike), port_(port), touched_(std::move(touched))
{
}

LacSupervisor::~LacSupervisor()
{
	for (auto &[name, lac] : lacs_)
		cancelRetry(lac);
}

void LacSupervisor::configure(const Config &config, bool first)
{
	listen_ = config.server.listen;
	for (const LacProfile &p : config.lac) {
		Lac &lac = lacs_[p.name];
		lac.profile = p;
		if (first && p.autoconnect) {
			lac.wanted = true;
			connectLac(lac);
		}
	}
}

const LacProfile *LacSupervisor::profile(const std::string &name) const
{
	auto it = lacs_.find(name);
	return it == lacs_.end() ? nullptr : &it->second.profile;
}

void LacSupervisor::cancelRetry(Lac &lac)
{
	if (lac.retry)
		loop_.cancelTimer(*lac.retry);
	lac.retry.reset();
	lac.reconnectAt.reset();
}

std::pair<l2tp::Endpoint, l2tp::Endpoint> LacSupervisor::lacEndpoints(const Lac &lac) const
{
	// From the first listen address when there is one: a LAC and an LNS on
	// one host must not answer each other from the same address and port.
	IpAddress localAddress = IpAddress::v4(0);
	for (const IpAddress &a : listen_)
		if (a.isV4()) {
			localAddress = a;
			break;
		}
	// Tests run both ends on another port than 1701.
	return {l2tp::Endpoint{localAddress, port_}, l2tp::Endpoint{lac.profile.server, port_}};
}

void LacSupervisor::connectLac(Lac &lac)
{
	cancelRetry(lac);
	lac.ikeSaId.reset();
	auto [local, server] = lacEndpoints(lac);
	if (!admission_.on() || admission_.protects(server)) {
		startTunnel(lac);
		return;
	}
	// IPsec first: the tunnel starts when the SA pair is up (ipsecUp).
	auto id = ike_->connect(local.address, server.address, server.port,
	                        lac.profile.mode == EspMode::Tunnel ? kernel::IpsecMode::Tunnel
	                                                            : kernel::IpsecMode::Transport);
	if (!id) {
		scheduleReconnect(lac, Stage::Ike, "IKE: " + id.error().message);
		return;
	}
	lac.ikeSaId = *id;
	logInfo(kLacLog, "LAC {}: negotiating IPsec with {} (ISAKMP SA {})", lac.profile.name, server.address.str(),
	        *id);
}

void LacSupervisor::startTunnel(Lac &lac)
{
	lac.ikeSaId.reset();
	l2tp::LacRequest req;
	req.profile = lac.profile.name;
	std::tie(req.local, req.server) = lacEndpoints(lac);
	// A second tunnel to the same server takes an ephemeral port: two tunnels
	// with one address/port pair would look like one to the kernel. Not
	// beside a closing one: it has no kernel tunnel any more, and after a
	// failover (the server dead, its address taken by a standby) it waits
	// for a StopCCN ack that never comes while our IPsec SA to the standby
	// covers port 1701 only, so a tunnel from another port is refused.
	for (const l2tp::TunnelInfo &t : engine_.tunnels())
		if (!t.lns && t.peer.address == lac.profile.server && tunnelLive(t))
			req.local.port = 0;
	auto tid = engine_.connect(req, l2tp::TransportClock::now());
	touched_();
	if (!tid) {
		scheduleReconnect(lac, Stage::L2tp, tid.error().message);
		return;
	}
	lac.tunnelId = tid.value();
	lac.tunnelWasUp = false;
	logInfo(kLacLog, "LAC {}: connecting to {} (tunnel {})", lac.profile.name, req.server.str(), tid.value());
}

void LacSupervisor::scheduleReconnect(Lac &lac, Stage stage, const std::string &why)
{
	lac.lastError = why;
	lac.errorStage = stage;
	lac.tunnelId.reset();
	lac.ikeSaId.reset();
	if (!lac.wanted)
		return;
	lac.backoff = lac.backoff.count() == 0 ? kFirstBackoff : std::min(lac.backoff * 2, kMaxBackoff);
	logWarn(kLacLog, "LAC {}: {}; reconnecting in {}s", lac.profile.name, why, lac.backoff.count());
	std::string name = lac.profile.name;
	lac.reconnectAt = EventLoop::Clock::now() + lac.backoff;
	lac.retry = loop_.addTimer(lac.backoff, [this, name] {
		auto it = lacs_.find(name);
		if (it == lacs_.end())
			return;
		it->second.retry.reset();
		it->second.reconnectAt.reset();
		if (it->second.wanted)
			connectLac(it->second);
	});
}

Result<LacSupervisor::Progress> LacSupervisor::connect(const std::string &profile)
{
	auto it = lacs_.find(profile);
	if (it == lacs_.end())
		return Error{ENOENT, "no [[lac]] profile named '" + profile + "'"};
	Lac &lac = it->second;
	if (lac.wanted && lac.tunnelId)
		return Progress{lac.tunnelId, "already connecting or up"};
	if (lac.wanted && lac.ikeSaId)
		return Progress{std::nullopt, "already negotiating IPsec"};
	lac.wanted = true;
	lac.backoff = std::chrono::seconds(0);
	connectLac(lac);
	if (lac.ikeSaId)
		return Progress{std::nullopt, "negotiating IPsec"};
	if (!lac.tunnelId)
		return Error{EAGAIN, "LAC " + profile + ": " + lac.lastError};
	return Progress{lac.tunnelId, "connecting"};
}

Result<uint16_t> LacSupervisor::call(const std::string &profile)
{
	auto it = lacs_.find(profile);
	if (it == lacs_.end())
		return Error{ENOENT, "no [[lac]] profile named '" + profile + "'"};
	if (!it->second.tunnelId)
		return Error{ENOTCONN, "LAC " + profile + " has no tunnel; l2tpctl connect " + profile + " first"};
	auto placed = engine_.placeCall(*it->second.tunnelId, l2tp::TransportClock::now());
	touched_();
	L2S_TRY(placed);
	return *it->second.tunnelId;
}

bool LacSupervisor::disconnect(const std::string &profile, l2tp::TimePoint now)
{
	auto it = lacs_.find(profile);
	if (it == lacs_.end())
		return false;
	Lac &lac = it->second;
	lac.wanted = false;
	cancelRetry(lac);
	if (lac.tunnelId)
		(void)engine_.closeTunnel(*lac.tunnelId, "l2tpctl disconnect " + profile, now);
	lac.tunnelId.reset();
	// An IPsec negotiation under way finishes; its SA stays for the next connect.
	lac.ikeSaId.reset();
	touched_();
	return true;
}

void LacSupervisor::stopAll()
{
	for (auto &[name, lac] : lacs_) {
		lac.wanted = false;
		cancelRetry(lac);
	}
}

void LacSupervisor::tunnelUp(const l2tp::TunnelInfo &t)
{
	if (!t.lns)
		if (auto it = lacs_.find(t.lacProfile); it != lacs_.end()) {
			it->second.backoff = std::chrono::seconds(0);
			if (it->second.tunnelId == t.tunnelId)
				it->second.tunnelWasUp = true;
		}
}

void LacSupervisor::tunnelDown(const l2tp::TunnelInfo &t, const std::string &reason)
{
	if (t.lns)
		return;
	auto it = lacs_.find(t.lacProfile);
	if (it == lacs_.end() || it->second.tunnelId != t.tunnelId)
		return;
	// Deferred: the engine is still inside this tunnel's teardown.
	std::string name = t.lacProfile;
	loop_.addTimer(std::chrono::milliseconds(0), [this, name, reason] {
		auto lac = lacs_.find(name);
		if (lac != lacs_.end())
			scheduleReconnect(lac->second, Stage::L2tp, "tunnel down: " + reason);
	});
}

void LacSupervisor::ipsecUp(const ike::ChildSaInfo &child)
{
	for (auto &[name, lac] : lacs_) {
		if (!lac.wanted || !lac.ikeSaId || lac.tunnelId)
			continue;
		auto [local, server] = lacEndpoints(lac);
		if (*lac.ikeSaId != child.ikeSaId && !childProtects(child, server.address, server.port))
			continue;
		logInfo(kLacLog, "LAC {}: IPsec up (in 0x{:08x}, out 0x{:08x}); starting the L2TP tunnel", name,
		        child.inboundSpi, child.outboundSpi);
		// The server installs its SAs when our last Quick Mode message
		// reaches it; an SCCRQ that overtook it would be refused (or, on the
		// kernel, dropped and retransmitted a second later). A short pause.
		cancelRetry(lac);
		std::string profile = name;
		lac.retry = loop_.addTimer(kQuickModeSettle, [this, profile] {
			auto it = lacs_.find(profile);
			if (it == lacs_.end())
				return;
			it->second.retry.reset();
			if (it->second.wanted && !it->second.tunnelId)
				startTunnel(it->second);
		});
	}
}

void LacSupervisor::ipsecFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason)
{
	for (auto &[name, lac] : lacs_) {
		if (!lac.ikeSaId || (*lac.ikeSaId != ikeSaId && lac.profile.server != server))
			continue;
		scheduleReconnect(lac, Stage::Ike, reason);
	}
}

void LacSupervisor::checkTunnels()
{
	auto tunnels = engine_.tunnels();
	for (auto &[name, lac] : lacs_) {
		if (!lac.tunnelId || lac.tunnelWasUp)
			continue;
		if (lacTunnelLive(tunnels, *lac.tunnelId))
			continue;
		scheduleReconnect(
		        lac, Stage::L2tp,
		        "the tunnel to " + lac.profile.server.str() +
		                " closed before it was up (no answer, or the server refused it: see the log)");
	}
}

void LacSupervisor::sessionDown(const l2tp::SessionEnd &e)
{
	if (e.session.lns)
		return;
	// Deferred, as tunnelDown: a session its tunnel's teardown ended is
	// told by tunnelDown, and by then the tunnel is closing.
	std::string name = e.session.lacProfile;
	uint16_t tunnel = e.session.tunnelId;
	bool ppp = e.session.state == l2tp::SessionStateName::Established;
	std::string why = (ppp ? "PPP: " : "L2TP session: ") + e.reason;
	loop_.addTimer(std::chrono::milliseconds(0), [this, name, tunnel, ppp, why] {
		auto it = lacs_.find(name);
		if (it == lacs_.end() || !it->second.wanted || it->second.tunnelId != tunnel)
			return;
		if (!lacTunnelLive(engine_.tunnels(), tunnel))
			return;
		it->second.lastError = why;
		it->second.errorStage = ppp ? Stage::Ppp : Stage::L2tp;
	});
}

control::ProfilesView LacSupervisor::view() const
{
	control::ProfilesView v;
	auto tunnels = engine_.tunnels();
	auto now = EventLoop::Clock::now();
	for (const auto &[name, lac] : lacs_) {
		control::ProfileView p;
		p.name = name;
		p.server = lac.profile.server.str();
		p.wanted = lac.wanted;
		p.tunnel = lac.tunnelId;
		if (lac.ikeSaId)
			p.state = "negotiating IPsec";
		else if (lac.tunnelId) {
			const l2tp::TunnelInfo *t = lacTunnelInfo(tunnels, *lac.tunnelId);
			p.state = t && t->state == l2tp::TunnelStateName::Established ? "tunnel up" : "connecting";
		} else if (lac.reconnectAt)
			p.state = "waiting to retry";
		else
			p.state = "idle";
		if (!lac.lastError.empty()) {
			p.lastError = lac.lastError;
			p.errorStage = lac.errorStage == Stage::Ike   ? "ike"
			               : lac.errorStage == Stage::Ppp ? "ppp"
			                                              : "l2tp";
		}
		if (lac.reconnectAt)
			p.retryInSeconds = std::chrono::ceil<std::chrono::seconds>(
			                           std::max(*lac.reconnectAt - now, EventLoop::Clock::duration::zero()))
			                           .count();
		v.profiles.push_back(std::move(p));
	}
	return v;
}

} // namespace l2tpsec
