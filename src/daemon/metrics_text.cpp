#include "daemon/metrics_text.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace l2tpsec {

namespace {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Appends families one at a time: # HELP, # TYPE, then the samples.
class Exposition {
public:
	void family(std::string_view name, std::string_view type, std::string_view help)
	{
		text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
	}

	void sample(std::string_view name, uint64_t value, const Labels &labels = {})
	{
		text_ += name;
		if (!labels.empty()) {
			text_ += '{';
			bool first = true;
			for (const auto &[label, v] : labels) {
				text_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", label, escapeLabelValue(v));
				first = false;
			}
			text_ += '}';
		}
		text_ += fmt::format(" {}\n", value);
	}

	// One family of one sample.
	void single(std::string_view name, std::string_view type, std::string_view help, uint64_t value)
	{
		family(name, type, help);
		sample(name, value);
	}

	std::string take() { return std::move(text_); }

private:
	std::string text_;
};

} // namespace

std::string escapeLabelValue(std::string_view v)
{
	std::string out;
	out.reserve(v.size());
	for (char c : v) {
		switch (c) {
		case '\\': out += "\\\\"; break;
		case '"': out += "\\\""; break;
		case '\n': out += "\\n"; break;
		default: out += c;
		}
	}
	return out;
}

std::string metricsText(const MetricsSnapshot &s)
{
	const control::StatusView &st = s.status;
	Exposition e;
	e.family("l2tpsec_build_info", "gauge", "The running l2tpsecd's version (always 1).");
	e.sample("l2tpsec_build_info", 1, {{"version", st.version}});
	e.single("l2tpsec_start_time_seconds", "gauge", "When l2tpsecd started, in seconds since the Unix epoch.",
	         static_cast<uint64_t>(s.startTimeSeconds));
	e.single("l2tpsec_config_reloads_total", "counter", "Configuration reloads that succeeded.", st.reloads);
	e.single("l2tpsec_config_reload_failures_total", "counter",
	         "Configuration reloads that failed (the configuration in force stayed).", st.reloadFailures);

	e.single("l2tpsec_tunnels", "gauge", "L2TP tunnels, in any state.", st.tunnels);
	e.single("l2tpsec_sessions", "gauge", "L2TP sessions, in any state.", st.sessions);
	e.family("l2tpsec_isakmp_sas", "gauge", "ISAKMP SAs by state.");
	e.sample("l2tpsec_isakmp_sas", st.isakmpEstablished, {{"state", "established"}});
	e.sample("l2tpsec_isakmp_sas", st.isakmpConnecting, {{"state", "connecting"}});
	e.single("l2tpsec_ipsec_sa_pairs", "gauge", "IPsec SA pairs (one inbound and one outbound SA each).",
	         st.ipsecSaPairs);

	e.family("l2tpsec_setups_total", "counter",
	         "Setups completed by stage: ike an IPsec SA pair, l2tp a session, ppp a link with IP up.");
	const std::pair<std::string_view, const SetupCounts *> stages[] = {
	        {"ike", &s.ike}, {"l2tp", &s.l2tp}, {"ppp", &s.ppp}};
	for (const auto &[stage, counts] : stages)
		e.sample("l2tpsec_setups_total", counts->setups, {{"stage", stage}});
	e.family("l2tpsec_setup_failures_total", "counter", "Setups that failed, by stage and reason.");
	for (const auto &[stage, counts] : stages)
		for (const auto &[reason, n] : counts->failures)
			e.sample("l2tpsec_setup_failures_total", n, {{"stage", stage}, {"reason", reason}});
	e.family("l2tpsec_pppd_exits_total", "counter", "pppd processes that exited, by reason (pppd(8) EXIT STATUS).");
	for (const auto &[reason, n] : s.pppdExits)
		e.sample("l2tpsec_pppd_exits_total", n, {{"reason", reason}});

	e.single("l2tpsec_session_receive_bytes", "gauge",
	         "Bytes received, summed over the sessions that exist now (the kernel's counters).", s.receiveBytes);
	e.single("l2tpsec_session_transmit_bytes", "gauge",
	         "Bytes sent, summed over the sessions that exist now (the kernel's counters).", s.transmitBytes);
	if (st.poolSize) {
		e.single("l2tpsec_pool_addresses", "gauge", "Addresses in the [ppp] pool.", *st.poolSize);
		e.single("l2tpsec_pool_addresses_used", "gauge", "Addresses of the [ppp] pool leased to sessions.",
		         st.poolUsed.value_or(0));
	}
	e.single("l2tpsec_blocked_sources", "gauge", "Source addresses blocked for failed authentications.",
	         st.blockedSources);
	return e.take();
}

} // namespace l2tpsec
