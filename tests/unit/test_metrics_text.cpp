// The Prometheus text exposition (daemon/metrics_text.h).

#include "../support/sample_status.h"
#include "daemon/metrics_text.h"

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>

using namespace l2tpsec;

namespace {

MetricsSnapshot sample()
{
	MetricsSnapshot s;
	s.status.version = "1.2.3";
	s.status.reloads = 2;
	s.status.reloadFailures = 1;
	test::setSampleCounts(s.status);
	s.startTimeSeconds = 1796558400;
	s.receiveBytes = 1000;
	s.transmitBytes = 2000;
	s.ike.setups = 4;
	s.ike.failed("authentication");
	s.l2tp.setups = 5;
	s.ppp.setups = 3;
	s.ppp.failed("peer-auth-failed");
	s.ppp.failed("peer-auth-failed");
	s.pppdExits = {{"peer-auth-failed", 2}, {"terminated", 1}};
	return s;
}

bool has(const std::string &text, const std::string &line)
{
	return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

} // namespace

TEST_CASE("label values escape backslash, double quote and newline")
{
	CHECK(escapeLabelValue("plain 1.0") == "plain 1.0");
	CHECK(escapeLabelValue("a\\b") == "a\\\\b");
	CHECK(escapeLabelValue("say \"hi\"") == "say \\\"hi\\\"");
	CHECK(escapeLabelValue("two\nlines") == "two\\nlines");
	MetricsSnapshot s;
	s.status.version = "1.0\"\n\\";
	CHECK(has(metricsText(s), "l2tpsec_build_info{version=\"1.0\\\"\\n\\\\\"} 1"));
}

TEST_CASE("the exposition carries the snapshot's numbers")
{
	std::string t = metricsText(sample());
	CHECK(t.ends_with("\n"));
	CHECK(has(t, "l2tpsec_build_info{version=\"1.2.3\"} 1"));
	CHECK(has(t, "l2tpsec_start_time_seconds 1796558400"));
	CHECK(has(t, "l2tpsec_config_reloads_total 2"));
	CHECK(has(t, "l2tpsec_config_reload_failures_total 1"));
	CHECK(has(t, "l2tpsec_tunnels 2"));
	CHECK(has(t, "l2tpsec_sessions 3"));
	CHECK(has(t, "l2tpsec_isakmp_sas{state=\"established\"} 2"));
	CHECK(has(t, "l2tpsec_isakmp_sas{state=\"connecting\"} 1"));
	CHECK(has(t, "l2tpsec_ipsec_sa_pairs 2"));
	CHECK(has(t, "l2tpsec_setups_total{stage=\"ike\"} 4"));
	CHECK(has(t, "l2tpsec_setups_total{stage=\"l2tp\"} 5"));
	CHECK(has(t, "l2tpsec_setups_total{stage=\"ppp\"} 3"));
	CHECK(has(t, "l2tpsec_setup_failures_total{stage=\"ike\",reason=\"authentication\"} 1"));
	CHECK(has(t, "l2tpsec_setup_failures_total{stage=\"ppp\",reason=\"peer-auth-failed\"} 2"));
	CHECK(has(t, "l2tpsec_pppd_exits_total{reason=\"peer-auth-failed\"} 2"));
	CHECK(has(t, "l2tpsec_pppd_exits_total{reason=\"terminated\"} 1"));
	CHECK(has(t, "l2tpsec_session_receive_bytes 1000"));
	CHECK(has(t, "l2tpsec_session_transmit_bytes 2000"));
	CHECK(has(t, "l2tpsec_pool_addresses 254"));
	CHECK(has(t, "l2tpsec_pool_addresses_used 3"));
	CHECK(has(t, "l2tpsec_blocked_sources 1"));
}

TEST_CASE("without a pool there are no pool metrics")
{
	MetricsSnapshot s = sample();
	s.status.poolUsed.reset();
	s.status.poolSize.reset();
	CHECK(metricsText(s).find("l2tpsec_pool") == std::string::npos);
}

TEST_CASE("every family has HELP and TYPE, and follows the naming conventions")
{
	std::string t = metricsText(sample());
	std::istringstream in(t);
	std::string line, helped, typed;
	std::set<std::string> families;
	const std::regex help("# HELP (l2tpsec_[a-z0-9_]+) [^\\n]+");
	const std::regex type("# TYPE (l2tpsec_[a-z0-9_]+) (counter|gauge)");
	const std::regex sampleLine("(l2tpsec_[a-z0-9_]+)(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? [0-9]+");
	std::string kind;
	while (std::getline(in, line)) {
		CAPTURE(line);
		std::smatch m;
		if (std::regex_match(line, m, help)) {
			helped = m[1];
			CHECK(families.insert(helped).second);
		} else if (std::regex_match(line, m, type)) {
			typed = m[1];
			kind = m[2];
			CHECK(typed == helped);
			// Counters, and only counters, end in _total.
			CHECK((kind == "counter") == typed.ends_with("_total"));
		} else {
			REQUIRE(std::regex_match(line, m, sampleLine));
			CHECK(m[1] == typed);
		}
	}
	// Units in the names.
	CHECK(families.count("l2tpsec_start_time_seconds"));
	CHECK(families.count("l2tpsec_session_receive_bytes"));
	CHECK(families.count("l2tpsec_session_transmit_bytes"));
}
