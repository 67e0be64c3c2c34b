// The control protocol's reply views (l2tpsec/control_views.h): each one
// round-trips, its exact key set is pinned (a renamed key fails here, and
// would break the scripts that read `l2tpctl --json`), which keys may be
// left out is pinned, and from_json refuses an unknown or a missing key.

#include "../support/sample_status.h"
#include "l2tpsec/control_views.h"

#include <doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace l2tpsec::control;
using nlohmann::json;

namespace {

std::set<std::string> keysOf(const json &j)
{
	std::set<std::string> keys;
	for (auto it = j.begin(); it != j.end(); ++it)
		keys.insert(it.key());
	return keys;
}

std::string schemaError(const json &j, auto view)
{
	try {
		j.get_to(view);
	} catch (const SchemaError &e) {
		return e.what();
	}
	return "(accepted)";
}

// `full` has every member set. Its JSON has exactly `keys`; it round-trips;
// an extra key is refused; leaving out a key is refused unless it is one of
// `omittable` (then it parses back to `full` without that member).
template <typename View>
void checkView(const View &full, const std::set<std::string> &keys, const std::set<std::string> &omittable = {})
{
	json j = full;
	CHECK(keysOf(j) == keys);
	CHECK(j.get<View>() == full);
	CHECK(json(j.get<View>()) == j);

	json extra = j;
	extra["no_such_key"] = 1;
	CHECK_THROWS_AS(extra.get<View>(), SchemaError);

	for (const std::string &key : keys) {
		CAPTURE(key);
		json less = j;
		less.erase(key);
		if (omittable.count(key)) {
			View v = less.get<View>();
			CHECK(json(v) == less);
		} else {
			CHECK_THROWS_AS(less.get<View>(), SchemaError);
		}
	}
	CHECK_THROWS_AS(json::array().get<View>(), SchemaError);
}

PppFingerprintView samplePpp()
{
	PppFingerprintView p;
	p.mru = 1400;
	p.accm = "0x00000000";
	p.magicNumber = true;
	p.auth = "ms-chap-v2";
	p.dnsRequested = p.winsRequested = true;
	p.lcpRequest = {"mru", "magic-number", "callback"};
	p.ipcpRequest = {"address", "dns1", "wins1"};
	p.ccpRequest = std::vector<std::string>{"mppe"};
	return p;
}

ClientFingerprintView sampleFingerprint()
{
	ClientFingerprintView f;
	f.hostName = "DESKTOP-4F2K";
	f.vendorName = "Microsoft";
	f.firmwareRevision = 0x0600;
	f.l2tpPort = 1701;
	f.vendorIds = {"MS NT5 ISAKMPOAKLEY", "RFC 3947"};
	f.phase1 = "aes256-sha1-modp2048, 3des-sha1-modp1024";
	f.phase2 = "aes256-sha1 pfs none";
	f.ppp = samplePpp();
	return f;
}

TunnelView sampleTunnel()
{
	return TunnelView{7,
	                  9,
	                  "lac",
	                  "192.0.2.1:1701",
	                  "198.51.100.7:1701",
	                  "established",
	                  "lns.example",
	                  "Linux",
	                  2,
	                  "office",
	                  3600,
	                  12,
	                  1,
	                  11};
}

SessionView sampleSession()
{
	SessionView s;
	s.tunnel = 7;
	s.session = 3;
	s.peerTunnel = 9;
	s.peerSession = 4;
	s.peer = "198.51.100.7:1701";
	s.role = "lac";
	s.state = "established";
	s.user = "alice";
	s.address = "10.99.0.10";
	s.profile = "office";
	s.uptimeSeconds = 59;
	s.rxBytes = 1000;
	s.txBytes = 2000;
	s.rxPackets = 10;
	s.txPackets = 20;
	s.ikePeer = "198.51.100.7:4500";
	s.interface = "ppp0";
	s.rxRate = 100;
	s.txRate = 200;
	s.client = "Windows 10/11";
	s.fingerprint = sampleFingerprint();
	s.acctSessionId = "0123456789abcdef-0000002a";
	return s;
}

IsakmpSaView sampleIsakmp()
{
	IsakmpSaView sa;
	sa.id = 3;
	sa.role = "responder";
	sa.state = "established";
	sa.local = "192.0.2.1:4500";
	sa.peer = "198.51.100.7:4500";
	sa.peerId = "10.0.0.5";
	sa.natLocal = false;
	sa.natPeer = true;
	sa.suite = "aes256-sha1-modp2048";
	sa.exchange = "main";
	sa.dpd = true;
	sa.vendorIds = "RFC 3947, DPD";
	sa.lifetimeSeconds = 28800;
	sa.ageSeconds = 10;
	sa.expiresInSeconds = 28792;
	return sa;
}

IpsecSaView sampleIpsec()
{
	IpsecSaView c;
	c.isakmp = 3;
	c.local = "192.0.2.1:4500";
	c.peer = "198.51.100.7:4500";
	c.inSpi = "0xc0010203";
	c.outSpi = "0x00000abc";
	c.reqid = 0x4c320001;
	c.suite = "aes256-sha1";
	c.mode = "transport";
	c.natT = true;
	c.flow = "192.0.2.1:1701 <-> 10.0.0.5:1701 udp";
	c.natOa = "10.0.0.5";
	c.lifetimeSeconds = 3600;
	c.expiresInSeconds = 3000;
	c.inBytes = 1234;
	c.inPackets = 5;
	c.outBytes = 4321;
	c.outPackets = 6;
	return c;
}

SessionChainView sampleChain()
{
	SessionChainView c;
	c.session = sampleSession();
	c.tunnel = sampleTunnel();
	c.pppdPid = 4242;
	c.auditStarted = "2026-12-06T10:00:00Z";
	c.isakmp = sampleIsakmp();
	c.ipsec = sampleIpsec();
	return c;
}

} // namespace

