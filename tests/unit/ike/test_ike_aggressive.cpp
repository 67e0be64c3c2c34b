// Aggressive Mode (RFC 2409 §5.4, pre-shared key) between two engines of this
// code (ike_lab.h): the exchange and the Quick Mode under it, refused while
// [ike] aggressive_mode is off, a wrong key, damaged, lost and repeated
// messages, NAT-T with the key found by the peer's ID, and the warning every
// such SA is logged with.
#include "ike_lab.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

IkeEngineConfig amConfig(const char *psk = kPsk)
{
	IkeEngineConfig c = labConfig(ProposalProfile::Compat, psk);
	c.aggressiveMode = true;
	return c;
}

/// The client asks for Aggressive Mode and the flow 1701 <-> 1701.
Result<uint64_t> connectAggressive(Pair &p)
{
	ConnectRequest r{.local = p.client->address, .server = p.server->address, .aggressive = true};
	auto id = p.client->engine.connect(r, p.lab.now);
	p.lab.settle();
	return id;
}

const std::string kWarning = "is an Aggressive Mode SA with a pre-shared key: the key's hash went out in the clear";

} // namespace

TEST_CASE("Aggressive Mode and Quick Mode: three messages, both ends up, the same keys in both kernels, a warning")
{
	Pair p(amConfig(), amConfig());
	LogCapture logs;
	REQUIRE(connectAggressive(p));
	CHECK(p.lab.wire ==
	      std::vector<std::string>{"192.0.2.2:500>192.0.2.1:500 AM-SA", "192.0.2.1:500>192.0.2.2:500 AM-SA",
	                               "192.0.2.2:500>192.0.2.1:500 AM*", "192.0.2.2:500>192.0.2.1:500 QM*",
	                               "192.0.2.1:500>192.0.2.2:500 QM*", "192.0.2.2:500>192.0.2.1:500 QM*"});
	CHECK(p.client->observer.events.at(0) == "ike-up 1");
	CHECK(p.server->observer.events.at(0) == "ike-up 1");
	REQUIRE(p.server->observer.childUps.size() == 1);
	REQUIRE(p.client->observer.childUps.size() == 1);
	CHECK(p.server->kernel.installedSpis().size() == 2);
	CHECK(p.client->kernel.installedSpis().size() == 2);
	for (uint32_t spi : p.server->kernel.installedSpis()) {
		const auto *s = findSa(p.server->kernel, spi);
		const auto *c = findSa(p.client->kernel, spi);
		REQUIRE(s);
		REQUIRE(c);
		CHECK(s->params.keys.encryptionKey == c->params.keys.encryptionKey);
	}
	IkeSaInfo s = p.server->engine.ikeSas().at(0);
	CHECK(s.aggressive);
	CHECK(s.established);
	CHECK(s.peerId == "192.0.2.2");
	CHECK(p.client->engine.ikeSas().at(0).aggressive);
	CHECK(p.client->engine.ikeSas().at(0).peerId == "192.0.2.1");
	// One warning per SA, naming the peer, at each end.
	CHECK(logs.countOf(kWarning) == 2);
	CHECK(logs.has("peer 192.0.2.2:500: ISAKMP SA 1 " + kWarning));
	CHECK(logs.has("peer 192.0.2.1:500: ISAKMP SA 1 " + kWarning));
	CHECK(p.server->engine.halfOpenCount() == 0);

	// Under the AM SA as under a MM one: DPD answered, a second flow, Delete.
	p.lab.wire.clear();
	p.lab.advance(31s);
	CHECK(p.lab.count("INFO*") >= 2); // R-U-THERE and its ACK
	CHECK(p.client->engine.ikeSas().at(0).established);
	ChildRequest second;
	second.localPort = 40000;
	REQUIRE(p.client->engine.connect(ConnectRequest{p.client->address, p.server->address, second}, p.lab.now));
	p.lab.settle();
	CHECK(p.server->observer.childUps.size() == 2);
	REQUIRE(p.client->engine.closeSa(1, "test", p.lab.now));
	p.lab.settle();
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.server->engine.saCount() == 0);
}

TEST_CASE("a soft expiry rekeys the IPsec SA with a new Quick Mode under the Aggressive Mode SA")
{
	Pair p(amConfig(), amConfig());
	REQUIRE(connectAggressive(p));
	uint32_t in = p.client->observer.childUps.at(0).inboundSpi;
	p.lab.wire.clear();
	p.client->engine.onSaExpired(in, false, p.lab.now);
	p.lab.settle();
	CHECK(p.lab.count("QM*") == 3);
	CHECK(p.client->observer.childUps.size() == 2);
	CHECK(p.server->observer.childUps.size() == 2);
}

