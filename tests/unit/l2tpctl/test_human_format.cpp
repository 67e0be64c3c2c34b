// l2tpctl's human output (tools/l2tpctl/human_format.h) for fixed views,
// compared with checked-in snapshots: a change to a column, a width or a
// unit shows as a diff here. L2TPSEC_UPDATE_SNAPSHOTS=1 rewrites them.

#include "../../support/sample_status.h"
#include "human_format.h"

#include <doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace l2tpsec;
using namespace l2tpsec::ctl;

namespace {

void matchesSnapshot(const std::string &name, const std::string &text)
{
	std::string path = std::string(L2TPSEC_SOURCE_DIR "/tests/unit/l2tpctl/") + name + ".expected";
	if (const char *u = std::getenv("L2TPSEC_UPDATE_SNAPSHOTS"); u && std::string(u) == "1") {
		std::ofstream(path) << text;
		return;
	}
	std::ifstream in(path);
	REQUIRE_MESSAGE(in, path);
	std::stringstream expected;
	expected << in.rdbuf();
	CHECK_MESSAGE(text == expected.str(), name << ": the output differs from " << path << ":\n" << text);
}

control::SessionView session(uint16_t t, uint16_t s, const std::string &user, uint64_t rx, uint64_t tx)
{
	control::SessionView v;
	v.tunnel = t;
	v.session = s;
	v.peerTunnel = 3;
	v.peerSession = 1;
	v.peer = "198.51.100.7:4500";
	v.role = "lns";
	v.state = "established";
	v.user = user;
	v.address = "10.99.0." + std::to_string(9 + s);
	v.uptimeSeconds = 3725;
	v.rxBytes = rx;
	v.txBytes = tx;
	v.rxPackets = rx / 1000;
	v.txPackets = tx / 1000;
	v.interface = "ppp" + std::to_string(s - 1);
	v.client = s == 1 ? "Windows 10/11" : "strongSwan/xl2tpd";
	if (s == 1)
		v.fingerprint = control::ClientFingerprintView{
		        "alice-laptop",
		        "Microsoft",
		        0x0600,
		        1701,
		        {"MS NT5 ISAKMPOAKLEY", "RFC 3947"},
		        "aes256-sha1-modp2048, 3des-sha1-modp1024",
		        "aes256-sha1 pfs none",
		        control::PppFingerprintView{1400,
		                                    std::nullopt,
		                                    true,
		                                    true,
		                                    true,
		                                    "ms-chap-v2",
		                                    false,
		                                    true,
		                                    true,
		                                    {"mru", "magic-number", "pfc", "acfc", "callback"},
		                                    {"address", "dns1", "wins1", "dns2", "wins2"},
		                                    std::vector<std::string>{"mppe"}}};
	v.rxRate = rx / 3725;
	v.txRate = tx / 3725;
	return v;
}

std::vector<control::SessionView> sessions()
{
	control::SessionView pending;
	pending.tunnel = 16385;
	pending.session = 2;
	pending.peer = "203.0.113.9:1701";
	pending.role = "lns";
	pending.state = "wait-connect";
	return {session(16384, 1, "alice", 5'432'100, 987'654'321), session(16384, 2, "bob", 42, 9999),
	        session(16384, 3, "carol@example.com", 3'298'534'883'328ULL, 1'099'511'627'776ULL * 2048), pending};
}

control::TunnelView tunnel()
{
	return control::TunnelView{16384,
	                           7,
	                           "lns",
	                           "192.0.2.1:1701",
	                           "198.51.100.7:4500",
	                           "established",
	                           "alice-laptop",
	                           "Microsoft",
	                           3,
	                           "",
	                           86461,
	                           40,
	                           1,
	                           38};
}

control::IsakmpSaView isakmpSa()
{
	return control::IsakmpSaView{1,
	                             "responder",
	                             "established",
	                             "192.0.2.1:4500",
	                             "198.51.100.7:4500",
	                             "10.0.0.2",
	                             false,
	                             true,
	                             "aes256-sha1-modp2048",
	                             "main",
	                             false,
	                             "MS NT5 ISAKMPOAKLEY",
	                             28800,
	                             600,
	                             28200};
}

control::IpsecSaView ipsecSa()
{
	return control::IpsecSaView{1,
	                            "192.0.2.1:4500",
	                            "198.51.100.7:4500",
	                            "0xc1a2b3c4",
	                            "0x0badcafe",
	                            0x4c320001,
	                            "aes256-sha1",
	                            "transport",
	                            true,
	                            "udp/1701 <-> udp/1701",
	                            "10.0.0.2",
	                            3600,
	                            3000,
	                            123'456'789,
	                            100'000,
	                            98'765,
	                            900};
}

} // namespace

