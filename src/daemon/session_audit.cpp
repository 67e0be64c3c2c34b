#include "daemon/session_audit.h"

#include "common/log.h"

namespace l2tpsec {

using nlohmann::json;

namespace {

constexpr std::string_view kSessionAuditLog = "l2tp";

} // namespace

Result<void> SessionAudit::open(const std::string &path)
{
	return log_.open(path);
}

void SessionAudit::reopen()
{
	if (log_.path().empty())
		return;
	if (auto r = log_.reopen(); !r)
		logError(kSessionAuditLog, "{}", r.error().message);
	else
		logInfo(kSessionAuditLog, "reopened the audit log {}", log_.path());
}

void SessionAudit::reconfigure(const std::string &path)
{
	if (auto r = path == log_.path() ? log_.reopen() : log_.open(path); !r)
		logError(kSessionAuditLog, "{}", r.error().message);
}

json SessionAudit::record(const l2tp::SessionInfo &s, const char *event, const Who &who)
{
	json rec{{"event", event},
	         {"time", isoTimeUtc(std::chrono::system_clock::now())},
	         {"role", s.lns ? "lns" : "lac"},
	         {"peer", s.peer.str()},
	         {"tunnel", s.tunnelId},
	         {"session", s.sessionId},
	         {"peer_tunnel", s.peerTunnelId},
	         {"peer_session", s.peerSessionId}};
	rec["user"] = who.user;
	if (s.address)
		rec["address"] = s.address->str();
	else if (who.linkAddress)
		rec["address"] = *who.linkAddress;
	else
		rec["address"] = nullptr;
	if (!s.lacProfile.empty())
		rec["profile"] = s.lacProfile;
	return rec;
}

void SessionAudit::start(const l2tp::SessionInfo &s, const Who &who)
{
	if (!started_.insert({s.tunnelId, s.sessionId}).second)
		return;
	log_.write(record(s, "start", who));
}

void SessionAudit::stop(const l2tp::SessionEnd &e, const Who &who)
{
	if (started_.erase({e.session.tunnelId, e.session.sessionId}) == 0)
		return;
	json rec = record(e.session, "stop", who);
	rec["duration_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(e.ended - e.session.started).count();
	kernel::L2tpStats st = e.stats.value_or(kernel::L2tpStats{});
	rec["rx_bytes"] = st.rxBytes;
	rec["tx_bytes"] = st.txBytes;
	rec["rx_packets"] = st.rxPackets;
	rec["tx_packets"] = st.txPackets;
	rec["reason"] = e.reason;
	log_.write(rec);
}

} // namespace l2tpsec
