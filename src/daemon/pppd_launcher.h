#pragma once
// The L2TP engine's PppLauncher on the real system: one pppd per session,
// started with ChildProcess on the PPPoL2TP socket (fd 3), its output in our
// log, its exit reported back with the reason pppd(8) gives, and stopped with
// SIGTERM (then SIGKILL) when the session goes.
//
// What happens on the link it learns from l2tpsec's pppd plugin
// (l2tpsec-pppd.so, src/ppp/plugin), which every pppd loads: the launcher
// gives pppd one end of a socket pair as `l2tpsec_fd 5` and reads the other
// on the loop (ppp/plugin_message.h). The plugin reports the name the peer
// authenticated as, IP up (the audit's start record is written then) and IP
// down with the link's statistics, what the peer chose in LCP and IPCP (for
// the client's fingerprint), and pppd's exit status. pppd runs without
// `debug`: its packet trace, which carries the MS-CHAPv2 challenge and
// response, never reaches our log. A pppd whose plugin speaks another
// protocol version, or sends anything malformed, is stopped: the session is
// refused with one error line.
//
// An LNS keeps [ppp] prestart pppds started ahead of its sessions
// (ppp/pppd_command.h, pppdPrestartArguments): each has loaded its libraries,
// plugins and /etc/ppp/options and waits in l2tpsec's plugin, named
// "pppd-idle". A session takes the oldest: the launcher sends it the session's
// options and PPPoL2TP socket over the plugin's socket pair, and starts
// another. A reload replaces them. If prestarted pppds keep exiting on their
// own, the launcher stops prestarting (one error line) and starts each
// session's pppd as it comes.
//
// With [radius] an LNS pppd authenticates its peer through pppd's radius
// plugin instead of [ppp] secrets: the launcher writes the plugin's files
// (ppp/radius_files.h) at configure() and passes the session's tag as
// NAS-Port-Id and the peer's address as Calling-Station-Id. The plugin
// reports the Framed-Route attributes of the Access-Accept; their subnets
// (ppp/framed_route.h) go to `radiusRoutes`, for the DHCPINFORM responder.

#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "config/config.h"
#include "daemon/setup_counts.h"
#include "l2tp/engine_ports.h"
#include "ppp/child_process.h"
#include "ppp/plugin_message.h"
#include "ppp/pppd_command.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec {

class PppdLauncher final : public l2tp::PppLauncher {
public:
	struct Callbacks {
		/// pppd ended by itself, or was stopped because its plugin could not
		/// be understood; `reason` is one line, e.g. "... (pppd exit 11)",
		/// `cause` what its exit status says of why (accounting).
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &reason,
		                   l2tp::EndCause cause)>
		        ended;
		/// An LNS pppd exited because its peer failed to authenticate (pppd
		/// exit 11: CHAP, MS-CHAPv2, PAP or RADIUS said no), `peer` being the
		/// session's L2TP peer. Also for a pppd already stopped: the client's
		/// CDN often overtakes the exit of the pppd that refused it. Brute-force
		/// blocking counts it. `refusal`: the plugin's report of a PAP
		/// password a plugin (RADIUS) refused, with what the server said; null
		/// when there was none (CHAP, or pppd's own secrets).
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer,
		                   const ppp::PluginAuthFailed *refusal)>
		        peerAuthFailed;
		/// The peer authenticated as `user` (LNS).
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &user)> authenticated;
		/// The subnets of the Framed-Route attributes of the peer's RADIUS
		/// Access-Accept (LNS; each Access-Accept replaces the last one's),
		/// those that do not parse skipped with a warning.
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::vector<IpPrefix> &routes)>
		        radiusRoutes;
		/// What the peer of an LNS session chose in LCP and IPCP, and the
		/// option types of its first requests (the client's PPP
		/// fingerprint); right before linkUp.
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const ppp::PluginPeerOptions &options)>
		        peerOptions;
		/// IPCP is up: the link carries IP. `address` is the client's end: the
		/// peer's for an LNS session, ours (the one the server gave us) for a
		/// LAC; `interface` is pppd's ("ppp0").
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &address,
		                   const std::string &interface)>
		        linkUp;
	};

	/// `plugin`: the path of l2tpsec-pppd.so that every pppd loads
	/// (checkPppdPlugin() has found it there at start-up).
	PppdLauncher(EventLoop &loop, Callbacks callbacks, std::string plugin);
	~PppdLauncher() override;

	/// The settings for pppds started from now on (a reload changes them).
	/// With [radius] it (re)writes the files pppd's radius plugin reads.
	void configure(const PppConfig &ppp, const std::vector<LacProfile> &lac);

	Result<void> start(l2tp::PppStart start) override;
	void stop(uint16_t tunnelId, uint16_t sessionId) override;

	size_t running() const { return children_.size(); }
	/// Prestarted pppds waiting for a session.
	size_t prestarted() const { return prestarted_.size(); }
	std::optional<pid_t> pid(uint16_t tunnelId, uint16_t sessionId) const;
	/// Links that came up (IP up) and pppds that ended by themselves before,
	/// by pppd's exit reason ("peer-auth-failed", ...), since start.
	const SetupCounts &setupCounts() const { return setups_; }
	/// A PPP setup the daemon refused after pppd authenticated the peer
	/// (the certificate binding), counted with pppd's own failures.
	void countFailure(const std::string &reason) { setups_.failed(reason); }
	/// Every pppd exit since start, by reason (ppp::PppdExit::reason).
	const std::map<std::string, uint64_t> &exits() const { return exits_; }

