#pragma once
// What l2tpsec's pppd plugin (plugin/l2tpsec-pppd.c) tells l2tpsecd about a
// session's link, decoded from one datagram of its socket pair. The layout is
// in plugin/l2tpsec_pppd_wire.h, shared with the plugin.
//
// The decoder is pure and bounds-checked: a datagram is a message or an
// EBADMSG Error that says what is wrong (PppdLauncher refuses a session whose
// pppd sends one). A hello is decoded whatever protocol version it names
// (its first three bytes never change), so that a plugin of another version
// is recognised as that, not as garbage.

#include "common/ip_address.h"
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace l2tpsec::ppp {

/// The protocol version this daemon speaks (L2TPSEC_PPPD_PROTOCOL).
extern const uint16_t kPluginProtocol;

/// The first message, sent while pppd reads its options.
struct PluginHello {
	uint16_t protocol = 0;
	/// pppd's version ("2.4.9"); empty when `protocol` is not ours.
	std::string pppdVersion;
	bool operator==(const PluginHello &) const = default;
};

/// The peer authenticated (LNS): the name it authenticated as.
struct PluginAuthUp {
	std::string peerName;
	bool operator==(const PluginAuthUp &) const = default;
};

/// Both ends of the IPCP link and the interface.
struct PluginLink {
	IpAddress local = IpAddress::v4(0);
	IpAddress peer = IpAddress::v4(0);
	std::string interface;
	bool operator==(const PluginLink &) const = default;
};

struct PluginIpUp {
	PluginLink link;
	bool operator==(const PluginIpUp &) const = default;
};

/// pppd's counters for the link when IPCP went down.
struct PluginLinkStats {
	uint32_t bytesIn = 0;
	uint32_t bytesOut = 0;
	uint32_t packetsIn = 0;
	uint32_t packetsOut = 0;
	uint32_t seconds = 0;
	bool operator==(const PluginLinkStats &) const = default;
};

struct PluginIpDown {
	PluginLink link;
	/// Unset when pppd could not read them.
	std::optional<PluginLinkStats> stats;
	bool operator==(const PluginIpDown &) const = default;
};

/// pppd is exiting with this status (pppd(8), EXIT STATUS).
struct PluginExit {
	uint8_t status = 0;
	bool operator==(const PluginExit &) const = default;
};

/// The Framed-Route values of a RADIUS Access-Accept for the peer (LNS with
/// pppd's radius plugin), as the server sent them: text, any byte but NUL
/// (ppp/framed_route.h reads them). The latest replaces any earlier.
struct PluginRadiusRoutes {
	std::vector<std::string> routes;
	bool operator==(const PluginRadiusRoutes &) const = default;
};

/// A plugin that checks PAP passwords (pppd's radius plugin) refused the
/// peer's (LNS): the name it gave and what the server said (its
/// Reply-Message lines; empty when none).
struct PluginAuthFailed {
	std::string peerName;
	std::string said;
	bool operator==(const PluginAuthFailed &) const = default;
};

/// How the peer authenticated to us (pppd's auth_done).
enum class PeerAuth : uint8_t { None, Pap, ChapMd5, MsChap, MsChapV2, Eap };

/// What the peer chose in LCP and IPCP, sent once at IP up (LNS: the
/// client's PPP fingerprint). The flags and values are what the peer asked
/// for and pppd acknowledged; the option lists are the option types of the
/// peer's first Configure-Request of each protocol, in its order, refused
/// ones too (at most L2TPSEC_PPPD_MAX_OPTIONS each).
struct PluginPeerOptions {
	std::optional<uint16_t> mru;  ///< unset: it asked for none (1500)
	std::optional<uint32_t> accm; ///< unset: it asked for none
	bool magicNumber = false;
	bool protocolCompression = false; ///< PFC
	bool addressCompression = false;  ///< ACFC
	bool vjCompression = false;       ///< IPCP's Van Jacobson compression
	PeerAuth auth = PeerAuth::None;
	std::vector<uint8_t> lcpRequest;
	std::vector<uint8_t> ipcpRequest;
	/// Unset: no CCP Configure-Request before IPCP came up.
	std::optional<std::vector<uint8_t>> ccpRequest;
	bool operator==(const PluginPeerOptions &) const = default;
};

/// "pap", "chap-md5", "ms-chap", "ms-chap-v2", "eap" or "none".
std::string_view peerAuthName(PeerAuth auth);

using PluginMessage = std::variant<PluginHello, PluginAuthUp, PluginIpUp, PluginIpDown, PluginExit, PluginRadiusRoutes,
                                   PluginAuthFailed, PluginPeerOptions>;

/// One datagram from the plugin.
Result<PluginMessage> decodePluginMessage(std::span<const uint8_t> datagram);

/// The datagram the plugin sends for `m`. The plugin is C and has its own
/// encoder; this one serves the tests and the fuzzer's round trip. Strings
/// longer than the wire allows are cut as the plugin cuts them.
std::vector<uint8_t> encodePluginMessage(const PluginMessage &m);

/// The SESSION message to a prestarted pppd (l2tpsec_pppd_wire.h): the
/// session's pppd option words. Nothing when a word is longer than
/// L2TPSEC_PPPD_MAX_WORD, holds a NUL, or the whole exceeds
/// L2TPSEC_PPPD_MAX_MESSAGE.
std::optional<std::vector<uint8_t>> encodePluginSession(const std::vector<std::string> &words);

/// The words of a SESSION message, or why it is malformed (the plugin's
/// reading, in C++ for the tests and the fuzzer).
Result<std::vector<std::string>> decodePluginSession(std::span<const uint8_t> datagram);

/// One line for the log, e.g. "IP up on ppp0: 10.99.0.1 - 10.99.0.10".
std::string describePluginMessage(const PluginMessage &m);

} // namespace l2tpsec::ppp
