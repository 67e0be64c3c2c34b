#pragma once
// LacSupervisor: the [[lac]] profiles of one daemon. A wanted profile is kept
// connected: IPsec first when the admission says so (the L2TP tunnel starts
// once IKE reports the SA pair), then the tunnel; a failure or a lost tunnel
// reconnects after a back-off of 5 s, doubling up to 5 minutes, that a tunnel
// coming up resets. `l2tpctl connect/disconnect/call` act on it.

#include "common/event_loop.h"
#include "common/result.h"
#include "config/config.h"
#include "daemon/ipsec_admission.h"
#include "ike/ike_context.h"
#include "l2tp/engine.h"
#include "l2tpsec/control_views.h"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace l2tpsec {

class IkeService;

class LacSupervisor {
public:
	/// `touched` runs after each call into the engine (the service re-arms
	/// the engine's timer). The engine, the admission and IKE (null without
	/// IPsec) outlive the supervisor; `port` is the L2TP port of both ends.
	LacSupervisor(EventLoop &loop, l2tp::L2tpEngine &engine, const IpsecAdmission &admission, IkeService *ike,
	              uint16_t port, std::function<void()> touched);
	~LacSupervisor();
	LacSupervisor(const LacSupervisor &) = delete;
	LacSupervisor &operator=(const LacSupervisor &) = delete;

	/// The profiles and listen addresses of a config: the first time it
	/// connects the autoconnect profiles; a reload only updates the
	/// profiles (settings apply to the next connect).
	void configure(const Config &config, bool first);

	/// What connect() left a profile doing.
	struct Progress {
		std::optional<uint16_t> tunnel; ///< the tunnel connecting or up
		std::string state;              ///< "connecting", "negotiating IPsec", "already ..."
	};
	/// `l2tpctl connect`: the profile is wanted from now on. Errors: ENOENT
	/// (no such profile), EAGAIN (it could not start; it retries).
	Result<Progress> connect(const std::string &profile);
	/// `l2tpctl call`: one more session in the profile's tunnel; its id.
	Result<uint16_t> call(const std::string &profile);
	/// `l2tpctl disconnect PROFILE`: not wanted any more, its tunnel closed.
	/// False when there is no such profile.
	bool disconnect(const std::string &profile, l2tp::TimePoint now);
	/// The daemon stops: no profile is wanted, no reconnect pending.
	void stopAll();
	/// The profile named so, if any.
	const LacProfile *profile(const std::string &name) const;
	/// `l2tpctl profiles`: each profile's state, last error and the stage
	/// it failed in, and when it reconnects.
	control::ProfilesView view() const;

	// From the engine.
	void tunnelUp(const l2tp::TunnelInfo &t);
	void tunnelDown(const l2tp::TunnelInfo &t, const std::string &reason);
	// From IKE.
	void ipsecUp(const ike::ChildSaInfo &child);
	void ipsecFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason);
	/// After the engine's timers: a LAC tunnel that closed before it was
	/// ever up (no answer, a StopCCN during setup) is reported by no
	/// tunnelDown; its profile then fails and reconnects like one that was.
	void checkTunnels();
	/// From the engine: a session ended; a LAC one's reason becomes its
	/// profile's last error (PPP's once L2TP had the session up).
	void sessionDown(const l2tp::SessionEnd &e);

private:
	/// Where a connection failed, for `profiles` (and `connect --wait`).
	enum class Stage { Ike, L2tp, Ppp };

	struct Lac {
		LacProfile profile;
		bool wanted = false;
		std::optional<uint16_t> tunnelId;
		bool tunnelWasUp = false; ///< tunnelUp() came for tunnelId
		/// Waiting for IPsec: the ISAKMP SA that connect() negotiates on.
		std::optional<uint64_t> ikeSaId;
		std::chrono::seconds backoff{0};
		std::optional<EventLoop::TimerId> retry;
		std::optional<EventLoop::Clock::time_point> reconnectAt; ///< the back-off's end
		std::string lastError;
		Stage errorStage = Stage::L2tp;
	};

	void connectLac(Lac &lac);
	/// The L2TP tunnel of a profile, once IPsec (if any) protects it.
	void startTunnel(Lac &lac);
	/// The profile's L2TP endpoints: ours (first listen address) and the server's.
	std::pair<l2tp::Endpoint, l2tp::Endpoint> lacEndpoints(const Lac &lac) const;
	void scheduleReconnect(Lac &lac, Stage stage, const std::string &why);
	void cancelRetry(Lac &lac);

	EventLoop &loop_;
	l2tp::L2tpEngine &engine_;
	const IpsecAdmission &admission_;
	IkeService *ike_;
	uint16_t port_;
	std::function<void()> touched_;
	std::vector<IpAddress> listen_;
	std::map<std::string, Lac> lacs_;
};

} // namespace l2tpsec
