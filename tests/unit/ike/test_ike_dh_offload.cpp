// Main Mode 3's and Aggressive Mode 1's Diffie-Hellman off the engine's
// thread (DhOffload): the responder answers MM3 (AM1) only when the offload
// hands the result back, ignores retransmissions meanwhile, drops an answer for an SA that went,
// refuses MM3 when the offload is full (the retransmission gets through
// later), fails on a bad public value found by the offload, and with the
// daemon's real worker threads (DhWorkers) comes up like the inline engine.
#include "ike/dh_workers.h"
#include "ike_lab.h"

#include <doctest.h>
#include <poll.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

const std::string kMm3 = "192.0.2.2:500>192.0.2.1:500 MM-KE";
const std::string kMm4 = "192.0.2.1:500>192.0.2.2:500 MM-KE";

/// A Pair whose server runs its MM3 DH on a QueuedDhOffload.
struct OffloadPair : Pair {
	QueuedDhOffload offload{server->random};
	explicit OffloadPair(IkeEngineConfig serverCfg = labConfig(), IkeEngineConfig clientCfg = labConfig())
	    : Pair(std::move(serverCfg), std::move(clientCfg))
	{
		server->engine.offloadDh(offload);
	}
	void start()
	{
		REQUIRE(client->engine.connect(ConnectRequest{client->address, server->address, ChildRequest{}},
		                               lab.now));
		lab.settle();
	}
};

/// After a full offload refused the first try: room again, and the
/// client's retransmission brings both ends up.
void retransmissionGetsThrough(OffloadPair &p)
{
	p.offload.setFull(false);
	p.lab.advance(2500ms);
	CHECK(p.offload.waiting() == 1);
	p.offload.runAll(p.server->engine, p.lab.now);
	p.lab.settle();
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

} // namespace

TEST_CASE("DH offload: MM4 waits for the offload, then the exchange ends exactly as the inline one")
{
	OffloadPair p;
	p.start();
	CHECK(p.lab.count(kMm3) == 1);
	CHECK(p.lab.count(kMm4) == 0);
	CHECK(p.offload.waiting() == 1);
	CHECK(p.server->engine.ikeSas().at(0).phase == "MM3 DH");
	CHECK(p.server->engine.halfOpenCount() == 1);

	CHECK(p.offload.runAll(p.server->engine, p.lab.now) == 1);
	p.lab.settle();
	// The same wire, SPIs and keys as the inline test of test_ike_exchange.cpp:
	// the offload drew its key pair from the server's seeded random source in
	// the same order.
	CHECK(p.lab.wire == kDirectSetupWire);
	CHECK(p.server->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-up in=0xc0000001 out=0xc0000002"});
	CHECK(p.client->observer.childUps.size() == 1);
	CHECK(findSa(p.server->kernel, 0xc0000001)->params.keys.encryptionKey ==
	      findSa(p.client->kernel, 0xc0000001)->params.keys.encryptionKey);
	CHECK(p.server->engine.halfOpenCount() == 0);
}

TEST_CASE("DH offload: an MM3 retransmitted while its DH runs is not answered twice nor computed twice")
{
	OffloadPair p;
	p.start();
	p.lab.advance(2500ms); // the client's retransmission timer (2 s) fires once
	CHECK(p.lab.count(kMm3) == 2);
	CHECK(p.lab.count(kMm4) == 0);
	CHECK(p.offload.waiting() == 1);
	p.offload.runAll(p.server->engine, p.lab.now);
	p.lab.settle();
	CHECK(p.lab.count(kMm4) == 1);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("DH offload: an answer for an SA that timed out meanwhile is dropped")
{
	OffloadPair p;
	LogCapture logs;
	p.start();
	p.lab.kill(*p.client);
	p.lab.advance(61s); // the server's setupTimeout (60 s)
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);
	CHECK(p.offload.runAll(p.server->engine, p.lab.now) == 1);
	p.lab.settle();
	CHECK(p.lab.count(kMm4) == 0);
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->kernel.calls().empty());
}

TEST_CASE("DH offload: a full offload drops MM3 with a log line; the client's retransmission gets through")
{
	OffloadPair p;
	LogCapture logs;
	p.offload.setFull(true);
	p.start();
	CHECK(logs.has("peer 192.0.2.2:500: Main Mode 3 dropped: the DH workers are busy"));
	CHECK(p.offload.waiting() == 0);
	CHECK(p.server->engine.ikeSas().at(0).phase == "MM2 sent");
	retransmissionGetsThrough(p);
}

namespace {

IkeEngineConfig aggressiveConfig()
{
	IkeEngineConfig c = labConfig();
	c.aggressiveMode = true;
	return c;
}

const std::string kAm1 = "192.0.2.2:500>192.0.2.1:500 AM-SA";
const std::string kAm2 = "192.0.2.1:500>192.0.2.2:500 AM-SA";

} // namespace

