// The IKE engines of ike_lab.h when things go wrong: a wrong pre-shared key,
// no proposal in common, lost, duplicated and corrupted messages, Delete from
// either side, a dead peer (DPD), kernel failures and their rollback, and a
// flood of Main Mode 1.
#include "ike_lab.h"
#include "strongswan_capture.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

/// Drops the n-th (from 1) datagram whose wire line contains `what`.
std::function<bool(FakeIkeNetwork::Datagram &)> dropNth(Lab &lab, const std::string &what, int n)
{
	auto seen = std::make_shared<int>(0);
	return [&lab, what, n, seen](FakeIkeNetwork::Datagram &) {
		return lab.wire.back().find(what) != std::string::npos && ++*seen == n;
	};
}

} // namespace

TEST_CASE("a wrong pre-shared key: the responder refuses MM5, the initiator gives up; no kernel state anywhere")
{
	Pair p(labConfig(), labConfig(ProposalProfile::Compat, "not-the-key"));
	LogCapture logs;
	p.connect();
	p.lab.advance(60s);
	CHECK(logs.countOf("192.0.2.2:500: authentication failed (pre-shared key mismatch?)") == 1);
	CHECK(logs.has("192.0.2.1:500: no answer to Main Mode 5 after 4 retransmissions (pre-shared key mismatch?)"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{
	              "ike-down 1: no answer to Main Mode 5 after 4 retransmissions (pre-shared key mismatch?)"});
	CHECK(p.server->observer.events.empty());
	// Refused once, with what the client offered, for the failure line.
	REQUIRE(p.server->observer.refusals.size() == 1);
	CHECK(p.server->observer.refusals[0].starts_with("phase1-authentication 192.0.2.2: Main Mode 5: pre-shared key "
	                                                 "mismatch?; offered aes128-sha256-ecp256, "));
	CHECK(p.server->kernel.calls().empty());
	CHECK(p.client->kernel.calls().empty());
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.client->engine.saCount() == 0);
	CHECK(p.lab.count("MM*") == 5); // MM5 and its 4 retransmissions, none answered
}

TEST_CASE("a client that goes quiet in Main Mode: the responder reports the stall (Windows' error 809)")
{
	// After our MM4 (the classic case: the client moves to UDP 4500 and
	// nothing arrives there), and after our MM2.
	for (const char *dropped : {"192.0.2.2:500>192.0.2.1:500 MM*", "192.0.2.2:500>192.0.2.1:500 MM-KE"}) {
		CAPTURE(dropped);
		Pair p;
		p.lab.tamper = [&lab = p.lab, what = std::string(dropped)](FakeIkeNetwork::Datagram &) {
			return lab.wire.back() == what;
		};
		p.connect();
		p.lab.advance(2min);
		std::string expected = std::string(dropped).ends_with("MM*") ? "no Main Mode 5 after our Main Mode 4"
		                                                             : "no Main Mode 3 after our Main Mode 2";
		REQUIRE(p.server->observer.refusals.size() == 1);
		CHECK(p.server->observer.refusals[0].starts_with("phase1-timeout 192.0.2.2: " + expected +
		                                                 "; offered aes128-sha256-ecp256, "));
		CHECK(p.server->engine.saCount() == 0);
		CHECK(p.client->observer.refusals.empty()); // the initiator's own failure is not a client's
	}
}

