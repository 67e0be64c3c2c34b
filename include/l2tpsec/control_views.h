#pragma once
// The replies of the control protocol (control.h) as types: the daemon
// builds these and serialises them, l2tpctl parses the daemon's reply into
// them and prints from them. The JSON keys live only in control_views.cpp.
//
// Conventions, as the protocol has always had them:
// - members named like the keys (snake_case in JSON, camelCase here);
// - "omitted": a std::optional member whose key is left out when empty;
// - "null": a std::optional member whose key is always there, null when empty.
//
// from_json() is strict: an unknown key, a missing required key or a value
// of the wrong type throws SchemaError with one line saying which, so an
// l2tpctl that talks to a daemon of another version says what differs
// instead of printing half a table.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace l2tpsec::control {

/// A reply that does not match its view: unknown, missing or mistyped key.
class SchemaError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

/// `status`.
struct StatusView {
	std::string version;
	int64_t pid = 0;
	std::string started; ///< ISO 8601 UTC
	int64_t uptimeSeconds = 0;
	std::string configFile;
	std::string configLoaded; ///< ISO 8601 UTC
	unsigned reloads = 0;
	unsigned reloadFailures = 0;
	std::vector<std::string> listen; ///< empty: every IPv4 address
	std::string controlSocket;
	std::vector<std::string> lacProfiles;
	// What runs now: the same numbers as `metrics` gives.
	uint64_t isakmpEstablished = 0;
	uint64_t isakmpConnecting = 0;
	uint64_t ipsecSaPairs = 0;
	uint64_t tunnels = 0;
	uint64_t sessions = 0;
	std::optional<uint32_t> poolUsed; ///< null without [ppp] pool
	std::optional<uint32_t> poolSize; ///< null without [ppp] pool
	uint64_t blockedSources = 0;
	std::string ipsec;     ///< [l2tp] ipsec: "required", "optional" or "off"
	std::string dataplane; ///< "kernel", or "null" (--fake-dataplane)
	bool operator==(const StatusView &) const = default;
};

/// `version`.
struct VersionView {
	std::string version;
	int protocol = 0;
	bool operator==(const VersionView &) const = default;
};

/// `reload`.
struct ReloadView {
	std::string configFile;
	bool operator==(const ReloadView &) const = default;
};

/// One L2TP tunnel (`tunnels`, `show`).
struct TunnelView {
	uint16_t tunnel = 0;
	uint16_t peerTunnel = 0;
	std::string role; ///< "lns" or "lac"
	std::string local;
	std::string peer;
	std::string state;
	std::string peerHost;
	std::string peerVendor;
	uint64_t sessions = 0;
	std::string profile; ///< the [[lac]] profile; "" at an LNS
	int64_t uptimeSeconds = 0;
	uint64_t controlSent = 0;
	uint64_t controlRetransmitted = 0;
	uint64_t controlReceived = 0;
	bool operator==(const TunnelView &) const = default;
};

/// What an LNS session's client chose in PPP (the fingerprint's "ppp"): in
/// LCP and IPCP what it asked for and pppd acknowledged, and the options of
/// its first Configure-Request of LCP, IPCP and CCP, named ("mru", "dns1",
/// "mppe"; one pppd does not know by its number, "42").
struct PppFingerprintView {
	std::optional<uint16_t> mru;     ///< omitted when it asked for none (1500)
	std::optional<std::string> accm; ///< "0x00000000"; omitted when none
	bool magicNumber = false;
	bool protocolFieldCompression = false;
	bool addressControlFieldCompression = false;
	/// How it authenticated: "pap", "chap-md5", "ms-chap", "ms-chap-v2",
	/// "eap" or "none".
	std::string auth = "none";
	bool vjCompression = false; ///< IPCP's Van Jacobson compression
	/// Its first IPCP request asked for a DNS (options 129, 131) or a WINS
	/// (130, 132) server address (RFC 1877), whether or not it got one.
	bool dnsRequested = false;
	bool winsRequested = false;
	std::vector<std::string> lcpRequest;
	std::vector<std::string> ipcpRequest;
	/// Omitted when it sent no CCP request before IPCP came up.
	std::optional<std::vector<std::string>> ccpRequest;
	bool operator==(const PppFingerprintView &) const = default;
};

