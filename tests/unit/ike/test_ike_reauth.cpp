// Re-authentication before an ISAKMP SA's lifetime runs out: a new Main
// Mode takes over the IPsec SAs, which the kernel never sees change, and the
// old ISAKMP SA is deleted IkeEngine::kReauthHandover later. Either side starts it; the side that started
// the old one first, the other only if the first has not.
#include "ike_lab.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

// Both ends hold one established ISAKMP SA, `id`, with the one IPsec SA
// pair under it, and their kernels were not touched since `calls`.
void checkTakenOver(const Pair &p, uint64_t serverId, uint64_t clientId)
{
	for (const Host *h : {p.server.get(), p.client.get()}) {
		uint64_t id = h == p.server.get() ? serverId : clientId;
		REQUIRE(h->engine.ikeSas().size() == 1);
		CHECK(h->engine.ikeSas()[0].id == id);
		CHECK(h->engine.ikeSas()[0].established);
		REQUIRE(h->engine.childSas().size() == 1);
		CHECK(h->engine.childSas()[0].ikeSaId == id);
		CHECK(h->kernel.calls().empty()); // the IPsec SAs were never touched
		CHECK(h->kernel.sas().size() == 2);
	}
}

} // namespace

TEST_CASE("a server with the shorter ISAKMP lifetime re-authenticates in time; the IPsec SAs stay as they are")
{
	IkeEngineConfig server = labConfig();
	server.ikeLifetime = 10min;
	Pair p(server);
	LogCapture logs;
	p.connect();
	p.server->kernel.clearCalls();
	p.client->kernel.clearCalls();
	// The server answered the Main Mode: 95 % of 10 minutes, 30 s before the end.
	p.lab.advance(569s);
	CHECK_FALSE(logs.has("re-authenticating"));
	p.lab.wire.clear();
	p.lab.advance(2s);
	CHECK(logs.has("peer 192.0.2.2:500: re-authenticating before ISAKMP SA 1 runs out (570 of 600 s)"));
	CHECK(std::find(p.lab.wire.begin(), p.lab.wire.end(), "192.0.2.1:500>192.0.2.2:500 MM-SA") != p.lab.wire.end());
	p.lab.advance(IkeEngine::kReauthHandover);
	checkTakenOver(p, 2, 2);
	CHECK(p.server->observer.events.back() == "ike-down 1: re-authenticated as ISAKMP SA 2");
	// The old one's end passes unnoticed; the new one is the server's own.
	p.lab.advance(1min);
	checkTakenOver(p, 2, 2);
	CHECK(logs.countOf("re-authenticating") == 1);
}

TEST_CASE("the client re-authenticates first; the server sees the newer SA and does not again")
{
	IkeEngineConfig client = labConfig();
	client.ikeLifetime = 10min;
	Pair p(labConfig(), client);
	LogCapture logs;
	p.connect();
	CHECK(p.server->engine.ikeSas().at(0).lifetime == 10min);
	p.server->kernel.clearCalls();
	p.client->kernel.clearCalls();
	p.lab.advance(541s);
	CHECK(logs.has("peer 192.0.2.1:500: re-authenticating before ISAKMP SA 1 runs out (540 of 600 s)"));
	p.lab.advance(IkeEngine::kReauthHandover);
	checkTakenOver(p, 2, 2);
	p.lab.advance(2min);
	checkTakenOver(p, 2, 2);
	CHECK(logs.countOf("re-authenticating") == 1);
}

TEST_CASE("a server re-authenticates a client behind a NAT where its NAT maps 4500, and stays on 4500")
{
	IkeEngineConfig server = labConfig();
	server.ikeLifetime = 10min;
	Pair p(server, labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	p.connect();
	LogCapture logs;
	p.server->kernel.clearCalls();
	p.client->kernel.clearCalls();
	p.lab.advance(569s);
	p.lab.wire.clear();
	p.lab.advance(2s);
	CHECK(logs.has("peer 198.51.100.7:30001: re-authenticating before ISAKMP SA 1 runs out (570 of 600 s)"));
	REQUIRE(p.lab.wire.size() >= 6);
	for (const std::string &w : p.lab.wire)
		CHECK((w.starts_with("192.0.2.1:4500>198.51.100.7:30001 ") ||
		       w.starts_with("198.51.100.7:30001>192.0.2.1:4500 ")));
	CHECK_FALSE(logs.has("floating to UDP"));
	p.lab.advance(IkeEngine::kReauthHandover);
	checkTakenOver(p, 2, 2);
	IkeSaInfo s = p.server->engine.ikeSas().at(0);
	CHECK(s.natPeer);
	CHECK(s.peer == Endpoint{ip("198.51.100.7"), 30001});
	CHECK(s.local == Endpoint{ip("192.0.2.1"), 4500});
}

TEST_CASE("without IPsec SAs there is nothing to keep: the ISAKMP SA just runs out")
{
	IkeEngineConfig server = labConfig();
	server.ikeLifetime = 10min;
	Pair p(server);
	LogCapture logs;
	auto id =
	        p.client->engine.connect(ConnectRequest{p.client->address, p.server->address, std::nullopt}, p.lab.now);
	REQUIRE(id);
	p.lab.settle();
	REQUIRE(p.server->engine.ikeSas().size() == 1);
	p.lab.advance(11min);
	CHECK_FALSE(logs.has("re-authenticating"));
	CHECK(p.server->engine.saCount() == 0);
}