TEST_CASE("status, version and reload replies")
{
	StatusView s{"1.2.3",
	             4242,
	             "2026-01-01T00:00:00Z",
	             61,
	             "/etc/l2tpsec/l2tpsec.conf",
	             "2026-01-01T00:01:00Z",
	             2,
	             1,
	             {"192.0.2.1"},
	             "/run/l2tpsec/control",
	             {"office"}};
	l2tpsec::test::setSampleCounts(s);
	const std::set<std::string> statusKeys{"version",
	                                       "pid",
	                                       "started",
	                                       "uptime_seconds",
	                                       "config_file",
	                                       "config_loaded",
	                                       "reloads",
	                                       "reload_failures",
	                                       "listen",
	                                       "control_socket",
	                                       "lac_profiles",
	                                       "isakmp_established",
	                                       "isakmp_connecting",
	                                       "ipsec_sa_pairs",
	                                       "tunnels",
	                                       "sessions",
	                                       "pool_used",
	                                       "pool_size",
	                                       "blocked_sources",
	                                       "ipsec",
	                                       "dataplane"};
	checkView(s, statusKeys);
	// No listen address is an empty list (every IPv4 address), not a missing key.
	s.listen.clear();
	CHECK(json(s)["listen"] == json::array());
	// No pool: null, not a missing key.
	s.poolUsed.reset();
	s.poolSize.reset();
	checkView(s, statusKeys);
	CHECK(json(s)["pool_size"].is_null());

	checkView(VersionView{"1.2.3", 1}, {"version", "protocol"});
	checkView(ReloadView{"/etc/l2tpsec/l2tpsec.conf"}, {"config_file"});
	checkView(MetricsView{"# HELP l2tpsec_sessions x\n"}, {"text"});
}

