#pragma once
// The command line of the pppd that runs one session's PPP (pppd(8) and its
// pppol2tp plugin), built from the [ppp] config and the session. Pure, so the
// exact arguments are unit-tested; the supervisor only execs them.

#include "common/ip_address.h"
#include "config/config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::ppp {

struct PppdSession {
	/// The PPPoL2TP socket's descriptor number in the child.
	int pppol2tpFd = 3;
	uint32_t tunnelId = 0;
	uint32_t sessionId = 0;
	/// LNS: we authenticate the client and hand out its address. LAC: the
	/// reverse.
	bool lns = true;
	/// LNS: the client's address from the pool (unset: pppd or RADIUS decides).
	std::optional<IpAddress> remoteAddress;
	/// LAC: the user we authenticate as, and the descriptor pppd reads the
	/// password from (passwordfd plugin: never on the command line, where
	/// every local user could read it in /proc).
	std::string user;
	int passwordFd = -1;
	/// Passed as ipparam, so ip-up scripts and logs can tell sessions apart;
	/// with [radius] also sent as NAS-Port-Id ("l2tpsec-TUNNEL-SESSION").
	std::string tag;
	/// LNS with [radius]: the peer's IP address, sent as Calling-Station-Id.
	std::string peerAddress;
	/// l2tpsec's pppd plugin (a path) and the descriptor it reports on to
	/// l2tpsecd (plugin/l2tpsec-pppd.c); none when empty.
	std::string plugin;
	int reportFd = -1;
};

/// argv for execv(), argv[0] being cfg.pppd. Extra options from the config
/// come last, split at white space, so they can override ours.
std::vector<std::string> pppdArguments(const PppConfig &cfg, const PppdSession &session);

/// Prestarted pppds (LNS): a pppd is started before its session comes, so
/// that its start (exec, libraries, plugins, /etc/ppp/options) is not in
/// the client's connect. Its command line has what does not depend on the
/// session (pppol2tp.so, nodetach, with [radius] radius.so and its config
/// file, l2tpsec's plugin reporting on `reportFd`) and ends in
/// `l2tpsec_wait`, where the plugin waits for the session's words
/// (pppdSessionWords) and its PPPoL2TP socket (plugin/l2tpsec_pppd_wire.h).
std::vector<std::string> pppdPrestartArguments(const PppConfig &cfg, const std::string &plugin, int reportFd);

/// The word that stands for the PPPoL2TP socket's descriptor in the
/// session's words (the plugin puts the number it received there).
inline constexpr const char *kPppSocketWord = "@pppol2tp";

/// What an LNS session adds to pppdPrestartArguments: pppdArguments(cfg, s)
/// without the words the prestarted pppd already has, kPppSocketWord for the
/// socket's number. Together they are the same options in an order pppd
/// accepts (each plugin before its options).
std::vector<std::string> pppdSessionWords(const PppConfig &cfg, const PppdSession &s);

/// "l2tpsec-TUNNEL-SESSION": the session's tag, which pppd's radius plugin
/// sends as NAS-Port-Id and l2tpsecd's accounting too (SQL backends key a
/// session's rows on it).
std::string sessionPortId(uint16_t tunnelId, uint16_t sessionId);

} // namespace l2tpsec::ppp
