#pragma once
// IkeService: the IKEv1 engine on the daemon's event loop. It owns the
// engine and its real ports (the UDP 500/4500 sockets, the kernel's XFRM or
// the in-memory fake, the system RNG), keeps the engine's one timer armed,
// forwards the kernel's SA expiry events, looks up pre-shared keys ([ike]
// psk for every peer, a [[lac]] profile's psk for its server), and tells its
// listener, the L2TP service, which peer flows IPsec protects.

#include "common/deadline_timer.h"
#include "common/event_loop.h"
#include "config/config.h"
#include "daemon/blocking_service.h"
#include "daemon/ike_sockets.h"
#include "daemon/setup_counts.h"
#include "ike/dh_workers.h"
#include "ike/ike_engine.h"
#include "kernel/dataplane_kind.h"
#include "kernel/ipsec_dataplane.h"
#include "l2tpsec/control_views.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace l2tpsec {

namespace kernel::xfrm {
class EventSubscription;
}
struct FlowSas; // daemon/ike_views.h

struct IkeServiceOptions {
	/// The kernel's XFRM, or the null dataplane (--fake-dataplane: tests,
	/// benchmarks, no root).
	kernel::DataplaneKind dataplane = kernel::DataplaneKind::Kernel;
	uint16_t ikePort = 500;
	uint16_t natTPort = 4500;
	/// Our side of every protected L2TP flow.
	uint16_t l2tpPort = 1701;
	/// Brute-force blocking: told of failed authentications, asked before
	/// each new exchange (none: no blocking). It outlives the service.
	BlockingService *blocking = nullptr;
};

/// What the L2TP service hears from IKE. Calls come from the event loop,
/// never from inside an L2TP engine call.
class IpsecListener {
public:
	virtual ~IpsecListener() = default;
	virtual void flowProtected(const ike::ChildSaInfo &child) = 0;
	/// An IPsec SA pair is gone (delete, expiry, DPD, shutdown).
	virtual void flowUnprotected(const ike::ChildSaInfo &child, const std::string &reason) = 0;
	/// A connect() did not give an IPsec SA pair: Main Mode or Quick Mode failed.
	virtual void connectFailed(uint64_t ikeSaId, const IpAddress &server, const std::string &reason) = 0;
};

class IkeService final : public ike::IkeObserver {
public:
	static Result<std::unique_ptr<IkeService>> start(EventLoop &loop, const Config &config,
	                                                 IkeServiceOptions options);
	~IkeService() override;
	IkeService(const IkeService &) = delete;
	IkeService &operator=(const IkeService &) = delete;

	void setListener(IpsecListener *listener) { listener_ = listener; }
	/// Where the "failed" records of refused negotiations go (the session audit).
	void setAudit(std::function<void(const nlohmann::json &)> audit) { audit_ = std::move(audit); }
	/// New pre-shared keys apply to new negotiations; the rest of [ike] at restart.
	void reconfigure(const Config &config);

	/// LAC: an IPsec SA pair for local:l2tpPort <-> server:serverPort. Returns the ISAKMP SA's id.
	Result<uint64_t> connect(const IpAddress &local, const IpAddress &server, uint16_t serverPort,
	                         kernel::IpsecMode mode = kernel::IpsecMode::Transport);
	/// Whether an IPsec SA pair up now covers L2TP from peer:port (0 = any)
	/// with the peer's mark (clients behind one NAT):
	/// childProtects() (ike_views.h), answered by the engine's flow index
	/// rather than a walk over every pair, as are ikePeerOf() and sasOf().
	bool protects(const Endpoint &peer) const;
	/// The IKE peer address of the SA pair that covers L2TP from peer:port
	/// (behind a NAT the NAT's address, not the one inside the flow).
	std::optional<IpAddress> ikePeerOf(const Endpoint &peer) const;
	/// IKE's part of `l2tpctl blocked`.
	control::IkeBlockingView blockingView() const;
	/// Delete notifications to every peer, the kernel state removed.
	void shutdown();

	/// `l2tpctl sas`.
	control::SasView sasView() const;
	/// The SAs that protect L2TP from peer:port, from the engine's state
	/// alone (`l2tpctl sessions`, `show`); the ISAKMP SA only if `isakmp`.
	std::optional<FlowSas> sasOf(const Endpoint &peer, bool isakmp) const;
	/// One IPsec SA pair's view with the kernel's counters (two queries).
	control::IpsecSaView pairView(const ike::ChildSaInfo &child) const;

	/// The SAs now (`status`, `metrics`).
	struct SaCounts {
		uint64_t isakmpEstablished = 0;
		uint64_t isakmpConnecting = 0;
		uint64_t ipsecSaPairs = 0;
	};
	SaCounts saCounts() const;
	/// IPsec SA pairs set up, and negotiations that failed, since start.
	const SetupCounts &setupCounts() const { return setups_; }

	// IkeObserver.
	void ikeSaUp(const ike::IkeSaInfo &sa) override;
	void ikeSaDown(const ike::IkeSaInfo &sa, const std::string &reason) override;
	void childSaUp(const ike::ChildSaInfo &child) override;
	void childSaDown(const ike::ChildSaInfo &child, const std::string &reason) override;
	void childSaFailed(uint64_t ikeSaId, const std::string &reason) override;
	void authenticationFailed(const IpAddress &peer, const std::string &reason) override;
	/// Counted by its classified reason, logged and audited (failure_hint.h).
	void negotiationRefused(const ike::IkeRefusal &refusal) override;

private:
	IkeService(EventLoop &loop, IkeServiceOptions options);
	void setKeys(const Config &config);
	std::optional<crypto::SecretBytes> pskFor(const IpAddress &peer) const;
	void onDatagram(ike::IkeSocket socket, const ike::Endpoint &local, const ike::Endpoint &from,
	                std::span<const uint8_t> datagram);
	void readXfrmEvents();
	void resynchronise();
	void arm();
	/// Listener calls wait for the loop's next turn: the engine is still
	/// inside the call that reported the event.
	void post(std::function<void(IpsecListener &)> call);
	void runPosted();

	EventLoop &loop_;
	IkeServiceOptions options_;
	std::unique_ptr<kernel::IpsecDataplane> dataplane_;
	/// XFRM expiry events; none on the fake dataplane. (A pointer keeps
	/// libmnl's headers out of everything that includes this one.)
	std::unique_ptr<kernel::xfrm::EventSubscription> events_;
	ike::SystemRandom random_;
	std::unique_ptr<IkeUdpSockets> sockets_;
	/// Main Mode 3's DH, one thread per CPU (the engine's thread does the rest).
	std::unique_ptr<ike::DhWorkers> dhWorkers_;
	std::unique_ptr<ike::IkeEngine> engine_;
	IpsecListener *listener_ = nullptr;
	IkeConfig started_; ///< the [ike] section the engine was built from
	std::optional<crypto::SecretBytes> wildcardPsk_;
	std::map<IpAddress, crypto::SecretBytes> serverPsks_;
	/// Servers of [[lac]] profiles with aggressive_mode (connect() asks for it).
	std::set<IpAddress> aggressiveServers_;
	std::vector<LacProfile> startedLac_; ///< the certificate settings in force
	/// Initiator SAs of connect() and their servers, for connectFailed().
	std::map<uint64_t, IpAddress> connecting_;
	DeadlineTimer timer_{loop_};
	std::vector<std::function<void(IpsecListener &)>> posted_;
	std::optional<EventLoop::TimerId> postTimer_;
	SetupCounts setups_;
	std::function<void(const nlohmann::json &)> audit_;
};

} // namespace l2tpsec