TEST_CASE("tunnels, sessions and show replies")
{
	checkView(sampleTunnel(),
	          {"tunnel", "peer_tunnel", "role", "local", "peer", "state", "peer_host", "peer_vendor", "sessions",
	           "profile", "uptime_seconds", "control_sent", "control_retransmitted", "control_received"});
	checkView(sampleSession(),
	          {"tunnel",   "session",    "peer_tunnel", "peer_session",   "peer",           "role",
	           "state",    "user",       "address",     "profile",        "uptime_seconds", "rx_bytes",
	           "tx_bytes", "rx_packets", "tx_packets",  "ike_peer",       "interface",      "rx_rate",
	           "tx_rate",  "client",     "fingerprint", "acct_session_id"},
	          {"profile", "uptime_seconds", "rx_bytes", "tx_bytes", "rx_packets", "tx_packets", "ike_peer",
	           "interface", "rx_rate", "tx_rate", "fingerprint", "acct_session_id"});
	checkView(
	        sampleFingerprint(),
	        {"host_name", "vendor_name", "firmware_revision", "l2tp_port", "vendor_ids", "phase1", "phase2", "ppp"},
	        {"firmware_revision", "l2tp_port", "phase1", "phase2", "ppp"});
	checkView(samplePpp(),
	          {"mru", "accm", "magic_number", "protocol_field_compression", "address_control_field_compression",
	           "auth", "vj_compression", "dns_requested", "wins_requested", "lcp_request", "ipcp_request",
	           "ccp_request"},
	          {"mru", "accm", "ccp_request"});

	// A session of an LNS, not established, not in the kernel: no profile,
	// uptime or counters; no address yet is null, not left out.
	SessionView bare = sampleSession();
	bare.address.reset();
	bare.profile.reset();
	bare.uptimeSeconds.reset();
	bare.rxBytes = bare.txBytes = bare.rxPackets = bare.txPackets = std::nullopt;
	bare.ikePeer = bare.interface = std::nullopt;
	bare.rxRate = bare.txRate = std::nullopt;
	bare.client = "unknown";
	bare.fingerprint.reset();
	bare.acctSessionId.reset();
	json b = bare;
	CHECK(keysOf(b) == std::set<std::string>{"tunnel", "session", "peer_tunnel", "peer_session", "peer", "role",
	                                         "state", "user", "address", "client"});
	CHECK(b["address"].is_null());
	CHECK(b.get<SessionView>() == bare);
	b.erase("address");
	CHECK(schemaError(b, SessionView{}) == "session: missing key \"address\"");

	checkView(TunnelsView{{sampleTunnel(), sampleTunnel()}}, {"tunnels"});
	CHECK(json(TunnelsView{}) == json{{"tunnels", json::array()}});
	checkView(SessionsView{{sampleSession()}}, {"sessions"});
	CHECK(json(SessionsView{}) == json{{"sessions", json::array()}});

	ShowView tunnel;
	tunnel.tunnel = sampleTunnel();
	tunnel.sessions = std::vector<SessionView>{sampleSession()};
	checkView(tunnel, {"tunnel", "sessions"});
	ShowView session;
	session.session = sampleSession();
	checkView(session, {"session"});
	CHECK(schemaError(json::object(), ShowView{}) ==
	      "show reply: neither {tunnel, sessions}, {session} nor {user, chains}");
	json both = tunnel;
	both["session"] = sampleSession();
	CHECK_THROWS_AS(both.get<ShowView>(), SchemaError);

	// The chain of a session, with and without IPsec, pppd and audit.
	checkView(sampleChain(), {"session", "tunnel", "pppd_pid", "audit_started", "isakmp", "ipsec"});
	SessionChainView bareChain;
	bareChain.session = sampleSession();
	json bc = bareChain;
	CHECK(bc["tunnel"].is_null());
	CHECK(bc["isakmp"].is_null());
	CHECK(bc.get<SessionChainView>() == bareChain);
	bc.erase("ipsec");
	CHECK(schemaError(bc, SessionChainView{}) == "chain: missing key \"ipsec\"");

	ShowView chained = session;
	chained.chains = std::vector<SessionChainView>{sampleChain()};
	checkView(chained, {"session", "chains"}, {"chains"});
	ShowView user;
	user.user = "alice";
	user.chains = std::vector<SessionChainView>{sampleChain(), bareChain};
	checkView(user, {"user", "chains"});
	json userOnly = json{{"user", "alice"}};
	CHECK_THROWS_AS(userOnly.get<ShowView>(), SchemaError);
	json userAndSession = user;
	userAndSession["session"] = sampleSession();
	CHECK_THROWS_AS(userAndSession.get<ShowView>(), SchemaError);
}