/// One session (`sessions`, `show`).
/// What a client sent that tells its software apart (`sessions`'
/// "fingerprint"): its SCCRQ's AVPs (RFC 2661 §4.4.1) and, with IPsec, its
/// ISAKMP SA's vendor IDs and the proposals it offered.
struct ClientFingerprintView {
	std::string hostName;                     ///< "" when the SCCRQ had none
	std::string vendorName;                   ///< "" when none
	std::optional<uint16_t> firmwareRevision; ///< omitted when none
	/// The UDP port its L2TP came from (inside ESP, so a NAT leaves it):
	/// 1701 for Windows and Android, ephemeral for Apple's; omitted without
	/// a tunnel.
	std::optional<uint16_t> l2tpPort;
	std::vector<std::string> vendorIds; ///< named: "MS NT5 ISAKMPOAKLEY", "RFC 3947"
	/// Its offers, compact ("aes256-sha1-modp2048, 3des-sha1-modp1024",
	/// "aes256-sha1 pfs none"); omitted without IPsec, or when it answered ours.
	std::optional<std::string> phase1, phase2;
	/// What it chose in PPP; omitted until IPCP is up, and at a LAC.
	std::optional<PppFingerprintView> ppp;
	bool operator==(const ClientFingerprintView &) const = default;
};

struct SessionView {
	uint16_t tunnel = 0;
	uint16_t session = 0;
	uint16_t peerTunnel = 0;
	uint16_t peerSession = 0;
	std::string peer;
	std::string role;
	std::string state;
	std::string user;                     ///< "" until PPP authenticated it
	std::optional<std::string> address;   ///< null: no PPP address yet
	std::optional<std::string> profile;   ///< omitted at an LNS
	std::optional<int64_t> uptimeSeconds; ///< omitted until established
	/// From the kernel; omitted when it has no such session.
	std::optional<uint64_t> rxBytes, txBytes, rxPackets, txPackets;
	// Monitoring: who, from where, how much, how fast.
	/// The outer endpoint of the IPsec SA pair that protects the session
	/// (behind a NAT the NAT's address and port, "198.51.100.7:4500");
	/// omitted without one.
	std::optional<std::string> ikePeer;
	std::optional<std::string> interface; ///< "ppp0"; omitted until pppd reports it
	/// Bytes per second over the daemon's last sampling interval; omitted
	/// until two samples of the kernel's counters.
	std::optional<uint64_t> rxRate, txRate;
	/// What the peer runs, from its SCCRQ and IKE vendor IDs: "Windows 10/11",
	/// "macOS/iOS", "Android", "strongSwan/xl2tpd", "l2tpsec" or "unknown".
	std::string client = "unknown";
	/// What that guess was made from; omitted when neither its tunnel nor
	/// an IPsec SA pair is known.
	std::optional<ClientFingerprintView> fingerprint;
	/// The Acct-Session-Id the daemon's RADIUS accounting sends for the
	/// session (and a Disconnect- or CoA-Request may name it by); omitted
	/// without accounting.
	std::optional<std::string> acctSessionId;
	bool operator==(const SessionView &) const = default;
};

/// `tunnels`.
struct TunnelsView {
	std::vector<TunnelView> tunnels;
	bool operator==(const TunnelsView &) const = default;
};

/// `sessions`.
struct SessionsView {
	std::vector<SessionView> sessions;
	bool operator==(const SessionsView &) const = default;
};

/// `connect`.
struct ConnectView {
	std::string profile;
	std::optional<uint16_t> tunnel; ///< null while IPsec is negotiated
	std::string state;
	bool operator==(const ConnectView &) const = default;
};

/// `call`.
struct CallView {
	std::string profile;
	uint16_t tunnel = 0;
	bool operator==(const CallView &) const = default;
};

/// `disconnect`: {profile, disconnected}, {sessions} or {tunnels} (the rest omitted).
struct DisconnectView {
	std::optional<std::string> profile;
	std::optional<bool> disconnected;
	std::optional<std::vector<std::string>> sessions; ///< "TUNNEL/SESSION"
	std::optional<std::vector<uint16_t>> tunnels;
	bool operator==(const DisconnectView &) const = default;
};

/// One ISAKMP SA (`sas`).
struct IsakmpSaView {
	uint64_t id = 0;
	std::string role;  ///< "initiator" or "responder"
	std::string state; ///< "established" or "connecting"
	std::string local;
	std::string peer;
	std::string peerId;
	bool natLocal = false;
	bool natPeer = false;
	std::string suite;
	std::string exchange; ///< "main" or "aggressive"
	bool dpd = false;
	std::string vendorIds;
	int64_t lifetimeSeconds = 0;
	int64_t ageSeconds = 0;
	std::optional<int64_t> expiresInSeconds; ///< omitted until established
	bool operator==(const IsakmpSaView &) const = default;
};

