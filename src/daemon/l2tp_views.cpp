#include "daemon/l2tp_views.h"

#include <algorithm>
#include <charconv>

namespace l2tpsec {

namespace {

std::string l2tpRoleName(bool lns)
{
	return lns ? "lns" : "lac";
}

int64_t secondsSince(l2tp::TimePoint from, l2tp::TimePoint now)
{
	return std::chrono::duration_cast<std::chrono::seconds>(now - from).count();
}

} // namespace

control::TunnelView tunnelView(const l2tp::TunnelInfo &t, l2tp::TimePoint now)
{
	control::TunnelView v;
	v.tunnel = t.tunnelId;
	v.peerTunnel = t.peerTunnelId;
	v.role = l2tpRoleName(t.lns);
	v.local = t.local.str();
	v.peer = t.peer.str();
	v.state = l2tp::tunnelStateName(t.state);
	v.peerHost = t.peerHostName;
	v.peerVendor = t.peerVendorName;
	v.sessions = t.sessions;
	v.profile = t.lacProfile;
	v.uptimeSeconds = secondsSince(t.created, now);
	v.controlSent = t.transport.sent;
	v.controlRetransmitted = t.transport.retransmitted;
	v.controlReceived = t.transport.received;
	return v;
}

control::SessionView sessionView(const l2tp::SessionInfo &s, const SessionExtras &extras, l2tp::TimePoint now)
{
	control::SessionView v;
	v.tunnel = s.tunnelId;
	v.session = s.sessionId;
	v.peerTunnel = s.peerTunnelId;
	v.peerSession = s.peerSessionId;
	v.peer = s.peer.str();
	v.role = l2tpRoleName(s.lns);
	v.state = l2tp::sessionStateName(s.state);
	v.user = extras.user;
	// The LNS assigned it; at a LAC pppd reports the one it was given.
	if (s.address)
		v.address = s.address->str();
	else
		v.address = extras.linkAddress;
	if (!s.lacProfile.empty())
		v.profile = s.lacProfile;
	if (s.state == l2tp::SessionStateName::Established)
		v.uptimeSeconds = secondsSince(s.started, now);
	// Counters come from the kernel: data never passes through us.
	if (extras.stats) {
		v.rxBytes = extras.stats->rxBytes;
		v.txBytes = extras.stats->txBytes;
		v.rxPackets = extras.stats->rxPackets;
		v.txPackets = extras.stats->txPackets;
	}
	v.interface = extras.interface;
	v.rxRate = extras.rxRate;
	v.txRate = extras.txRate;
	v.ikePeer = extras.ikePeer;
	v.client = extras.client;
	v.fingerprint = extras.fingerprint;
	v.acctSessionId = extras.acctSessionId;
	return v;
}

control::TunnelsView tunnelsView(const std::vector<l2tp::TunnelInfo> &tunnels, l2tp::TimePoint now)
{
	control::TunnelsView v;
	for (const l2tp::TunnelInfo &t : tunnels)
		v.tunnels.push_back(tunnelView(t, now));
	return v;
}

Result<control::ShowView> showView(const std::string &id, const std::vector<l2tp::TunnelInfo> &tunnels,
                                   const control::SessionsView &sessions, l2tp::TimePoint now)
{
	auto slash = id.find('/');
	auto tid = parseIdNumber(std::string_view(id).substr(0, slash));
	if (!tid || *tid > 0xffff)
		return Error{EINVAL, "'" + id + "' is not a tunnel id or TUNNEL/SESSION"};
	auto t = std::find_if(tunnels.begin(), tunnels.end(), [&](const auto &x) { return x.tunnelId == *tid; });
	if (t == tunnels.end())
		return Error{ENOENT, "no tunnel " + std::to_string(*tid)};
	std::vector<control::SessionView> its;
	for (const control::SessionView &s : sessions.sessions)
		if (s.tunnel == *tid)
			its.push_back(s);
	control::ShowView v;
	if (slash == std::string::npos) {
		v.tunnel = tunnelView(*t, now);
		v.sessions = std::move(its);
		return v;
	}
	auto sid = parseIdNumber(std::string_view(id).substr(slash + 1));
	for (const control::SessionView &s : its)
		if (sid && s.session == *sid) {
			v.session = s;
			return v;
		}
	return Error{ENOENT, "no session " + id};
}

Result<control::ShowView> userShowView(const std::string &user, std::vector<control::SessionChainView> chains)
{
	if (chains.empty())
		return Error{ENOENT, "no tunnel, session or user '" + user + "'"};
	control::ShowView v;
	v.user = user;
	v.chains = std::move(chains);
	return v;
}

control::DisconnectView disconnectedProfile(const std::string &profile)
{
	control::DisconnectView v;
	v.profile = profile;
	v.disconnected = true;
	return v;
}

control::DisconnectView disconnectedSessions(std::vector<std::string> sessions)
{
	control::DisconnectView v;
	v.sessions = std::move(sessions);
	return v;
}

control::DisconnectView disconnectedTunnel(uint16_t tunnel)
{
	control::DisconnectView v;
	v.tunnels = std::vector<uint16_t>{tunnel};
	return v;
}

std::optional<uint32_t> parseIdNumber(std::string_view s)
{
	uint32_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc{} || end != s.data() + s.size())
		return std::nullopt;
	return v;
}

} // namespace l2tpsec