TEST_CASE("connect, call and disconnect replies")
{
	checkView(ConnectView{"office", 7, "connecting"}, {"profile", "tunnel", "state"});
	// While IPsec is negotiated there is no tunnel yet: null.
	json negotiating = ConnectView{"office", std::nullopt, "negotiating IPsec"};
	CHECK(negotiating["tunnel"].is_null());
	CHECK(negotiating.get<ConnectView>() == ConnectView{"office", std::nullopt, "negotiating IPsec"});
	checkView(CallView{"office", 7}, {"profile", "tunnel"});

	DisconnectView profile;
	profile.profile = "office";
	profile.disconnected = true;
	checkView(profile, {"profile", "disconnected"});
	DisconnectView sessions;
	sessions.sessions = std::vector<std::string>{"7/3", "8/1"};
	checkView(sessions, {"sessions"});
	DisconnectView tunnels;
	tunnels.tunnels = std::vector<uint16_t>{7};
	checkView(tunnels, {"tunnels"});
	CHECK(json(tunnels) == json::parse(R"({"tunnels": [7]})"));
	CHECK_THROWS_AS(json::object().get<DisconnectView>(), SchemaError);
	CHECK_THROWS_AS(json::parse(R"({"sessions": [], "tunnels": [7]})").get<DisconnectView>(), SchemaError);
	CHECK_THROWS_AS(json::parse(R"({"profile": "office"})").get<DisconnectView>(), SchemaError);
}

TEST_CASE("profiles reply")
{
	ProfileView up{"office", "192.0.2.1", true,         "up",         7,
	               "7/1",    "10.0.0.5",  std::nullopt, std::nullopt, std::nullopt};
	ProfileView failed{"lab",        "198.51.100.7",
	                   true,         "waiting to retry",
	                   std::nullopt, std::nullopt,
	                   std::nullopt, "IKE: no proposal chosen",
	                   "ike",        10};
	const std::set<std::string> keys = {"name",    "server",  "wanted",     "state",       "tunnel",
	                                    "session", "address", "last_error", "error_stage", "retry_in_seconds"};
	checkView(up, keys);
	checkView(failed, keys);
	json j = up;
	// Null, not left out: a script tells "none" from an old daemon.
	CHECK(j["tunnel"] == 7);
	CHECK(j["last_error"].is_null());
	CHECK(j["retry_in_seconds"].is_null());
	checkView(ProfilesView{{up, failed}}, {"profiles"});
	CHECK(json(ProfilesView{}) == json::parse(R"({"profiles": []})"));
	CHECK_THROWS_AS(json::parse(R"({"profiles": [{"name": "x"}]})").get<ProfilesView>(), SchemaError);
}

