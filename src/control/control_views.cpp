// The JSON of the control protocol's replies (include/l2tpsec/control_views.h):
// the one place its keys are spelled.

#include "l2tpsec/control_views.h"

#include <algorithm>

namespace l2tpsec::control {

using nlohmann::json;

namespace {

template <typename T>
void put(json &j, const char *key, const T &value)
{
	j[key] = value;
}

// Left out when empty.
template <typename T>
void putOmittable(json &j, const char *key, const std::optional<T> &value)
{
	if (value)
		j[key] = *value;
}

// Always there, null when empty.
template <typename T>
void putNullable(json &j, const char *key, const std::optional<T> &value)
{
	j[key] = value ? json(*value) : json(nullptr);
}

// Reads one JSON object into a view: each key it knows at most once, a
// required one always, none it does not know. Errors name the view and key.
class ViewReader {
public:
	ViewReader(const json &j, const char *what) : j_(j), what_(what)
	{
		if (!j.is_object())
			throw SchemaError(what_ + ": expected an object, got " + j.type_name());
	}

	template <typename T>
	void required(const char *key, T &out)
	{
		if (const json *value = find(key))
			read(key, *value, out);
		else
			throw SchemaError(what_ + ": missing key \"" + key + "\"");
	}

	template <typename T>
	void omittable(const char *key, std::optional<T> &out)
	{
		out.reset();
		if (const json *value = find(key))
			read(key, *value, out.emplace());
	}

	template <typename T>
	void nullable(const char *key, std::optional<T> &out)
	{
		out.reset();
		const json *value = find(key);
		if (!value)
			throw SchemaError(what_ + ": missing key \"" + key + "\"");
		if (!value->is_null())
			read(key, *value, out.emplace());
	}

	/// After the last key: any other key is an error.
	void finish() const
	{
		for (auto it = j_.begin(); it != j_.end(); ++it)
			if (std::find(known_.begin(), known_.end(), it.key()) == known_.end())
				throw SchemaError(what_ + ": unknown key \"" + it.key() + "\"");
	}

private:
	const json *find(const char *key)
	{
		known_.emplace_back(key);
		auto it = j_.find(key);
		return it == j_.end() ? nullptr : &*it;
	}

	template <typename T>
	void read(const char *key, const json &value, T &out) const
	{
		try {
			value.get_to(out);
		} catch (const SchemaError &e) {
			throw SchemaError(what_ + ": \"" + key + "\": " + e.what());
		} catch (const json::exception &e) {
			// "[json.exception.type_error.302] type must be string, but is number"
			std::string why = e.what();
			if (auto end = why.find("] "); why.starts_with("[json.exception.") && end != std::string::npos)
				why.erase(0, end + 2);
			throw SchemaError(what_ + ": \"" + key + "\": " + why);
		}
	}

