#pragma once
// The L2TP engine's PppLauncher on the real system: one pppd per session,
// started with ChildProcess on the PPPoL2TP socket (fd 3), its output in our
// log, its exit reported back with the reason pppd(8) gives, and stopped with
// SIGTERM (then SIGKILL) when the session goes.
//
// It also reads what pppd says about the link, because the engine cannot know:
// the user the peer authenticated as, and when IPCP is up ("remote IP address
// A.B.C.D"), which is when the audit's start record is written. pppd names the
// user in a notice only for PAP ("PAP peer authentication succeeded for
// NAME"); for CHAP and MS-CHAP it does so only in its packet trace (option
// debug, which an LNS pppd gets): the name of the last "rcvd [CHAP Response"
// before pppd's own "sent [CHAP Success". Trace lines ("sent [...", "rcvd
// [...") go to our log at debug level, the rest at info.
//
// With [radius] an LNS pppd authenticates its peer through pppd's radius
// plugin instead of [ppp] secrets: the launcher writes the plugin's files
// (ppp/radius_files.h) at configure() and passes the session's tag as
// NAS-Port-Id and the peer's address as Calling-Station-Id.

#include "common/event_loop.h"
#include "config/config.h"
#include "l2tp/engine_ports.h"
#include "ppp/child_process.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec {

class PppdLauncher final : public l2tp::PppLauncher {
public:
	struct Callbacks {
		/// pppd ended by itself; `reason` is one line, e.g. "... (pppd exit 11)".
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &reason)> ended;
		/// An LNS pppd exited because its peer failed to authenticate (pppd
		/// exit 11: CHAP, MS-CHAPv2, PAP or RADIUS said no), `peer` being the
		/// session's L2TP peer. Also for a pppd already stopped: the client's
		/// CDN often overtakes the exit of the pppd that refused it. Brute-force
		/// blocking counts it.
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const l2tp::Endpoint &peer)> peerAuthFailed;
		/// The peer authenticated as `user` (LNS).
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &user)> authenticated;
		/// IPCP is up: the link carries IP. `address` is the client's end: the
		/// peer's for an LNS session, ours (the one the server gave us) for a LAC.
		std::function<void(uint16_t tunnelId, uint16_t sessionId, const std::string &address)> linkUp;
	};

	PppdLauncher(EventLoop &loop, Callbacks callbacks);
	~PppdLauncher() override;

	/// The settings for pppds started from now on (a reload changes them).
	/// With [radius] it (re)writes the files pppd's radius plugin reads.
	void configure(const PppConfig &ppp, const std::vector<LacProfile> &lac);

	Result<void> start(l2tp::PppStart start) override;
	void stop(uint16_t tunnelId, uint16_t sessionId) override;

	size_t running() const { return children_.size(); }
	std::optional<pid_t> pid(uint16_t tunnelId, uint16_t sessionId) const;

private:
	using Key = std::pair<uint16_t, uint16_t>;
	void onLine(Key key, std::string_view line);
	void onExit(Key key, int waitStatus);
	bool writeRadiusFiles();

	EventLoop &loop_;
	Callbacks cb_;
	PppConfig ppp_;
	std::vector<LacProfile> lac_;
	bool radiusWritten_ = false;
	std::map<Key, std::unique_ptr<ppp::ChildProcess>> children_;
	/// What a running pppd has told us so far.
	struct LinkState {
		bool lns = true;
		std::string localAddress; ///< "local  IP address A.B.C.D"
		std::string chapName;     ///< from the last CHAP Response, until Success
		bool authenticated = false;
	};
	std::map<Key, LinkState> links_;
	/// The L2TP peers of LNS sessions, until their pppd is reaped (also
	/// after stop()), for peerAuthFailed.
	std::map<Key, l2tp::Endpoint> lnsPeers_;
	/// pppds asked to stop, kept until they have exited (and are reaped).
	std::vector<std::unique_ptr<ppp::ChildProcess>> stopping_;
};

/// The user name in a pppd line "... peer authentication succeeded for NAME",
/// if it is one.
std::optional<std::string> pppdAuthenticatedUser(std::string_view line);
/// The address in a pppd line "remote IP address A.B.C.D", if it is one.
std::optional<std::string> pppdRemoteAddress(std::string_view line);
/// The address in a pppd line "local  IP address A.B.C.D", if it is one.
std::optional<std::string> pppdLocalAddress(std::string_view line);
/// The name in a pppd trace line `rcvd [CHAP Response id=0x1 <...>, name =
/// "NAME"]` (option debug), unescaped, if it is one.
std::optional<std::string> pppdChapResponseName(std::string_view line);
/// A pppd trace line `sent [CHAP Success ...`: pppd accepted the peer.
bool pppdChapSuccessSent(std::string_view line);

} // namespace l2tpsec