TEST_CASE("sas reply")
{
	checkView(sampleIsakmp(),
	          {"id", "role", "state", "local", "peer", "peer_id", "nat_local", "nat_peer", "suite", "exchange",
	           "dpd", "vendor_ids", "lifetime_seconds", "age_seconds", "expires_in_seconds"},
	          {"expires_in_seconds"});
	checkView(sampleIpsec(),
	          {"isakmp", "local", "peer", "in_spi", "out_spi", "reqid", "suite", "mode", "nat_t", "flow", "nat_oa",
	           "lifetime_seconds", "expires_in_seconds", "in_bytes", "in_packets", "out_bytes", "out_packets"});
	// Counters the dataplane cannot tell, and no NAT-OA: null, still there.
	IpsecSaView quiet = sampleIpsec();
	quiet.natOa.reset();
	quiet.inBytes = quiet.inPackets = quiet.outBytes = quiet.outPackets = std::nullopt;
	json q = quiet;
	for (const char *key : {"nat_oa", "in_bytes", "in_packets", "out_bytes", "out_packets"})
		CHECK(q[key].is_null());
	CHECK(q.get<IpsecSaView>() == quiet);

	SasView sas{{sampleIsakmp()}, {sampleIpsec()}, std::nullopt};
	checkView(sas, {"isakmp", "ipsec"});
	SasView off;
	off.ike = "off ([l2tp] ipsec = \"off\")";
	checkView(off, {"isakmp", "ipsec", "ike"}, {"ike"});
	CHECK(json(off).dump() == R"j({"ike":"off ([l2tp] ipsec = \"off\")","ipsec":[],"isakmp":[]})j");
}

TEST_CASE("blocked and unblock replies")
{
	BlockedView b;
	b.blocked = {BlockView{"198.51.100.7", 10, 42, 558}};
	b.counting = {CountingView{"198.51.100.8", 3}};
	b.settings = BlockingSettingsView{true, 10, 300, 600, {"192.0.2.0/24"}};
	b.droppedTunnels = 4;
	b.ike = IkeBlockingView{12, 3};
	checkView(b, {"blocked", "counting", "settings", "dropped_tunnels", "ike"});
	checkView(b.blocked[0], {"source", "failures", "blocked_seconds", "remaining_seconds"});
	checkView(b.counting[0], {"source", "failures"});
	checkView(b.settings, {"enabled", "failures", "window_seconds", "block_seconds", "exempt"});
	checkView(*b.ike, {"responder_dh", "refused_blocked"});
	// Without IKE: null.
	b.ike.reset();
	json j = b;
	CHECK(j["ike"].is_null());
	CHECK(j.get<BlockedView>() == b);

	checkView(UnblockView{"198.51.100.7", 10, 42}, {"source", "failures", "blocked_seconds"});
}

TEST_CASE("a reply that does not fit says in one line what is wrong")
{
	json t = sampleTunnel();
	t["flavour"] = "new";
	CHECK(schemaError(t, TunnelView{}) == "tunnel: unknown key \"flavour\"");
	t.erase("flavour");
	t.erase("peer_host");
	CHECK(schemaError(t, TunnelView{}) == "tunnel: missing key \"peer_host\"");
	t = sampleTunnel();
	t["tunnel"] = "seven";
	CHECK(schemaError(t, TunnelView{}) == "tunnel: \"tunnel\": type must be number, but is string");
	// Nested: which reply, which list, which element's key.
	json all = TunnelsView{{sampleTunnel()}};
	all["tunnels"][0].erase("state");
	CHECK(schemaError(all, TunnelsView{}) == "tunnels reply: \"tunnels\": tunnel: missing key \"state\"");
	CHECK(schemaError(json("x"), StatusView{}) == "status reply: expected an object, got string");
}

namespace {

// Every key at any depth (objects inside arrays too), or only the top ones.
void collectKeys(const json &j, std::set<std::string> &keys, bool nested = true)
{
	if (j.is_object()) {
		for (auto it = j.begin(); it != j.end(); ++it) {
			keys.insert(it.key());
			if (nested)
				collectKeys(it.value(), keys);
		}
	} else if (j.is_array()) {
		for (const json &e : j)
			collectKeys(e, keys);
	}
}

// The text of l2tpctl(8)'s `.It Cm NAME` entry in CONTROL PROTOCOL.
std::string protocolEntry(const std::string &man, const std::string &name)
{
	size_t section = man.find(".Sh CONTROL PROTOCOL\n");
	REQUIRE(section != std::string::npos);
	size_t start = man.find("\n.It Cm " + name + "\n", section);
	REQUIRE_MESSAGE(start != std::string::npos, name);
	size_t end = man.find("\n.It ", start + 1);
	size_t list = man.find("\n.El", start + 1);
	return man.substr(start, std::min(end, list) - start);
}

} // namespace

