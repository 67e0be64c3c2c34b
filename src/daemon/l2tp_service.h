#pragma once
// L2tpService: the L2TP engine on the daemon's event loop. It owns the engine
// and its real ports (UDP sockets, the kernel over genetlink, pppd), keeps the
// engine's one timer armed, stops and reconfigures it, and answers the control
// socket's tunnels/sessions/show/connect/disconnect commands. It wires the
// engine's and IKE's events to its parts: SessionAudit (the session audit),
// LacSupervisor (the [[lac]] profiles: connect, disconnect, reconnect with
// back-off) and IpsecAdmission (what [l2tp] ipsec admits and closes).
//
// With IPsec ([l2tp] ipsec = "required"/"optional") it is IkeService's
// listener: an LNS admits a peer only while an IPsec SA pair protects its
// flow ("required") and closes the peer's tunnels when the pair goes; a LAC
// profile negotiates IPsec first and starts its tunnel once the pair is up.

#include "common/deadline_timer.h"
#include "common/event_loop.h"
#include "config/config.h"
#include "daemon/blocking_service.h"
#include "daemon/ike_service.h"
#include "daemon/ipsec_admission.h"
#include "daemon/lac_supervisor.h"
#include "daemon/pppd_launcher.h"
#include "daemon/session_accountant.h"
#include "daemon/session_audit.h"
#include "daemon/session_deadlines.h"
#include "daemon/session_rate.h"
#include "daemon/udp_tunnel_sockets.h"
#include "kernel/dataplane_kind.h"
#include "kernel/l2tp_dataplane.h"
#include "l2tp/engine.h"
#include "l2tpsec/control_views.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace l2tpsec {

struct L2tpServiceOptions {
	/// The kernel's L2TP and pppd, or the null dataplane and no pppd
	/// (--fake-dataplane: unprivileged runs and benchmarks).
	kernel::DataplaneKind dataplane = kernel::DataplaneKind::Kernel;
	/// L2TP listener port (1701; tests may pick another).
	uint16_t port = 1701;
	/// IKE when [l2tp] ipsec is not "off"; it outlives the service.
	IkeService *ike = nullptr;
	/// Brute-force blocking: an SCCRQ from a blocked source is dropped, a
	/// PPP authentication failure counted (none: no blocking). It outlives
	/// the service.
	BlockingService *blocking = nullptr;
	/// The pppd plugin every pppd loads (PppdLauncher).
	std::string pppdPlugin;
};

class L2tpService final : public l2tp::EngineObserver, public IpsecListener {
public:
	static Result<std::unique_ptr<L2tpService>> start(EventLoop &loop, const Config &config,
	                                                  L2tpServiceOptions options);
	~L2tpService() override;
	L2tpService(const L2tpService &) = delete;
	L2tpService &operator=(const L2tpService &) = delete;

	/// A reloaded config: pppd settings, LAC profiles and the audit file
	/// apply from now on; tunnel settings apply to new tunnels.
	void reconfigure(const Config &config);
	/// Opens the audit file again at its path (SIGUSR1, after logrotate).
	void reopenAuditLog();
	/// StopCCN to every tunnel; calls `done` once they are acknowledged or
	/// after `limit`, whichever is first.
	void shutdown(std::chrono::milliseconds limit, std::function<void()> done);

	/// Calls `done` once the sessions' accounting requests (the Stops of a
	/// shutdown) are answered or given up.
	void whenAccountingIdle(std::function<void()> done) { accounting_.whenIdle(std::move(done)); }

	/// One record for the session audit (blocking writes its own there).
	void audit(const nlohmann::json &record) { audit_.write(record); }

	control::TunnelsView tunnels() const;
	control::SessionsView sessions() const;
	Result<control::ShowView> show(const std::string &id) const;
	/// ARG: a LAC profile name, "TUNNEL/SESSION", a tunnel id, or a user name.
	Result<control::DisconnectView> disconnect(const std::string &arg);
	/// Ends one session the way `disconnect` does (CDN, pppd stopped, the
	/// audit's stop record with `reason`).
	Result<void> endSession(uint16_t tunnelId, uint16_t sessionId, const std::string &reason);
	/// A RADIUS CoA-Request's Session-Timeout: the session ends `limit` from
	/// now unless it ends first (CDN, pppd stopped, the audit's stop record
	/// with the reason "radius-session-timeout", accounting's
	/// Acct-Terminate-Cause Session-Timeout). A later limit replaces it.
	Result<void> limitSession(uint16_t tunnelId, uint16_t sessionId, std::chrono::seconds limit);
	Result<control::ConnectView> connect(const std::string &profile);
	/// One more session in a connected LAC profile's tunnel.
	Result<control::CallView> call(const std::string &profile);
	/// The [[lac]] profiles' states and last errors.
	control::ProfilesView profiles() const;