TEST_CASE("no proposal chosen in Main Mode: NO-PROPOSAL-CHOSEN in the clear, the initiator gives up at once")
{
	IkeEngineConfig client = labConfig();
	client.proposals.ike = {*ikeSuiteFromSpelling("3des-md5-modp1024")};
	Pair p(labConfig(ProposalProfile::Modern), client);
	LogCapture logs;
	p.connect();
	CHECK(p.lab.wire == std::vector<std::string>{"192.0.2.2:500>192.0.2.1:500 MM-SA",
	                                             "192.0.2.1:500>192.0.2.2:500 INFO(NO-PROPOSAL-CHOSEN)"});
	CHECK(logs.has("192.0.2.2:500: no proposal chosen (Main Mode); we accept aes128-sha256-ecp256/psk/28800s"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-down 1: the peer refused Main Mode: NO-PROPOSAL-CHOSEN"});
	CHECK(p.server->observer.refusals ==
	      std::vector<std::string>{
	              "phase1-proposal 192.0.2.2: Main Mode: no proposal chosen; offered 3des-md5-modp1024"});
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.client->engine.saCount() == 0);
}

TEST_CASE("no proposal chosen in Quick Mode: a protected NO-PROPOSAL-CHOSEN, the reserved SPI released")
{
	IkeEngineConfig client = labConfig();
	client.proposals.esp = {*espSuiteFromSpelling("aes128-md5")};
	Pair p(labConfig(), client);
	LogCapture logs;
	p.connect();
	CHECK(p.lab.wire.back() == "192.0.2.1:500>192.0.2.2:500 INFO*");
	CHECK(logs.has("no proposal chosen (Quick Mode); we accept aes256gcm16/transport/3600s"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-failed 1: the peer answered NO-PROPOSAL-CHOSEN"});
	CHECK(p.server->observer.refusals ==
	      std::vector<std::string>{
	              "quick-mode-proposal 192.0.2.2: no proposal chosen; offered aes128-md5 pfs none"});
	CHECK(p.server->kernel.calls().empty());
	CHECK(ops(p.client->kernel) == std::vector<Op>{Op::AllocSpi, Op::DeleteSa});
	CHECK(p.client->kernel.sas().empty());
	// The ISAKMP SAs stay up for another try.
	CHECK(p.server->engine.ikeSas().at(0).established);
}

TEST_CASE("a lost MM2 is retransmitted for, and the responder answers the repeat with the same MM2")
{
	Pair p;
	p.lab.tamper = dropNth(p.lab, "192.0.2.1:500>192.0.2.2:500 MM-SA", 1);
	p.connect();
	CHECK(p.client->engine.ikeSas().at(0).established == false);
	p.lab.advance(3s);
	auto mm2 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 MM-SA");
	REQUIRE(mm2.size() == 2);
	CHECK(mm2[0] == mm2[1]);
	CHECK(p.lab.count("192.0.2.2:500>192.0.2.1:500 MM-SA") == 2);
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
	CHECK(p.server->kernel.installedSpis().size() == 2);
}

TEST_CASE("a duplicated MM3 gets the same MM4 twice; one SA each side comes up")
{
	Pair p;
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (p.lab.wire.back() == "192.0.2.2:500>192.0.2.1:500 MM-KE" && p.lab.count("MM-KE") == 1)
			p.lab.net.queue().push_back(d);
		return false;
	};
	p.connect();
	auto mm4 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 MM-KE");
	REQUIRE(mm4.size() == 2);
	CHECK(mm4[0] == mm4[1]);
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.client->engine.saCount() == 1);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("a lost MM6: the initiator repeats MM5 and gets the same MM6 again")
{
	Pair p;
	p.lab.tamper = dropNth(p.lab, "192.0.2.1:500>192.0.2.2:500 MM*", 1);
	p.connect();
	p.lab.advance(3s);
	auto mm6 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 MM*");
	REQUIRE(mm6.size() == 2);
	CHECK(mm6[0] == mm6[1]);
	CHECK(p.client->observer.events.at(0) == "ike-up 1");
	CHECK(p.client->observer.childUps.size() == 1);
	CHECK(p.server->observer.childUps.size() == 1);
}

TEST_CASE("a lost QM3: the responder repeats QM2, the initiator answers with QM3 again, both kernels agree")
{
	Pair p;
	// Client QMs: QM1, then QM3 (the second one): lose that.
	p.lab.tamper = dropNth(p.lab, "192.0.2.2:500>192.0.2.1:500 QM*", 2);
	p.connect();
	CHECK(p.client->kernel.installedSpis().size() == 2);
	CHECK(p.server->kernel.installedSpis().empty());
	p.lab.advance(3s);
	auto qm2 = sent(p.lab, "192.0.2.1:500>192.0.2.2:500 QM*");
	REQUIRE(qm2.size() == 2);
	CHECK(qm2[0] == qm2[1]);
	auto qm3 = sent(p.lab, "192.0.2.2:500>192.0.2.1:500 QM*");
	REQUIRE(qm3.size() == 3);
	CHECK(qm3[1] == qm3[2]);
	CHECK(p.server->kernel.installedSpis() == std::vector<uint32_t>{0xc0000001, 0xc0000002});
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("a corrupted QM1 is dropped without disturbing the IVs; its retransmission goes through")
{
	Pair p;
	bool corrupted = false;
	p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
		if (!corrupted && p.lab.wire.back() == "192.0.2.2:500>192.0.2.1:500 QM*") {
			d.bytes[d.bytes.size() - 20] ^= 0x5a;
			corrupted = true;
		}
		return false;
	};
	LogCapture logs;
	p.connect();
	CHECK(logs.has("192.0.2.2:500: Quick Mode 1"));
	CHECK(p.server->kernel.calls().empty());
	p.lab.advance(3s);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("a replayed QM1 is dropped, also after its exchange was forgotten")
{
	Pair p;
	p.connect();
	auto qm1 = sent(p.lab, "192.0.2.2:500>192.0.2.1:500 QM*").at(0);
	p.lab.advance(40s); // past the Quick Mode's linger
	p.server->kernel.clearCalls();
	LogCapture logs;
	p.server->engine.onDatagram(IkeSocket::Ike, Endpoint{p.server->address, 500}, Endpoint{p.client->address, 500},
	                            qm1, p.lab.now);
	CHECK(logs.has("replayed Quick Mode"));
	CHECK(p.server->kernel.calls().empty());
}

TEST_CASE("Delete from the client: both kernels lose the SAs and policies, the server's observer is told")
{
	Pair p;
	uint64_t id = p.connect();
	p.lab.wire.clear();
	p.server->kernel.clearCalls();
	p.client->kernel.clearCalls();
	REQUIRE(p.client->engine.closeSa(id, "user request", p.lab.now));
	p.lab.settle();
	CHECK(p.lab.wire ==
	      std::vector<std::string>{"192.0.2.2:500>192.0.2.1:500 INFO*", "192.0.2.2:500>192.0.2.1:500 INFO*"});
	CHECK(p.server->kernel.calls() ==
	      std::vector<std::string>{"deleteSa spi=0xc0000001 192.0.2.2->192.0.2.1",
	                               "deleteSa spi=0xc0000002 192.0.2.1->192.0.2.2",
	                               "deletePolicy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701",
	                               "deletePolicy in 192.0.2.2/32->192.0.2.1/32 udp 1701->1701"});
	CHECK(ops(p.client->kernel) == std::vector<Op>{Op::DeleteSa, Op::DeleteSa, Op::DeletePolicy, Op::DeletePolicy});
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.server->kernel.policies().empty());
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.server->observer.events == std::vector<std::string>{"ike-up 1", "child-up in=0xc0000001 out=0xc0000002",
	                                                            "child-down in=0xc0000001: deleted by the peer",
	                                                            "ike-down 1: deleted by the peer"});
	CHECK(p.client->observer.events.back() == "ike-down 1: user request");
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.client->engine.saCount() == 0);
}