TEST_CASE("l2tpctl(8) names every key of every reply")
{
	std::ifstream in(L2TPSEC_SOURCE_DIR "/man/l2tpctl.8");
	REQUIRE(in);
	std::stringstream text;
	text << in.rdbuf();
	std::string man = text.str();

	ShowView tunnel;
	tunnel.tunnel = sampleTunnel();
	tunnel.sessions = std::vector<SessionView>{sampleSession()};
	ShowView session;
	session.session = sampleSession();
	session.chains = std::vector<SessionChainView>{sampleChain()};
	ShowView user;
	user.user = "alice";
	user.chains = std::vector<SessionChainView>{sampleChain()};
	DisconnectView profile;
	profile.profile = "office";
	profile.disconnected = true;
	DisconnectView sessions;
	sessions.sessions = std::vector<std::string>{"7/3"};
	DisconnectView tunnels;
	tunnels.tunnels = std::vector<uint16_t>{7};
	SasView sas{{sampleIsakmp()}, {sampleIpsec()}, "off"};
	BlockedView blocked{{BlockView{"198.51.100.7", 10, 42, 558}},
	                    {CountingView{"198.51.100.8", 3}},
	                    BlockingSettingsView{true, 10, 300, 600, {"192.0.2.0/24"}},
	                    4,
	                    IkeBlockingView{12, 3}};

	// Each command with replies that together carry every key it can send.
	const std::vector<std::pair<std::string, std::vector<json>>> replies = {
	        {"status", {StatusView{"1", 1, "t", 1, "f", "t", 1, 1, {"192.0.2.1"}, "s", {"office"}}}},
	        {"version", {VersionView{"1", 1}}},
	        {"reload", {ReloadView{"f"}}},
	        {"tunnels", {TunnelsView{{sampleTunnel()}}}},
	        {"sessions", {SessionsView{{sampleSession()}}}},
	        {"show", {tunnel, session, user}},
	        {"connect", {ConnectView{"office", 7, "connecting"}}},
	        {"call", {CallView{"office", 7}}},
	        {"disconnect", {profile, sessions, tunnels}},
	        {"sas", {sas}},
	        {"blocked", {blocked}},
	        {"unblock", {UnblockView{"198.51.100.7", 10, 42}}},
	        {"profiles",
	         {ProfilesView{{ProfileView{"office", "192.0.2.1", true, "up", 7, "7/1", "10.0.0.5", "no answer",
	                                    "l2tp", 20}}}}},
	        {"metrics", {MetricsView{"l2tpsec_sessions 0\n"}}},
	};
	for (const auto &reply : replies) {
		// Not a structured binding: clang 14 cannot capture one in CHECK_MESSAGE.
		const std::string &name = reply.first;
		const std::vector<json> &views = reply.second;
		std::string entry = protocolEntry(man, name);
		std::set<std::string> keys;
		// show's objects are those of tunnels and sessions, documented there.
		for (const json &j : views)
			collectKeys(j, keys, name != "show");
		// And the keys of show's chains (their objects are those of
		// sessions, tunnels and sas).
		if (name == "show")
			collectKeys(json(sampleChain()), keys, false);
		for (const std::string &key : keys) {
			// A whole word: "tunnel" must not be found inside "peer_tunnel".
			std::regex word("(^|[^a-z_])" + key + "([^a-z_]|$)");
			CHECK_MESSAGE(std::regex_search(entry, word),
			              "l2tpctl(8) CONTROL PROTOCOL, " << name << ": no key " << key);
		}
	}
}