TEST_CASE("DH offload: Aggressive Mode 1's DH runs on the offload too; AM2 waits for it, a repeated AM1 is not "
          "answered meanwhile")
{
	OffloadPair p(aggressiveConfig(), aggressiveConfig());
	REQUIRE(p.client->engine.connect(
	        ConnectRequest{.local = p.client->address, .server = p.server->address, .aggressive = true},
	        p.lab.now));
	p.lab.settle();
	CHECK(p.lab.count(kAm1) == 1);
	CHECK(p.lab.count(kAm2) == 0);
	CHECK(p.offload.waiting() == 1);
	CHECK(p.server->engine.ikeSas().at(0).phase == "AM1 DH");
	CHECK(p.server->engine.halfOpenCount() == 1);
	p.lab.advance(2500ms); // the client's retransmission timer fires once
	CHECK(p.lab.count(kAm1) == 2);
	CHECK(p.lab.count(kAm2) == 0);
	CHECK(p.offload.waiting() == 1);

	CHECK(p.offload.runAll(p.server->engine, p.lab.now) == 1);
	p.lab.settle();
	CHECK(p.lab.count(kAm2) == 1);
	CHECK(p.server->engine.ikeSas().at(0).aggressive);
	REQUIRE(p.server->observer.childUps.size() == 1);
	REQUIRE(p.client->observer.childUps.size() == 1);
	for (uint32_t spi : p.server->kernel.installedSpis())
		CHECK(findSa(p.server->kernel, spi)->params.keys.encryptionKey ==
		      findSa(p.client->kernel, spi)->params.keys.encryptionKey);
	CHECK(p.server->engine.halfOpenCount() == 0);
}

TEST_CASE("DH offload: a full offload drops a first Aggressive Mode 1 and its SA; the retransmission gets through")
{
	OffloadPair p(aggressiveConfig(), aggressiveConfig());
	LogCapture logs;
	p.offload.setFull(true);
	REQUIRE(p.client->engine.connect(
	        ConnectRequest{.local = p.client->address, .server = p.server->address, .aggressive = true},
	        p.lab.now));
	p.lab.settle();
	CHECK(logs.has("peer 192.0.2.2:500: Aggressive Mode 1 dropped: the DH workers are busy"));
	CHECK(p.offload.waiting() == 0);
	CHECK(p.server->engine.ikeSas().empty());
	CHECK(p.server->engine.halfOpenCount() == 0);
	retransmissionGetsThrough(p);
}

TEST_CASE("DH offload: a public value the offload refuses (g^x = 1) ends the SA with the reason in the log")
{
	const IkeEngineConfig modp2048 = labConfig(ProposalProfile::Compat, kPsk, {"aes256-sha256-modp2048"});
	OffloadPair p(modp2048, modp2048);
	LogCapture logs;
	// KE is MM3's first payload: 28-byte header, 4-byte payload header, then
	// the 256-byte MODP2048 value, here made 1.
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (p.lab.wire.back() == kMm3) {
			REQUIRE(d.bytes.size() > 32 + 256);
			std::fill(d.bytes.begin() + 32, d.bytes.begin() + 32 + 256, 0);
			d.bytes[32 + 255] = 1;
		}
		return false;
	};
	p.start();
	CHECK(p.offload.waiting() == 1);
	p.offload.runAll(p.server->engine, p.lab.now);
	p.lab.settle();
	CHECK(logs.has("peer 192.0.2.2:500: Main Mode 3: DH group 14 (MODP_2048): peer public value is 0, 1, p-1 or "
	               "not below p"));
	CHECK(p.lab.count(kMm4) == 0);
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);
}

TEST_CASE("DhWorkers: three clients' Main Mode 3s on two real worker threads; every SA comes up")
{
	Lab lab;
	auto server = lab.host("192.0.2.1", labConfig(), 1);
	std::vector<std::unique_ptr<Host>> clients;
	for (const char *a : {"192.0.2.2", "192.0.2.3", "192.0.2.4"}) {
		IkeEngineConfig c = labConfig();
		c.acceptPeers = false;
		clients.push_back(lab.host(a, std::move(c), clients.size() + 2));
	}
	auto workers = DhWorkers::start(2, 16);
	REQUIRE(workers);
	CHECK((*workers)->threads() == 2);
	server->engine.offloadDh(**workers);
	for (auto &c : clients)
		REQUIRE(c->engine.connect(ConnectRequest{c->address, server->address, ChildRequest{}}, lab.now));
	lab.settle();
	size_t delivered = 0;
	for (int round = 0; round < 100 && delivered < clients.size(); round++) {
		pollfd pfd{(*workers)->fd(), POLLIN, 0};
		REQUIRE(::poll(&pfd, 1, 10000) == 1); // a DH takes milliseconds; 10 s means lost
		delivered += (*workers)->deliver(server->engine, lab.now);
		lab.settle();
	}
	CHECK(delivered == clients.size());
	CHECK(server->observer.childUps.size() == clients.size());
	for (auto &c : clients)
		CHECK(c->observer.childUps.size() == 1);
	CHECK(lab.count(kMm4) == 1);
}

TEST_CASE("DhWorkers: submit() refuses work beyond the queue's bound; destruction with work queued joins cleanly")
{
	auto workers = DhWorkers::start(1, 2);
	REQUIRE(workers);
	std::vector<uint8_t> peer = crypto::DhKeyPair::generate(crypto::DhGroup::Modp2048)->publicValue();
	size_t taken = 0;
	for (int i = 0; i < 50; i++)
		taken += (*workers)->submit(DhWork{uint64_t(i), crypto::DhGroup::Modp2048, peer}) ? 1 : 0;
	// One may be running and two waiting at any time; 50 quick submits
	// cannot all be taken while each costs milliseconds.
	CHECK(taken >= 2);
	CHECK(taken < 50);
	workers->reset();
}

TEST_CASE("DhWorkers::defaultThreads: the CPUs this process may run on")
{
	CHECK(DhWorkers::defaultThreads() >= 1);
}