/// One IPsec SA pair (`sas`).
struct IpsecSaView {
	uint64_t isakmp = 0;
	std::string local;
	std::string peer;
	std::string inSpi; ///< "0x%08x"
	std::string outSpi;
	uint32_t reqid = 0;
	std::string suite;
	std::string mode; ///< "transport" or "tunnel"
	bool natT = false;
	std::string flow;
	std::optional<std::string> natOa; ///< null without NAT-OA
	int64_t lifetimeSeconds = 0;
	int64_t expiresInSeconds = 0;
	/// null when the dataplane cannot tell.
	std::optional<uint64_t> inBytes, inPackets, outBytes, outPackets;
	bool operator==(const IpsecSaView &) const = default;
};

/// `sas`.
struct SasView {
	std::vector<IsakmpSaView> isakmp;
	std::vector<IpsecSaView> ipsec;
	std::optional<std::string> ike; ///< omitted; why IKE is off when it is
	bool operator==(const SasView &) const = default;
};

/// `show`: everything that carries one session, from IKE to pppd.
struct SessionChainView {
	SessionView session;
	std::optional<TunnelView> tunnel; ///< null when the tunnel is gone
	std::optional<int64_t> pppdPid;   ///< null: no pppd runs for it
	/// The "time" of the session's audit start record (ISO 8601 UTC),
	/// which with its tunnel and session ids identifies it; null until
	/// written.
	std::optional<std::string> auditStarted;
	/// The SAs that protect its L2TP flow; null without IPsec.
	std::optional<IsakmpSaView> isakmp;
	std::optional<IpsecSaView> ipsec;
	bool operator==(const SessionChainView &) const = default;
};

/// `show` (after the SA views its chains hold): {tunnel, sessions},
/// {session, chains} or {user, chains}, the rest omitted.
struct ShowView {
	std::optional<TunnelView> tunnel;
	std::optional<std::vector<SessionView>> sessions;
	std::optional<SessionView> session;
	/// `show USER`: the user, with `chains`.
	std::optional<std::string> user;
	/// The chain of each session shown (`show TUNNEL/SESSION`, `show USER`).
	std::optional<std::vector<SessionChainView>> chains;
	bool operator==(const ShowView &) const = default;
};

/// One blocked source (`blocked`).
struct BlockView {
	std::string source;
	uint32_t failures = 0;
	int64_t blockedSeconds = 0;
	int64_t remainingSeconds = 0;
	bool operator==(const BlockView &) const = default;
};

/// A source with failures, not blocked (yet).
struct CountingView {
	std::string source;
	uint32_t failures = 0;
	bool operator==(const CountingView &) const = default;
};

/// [blocking] as in force.
struct BlockingSettingsView {
	bool enabled = true;
	uint32_t failures = 0;
	int64_t windowSeconds = 0;
	int64_t blockSeconds = 0;
	std::vector<std::string> exempt;
	bool operator==(const BlockingSettingsView &) const = default;
};

/// IKE's share of blocking.
struct IkeBlockingView {
	uint64_t responderDh = 0;
	uint64_t refusedBlocked = 0;
	bool operator==(const IkeBlockingView &) const = default;
};

/// `blocked`.
struct BlockedView {
	std::vector<BlockView> blocked;
	std::vector<CountingView> counting;
	BlockingSettingsView settings;
	uint64_t droppedTunnels = 0;
	std::optional<IkeBlockingView> ike; ///< null with [l2tp] ipsec = "off"
	bool operator==(const BlockedView &) const = default;
};

/// `unblock`.
struct UnblockView {
	std::string source;
	uint32_t failures = 0;
	int64_t blockedSeconds = 0;
	bool operator==(const UnblockView &) const = default;
};