private:
	using Key = std::pair<uint16_t, uint16_t>;
	/// What a running pppd has told us so far, and the socket it tells it on.
	struct LinkState {
		bool lns = true;
		UniqueFd report; ///< our end of the plugin's socket pair (on the loop)
		bool hello = false;
		bool authenticated = false;
		/// Why we stopped it (a plugin we cannot talk to), for `ended`.
		std::string refused;
		/// The status the plugin said pppd exits with.
		std::optional<int> exitStatus;
		bool linkUp = false; ///< the plugin reported IP up
	};
	void onLine(Key key, std::string_view line);
	void onReport(Key key);
	void onStoppedReport(int fd);
	/// Reads what is left on the plugin socket of a stopped pppd.
	void drainStoppedReport(Key key);
	/// Keeps a plugin's report of a refused PAP password for reportAuthFailure.
	void noteRefusal(Key key, const ppp::PluginAuthFailed &refused);
	void onMessage(Key key, LinkState &st, std::span<const uint8_t> datagram);
	void onRadiusRoutes(Key key, const ppp::PluginRadiusRoutes &radius);
	void refuse(Key key, LinkState &st, const std::string &why);
	void closeReport(LinkState &st);
	void onExit(Key key, int waitStatus);
	bool writeRadiusFiles();
	/// Starts prestarted pppds until there are [ppp] prestart (LNS only).
	void refillPrestarted();
	/// Stops every prestarted pppd (a reload, the end).
	void dropPrestarted();
	/// Hands the session to the oldest prestarted pppd; false (and that
	/// pppd stopped) when it cannot, and the caller starts one.
	bool handToPrestarted(Key key, const std::string &tag, const ppp::PppdSession &s, int pppSocket);
	/// Reads `report` (our end of the plugin's socket pair) on the loop for
	/// the session's LinkState; on failure the session has no LinkState.
	Result<void> watchReport(Key key, bool lns, UniqueFd report);
	/// Binds for a pppd (the secrets file, the no-op over ip-pre-up).
	std::vector<std::pair<std::string, std::string>> pppdBinds(bool lns) const;
	/// Starts `spec` whose lines and exit go to session *owner once it has
	/// one (before: a prestarted pppd's).
	Result<std::unique_ptr<ppp::ChildProcess>> spawn(const ppp::SpawnSpec &spec,
	                                                 const std::shared_ptr<std::optional<Key>> &owner);
	void onPrestartedExit(const std::shared_ptr<std::optional<Key>> &owner, int waitStatus);

	EventLoop &loop_;
	Callbacks cb_;
	std::string plugin_;
	PppConfig ppp_;
	std::vector<LacProfile> lac_;
	bool radiusWritten_ = false;
	std::map<Key, std::unique_ptr<ppp::ChildProcess>> children_;
	std::map<Key, LinkState> links_;
	/// The L2TP peers of LNS sessions, until their pppd is reaped (also
	/// after stop()), for peerAuthFailed.
	std::map<Key, l2tp::Endpoint> lnsPeers_;
	/// What their plugins said of a refused PAP password, for peerAuthFailed.
	std::map<Key, ppp::PluginAuthFailed> refusals_;
	/// pppds asked to stop, kept until they have exited (and are reaped).
	std::vector<std::unique_ptr<ppp::ChildProcess>> stopping_;
	/// Their plugins' sockets (by descriptor), read until pppd closes its
	/// end: the link's statistics (IP down) come after our SIGTERM.
	struct StoppedReport {
		Key key;
		std::string tag;
		UniqueFd report;
	};
	/// An LNS session's peer failed to authenticate (pppd's status, or its
	/// plugin's report of it): peerAuthFailed, once per session, and the
	/// setup failure counted (a CDN that stops pppd first still counts).
	/// True when it reported it now.
	bool reportAuthFailure(Key key);
	std::map<int, StoppedReport> stoppedReports_;
	SetupCounts setups_;
	std::map<std::string, uint64_t> exits_;
	/// A pppd waiting for its session: the child, our end of its plugin's
	/// socket (not on the loop until the session comes), and the session it
	/// serves once it has one (its callbacks look there).
	struct Prestarted {
		std::unique_ptr<ppp::ChildProcess> child;
		UniqueFd report;
		std::shared_ptr<std::optional<Key>> owner;
	};
	std::vector<Prestarted> prestarted_;
	/// Prestarted pppds that exited before a session came, in a row.
	unsigned prestartFailures_ = 0;
	static constexpr unsigned kMaxPrestartFailures = 3;
};

/// The plugin is a regular file at `path` (l2tpsecd checks at start-up,
/// before it changes anything, unless it runs with --fake-dataplane).
Result<void> checkPppdPlugin(const std::string &path);

} // namespace l2tpsec
