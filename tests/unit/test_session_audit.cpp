// SessionAudit: one start record per session, a stop record only after a
// start, and the fields both carry.

#include "daemon/session_audit.h"
#include "temp_dir.h"

#include <doctest.h>

#include <fstream>
#include <string>
#include <vector>

using namespace l2tpsec;
using nlohmann::json;

namespace {

std::vector<json> records(const std::string &path)
{
	std::vector<json> v;
	std::ifstream f(path);
	for (std::string l; std::getline(f, l);)
		v.push_back(json::parse(l));
	return v;
}

l2tp::SessionInfo session(uint16_t tunnel, uint16_t id)
{
	l2tp::SessionInfo s;
	s.tunnelId = tunnel;
	s.sessionId = id;
	s.peerTunnelId = 5;
	s.peerSessionId = 9;
	s.lns = true;
	s.peer = l2tp::Endpoint{*IpAddress::parse("192.0.2.2"), 1701};
	return s;
}

} // namespace

TEST_CASE("a session's start is written once and its stop only after it")
{
	TempDir dir;
	std::string path = dir.path + "/audit.log";
	SessionAudit audit;
	REQUIRE(audit.open(path));
	auto s = session(16412, 40123);
	audit.start(s, {"alice", "10.99.0.10"});
	audit.start(s, {"alice", "10.99.0.10"}); // pppd's link up after the fake's

	l2tp::SessionEnd end;
	end.session = s;
	end.session.started = l2tp::TimePoint{} + std::chrono::seconds(10);
	end.ended = l2tp::TimePoint{} + std::chrono::seconds(322);
	end.reason = "peer sent CDN";
	end.stats = kernel::L2tpStats{.txPackets = 3, .txBytes = 300, .rxPackets = 4, .rxBytes = 400};
	audit.stop(end, {"alice", "10.99.0.10"});
	audit.stop(end, {"alice", "10.99.0.10"}); // forgotten: no second stop

	// A session that never came up has neither.
	l2tp::SessionEnd never;
	never.session = session(16412, 40124);
	audit.stop(never, {"", std::nullopt});

	auto r = records(path);
	REQUIRE(r.size() == 2);
	CHECK(r[0]["event"] == "start");
	CHECK(r[0]["user"] == "alice");
	CHECK(r[0]["address"] == "10.99.0.10");
	CHECK(r[0]["role"] == "lns");
	CHECK(r[0]["peer"] == "192.0.2.2:1701");
	CHECK(r[0]["tunnel"] == 16412);
	CHECK(r[0]["session"] == 40123);
	CHECK(r[0]["peer_tunnel"] == 5);
	CHECK(r[0]["peer_session"] == 9);
	CHECK_FALSE(r[0].contains("profile"));
	CHECK(r[1]["event"] == "stop");
	CHECK(r[1]["duration_seconds"] == 312);
	CHECK(r[1]["rx_bytes"] == 400);
	CHECK(r[1]["tx_bytes"] == 300);
	CHECK(r[1]["rx_packets"] == 4);
	CHECK(r[1]["tx_packets"] == 3);
	CHECK(r[1]["reason"] == "peer sent CDN");

	// The same ids later are a new session.
	audit.start(s, {"bob", std::nullopt});
	r = records(path);
	REQUIRE(r.size() == 3);
	CHECK(r[2]["user"] == "bob");
	CHECK(r[2]["address"] == nullptr);
}

TEST_CASE("the session's own address and LAC profile win")
{
	auto s = session(1, 2);
	s.lns = false;
	s.address = *IpAddress::parse("10.99.0.11");
	s.lacProfile = "office";
	json rec = SessionAudit::record(s, "start", {"carol", "10.99.0.99"});
	CHECK(rec["role"] == "lac");
	CHECK(rec["address"] == "10.99.0.11");
	CHECK(rec["profile"] == "office");
}