TEST_CASE("Delete from the server reaches the client the same way")
{
	Pair p;
	p.connect();
	REQUIRE(p.server->engine.closeSa(1, "administrator", p.lab.now));
	p.lab.settle();
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.client->kernel.policies().empty());
	CHECK(p.client->observer.events.back() == "ike-down 1: deleted by the peer");
	CHECK(p.client->engine.saCount() == 0);
}

TEST_CASE("DPD: a silent peer is probed after dpd_interval and declared dead after dpd_timeout")
{
	Pair p;
	p.connect();
	p.lab.kill(*p.client);
	LogCapture logs;
	p.lab.wire.clear();
	p.lab.advance(31s);
	CHECK(p.lab.wire == std::vector<std::string>{"192.0.2.1:500>192.0.2.2:500 INFO*"});
	p.lab.advance(145s); // 176 s: the first probe was 146 s ago
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.server->kernel.sas().size() == 2);
	p.lab.advance(5s);
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.server->kernel.policies().empty());
	CHECK(logs.has("192.0.2.2:500: dead peer: no answer to DPD for 150 s; removing its SAs"));
	CHECK(p.server->observer.events.back() ==
	      "ike-down 1: dead peer: no answer to DPD for 150 s; removing its SAs");
}

TEST_CASE("DPD: a live peer answers R-U-THERE and keeps its SAs")
{
	Pair p;
	p.connect();
	p.lab.wire.clear();
	p.lab.advance(10min);
	CHECK(p.server->engine.saCount() == 1);
	CHECK(p.client->engine.saCount() == 1);
	CHECK(p.lab.count("192.0.2.1:500>192.0.2.2:500 INFO*") > 5);
	CHECK(p.lab.count("192.0.2.2:500>192.0.2.1:500 INFO*") > 5);
	CHECK(p.server->kernel.sas().size() == 2);
}