	const json &j_;
	std::string what_;
	std::vector<std::string> known_;
};

} // namespace

void to_json(json &j, const StatusView &v)
{
	j = json::object();
	put(j, "version", v.version);
	put(j, "pid", v.pid);
	put(j, "started", v.started);
	put(j, "uptime_seconds", v.uptimeSeconds);
	put(j, "config_file", v.configFile);
	put(j, "config_loaded", v.configLoaded);
	put(j, "reloads", v.reloads);
	put(j, "reload_failures", v.reloadFailures);
	put(j, "listen", v.listen);
	put(j, "control_socket", v.controlSocket);
	put(j, "lac_profiles", v.lacProfiles);
	put(j, "isakmp_established", v.isakmpEstablished);
	put(j, "isakmp_connecting", v.isakmpConnecting);
	put(j, "ipsec_sa_pairs", v.ipsecSaPairs);
	put(j, "tunnels", v.tunnels);
	put(j, "sessions", v.sessions);
	putNullable(j, "pool_used", v.poolUsed);
	putNullable(j, "pool_size", v.poolSize);
	put(j, "blocked_sources", v.blockedSources);
	put(j, "ipsec", v.ipsec);
	put(j, "dataplane", v.dataplane);
}

void from_json(const json &j, StatusView &v)
{
	ViewReader r(j, "status reply");
	r.required("version", v.version);
	r.required("pid", v.pid);
	r.required("started", v.started);
	r.required("uptime_seconds", v.uptimeSeconds);
	r.required("config_file", v.configFile);
	r.required("config_loaded", v.configLoaded);
	r.required("reloads", v.reloads);
	r.required("reload_failures", v.reloadFailures);
	r.required("listen", v.listen);
	r.required("control_socket", v.controlSocket);
	r.required("lac_profiles", v.lacProfiles);
	r.required("isakmp_established", v.isakmpEstablished);
	r.required("isakmp_connecting", v.isakmpConnecting);
	r.required("ipsec_sa_pairs", v.ipsecSaPairs);
	r.required("tunnels", v.tunnels);
	r.required("sessions", v.sessions);
	r.nullable("pool_used", v.poolUsed);
	r.nullable("pool_size", v.poolSize);
	r.required("blocked_sources", v.blockedSources);
	r.required("ipsec", v.ipsec);
	r.required("dataplane", v.dataplane);
	r.finish();
}

void to_json(json &j, const VersionView &v)
{
	j = json::object();
	put(j, "version", v.version);
	put(j, "protocol", v.protocol);
}

void from_json(const json &j, VersionView &v)
{
	ViewReader r(j, "version reply");
	r.required("version", v.version);
	r.required("protocol", v.protocol);
	r.finish();
}

void to_json(json &j, const ReloadView &v)
{
	j = json::object();
	put(j, "config_file", v.configFile);
}

void from_json(const json &j, ReloadView &v)
{
	ViewReader r(j, "reload reply");
	r.required("config_file", v.configFile);
	r.finish();
}

void to_json(json &j, const TunnelView &v)
{
	j = json::object();
	put(j, "tunnel", v.tunnel);
	put(j, "peer_tunnel", v.peerTunnel);
	put(j, "role", v.role);
	put(j, "local", v.local);
	put(j, "peer", v.peer);
	put(j, "state", v.state);
	put(j, "peer_host", v.peerHost);
	put(j, "peer_vendor", v.peerVendor);
	put(j, "sessions", v.sessions);
	put(j, "profile", v.profile);
	put(j, "uptime_seconds", v.uptimeSeconds);
	put(j, "control_sent", v.controlSent);
	put(j, "control_retransmitted", v.controlRetransmitted);
	put(j, "control_received", v.controlReceived);
}

void from_json(const json &j, TunnelView &v)
{
	ViewReader r(j, "tunnel");
	r.required("tunnel", v.tunnel);
	r.required("peer_tunnel", v.peerTunnel);
	r.required("role", v.role);
	r.required("local", v.local);
	r.required("peer", v.peer);
	r.required("state", v.state);
	r.required("peer_host", v.peerHost);
	r.required("peer_vendor", v.peerVendor);
	r.required("sessions", v.sessions);
	r.required("profile", v.profile);
	r.required("uptime_seconds", v.uptimeSeconds);
	r.required("control_sent", v.controlSent);
	r.required("control_retransmitted", v.controlRetransmitted);
	r.required("control_received", v.controlReceived);
	r.finish();
}

void to_json(json &j, const SessionView &v)
{
	j = json::object();
	put(j, "tunnel", v.tunnel);
	put(j, "session", v.session);
	put(j, "peer_tunnel", v.peerTunnel);
	put(j, "peer_session", v.peerSession);
	put(j, "peer", v.peer);
	put(j, "role", v.role);
	put(j, "state", v.state);
	put(j, "user", v.user);
	putNullable(j, "address", v.address);
	putOmittable(j, "profile", v.profile);
	putOmittable(j, "uptime_seconds", v.uptimeSeconds);
	putOmittable(j, "rx_bytes", v.rxBytes);
	putOmittable(j, "tx_bytes", v.txBytes);
	putOmittable(j, "rx_packets", v.rxPackets);
	putOmittable(j, "tx_packets", v.txPackets);
	putOmittable(j, "ike_peer", v.ikePeer);
	putOmittable(j, "interface", v.interface);
	putOmittable(j, "rx_rate", v.rxRate);
	putOmittable(j, "tx_rate", v.txRate);
	put(j, "client", v.client);
	putOmittable(j, "fingerprint", v.fingerprint);
	putOmittable(j, "acct_session_id", v.acctSessionId);
}

void from_json(const json &j, SessionView &v)
{
	ViewReader r(j, "session");
	r.required("tunnel", v.tunnel);
	r.required("session", v.session);
	r.required("peer_tunnel", v.peerTunnel);
	r.required("peer_session", v.peerSession);
	r.required("peer", v.peer);
	r.required("role", v.role);
	r.required("state", v.state);
	r.required("user", v.user);
	r.nullable("address", v.address);
	r.omittable("profile", v.profile);
	r.omittable("uptime_seconds", v.uptimeSeconds);
	r.omittable("rx_bytes", v.rxBytes);
	r.omittable("tx_bytes", v.txBytes);
	r.omittable("rx_packets", v.rxPackets);
	r.omittable("tx_packets", v.txPackets);
	r.omittable("ike_peer", v.ikePeer);
	r.omittable("interface", v.interface);
	r.omittable("rx_rate", v.rxRate);
	r.omittable("tx_rate", v.txRate);
	r.required("client", v.client);
	r.omittable("fingerprint", v.fingerprint);
	r.omittable("acct_session_id", v.acctSessionId);
	r.finish();
}

void to_json(json &j, const ClientFingerprintView &v)
{
	j = json::object();
	put(j, "host_name", v.hostName);
	put(j, "vendor_name", v.vendorName);
	putOmittable(j, "firmware_revision", v.firmwareRevision);
	putOmittable(j, "l2tp_port", v.l2tpPort);
	put(j, "vendor_ids", v.vendorIds);
	putOmittable(j, "phase1", v.phase1);
	putOmittable(j, "phase2", v.phase2);
	putOmittable(j, "ppp", v.ppp);
}

void from_json(const json &j, ClientFingerprintView &v)
{
	ViewReader r(j, "fingerprint");
	r.required("host_name", v.hostName);
	r.required("vendor_name", v.vendorName);
	r.omittable("firmware_revision", v.firmwareRevision);
	r.omittable("l2tp_port", v.l2tpPort);
	r.required("vendor_ids", v.vendorIds);
	r.omittable("phase1", v.phase1);
	r.omittable("phase2", v.phase2);
	r.omittable("ppp", v.ppp);
	r.finish();
}

void to_json(json &j, const PppFingerprintView &v)
{
	j = json::object();
	putOmittable(j, "mru", v.mru);
	putOmittable(j, "accm", v.accm);
	put(j, "magic_number", v.magicNumber);
	put(j, "protocol_field_compression", v.protocolFieldCompression);
	put(j, "address_control_field_compression", v.addressControlFieldCompression);
	put(j, "auth", v.auth);
	put(j, "vj_compression", v.vjCompression);
	put(j, "dns_requested", v.dnsRequested);
	put(j, "wins_requested", v.winsRequested);
	put(j, "lcp_request", v.lcpRequest);
	put(j, "ipcp_request", v.ipcpRequest);
	putOmittable(j, "ccp_request", v.ccpRequest);
}

void from_json(const json &j, PppFingerprintView &v)
{
	ViewReader r(j, "ppp");
	r.omittable("mru", v.mru);
	r.omittable("accm", v.accm);
	r.required("magic_number", v.magicNumber);
	r.required("protocol_field_compression", v.protocolFieldCompression);
	r.required("address_control_field_compression", v.addressControlFieldCompression);
	r.required("auth", v.auth);
	r.required("vj_compression", v.vjCompression);
	r.required("dns_requested", v.dnsRequested);
	r.required("wins_requested", v.winsRequested);
	r.required("lcp_request", v.lcpRequest);
	r.required("ipcp_request", v.ipcpRequest);
	r.omittable("ccp_request", v.ccpRequest);
	r.finish();
}

void to_json(json &j, const TunnelsView &v)
{
	j = json::object();
	put(j, "tunnels", v.tunnels);
}

void from_json(const json &j, TunnelsView &v)
{
	ViewReader r(j, "tunnels reply");
	r.required("tunnels", v.tunnels);
	r.finish();
}

void to_json(json &j, const SessionsView &v)
{
	j = json::object();
	put(j, "sessions", v.sessions);
}

void from_json(const json &j, SessionsView &v)
{
	ViewReader r(j, "sessions reply");
	r.required("sessions", v.sessions);
	r.finish();
}

void to_json(json &j, const ShowView &v)
{
	j = json::object();
	putOmittable(j, "tunnel", v.tunnel);
	putOmittable(j, "sessions", v.sessions);
	putOmittable(j, "session", v.session);
	putOmittable(j, "user", v.user);
	putOmittable(j, "chains", v.chains);
}

void from_json(const json &j, ShowView &v)
{
	ViewReader r(j, "show reply");
	r.omittable("tunnel", v.tunnel);
	r.omittable("sessions", v.sessions);
	r.omittable("session", v.session);
	r.omittable("user", v.user);
	r.omittable("chains", v.chains);
	r.finish();
	bool tunnelForm = v.tunnel && v.sessions && !v.session && !v.user;
	bool sessionForm = v.session && !v.tunnel && !v.sessions && !v.user;
	bool userForm = v.user && v.chains && !v.tunnel && !v.sessions && !v.session;
	if (!tunnelForm && !sessionForm && !userForm)
		throw SchemaError("show reply: neither {tunnel, sessions}, {session} nor {user, chains}");
}

void to_json(json &j, const SessionChainView &v)
{
	j = json::object();
	put(j, "session", v.session);
	putNullable(j, "tunnel", v.tunnel);
	putNullable(j, "pppd_pid", v.pppdPid);
	putNullable(j, "audit_started", v.auditStarted);
	putNullable(j, "isakmp", v.isakmp);
	putNullable(j, "ipsec", v.ipsec);
}

void from_json(const json &j, SessionChainView &v)
{
	ViewReader r(j, "chain");
	r.required("session", v.session);
	r.nullable("tunnel", v.tunnel);
	r.nullable("pppd_pid", v.pppdPid);
	r.nullable("audit_started", v.auditStarted);
	r.nullable("isakmp", v.isakmp);
	r.nullable("ipsec", v.ipsec);
	r.finish();
}

void to_json(json &j, const ConnectView &v)
{
	j = json::object();
	put(j, "profile", v.profile);
	putNullable(j, "tunnel", v.tunnel);
	put(j, "state", v.state);
}

void from_json(const json &j, ConnectView &v)
{
	ViewReader r(j, "connect reply");
	r.required("profile", v.profile);
	r.nullable("tunnel", v.tunnel);
	r.required("state", v.state);
	r.finish();
}

void to_json(json &j, const CallView &v)
{
	j = json::object();
	put(j, "profile", v.profile);
	put(j, "tunnel", v.tunnel);
}

void from_json(const json &j, CallView &v)
{
	ViewReader r(j, "call reply");
	r.required("profile", v.profile);
	r.required("tunnel", v.tunnel);
	r.finish();
}

void to_json(json &j, const DisconnectView &v)
{
	j = json::object();
	putOmittable(j, "profile", v.profile);
	putOmittable(j, "disconnected", v.disconnected);
	putOmittable(j, "sessions", v.sessions);
	putOmittable(j, "tunnels", v.tunnels);
}

void from_json(const json &j, DisconnectView &v)
{
	ViewReader r(j, "disconnect reply");
	r.omittable("profile", v.profile);
	r.omittable("disconnected", v.disconnected);
	r.omittable("sessions", v.sessions);
	r.omittable("tunnels", v.tunnels);
	r.finish();
	bool profile = v.profile && v.disconnected;
	bool halfProfile = v.profile.has_value() != v.disconnected.has_value();
	if (halfProfile || int(profile) + int(v.sessions.has_value()) + int(v.tunnels.has_value()) != 1)
		throw SchemaError("disconnect reply: not one of {profile, disconnected}, {sessions} or {tunnels}");
}

void to_json(json &j, const IsakmpSaView &v)
{
	j = json::object();
	put(j, "id", v.id);
	put(j, "role", v.role);
	put(j, "state", v.state);
	put(j, "local", v.local);
	put(j, "peer", v.peer);
	put(j, "peer_id", v.peerId);
	put(j, "nat_local", v.natLocal);
	put(j, "nat_peer", v.natPeer);
	put(j, "suite", v.suite);
	put(j, "exchange", v.exchange);
	put(j, "dpd", v.dpd);
	put(j, "vendor_ids", v.vendorIds);
	put(j, "lifetime_seconds", v.lifetimeSeconds);
	put(j, "age_seconds", v.ageSeconds);
	putOmittable(j, "expires_in_seconds", v.expiresInSeconds);
}

void from_json(const json &j, IsakmpSaView &v)
{
	ViewReader r(j, "ISAKMP SA");
	r.required("id", v.id);
	r.required("role", v.role);
	r.required("state", v.state);
	r.required("local", v.local);
	r.required("peer", v.peer);
	r.required("peer_id", v.peerId);
	r.required("nat_local", v.natLocal);
	r.required("nat_peer", v.natPeer);
	r.required("suite", v.suite);
	r.required("exchange", v.exchange);
	r.required("dpd", v.dpd);
	r.required("vendor_ids", v.vendorIds);
	r.required("lifetime_seconds", v.lifetimeSeconds);
	r.required("age_seconds", v.ageSeconds);
	r.omittable("expires_in_seconds", v.expiresInSeconds);
	r.finish();
}

void to_json(json &j, const IpsecSaView &v)
{
	j = json::object();
	put(j, "isakmp", v.isakmp);
	put(j, "local", v.local);
	put(j, "peer", v.peer);
	put(j, "in_spi", v.inSpi);
	put(j, "out_spi", v.outSpi);
	put(j, "reqid", v.reqid);
	put(j, "suite", v.suite);
	put(j, "mode", v.mode);
	put(j, "nat_t", v.natT);
	put(j, "flow", v.flow);
	putNullable(j, "nat_oa", v.natOa);
	put(j, "lifetime_seconds", v.lifetimeSeconds);
	put(j, "expires_in_seconds", v.expiresInSeconds);
	putNullable(j, "in_bytes", v.inBytes);
	putNullable(j, "in_packets", v.inPackets);
	putNullable(j, "out_bytes", v.outBytes);
	putNullable(j, "out_packets", v.outPackets);
}

void from_json(const json &j, IpsecSaView &v)
{
	ViewReader r(j, "IPsec SA");
	r.required("isakmp", v.isakmp);
	r.required("local", v.local);
	r.required("peer", v.peer);
	r.required("in_spi", v.inSpi);
	r.required("out_spi", v.outSpi);
	r.required("reqid", v.reqid);
	r.required("suite", v.suite);
	r.required("mode", v.mode);
	r.required("nat_t", v.natT);
	r.required("flow", v.flow);
	r.nullable("nat_oa", v.natOa);
	r.required("lifetime_seconds", v.lifetimeSeconds);
	r.required("expires_in_seconds", v.expiresInSeconds);
	r.nullable("in_bytes", v.inBytes);
	r.nullable("in_packets", v.inPackets);
	r.nullable("out_bytes", v.outBytes);
	r.nullable("out_packets", v.outPackets);
	r.finish();
}

void to_json(json &j, const SasView &v)
{
	j = json::object();
	put(j, "isakmp", v.isakmp);
	put(j, "ipsec", v.ipsec);
	putOmittable(j, "ike", v.ike);
}

void from_json(const json &j, SasView &v)
{
	ViewReader r(j, "sas reply");
	r.required("isakmp", v.isakmp);
	r.required("ipsec", v.ipsec);
	r.omittable("ike", v.ike);
	r.finish();
}

void to_json(json &j, const BlockView &v)
{
	j = json::object();
	put(j, "source", v.source);
	put(j, "failures", v.failures);
	put(j, "blocked_seconds", v.blockedSeconds);
	put(j, "remaining_seconds", v.remainingSeconds);
}

void from_json(const json &j, BlockView &v)
{
	ViewReader r(j, "blocked source");
	r.required("source", v.source);
	r.required("failures", v.failures);
	r.required("blocked_seconds", v.blockedSeconds);
	r.required("remaining_seconds", v.remainingSeconds);
	r.finish();
}

void to_json(json &j, const CountingView &v)
{
	j = json::object();
	put(j, "source", v.source);
	put(j, "failures", v.failures);
}

void from_json(const json &j, CountingView &v)
{
	ViewReader r(j, "counting source");
	r.required("source", v.source);
	r.required("failures", v.failures);
	r.finish();
}

void to_json(json &j, const BlockingSettingsView &v)
{
	j = json::object();
	put(j, "enabled", v.enabled);
	put(j, "failures", v.failures);
	put(j, "window_seconds", v.windowSeconds);
	put(j, "block_seconds", v.blockSeconds);
	put(j, "exempt", v.exempt);
}

void from_json(const json &j, BlockingSettingsView &v)
{
	ViewReader r(j, "blocking settings");
	r.required("enabled", v.enabled);
	r.required("failures", v.failures);
	r.required("window_seconds", v.windowSeconds);
	r.required("block_seconds", v.blockSeconds);
	r.required("exempt", v.exempt);
	r.finish();
}

void to_json(json &j, const IkeBlockingView &v)
{
	j = json::object();
	put(j, "responder_dh", v.responderDh);
	put(j, "refused_blocked", v.refusedBlocked);
}

void from_json(const json &j, IkeBlockingView &v)
{
	ViewReader r(j, "IKE blocking counters");
	r.required("responder_dh", v.responderDh);
	r.required("refused_blocked", v.refusedBlocked);
	r.finish();
}

void to_json(json &j, const BlockedView &v)
{
	j = json::object();
	put(j, "blocked", v.blocked);
	put(j, "counting", v.counting);
	put(j, "settings", v.settings);
	put(j, "dropped_tunnels", v.droppedTunnels);
	putNullable(j, "ike", v.ike);
}

void from_json(const json &j, BlockedView &v)
{
	ViewReader r(j, "blocked reply");
	r.required("blocked", v.blocked);
	r.required("counting", v.counting);
	r.required("settings", v.settings);
	r.required("dropped_tunnels", v.droppedTunnels);
	r.nullable("ike", v.ike);
	r.finish();
}

void to_json(json &j, const UnblockView &v)
{
	j = json::object();
	put(j, "source", v.source);
	put(j, "failures", v.failures);
	put(j, "blocked_seconds", v.blockedSeconds);
}

void from_json(const json &j, UnblockView &v)
{
	ViewReader r(j, "unblock reply");
	r.required("source", v.source);
	r.required("failures", v.failures);
	r.required("blocked_seconds", v.blockedSeconds);
	r.finish();
}

void to_json(json &j, const ProfileView &v)
{
	j = json::object();
	put(j, "name", v.name);
	put(j, "server", v.server);
	put(j, "wanted", v.wanted);
	put(j, "state", v.state);
	putNullable(j, "tunnel", v.tunnel);
	putNullable(j, "session", v.session);
	putNullable(j, "address", v.address);
	putNullable(j, "last_error", v.lastError);
	putNullable(j, "error_stage", v.errorStage);
	putNullable(j, "retry_in_seconds", v.retryInSeconds);
}

void from_json(const json &j, ProfileView &v)
{
	ViewReader r(j, "profile");
	r.required("name", v.name);
	r.required("server", v.server);
	r.required("wanted", v.wanted);
	r.required("state", v.state);
	r.nullable("tunnel", v.tunnel);
	r.nullable("session", v.session);
	r.nullable("address", v.address);
	r.nullable("last_error", v.lastError);
	r.nullable("error_stage", v.errorStage);
	r.nullable("retry_in_seconds", v.retryInSeconds);
	r.finish();
}

void to_json(json &j, const ProfilesView &v)
{
	j = json::object();
	put(j, "profiles", v.profiles);
}

void from_json(const json &j, ProfilesView &v)
{
	ViewReader r(j, "profiles reply");
	r.required("profiles", v.profiles);
	r.finish();
}

void to_json(json &j, const MetricsView &v)
{
	j = json::object();
	put(j, "text", v.text);
}

void from_json(const json &j, MetricsView &v)
{
	ViewReader r(j, "metrics reply");
	r.required("text", v.text);
	r.finish();
}

} // namespace l2tpsec::control