	// `status` and `metrics`: what runs now, and setups since start.
	size_t tunnelCount() const { return engine_->tunnelCount(); }
	size_t sessionCount() const { return engine_->sessions().size(); }
	const ppp::AddressPool *pool() const { return engine_->pool(); }
	/// Sessions established (failures: see BlockingService's dropped SCCRQs).
	uint64_t sessionSetups() const { return sessionSetups_; }
	/// The real pppd launcher; none with the null dataplane.
	const PppdLauncher *pppd() const { return pppd_; }
	/// The subnets of the Framed-Routes of the session's RADIUS
	/// Access-Accept (PppdLauncher), for the DHCPINFORM responder.
	std::vector<IpPrefix> radiusRoutes(uint16_t tunnelId, uint16_t sessionId) const;

	// EngineObserver.
	void tunnelUp(const l2tp::TunnelInfo &t) override;
	void tunnelDown(const l2tp::TunnelInfo &t, const std::string &reason) override;
	void sessionUp(const l2tp::SessionInfo &s) override;
	void sessionDown(const l2tp::SessionEnd &e) override;

	// IpsecListener.
	void flowProtected(const ike::ChildSaInfo &child) override;
	void flowUnprotected(const ike::ChildSaInfo &child, const std::string &reason) override;
	void connectFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason) override;

private:
	struct SessionExtra {
		std::string user;
		std::optional<std::string> linkAddress;
		std::chrono::system_clock::time_point started;
		std::optional<std::string> interface; ///< pppd's, from its plugin
		SessionRate rate;
		std::optional<std::string> auditStarted; ///< the start record's time
		std::vector<IpPrefix> radiusRoutes;      ///< from its Access-Accept
		/// What its client chose in PPP (LNS), from pppd's plugin.
		std::optional<control::PppFingerprintView> ppp;
	};
	using Key = std::pair<uint16_t, uint16_t>;

	// Monitoring (`sessions` and `show`): rates sampled on a timer, and
	// the chain of what carries a session.
	/// Reads every session's kernel counters in one dump, then again
	/// after kRateInterval.
	void sampleRates();
	/// The views of the sessions `want` picks, their counters read after
	/// picking them.
	std::vector<control::SessionView>
	sessionViews(const std::function<bool(const l2tp::SessionInfo &)> &want) const;
	control::SessionChainView chainOf(const control::SessionView &view) const;
	Result<control::ShowView> showUser(const std::string &user) const;

	L2tpService(EventLoop &loop, const Config &config, L2tpServiceOptions options);
	l2tp::EngineConfig engineConfig(const Config &config) const;
	void onDatagram(uint64_t socketId, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
	                std::span<const uint8_t> datagram);
	void pppAuthFailed(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer,
	                   const ppp::PluginAuthFailed *refusal);
	/// [ike] bind_ppp_user: PPP authenticated `user`; a user the IKE peer's
	/// certificate is not bound to is refused (logged, audited, counted by
	/// blocking and the metrics) and the session cleared.
	void checkBinding(const Key &key, const std::string &user);
	/// clientKind() of a tunnel's peer (for a failure line).
	std::string clientKindOf(uint16_t tunnelId, const l2tp::Endpoint &peer) const;
	void arm();
	/// A limit of limitSession passed: the session ends.
	void sessionTimedOut(uint16_t tunnelId, uint16_t sessionId, std::chrono::milliseconds limit);
	void onTimer();
	void finishShutdownIfDone();
	/// The session's start record and accounting Start, once pppd has its
	/// link up.
	void auditStart(const Key &key);
	/// The session's counters from the kernel (Interim-Updates).
	std::optional<radius::SessionCounters> countersOf(uint16_t tunnelId, uint16_t sessionId) const;
	/// LNS: the client's address as pppd set it at IP up becomes the
	/// session's (L2tpEngine::adoptAddress); false: the session was ended.
	bool adoptLinkAddress(const Key &key, const std::string &address);

	EventLoop &loop_;
	L2tpServiceOptions options_;
	/// No pppd runs (the null dataplane): sessions are up, and audited, when L2TP is.
	bool upWithoutPpp_ = false;
	Config config_;
	SessionAudit audit_;
	/// RADIUS accounting of the LNS's sessions (pppd's radius plugin only
	/// authenticates).
	SessionAccountant accounting_;
	IpsecAdmission admission_;
	std::unique_ptr<kernel::L2tpDataplane> dataplane_;
	std::unique_ptr<UdpTunnelSockets> sockets_;
	std::unique_ptr<l2tp::PppLauncher> ppp_;
	PppdLauncher *pppd_ = nullptr; ///< ppp_ when it is the real launcher
	std::unique_ptr<l2tp::L2tpEngine> engine_;
	DeadlineTimer timer_{loop_};
	/// The limits CoA-Requests set (limitSession).
	SessionDeadlines deadlines_{loop_, [this](uint16_t t, uint16_t s, std::chrono::milliseconds limit) {
		                            sessionTimedOut(t, s, limit);
	                            }};
	std::unique_ptr<LacSupervisor> lacs_;
	std::map<Key, SessionExtra> extras_;
	std::optional<EventLoop::TimerId> shutdownTimer_;
	std::optional<EventLoop::TimerId> sampleTimer_;
	std::function<void()> shutdownDone_;
	uint64_t sessionSetups_ = 0;
};

} // namespace l2tpsec
