#pragma once
// L2tpService: the L2TP engine on the daemon's event loop. It owns the engine
// and its real ports (UDP sockets, the kernel over genetlink, pppd), keeps the
// engine's one timer armed, writes the session audit, runs the [[lac]]
// profiles (connect, disconnect, reconnect with back-off) and answers the
// control socket's tunnels/sessions/show/connect/disconnect commands.
//
// With IPsec ([l2tp] ipsec = "required"/"optional") it is IkeService's
// listener: an LNS admits a peer only while an IPsec SA pair protects its
// flow ("required") and closes the peer's tunnels when the pair goes; a LAC
// profile negotiates IPsec first and starts its tunnel once the pair is up.

#include "common/deadline_timer.h"
#include "common/event_loop.h"
#include "config/config.h"
#include "daemon/audit_log.h"
#include "daemon/blocking_service.h"
#include "daemon/ike_service.h"
#include "daemon/pppd_launcher.h"
#include "daemon/udp_tunnel_sockets.h"
#include "kernel/dataplane_kind.h"
#include "kernel/l2tp_dataplane.h"
#include "l2tp/engine.h"

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

	/// One record for the session audit (blocking writes its own there).
	void audit(const nlohmann::json &record) { audit_.write(record); }

	nlohmann::json tunnelsJson() const;
	nlohmann::json sessionsJson() const;
	Result<nlohmann::json> show(const std::string &id) const;
	/// ARG: a LAC profile name, "TUNNEL/SESSION", a tunnel id, or a user name.
	Result<nlohmann::json> disconnect(const std::string &arg);
	Result<nlohmann::json> connect(const std::string &profile);
	/// One more session in a connected LAC profile's tunnel.
	Result<nlohmann::json> call(const std::string &profile);

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
	struct Lac {
		LacProfile profile;
		bool wanted = false;
		std::optional<uint16_t> tunnelId;
		/// Waiting for IPsec: the ISAKMP SA that connect() negotiates on.
		std::optional<uint64_t> ikeSaId;
		std::chrono::seconds backoff{0};
		std::optional<EventLoop::TimerId> retry;
		std::string lastError;
	};
	struct SessionExtra {
		std::string user;
		std::optional<std::string> linkAddress;
		std::chrono::system_clock::time_point started;
		bool audited = false;
	};
	using Key = std::pair<uint16_t, uint16_t>;

	L2tpService(EventLoop &loop, const Config &config, L2tpServiceOptions options);
	l2tp::EngineConfig engineConfig(const Config &config) const;
	void onDatagram(uint64_t socketId, const l2tp::Endpoint &local, const l2tp::Endpoint &from,
	                std::span<const uint8_t> datagram);
	/// The address brute-force blocking knows an L2TP peer by: the IKE
	/// peer of the SA pair that protects its flow (a NAT's address), else its own.
	IpAddress blockingSource(const l2tp::Endpoint &peer) const;
	void pppAuthFailed(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer);
	void arm();
	void onTimer();
	void finishShutdownIfDone();
	void connectLac(Lac &lac);
	/// The L2TP tunnel of a profile, once IPsec (if any) protects it.
	void startTunnel(Lac &lac);
	bool ipsecOn() const { return options_.ike && config_.l2tp.ipsec != IpsecRequirement::Off; }
	/// The profile's L2TP endpoints: ours (first listen address) and the server's.
	std::pair<l2tp::Endpoint, l2tp::Endpoint> lacEndpoints(const Lac &lac) const;
	void scheduleReconnect(Lac &lac, const std::string &why);
	nlohmann::json sessionJson(const l2tp::SessionInfo &s) const;
	nlohmann::json tunnelJson(const l2tp::TunnelInfo &t) const;
	void auditStart(const Key &key);
	nlohmann::json auditRecord(const l2tp::SessionInfo &s, const char *event) const;

	EventLoop &loop_;
	L2tpServiceOptions options_;
	/// No pppd runs (the null dataplane): sessions are up, and audited, when L2TP is.
	bool upWithoutPpp_ = false;
	Config config_;
	AuditLog audit_;
	std::unique_ptr<kernel::L2tpDataplane> dataplane_;
	std::unique_ptr<UdpTunnelSockets> sockets_;
	std::unique_ptr<l2tp::PppLauncher> ppp_;
	PppdLauncher *pppd_ = nullptr; ///< ppp_ when it is the real launcher
	std::unique_ptr<l2tp::L2tpEngine> engine_;
	DeadlineTimer timer_{loop_};
	std::map<std::string, Lac> lacs_;
	std::map<Key, SessionExtra> extras_;
	std::optional<EventLoop::TimerId> shutdownTimer_;
	std::function<void()> shutdownDone_;
};

} // namespace l2tpsec