TEST_CASE("a kernel refusal halfway through installing rolls back, and the peer is told to delete its pair")
{
	Pair p;
	// An SA the server's kernel already has with the outbound SPI it will get.
	p.server->kernel.addForeignSa(kernel::SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc0000002, 0, 0}, 7);
	LogCapture logs;
	p.connect();
	CHECK(ops(p.server->kernel) == std::vector<Op>{Op::AllocSpi, Op::AddSa, Op::AddSa, Op::DeleteSa});
	CHECK(p.server->kernel.calls().back() == "deleteSa spi=0xc0000001 192.0.2.2->192.0.2.1");
	CHECK(p.server->kernel.sas().size() == 1); // the foreign one, untouched
	CHECK(p.server->kernel.policies().empty());
	CHECK(logs.has("192.0.2.2:500: installing the IPsec SA (SPI in 0xc0000001 out 0xc0000002) failed: "));
	CHECK(logs.has("; rolled back"));
	// The client had installed after QM2; the server's Delete removed it.
	CHECK(p.client->observer.events.back() == "child-down in=0xc0000002: deleted by the peer");
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.client->kernel.policies().empty());
}

TEST_CASE("a refused policy on the initiator rolls back both SAs and sends no QM3; the responder gives up")
{
	Pair p;
	kernel::PolicyId taken{kernel::Selector{ip("192.0.2.2"), ip("192.0.2.1"), 32, 32, 17, 1701, 1701},
	                       kernel::PolicyDirection::Out, 0, 0};
	p.client->kernel.addForeignPolicy(taken, 5);
	LogCapture logs;
	p.connect();
	CHECK(ops(p.client->kernel) ==
	      std::vector<Op>{Op::AllocSpi, Op::AddSa, Op::AddSa, Op::AddPolicy, Op::DeleteSa, Op::DeleteSa});
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.client->observer.events.back().starts_with("child-failed 1: installing the IPsec SA failed: "));
	CHECK(p.lab.count("QM*") == 2);
	p.lab.advance(60s);
	CHECK(logs.has("Quick Mode 0x"));
	CHECK(logs.has("failed: no answer to Quick Mode 2 after 4 retransmissions"));
	CHECK(ops(p.server->kernel) == std::vector<Op>{Op::AllocSpi, Op::DeleteSa});
	CHECK(p.server->kernel.sas().empty());
}

TEST_CASE("a failed SPI allocation on the responder: NO-PROPOSAL-CHOSEN and nothing reserved")
{
	Pair p;
	p.server->kernel.failNext(Error{ENOMEM, "XFRM_MSG_ALLOCSPI: Cannot allocate memory"});
	LogCapture logs;
	p.connect();
	CHECK(logs.has("allocating an SPI failed: XFRM_MSG_ALLOCSPI: Cannot allocate memory"));
	CHECK(p.client->observer.events.back() == "child-failed 1: the peer answered NO-PROPOSAL-CHOSEN");
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.client->kernel.sas().empty());
}