/// One [[lac]] profile (`profiles`).
struct ProfileView {
	std::string name;
	std::string server;
	bool wanted = false; ///< connect (or autoconnect) asked for it, no disconnect since
	/// "idle", "negotiating IPsec", "connecting", "tunnel up" (PPP not up
	/// yet), "up" (its session and PPP up) or "waiting to retry".
	std::string state;
	std::optional<uint16_t> tunnel;        ///< null: no tunnel connecting or up
	std::optional<std::string> session;    ///< "TUNNEL/SESSION" once up, else null
	std::optional<std::string> address;    ///< PPP's address once up; null without pppd
	std::optional<std::string> lastError;  ///< null: none since the daemon started
	std::optional<std::string> errorStage; ///< null with lastError; "ike", "l2tp" or "ppp"
	std::optional<int64_t> retryInSeconds; ///< null: no reconnect pending
	bool operator==(const ProfileView &) const = default;
};

/// `profiles`.
struct ProfilesView {
	std::vector<ProfileView> profiles;
	bool operator==(const ProfilesView &) const = default;
};

/// `metrics`: the Prometheus text exposition (format 0.0.4), as served on
/// [metrics] listen.
struct MetricsView {
	std::string text;
	bool operator==(const MetricsView &) const = default;
};

// nlohmann-json conversions (found by ADL: json j = view; j.get<View>()).
void to_json(nlohmann::json &j, const StatusView &v);
void from_json(const nlohmann::json &j, StatusView &v);
void to_json(nlohmann::json &j, const VersionView &v);
void from_json(const nlohmann::json &j, VersionView &v);
void to_json(nlohmann::json &j, const ReloadView &v);
void from_json(const nlohmann::json &j, ReloadView &v);
void to_json(nlohmann::json &j, const TunnelView &v);
void from_json(const nlohmann::json &j, TunnelView &v);
void to_json(nlohmann::json &j, const SessionView &v);
void from_json(const nlohmann::json &j, SessionView &v);
void to_json(nlohmann::json &j, const TunnelsView &v);
void from_json(const nlohmann::json &j, TunnelsView &v);
void to_json(nlohmann::json &j, const SessionsView &v);
void from_json(const nlohmann::json &j, SessionsView &v);
void to_json(nlohmann::json &j, const ShowView &v);
void from_json(const nlohmann::json &j, ShowView &v);
void to_json(nlohmann::json &j, const PppFingerprintView &v);
void from_json(const nlohmann::json &j, PppFingerprintView &v);
void to_json(nlohmann::json &j, const ClientFingerprintView &v);
void from_json(const nlohmann::json &j, ClientFingerprintView &v);
void to_json(nlohmann::json &j, const SessionChainView &v);
void from_json(const nlohmann::json &j, SessionChainView &v);
void to_json(nlohmann::json &j, const ConnectView &v);
void from_json(const nlohmann::json &j, ConnectView &v);
void to_json(nlohmann::json &j, const CallView &v);
void from_json(const nlohmann::json &j, CallView &v);
void to_json(nlohmann::json &j, const DisconnectView &v);
void from_json(const nlohmann::json &j, DisconnectView &v);
void to_json(nlohmann::json &j, const IsakmpSaView &v);
void from_json(const nlohmann::json &j, IsakmpSaView &v);
void to_json(nlohmann::json &j, const IpsecSaView &v);
void from_json(const nlohmann::json &j, IpsecSaView &v);
void to_json(nlohmann::json &j, const SasView &v);
void from_json(const nlohmann::json &j, SasView &v);
void to_json(nlohmann::json &j, const BlockView &v);
void from_json(const nlohmann::json &j, BlockView &v);
void to_json(nlohmann::json &j, const CountingView &v);
void from_json(const nlohmann::json &j, CountingView &v);
void to_json(nlohmann::json &j, const BlockingSettingsView &v);
void from_json(const nlohmann::json &j, BlockingSettingsView &v);
void to_json(nlohmann::json &j, const IkeBlockingView &v);
void from_json(const nlohmann::json &j, IkeBlockingView &v);
void to_json(nlohmann::json &j, const BlockedView &v);
void from_json(const nlohmann::json &j, BlockedView &v);
void to_json(nlohmann::json &j, const UnblockView &v);
void from_json(const nlohmann::json &j, UnblockView &v);
void to_json(nlohmann::json &j, const ProfileView &v);
void from_json(const nlohmann::json &j, ProfileView &v);
void to_json(nlohmann::json &j, const ProfilesView &v);
void from_json(const nlohmann::json &j, ProfilesView &v);
void to_json(nlohmann::json &j, const MetricsView &v);
void from_json(const nlohmann::json &j, MetricsView &v);

} // namespace l2tpsec::control