TEST_CASE("Aggressive Mode refused while [ike] aggressive_mode is off: dropped, one log line naming the peer")
{
	Pair p(labConfig(), amConfig());
	LogCapture logs;
	REQUIRE(connectAggressive(p));
	p.lab.advance(60s);
	// No answer at all, so the initiator gives up on its retransmissions.
	CHECK(p.lab.count("192.0.2.1:500>") == 0);
	CHECK(p.lab.count("192.0.2.2:500>192.0.2.1:500 AM-SA") == 5);
	CHECK(logs.countOf("Aggressive Mode from 192.0.2.2:500 refused: [ike] aggressive_mode is off") == 1);
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-down 1: no answer to Aggressive Mode 1 after 4 retransmissions"});
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.stats().refusedAggressive == 5);
	CHECK(p.server->kernel.calls().empty());
	// A new attempt (another cookie) is logged again.
	REQUIRE(connectAggressive(p));
	CHECK(logs.countOf("Aggressive Mode from 192.0.2.2:500 refused: [ike] aggressive_mode is off") == 2);
	// Main Mode from the same peer is answered as ever.
	p.lab.advance(60s);
	p.connect();
	CHECK(p.client->observer.childUps.size() == 1);
	CHECK_FALSE(p.server->engine.ikeSas().at(0).aggressive);
}

TEST_CASE("an initiator without aggressive_mode does not send Aggressive Mode")
{
	Pair p;
	auto id = connectAggressive(p);
	REQUIRE_FALSE(id);
	CHECK(id.error().message == "Aggressive Mode to 192.0.2.1 needs [ike] aggressive_mode = true");
	CHECK(p.lab.wire.empty());
}

TEST_CASE("Aggressive Mode with a wrong pre-shared key: HASH_R fails at once, the responder hears nothing more")
{
	Pair p(amConfig(), amConfig("not-the-key"));
	LogCapture logs;
	REQUIRE(connectAggressive(p));
	CHECK(logs.has("peer 192.0.2.1:500: Aggressive Mode 2 does not verify (HASH_R): pre-shared key mismatch?"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{
	              "ike-down 1: Aggressive Mode 2 does not verify (HASH_R): pre-shared key mismatch?"});
	CHECK(p.client->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 1);
	p.lab.advance(60s);
	CHECK(logs.has("peer 192.0.2.2:500: no answer to Aggressive Mode 2 after 4 retransmissions (pre-shared key "
	               "mismatch?)"));
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);
	CHECK(p.server->observer.events.empty());
	CHECK(p.server->kernel.calls().empty());
	CHECK(p.client->kernel.calls().empty());
	CHECK(logs.countOf(kWarning) == 0);
}

TEST_CASE("a truncated AM1 is dropped without an SA; the retransmitted one is answered")
{
	Pair p(amConfig(), amConfig());
	bool cut = false;
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (!cut && p.lab.wire.back().ends_with("AM-SA")) {
			cut = true;
			d.bytes.resize(d.bytes.size() - 20);
		}
		return false;
	};
	REQUIRE(connectAggressive(p));
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);
	CHECK(p.server->engine.stats().dropped == 1);
	p.lab.advance(3s);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("an AM1 whose payloads do not parse or lack the ID makes no SA and holds no half-open slot")
{
	Pair p(amConfig(), amConfig());
	LogCapture logs;
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &) { return true; }; // capture AM1 only
	REQUIRE(connectAggressive(p));
	auto am1 = p.lab.datagrams.at(0).bytes;
	p.lab.tamper = nullptr;
	// The header's length shortened with the datagram: a payload runs past the end.
	auto shortened = am1;
	shortened.resize(am1.size() - 8);
	shortened[27] = uint8_t(shortened.size());
	shortened[26] = uint8_t(shortened.size() >> 8);
	p.server->engine.onDatagram(IkeSocket::Ike, Endpoint{ip("192.0.2.1"), 500}, Endpoint{ip("192.0.2.2"), 500},
	                            shortened, p.lab.now);
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);
	CHECK(p.lab.net.queue().empty());
	CHECK(logs.has("192.0.2.2:500: AGGRESSIVE dropped"));
}