TEST_CASE("a flood of Main Mode 1: the half-open limit holds, one log line, and the slots come back")
{
	Lab lab;
	IkeEngineConfig c = labConfig();
	c.maxHalfOpen = 4;
	auto server = lab.host("192.0.2.1", c, 1);
	LogCapture logs;
	auto flood = [&](int n, uint8_t tag) {
		for (int i = 0; i < n; i++) {
			std::vector<uint8_t> mm1 = capture::kMainMode1;
			mm1[0] = tag;
			mm1[1] = uint8_t(i);
			std::string from = "203.0.113." + std::to_string(i + 1);
			server->engine.onDatagram(IkeSocket::Ike, Endpoint{ip("192.0.2.1"), 500},
			                          Endpoint{ip(from.c_str()), 500}, mm1, lab.now);
		}
	};
	flood(10, 1);
	CHECK(server->engine.halfOpenCount() == 4);
	CHECK(server->engine.saCount() == 4);
	CHECK(server->engine.stats().refusedMainMode == 6);
	CHECK(lab.net.queue().size() == 4); // four MM2, nothing else
	CHECK(logs.countOf("Main Mode refused") == 1);
	lab.net.queue().clear();
	lab.advance(61s);
	CHECK(server->engine.saCount() == 0);
	CHECK(server->engine.halfOpenCount() == 0);
	flood(1, 2);
	CHECK(server->engine.saCount() == 1);

	// Per address: 16 half-open from one source.
	lab.net.queue().clear();
	for (int i = 0; i < 20; i++) {
		std::vector<uint8_t> mm1 = capture::kMainMode1;
		mm1[0] = 3;
		mm1[1] = uint8_t(i);
		server->engine.onDatagram(IkeSocket::Ike, Endpoint{ip("192.0.2.1"), 500},
		                          Endpoint{ip("203.0.113.200"), 500}, mm1, lab.now);
	}
	CHECK(server->engine.saCount() == 1 + 3); // total limit 4
}

TEST_CASE("random corruption, truncation and duplication on the wire never crash or wedge either end")
{
	for (uint64_t seed = 1; seed <= 40; seed++) {
		CAPTURE(seed);
		Pair p(labConfig(), labConfig(), seed % 2 ? "192.0.2.2" : "10.0.0.2");
		if (seed % 2 == 0)
			p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
		FakeIkeRandom dice(seed * 7919);
		p.lab.tamper = [&](FakeIkeNetwork::Datagram &d) {
			auto roll = (*dice.bytes(4));
			switch (roll[0] % 8) {
			case 0: // flip a byte
				if (!d.bytes.empty())
					d.bytes[roll[1] % d.bytes.size()] ^= uint8_t(roll[2] | 1);
				return false;
			case 1: // cut the tail
				d.bytes.resize(d.bytes.size() * roll[1] / 256);
				return false;
			case 2: return true; // lose it
			case 3:              // deliver it twice
				p.lab.net.queue().push_back(d);
				return false;
			default: return false;
			}
		};
		auto id = p.client->engine.connect(ConnectRequest{p.client->address, p.server->address}, p.lab.now);
		REQUIRE(id);
		p.lab.advance(5min);
		// Whatever happened, the two ends agree on what is installed once
		// the dust has settled, and nothing half-done is left behind.
		p.lab.tamper = nullptr;
		p.lab.advance(10min);
		CHECK(p.server->engine.halfOpenCount() == 0);
		CHECK(p.server->kernel.installedSpis().size() == p.server->kernel.sas().size());
		CHECK(p.client->kernel.installedSpis().size() == p.client->kernel.sas().size());
		CHECK(p.server->kernel.sas().size() == 2 * p.server->engine.childSas().size());
		CHECK(p.client->kernel.sas().size() == 2 * p.client->engine.childSas().size());
	}
}
