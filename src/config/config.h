#pragma once
// Config: the validated, immutable contents of l2tpsec.conf. Every field has
// its default here; l2tpsec.conf(5) documents each key and the loader
// (config_loader.h) is the only writer.

#include "common/ip_address.h"
#include "common/ip_prefix.h"
#include "common/log.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec {

/// A path named in the config and the line that named it, so errors found
/// later (reading a secret file, say) still point at the right line.
struct ConfigPath {
	std::string path;
	int line = 0;
	bool empty() const { return path.empty(); }
	friend bool operator==(const ConfigPath &a, const ConfigPath &b) { return a.path == b.path; }
};

/// A secret read from a file named in the config (trailing newline removed).
struct Secret {
	ConfigPath file;
	std::string value;
};

struct ServerConfig {
	/// Local addresses for IKE (500/4500) and L2TP (1701); empty = all IPv4.
	std::vector<IpAddress> listen;
	std::string controlSocket = "/run/l2tpsec/control";
	ConfigPath auditLog;
	LogLevel logLevel = LogLevel::Info;
};

enum class ProposalProfile { Modern, Compat, Legacy };

/// [ike] tunnel_mode: what a Quick Mode that asks for tunnel-mode ESP gets.
/// Stock clients ask for transport mode; some peers (strongSwan with
/// mode=tunnel, routers) for tunnel mode around the same L2TP flow.
enum class TunnelModePolicy { Refuse, Accept };
/// [[lac]] mode: the ESP mode a LAC profile asks its server for.
enum class EspMode { Transport, Tunnel };

/// Certificate authentication (RFC 2409 §5.1), in [ike] and in a [[lac]]
/// profile: our certificate (PEM, may hold its chain) and private key, the
/// CAs a peer's certificate must chain to, our ID (empty: the certificate's
/// subject DN) and, for a LAC, the identity the server must prove (empty:
/// any certificate the CAs vouch for).
struct CertConfig {
	ConfigPath certificate;
	ConfigPath privateKey;
	std::vector<ConfigPath> ca;
	std::string localId;
	std::string peerId;
	bool enabled() const { return !certificate.empty(); }
};

/// [ike] bind_ppp_user: whether, and to what, the PPP user name that signs
/// in inside a tunnel is bound to the device certificate IKE authenticated
/// it with (something you have, then something you know): the certificate's
/// subject commonName, an email or DNS subjectAltName, or the names a table
/// file gives its identities.
enum class PppUserBinding { Off, CommonName, Email, Dns, Table };

/// One line of a bind_ppp_user table: a certificate identity (a commonName,
/// an email or a DNS subjectAltName) and the PPP user names it may use.
struct UserBindingEntry {
	std::string identity;
	std::vector<std::string> users;
	int line = 0;
	bool operator==(const UserBindingEntry &) const = default;
};

struct PppUserBindingConfig {
	PppUserBinding mode = PppUserBinding::Off;
	/// Table: the file, and its lines as loadConfigFile read them.
	ConfigPath table;
	std::vector<UserBindingEntry> entries;
	bool on() const { return mode != PppUserBinding::Off; }
};

struct IkeConfig {
	std::optional<Secret> psk;
	CertConfig cert;
	PppUserBindingConfig bindPppUser;
	ProposalProfile profile = ProposalProfile::Compat;
	/// Explicit lists; when non-empty they replace the profile's.
	std::vector<std::string> ikeProposals;
	std::vector<std::string> espProposals;
	std::chrono::seconds dpdInterval{30};
	std::chrono::seconds dpdTimeout{150};
	std::chrono::seconds natKeepalive{20};
	std::chrono::seconds ikeLifetime{8 * 3600};
	std::chrono::seconds saLifetime{3600};
	bool aggressiveMode = false;
	/// Show Microsoft clients NAT-D that hides our own NAT (Windows error 809).
	bool concealServerNat = false;
	TunnelModePolicy tunnelMode = TunnelModePolicy::Refuse;
	/// Accept pre-shared keys ([ike] and [[lac]]) shorter than
	/// kMinPskCharacters, with a warning instead of an error.
	bool allowShortPsk = false;
};

/// The shortest pre-shared key accepted without [ike] allow_short_psk: the
/// length the setup guides for the stock clients ask for.
inline constexpr size_t kMinPskCharacters = 20;

/// RFC 2661 with or without IPsec underneath (mission: required by default).
enum class IpsecRequirement { Required, Optional, Off };

struct L2tpConfig {
	IpsecRequirement ipsec = IpsecRequirement::Required;
	std::chrono::seconds helloInterval{60};
	std::optional<Secret> secret;
	uint16_t receiveWindow = 16;
	uint32_t retries = 5;
	uint32_t maxTunnelsPerPeer = 16;
	/// The most LNS tunnels at once, all peers together; unset: no limit
	/// but the 16-bit tunnel ids.
	std::optional<uint32_t> maxTunnels;
	/// The most LNS sessions at once; unset: as many as the pool allows.
	std::optional<uint32_t> maxSessions;
};

enum class PppAuth { MsChapV2, Chap, Pap };

/// A RADIUS server: an IPv4 address (pppd's radius plugin resolves no other
/// kind) and a UDP port.
struct RadiusServer {
	IpAddress address;
	uint16_t port = 0;
	friend bool operator==(const RadiusServer &, const RadiusServer &) = default;
	std::string str() const { return address.str() + ":" + std::to_string(port); }
};