TEST_CASE("byte counts in human units up to T, exact with --bytes")
{
	CHECK(humanBytes(std::nullopt) == "-");
	CHECK(humanBytes(0) == "0");
	CHECK(humanBytes(9999) == "9999");
	CHECK(humanBytes(10000) == "9.8K");
	CHECK(humanBytes(15 * 1024) == "15K");
	CHECK(humanBytes(10189) == "10K"); // 9.95K rounds to 10, not "10.0"
	CHECK(humanBytes(5'432'100) == "5.2M");
	CHECK(humanBytes(987'654'321) == "942M");
	CHECK(humanBytes(1ULL << 30) == "1.0G");
	CHECK(humanBytes(1ULL << 40) == "1.0T");
	CHECK(humanBytes(1ULL << 50) == "1024T"); // T is the largest unit
	CHECK(humanBytes(987'654'321, HumanOptions{true}) == "987654321");
	CHECK(humanDuration(59) == "59s");
	CHECK(humanDuration(3725) == "1h 2m");
	CHECK(humanDuration(86461) == "1d 0h");
}

TEST_CASE("sessions, tunnels and show as a person reads them")
{
	matchesSnapshot("sessions", formatSessions(sessions()));
	matchesSnapshot("sessions_bytes", formatSessions(sessions(), HumanOptions{true}));
	matchesSnapshot("tunnels", formatTunnels({tunnel()}));
	control::ShowView one;
	one.session = sessions()[0];
	matchesSnapshot("show_session", formatShow(one));
	control::ShowView both;
	both.tunnel = tunnel();
	both.sessions = std::vector<control::SessionView>{sessions()[0], sessions()[1]};
	matchesSnapshot("show_tunnel", formatShow(both));
}

TEST_CASE("show: the chain of a session, and a user's sessions")
{
	control::SessionChainView chain;
	chain.session = sessions()[0];
	chain.session.ikePeer = "198.51.100.7:4500";
	chain.tunnel = tunnel();
	chain.pppdPid = 4242;
	chain.auditStarted = "2026-12-06T10:00:00Z";
	chain.isakmp = isakmpSa();
	chain.ipsec = ipsecSa();

	control::ShowView one;
	one.session = chain.session;
	one.chains = std::vector<control::SessionChainView>{chain};
	matchesSnapshot("show_session_chain", formatShow(one));

	// A second session without IPsec or pppd yet.
	control::SessionChainView bare;
	bare.session = sessions()[1];
	bare.session.user = "alice";
	control::ShowView user;
	user.user = "alice";
	user.chains = std::vector<control::SessionChainView>{chain, bare};
	matchesSnapshot("show_user", formatShow(user));
}

TEST_CASE("status, sas and blocked as a person reads them")
{
	control::StatusView s{"0.1.0",
	                      812,
	                      "2026-12-06T10:00:00Z",
	                      93784,
	                      "/etc/l2tpsec/l2tpsec.conf",
	                      "2026-12-06T11:00:00Z",
	                      2,
	                      1,
	                      {"203.0.113.10"},
	                      "/run/l2tpsec/control",
	                      {}};
	test::setSampleCounts(s);
	matchesSnapshot("status", formatStatus(s));
	s.poolUsed.reset();
	s.poolSize.reset();
	CHECK(formatStatus(s).find("pool:     none\n") != std::string::npos);

	matchesSnapshot("sas", formatSas(control::SasView{{isakmpSa()}, {ipsecSa()}, std::nullopt}));

	control::BlockedView b;
	b.blocked = {control::BlockView{"198.51.100.66", 10, 42, 558}};
	b.counting = {control::CountingView{"198.51.100.8", 3}};
	b.settings = control::BlockingSettingsView{true, 10, 300, 600, {}};
	matchesSnapshot("blocked", formatBlocked(b));
}

TEST_CASE("profiles as a person reads them")
{
	control::ProfilesView v;
	v.profiles.push_back({"office", "192.0.2.1", true, "up", 16384, "16384/1", "10.99.0.10", std::nullopt,
	                      std::nullopt, std::nullopt});
	v.profiles.push_back({"lab", "198.51.100.7", true, "waiting to retry", std::nullopt, std::nullopt, std::nullopt,
	                      "tunnel down: no answer from the peer", "l2tp", 20});
	v.profiles.push_back({"backup", "2001:db8::1", false, "idle", std::nullopt, std::nullopt, std::nullopt,
	                      "IKE: no proposal chosen", "ike", std::nullopt});
	matchesSnapshot("profiles", formatProfiles(v));
	CHECK(formatProfiles({}) ==
	      "PROFILE  SERVER  WANTED  STATE  TUNNEL  SESSION  ADDRESS  RETRY IN  FAILED AT  LAST ERROR\n");
}