TEST_CASE("a corrupted AM3 does not verify and is dropped; AM2 is repeated, the initiator's AM3 again brings it up")
{
	Pair p(amConfig(), amConfig());
	LogCapture logs;
	bool corrupted = false;
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (!corrupted && p.lab.wire.back().ends_with("AM*")) {
			corrupted = true;
			d.bytes[28 + 16 + 2] ^= 0x55; // the second block: inside HASH_I
		}
		return false;
	};
	REQUIRE(connectAggressive(p));
	CHECK(logs.has("peer 192.0.2.2:500: Aggressive Mode 3 does not verify (HASH_I); dropped"));
	CHECK_FALSE(p.server->engine.ikeSas().at(0).established);
	p.lab.advance(10s);
	auto am2 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 AM-SA");
	REQUIRE(am2.size() == 2);
	CHECK(am2[0] == am2[1]);
	auto am3 = sent(p.lab, "192.0.2.2:500>192.0.2.1:500 AM*");
	REQUIRE(am3.size() == 2);
	CHECK(am3[0] == am3[1]); // the same AM3 again (the lab records it before the damage)
	CHECK(p.server->engine.ikeSas().at(0).established);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("a repeated AM1 gets the same AM2; a replayed AM3 is ignored")
{
	Pair p(amConfig(), amConfig());
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (p.lab.wire.back() == "192.0.2.2:500>192.0.2.1:500 AM-SA" && p.lab.count("AM-SA") == 1)
			p.lab.net.queue().push_back(d);
		return false;
	};
	REQUIRE(connectAggressive(p));
	auto am2 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 AM-SA");
	REQUIRE(am2.size() == 2);
	CHECK(am2[0] == am2[1]);
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.client->observer.childUps.size() == 1);

	// The second AM2 reached an established initiator, which answered it
	// with AM3 again; the responder, up already, ignored that.
	auto am3 = sent(p.lab, "192.0.2.2:500>192.0.2.1:500 AM*");
	REQUIRE(am3.size() == 2);
	CHECK(am3[0] == am3[1]);
	CHECK(p.server->observer.events.size() == 2);
	p.lab.wire.clear();
	p.server->engine.onDatagram(IkeSocket::Ike, Endpoint{ip("192.0.2.1"), 500}, Endpoint{ip("192.0.2.2"), 500},
	                            am3[0], p.lab.now);
	p.lab.settle();
	CHECK(p.lab.wire.empty());
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.server->observer.events.size() == 2); // ike-up, child-up: nothing new
}

TEST_CASE("Aggressive Mode through a NAT: NAT-D in AM2 and AM3, AM3 on 4500, the key found by the peer's ID")
{
	IkeEngineConfig server = amConfig();
	// Only the client's own address (its ID) has a key, not the NAT's.
	server.psk = [](const IpAddress &a) -> std::optional<crypto::SecretBytes> {
		if (a != ip("10.0.0.2"))
			return std::nullopt;
		return crypto::SecretBytes(kPsk, kPsk + std::strlen(kPsk));
	};
	Pair p(server, amConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	LogCapture logs;
	REQUIRE(connectAggressive(p));
	CHECK(p.lab.wire == std::vector<std::string>{
	                            "198.51.100.7:30000>192.0.2.1:500 AM-SA", "192.0.2.1:500>198.51.100.7:30000 AM-SA",
	                            "198.51.100.7:30001>192.0.2.1:4500 AM*", "198.51.100.7:30001>192.0.2.1:4500 QM*",
	                            "192.0.2.1:4500>198.51.100.7:30001 QM*", "198.51.100.7:30001>192.0.2.1:4500 QM*"});
	// The server sees the NAT in AM3, which comes from the floated port.
	checkBehindNat(p, logs, 30001);
	REQUIRE(p.server->engine.childSas().size() == 1);
	CHECK(p.server->engine.childSas().at(0).natT);
	CHECK(p.server->engine.childSas().at(0).natOa == ip("10.0.0.2"));
	CHECK(p.client->engine.childSas().at(0).natT);
	CHECK(logs.has("peer 198.51.100.7:30001: ISAKMP SA 1 " + kWarning));
}

TEST_CASE("INITIAL-CONTACT in an encrypted AM3: a restarted client's old SAs go")
{
	Pair p(amConfig(), amConfig());
	REQUIRE(connectAggressive(p));
	REQUIRE(p.server->observer.childUps.size() == 1);
	// The client restarts: a new engine at the same address, no memory of the SA.
	p.lab.kill(*p.client);
	p.client.reset();
	IkeEngineConfig again = amConfig();
	again.acceptPeers = false;
	p.client = p.lab.host("192.0.2.2", std::move(again), 7);
	REQUIRE(connectAggressive(p));
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.server->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-up in=0xc0000001 out=0xc0000002", "ike-up 2",
	                               "child-down in=0xc0000001: replaced (INITIAL-CONTACT from the peer)",
	                               "ike-down 1: replaced (INITIAL-CONTACT from the peer)",
	                               "child-up in=0xc0000002 out=0xc0000001"});
	CHECK(p.server->kernel.installedSpis().size() == 2);
}

TEST_CASE("no pre-shared key for the peer's ID or address: Aggressive Mode refused (it never offers certificates)")
{
	IkeEngineConfig server = amConfig();
	server.psk = [](const IpAddress &) -> std::optional<crypto::SecretBytes> { return std::nullopt; };
	Pair p(server, amConfig());
	LogCapture logs;
	REQUIRE(connectAggressive(p));
	CHECK(logs.has("peer 192.0.2.2:500: no pre-shared key for this peer; Aggressive Mode refused"));
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.lab.count("192.0.2.1:500>") == 0);
}