/// [radius]: the LNS pppd authenticates users and sends accounting through
/// pppd's radius plugin instead of [ppp] secrets.
struct RadiusConfig {
	std::vector<RadiusServer> authServers;
	/// From the file, or else authServers' addresses on port 1813.
	std::vector<RadiusServer> accountingServers;
	std::optional<Secret> secret;
	/// NAS-Identifier; empty: the host name.
	std::string nasIdentifier;
	/// NAS-IP-Address in every request; unset: none (the plugin sends it
	/// only without a NAS-Identifier, and l2tpsecd always sends one).
	/// FreeRADIUS's sql and sqlippool key leases, Accounting-On/Off and
	/// stale sessions on it.
	std::optional<IpAddress> nasIpAddress;
	/// Interim-Updates every this long when the Access-Accept carries no
	/// Acct-Interim-Interval (l2tpsec's pppd plugin adds one); 0: none.
	std::chrono::seconds interimInterval{0};
	std::chrono::seconds timeout{3};
	uint32_t retries = 3;
	/// Where the daemon writes the radiusclient files the plugin reads (not
	/// a key: "radius" next to [server] control_socket).
	std::string runtimeDir;
	/// Dynamic Authorization (RFC 5176): the addresses Disconnect-Requests
	/// are taken on; empty: no listener.
	std::vector<IpAddress> dasListen;
	uint16_t dasPort = 3799;
	/// Who may send them (required with dasListen).
	std::vector<IpAddress> dasClients;
	/// das_secret_file; unset: `secret`.
	std::optional<Secret> dasSecret;
	int line = 0; ///< the [radius] header
};

struct AddressRange {
	IpAddress first;
	IpAddress last;
	uint64_t size() const { return uint64_t{last.v4HostOrder()} - first.v4HostOrder() + 1; }
};

struct PppConfig {
	std::vector<PppAuth> auth{PppAuth::MsChapV2};
	ConfigPath secrets;
	std::optional<IpAddress> localAddress;
	std::optional<AddressRange> pool;
	std::vector<IpAddress> dns;
	/// IPv4 subnets behind the server, told with `domain` and `dns` to
	/// clients that ask with DHCPINFORM (src/daemon/dhcp_responder.h); the
	/// daemon answers only when one of the two, user_routes or [radius]
	/// is set.
	std::vector<IpPrefix> routes;
	std::string domain;
	/// More such subnets for the sessions of one user (the name the peer
	/// authenticated as), on top of `routes`.
	std::map<std::string, std::vector<IpPrefix>> userRoutes;
	uint32_t mtu = 1400;
	uint32_t mru = 1400;
	std::chrono::seconds idleTimeout{0};
	std::string pppd = "/usr/sbin/pppd";
	/// An LNS session's pppd runs /etc/ppp/ip-up and ip-down (and their .d
	/// directories). Off by default: the daemon learns the link from its
	/// plugin, and the scripts were most of a session's server CPU.
	bool scripts = false;
	/// pppds kept started ahead of LNS sessions, each waiting for one
	/// (ppp/pppd_command.h, pppdPrestartArguments): a session's pppd is then
	/// ready when its client's PPP begins.
	uint32_t prestart = 2;
	std::vector<std::string> options;
	/// From [radius] (kept here because it is how pppd authenticates).
	std::optional<RadiusConfig> radius;
};

struct LacProfile {
	std::string name;
	IpAddress server;
	std::optional<Secret> psk;
	CertConfig cert;
	std::string user;
	std::optional<Secret> password;
	bool autoconnect = false;
	EspMode mode = EspMode::Transport;
	/// Phase 1 to the server in Aggressive Mode (RFC 2409 §5.4) instead of
	/// Main Mode; needs [ike] aggressive_mode and a psk_file.
	bool aggressiveMode = false;
	int line = 0;
};

/// [blocking]: a source address whose authentications keep failing (IKE
/// and PPP together) is shut out for a while. l2tpsec.conf(5) says how the
/// defaults were chosen (many users behind one NAT address).
struct BlockingConfig {
	bool enabled = true;
	/// This many failures within `window` start a block of `blockTime`.
	uint32_t failures = 10;
	std::chrono::seconds window{300};
	std::chrono::seconds blockTime{600};
	/// Sources never counted nor blocked.
	std::vector<IpPrefix> exempt;
};

/// An address and a port to listen on: "127.0.0.1:9586", "[::1]:9586".
struct ListenAddress {
	IpAddress address;
	uint16_t port = 0;
	friend bool operator==(const ListenAddress &, const ListenAddress &) = default;
	std::string str() const
	{
		std::string a = address.isV4() ? address.str() : "[" + address.str() + "]";
		return a + ":" + std::to_string(port);
	}
};

/// [metrics]: Prometheus' scrape endpoint over HTTP; none without listen.
struct MetricsConfig {
	std::optional<ListenAddress> listen;
};

struct Config {
	std::string file; ///< where it was loaded from
	/// The line of each key the file sets ("l2tp.ipsec" -> 42; not [[lac]]
	/// keys), so checks made after parsing still point at the key.
	std::map<std::string, int, std::less<>> keyLines;
	int lineOf(std::string_view key) const
	{
		auto it = keyLines.find(key);
		return it == keyLines.end() ? 0 : it->second;
	}
	ServerConfig server;
	BlockingConfig blocking;
	IkeConfig ike;
	L2tpConfig l2tp;
	PppConfig ppp;
	std::vector<LacProfile> lac;
	MetricsConfig metrics;
};

std::string_view proposalProfileName(ProposalProfile p);
std::string_view ipsecRequirementName(IpsecRequirement r);
std::string_view pppAuthName(PppAuth a);
/// The key's value as the config spells it: "cn", or the table's path.
std::string pppUserBindingText(const PppUserBindingConfig &b);

} // namespace l2tpsec
