// An initiator (LAC) and a responder (LNS) engine of this code in one
// process, over an in-memory network, each with a fake kernel: Main Mode and
// Quick Mode with a pre-shared key, asserted by the messages on the wire,
// the kernel calls on both ends and the keys they installed.
#include "ike/codec/message_builder.h"
#include "ike/codec/vendor_ids.h"
#include "ike_lab.h"
#include "strongswan_capture.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

TEST_CASE("Main Mode and Quick Mode with a pre-shared key: both ends up, SAs and policies in both kernels")
{
	Pair p;
	uint64_t id = p.connect();
	CHECK(p.lab.wire == kDirectSetupWire);

	// The server reserved its inbound SPI at QM1 and installed at QM3; the
	// client at QM2. Our inbound SPI is the peer's outbound one. The server
	// answered the Quick Mode: its soft limit is at 95 % (saLifetime()).
	const std::string life = " life=bytes:0/0,packets:0/0,secs:3420/3600";
	CHECK(p.server->kernel.calls() ==
	      std::vector<std::string>{
	              "allocSpi 192.0.2.2->192.0.2.1 reqid=0x4c320000 -> spi=0xc0000001",
	              "addSa spi=0xc0000001 192.0.2.2->192.0.2.1 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=192.0.2.2/32->192.0.2.1/32 udp 1701->1701" +
	                      life + " (completes allocSpi)",
	              "addSa spi=0xc0000002 192.0.2.1->192.0.2.2 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=192.0.2.1/32->192.0.2.2/32 udp 1701->1701" +
	                      life,
	              "addPolicy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701 reqid=0x4c320000 transport "
	              "priority=1000",
	              "addPolicy in 192.0.2.2/32->192.0.2.1/32 udp 1701->1701 reqid=0x4c320000 transport "
	              "priority=1000"});
	// The client asked for the pair: it rekeys first, at 90 %.
	const std::string clientLife = " life=bytes:0/0,packets:0/0,secs:3240/3600";
	CHECK(p.client->kernel.calls() ==
	      std::vector<std::string>{
	              "allocSpi 192.0.2.1->192.0.2.2 reqid=0x4c320000 -> spi=0xc0000002",
	              "addSa spi=0xc0000002 192.0.2.1->192.0.2.2 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=192.0.2.1/32->192.0.2.2/32 udp 1701->1701" +
	                      clientLife + " (completes allocSpi)",
	              "addSa spi=0xc0000001 192.0.2.2->192.0.2.1 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=192.0.2.2/32->192.0.2.1/32 udp 1701->1701" +
	                      clientLife,
	              "addPolicy out 192.0.2.2/32->192.0.2.1/32 udp 1701->1701 reqid=0x4c320000 transport "
	              "priority=1000",
	              "addPolicy in 192.0.2.1/32->192.0.2.2/32 udp 1701->1701 reqid=0x4c320000 transport "
	              "priority=1000"});

	// Both ends derived the same KEYMAT for each direction (RFC 2409 §5.5):
	// 32-byte AES key + 4-byte salt, one per direction, no integrity key.
	for (uint32_t spi : {0xc0000001u, 0xc0000002u}) {
		const auto *s = findSa(p.server->kernel, spi);
		const auto *c = findSa(p.client->kernel, spi);
		REQUIRE(s);
		REQUIRE(c);
		CHECK(s->params.keys.encryptionKey.size() == 36);
		CHECK(s->params.keys.encryptionKey == c->params.keys.encryptionKey);
		CHECK(s->params.keys.integrityKey.empty());
		CHECK(s->params.replayWindow == (s->id.dst == p.server->address ? 32 : 0));
	}
	CHECK(findSa(p.server->kernel, 0xc0000001)->params.keys.encryptionKey !=
	      findSa(p.server->kernel, 0xc0000002)->params.keys.encryptionKey);

	CHECK(p.server->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-up in=0xc0000001 out=0xc0000002"});
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-up " + std::to_string(id), "child-up in=0xc0000002 out=0xc0000001"});
	auto sas = p.server->engine.ikeSas();
	REQUIRE(sas.size() == 1);
	CHECK(sas[0].established);
	CHECK_FALSE(sas[0].initiator);
	CHECK(sas[0].suite == "aes128-sha256-ecp256");
	CHECK(sas[0].peerId == "192.0.2.2");
	CHECK(sas[0].peer == Endpoint{ip("192.0.2.2"), 500});
	CHECK_FALSE(sas[0].natLocal);
	CHECK_FALSE(sas[0].natPeer);
	CHECK(sas[0].dpd);
	CHECK(sas[0].lifetime == 8h);
	auto children = p.server->engine.childSas();
	REQUIRE(children.size() == 1);
	CHECK(children[0].suite == "aes256gcm16");
	CHECK_FALSE(children[0].natT);
	CHECK(children[0].flow == kernel::Selector{ip("192.0.2.1"), ip("192.0.2.2"), 32, 32, 17, 1701, 1701});
	CHECK(p.client->engine.childSas().at(0).flow ==
	      kernel::Selector{ip("192.0.2.2"), ip("192.0.2.1"), 32, 32, 17, 1701, 1701});
	CHECK(p.server->engine.halfOpenCount() == 0);
}

TEST_CASE("a Windows-like client: ESP aes256-sha1 with HMAC keys, and the server's RESPONDER-LIFETIME is obeyed")
{
	IkeEngineConfig server = labConfig();
	server.saLifetime = 1800s;
	IkeEngineConfig client = labConfig();
	client.proposals.ike = {*ikeSuiteFromSpelling("aes256-sha1-modp2048"),
	                        *ikeSuiteFromSpelling("3des-sha1-modp1024")};
	client.proposals.esp = {*espSuiteFromSpelling("aes256-sha1"), *espSuiteFromSpelling("3des-sha1")};
	Pair p(server, client);
	LogCapture logs;
	p.connect();
	CHECK(logs.has("192.0.2.2:500: Main Mode offer: aes256-sha1-modp2048/psk/28800s, "
	               "3des-sha1-modp1024/psk/28800s; vendor ids: NAT-T (RFC 3947), draft-ietf-ipsec-nat-t-ike-03, "
	               "draft-ietf-ipsec-nat-t-ike-02\\n, draft-ietf-ipsec-nat-t-ike-02, DPD (RFC 3706)"));
	CHECK(logs.has("Quick Mode offer: aes256-sha1/transport/3600s, 3des-sha1/transport/3600s"));
	CHECK(logs.has("RESPONDER-LIFETIME 1800 s"));
	for (uint32_t spi : {0xc0000001u, 0xc0000002u}) {
		const auto *s = findSa(p.server->kernel, spi);
		const auto *c = findSa(p.client->kernel, spi);
		REQUIRE(s);
		REQUIRE(c);
		CHECK(s->params.keys.cipher == kernel::EspCipher::AesCbc);
		CHECK(s->params.keys.integrity == kernel::EspIntegrity::HmacSha1_96);
		CHECK(s->params.keys.encryptionKey.size() == 32);
		CHECK(s->params.keys.integrityKey.size() == 20);
		CHECK(s->params.keys.encryptionKey == c->params.keys.encryptionKey);
		CHECK(s->params.keys.integrityKey == c->params.keys.integrityKey);
		CHECK(s->params.lifetime.hardAdd == 1800s);
		CHECK(c->params.lifetime.hardAdd == 1800s);
	}
	CHECK(p.server->engine.ikeSas().at(0).suite == "aes256-sha1-modp2048");
}

TEST_CASE("NAT-T: the client behind a NAT; NAT-D tells, both float to 4500, ESP in UDP with the NAT's port")
{
	Pair p(labConfig(), labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	LogCapture logs;
	p.connect();
	CHECK(p.lab.wire == std::vector<std::string>{
	                            "198.51.100.7:30000>192.0.2.1:500 MM-SA", "192.0.2.1:500>198.51.100.7:30000 MM-SA",
	                            "198.51.100.7:30000>192.0.2.1:500 MM-KE", "192.0.2.1:500>198.51.100.7:30000 MM-KE",
	                            "198.51.100.7:30001>192.0.2.1:4500 MM*", "192.0.2.1:4500>198.51.100.7:30001 MM*",
	                            "198.51.100.7:30001>192.0.2.1:4500 QM*", "192.0.2.1:4500>198.51.100.7:30001 QM*",
	                            "198.51.100.7:30001>192.0.2.1:4500 QM*"});
	// The server sees the NAT in MM3, before the client floats.
	checkBehindNat(p, logs, 30000);

	// The server's SAs are with the NAT's address, ESP in UDP from its port;
	// NAT-OA gives the client's own address. The flow is the public one. The
	// server answered the Quick Mode: its soft limit is at 95 %.
	const std::string life = " life=bytes:0/0,packets:0/0,secs:3420/3600";
	const std::string policy = " transport priority=1000";
	CHECK(p.server->kernel.calls() ==
	      std::vector<std::string>{
	              "allocSpi 198.51.100.7->192.0.2.1 reqid=0x4c320000 -> spi=0xc0000001",
	              "addSa spi=0xc0000001 198.51.100.7->192.0.2.1 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=198.51.100.7/32->192.0.2.1/32 udp 1701->1701 encap=30001->4500" +
	                      life + " (completes allocSpi)",
	              "addSa spi=0xc0000002 192.0.2.1->198.51.100.7 reqid=0x4c320000 transport rfc4106(gcm(aes)) "
	              "sel=192.0.2.1/32->198.51.100.7/32 udp 1701->1701 encap=4500->30001" +
	                      life,
	              "addPolicy out 192.0.2.1/32->198.51.100.7/32 udp 1701->1701 reqid=0x4c320000" + policy,
	              "addPolicy in 198.51.100.7/32->192.0.2.1/32 udp 1701->1701 reqid=0x4c320000" + policy});
	const auto *in = findSa(p.server->kernel, 0xc0000001);
	REQUIRE(in);
	REQUIRE(in->params.encap);
	CHECK(in->params.encap->originalAddress == ip("10.0.0.2"));
	// The client's, between its own address and the server's, 4500 to 4500.
	const auto *cin = findSa(p.client->kernel, 0xc0000002);
	REQUIRE(cin);
	CHECK(cin->id == kernel::SaId{ip("192.0.2.1"), ip("10.0.0.2"), 0xc0000002, 0, 0});
	REQUIRE(cin->params.encap);
	CHECK(cin->params.encap->srcPort == 4500);
	CHECK(cin->params.encap->dstPort == 4500);
	CHECK(cin->params.selector == kernel::Selector{ip("192.0.2.1"), ip("10.0.0.2"), 32, 32, 17, 1701, 1701});
	CHECK(cin->params.keys.encryptionKey == findSa(p.server->kernel, 0xc0000002)->params.keys.encryptionKey);
	CHECK(p.server->engine.childSas().at(0).natT);
	CHECK(p.server->engine.childSas().at(0).natOa == ip("10.0.0.2"));

	// RFC 3948 §4: the client behind the NAT keeps its mapping open.
	p.lab.wire.clear();
	p.lab.advance(21s);
	CHECK(p.lab.wire == std::vector<std::string>{"198.51.100.7:30001>192.0.2.1:4500 keepalive"});
}

TEST_CASE("strongSwan's Main Mode 1 is answered with an MM2 that takes one of its proposals")
{
	Lab lab;
	auto server = lab.host("127.0.0.2", labConfig(), 1);
	LogCapture logs;
	server->engine.onDatagram(IkeSocket::Ike, Endpoint{ip("127.0.0.2"), 500}, Endpoint{ip("127.0.0.1"), 10500},
	                          capture::kMainMode1, lab.now);
	REQUIRE(lab.net.queue().size() == 1);
	const FakeIkeNetwork::Datagram &mm2 = lab.net.queue().front();
	CHECK(mm2.to == Endpoint{ip("127.0.0.1"), 10500});
	auto m = parseMessage(mm2.bytes);
	REQUIRE(m);
	auto theirs = parseMessage(capture::kMainMode1);
	REQUIRE(theirs);
	CHECK(m->header.initiatorCookie == theirs->header.initiatorCookie);
	CHECK(m->header.responderCookie != Cookie{});
	CHECK(m->header.exchange == ExchangeType::IdentityProtection);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	REQUIRE(chain->size() == 3);
	// The SA is byte for byte the one charon answered itself with.
	auto charonMm2 = parseMessage(capture::kMainMode2);
	REQUIRE(charonMm2);
	auto charonChain = parsePayloadChain(charonMm2->header.nextPayload, charonMm2->body);
	REQUIRE(charonChain);
	CHECK(chain->at(0).type == PayloadType::SecurityAssociation);
	CHECK(std::vector<uint8_t>(chain->at(0).body.begin(), chain->at(0).body.end()) ==
	      std::vector<uint8_t>(charonChain->at(0).body.begin(), charonChain->at(0).body.end()));
	CHECK(recogniseVendorId(chain->at(1).body) == KnownVendorId::NatTRfc3947);
	CHECK(recogniseVendorId(chain->at(2).body) == KnownVendorId::Dpd);
	CHECK(logs.has("127.0.0.1:10500: Main Mode offer: aes256-sha1-modp2048/psk/95040s, aes128-sha1-modp1024/psk/"
	               "95040s, 3des-sha1-modp1024/psk/95040s; vendor ids: "));
	CHECK(logs.has("127.0.0.1:10500: chose aes256-sha1-modp2048 (28800 s)"));
	CHECK(server->engine.halfOpenCount() == 1);
}

TEST_CASE("INITIAL-CONTACT: a client that rebooted replaces its old ISAKMP SA and IPsec SAs")
{
	Pair p;
	p.connect();
	REQUIRE(p.server->kernel.sas().size() == 2);
	p.lab.kill(*p.client);
	auto reborn = p.lab.host(
	        "192.0.2.2",
	        [] {
		        IkeEngineConfig c = labConfig();
		        c.acceptPeers = false;
		        return c;
	        }(),
	        77);
	p.server->kernel.clearCalls();
	p.server->observer.events.clear();
	LogCapture logs;
	auto id = reborn->engine.connect(ConnectRequest{reborn->address, p.server->address}, p.lab.now);
	REQUIRE(id);
	p.lab.settle();
	CHECK(logs.has("INITIAL-CONTACT: removing ISAKMP SA 1 and its IPsec SAs"));
	CHECK(p.server->observer.events ==
	      std::vector<std::string>{"ike-up 2", "child-down in=0xc0000001: replaced (INITIAL-CONTACT from the peer)",
	                               "ike-down 1: replaced (INITIAL-CONTACT from the peer)",
	                               "child-up in=0xc0000002 out=0xc0000001"});
	CHECK(ops(p.server->kernel) == std::vector<Op>{Op::DeleteSa, Op::DeleteSa, Op::DeletePolicy, Op::DeletePolicy,
	                                               Op::AllocSpi, Op::AddSa, Op::AddSa, Op::AddPolicy,
	                                               Op::AddPolicy});
	CHECK(p.server->kernel.installedSpis() == std::vector<uint32_t>{0xc0000002, 0xc0000001});
	CHECK(p.server->engine.saCount() == 1);
}

TEST_CASE("two clients behind one NAT, kernel before 6.10: the second L2TP flow from port 1701 is refused, an "
          "ephemeral port is not")
{
	Lab lab;
	auto server = lab.host("192.0.2.1", labConfig(), 1);
	IkeEngineConfig cc = labConfig();
	cc.acceptPeers = false;
	auto a = lab.host("10.0.0.2", cc, 2);
	auto b = lab.host("10.0.0.3", cc, 3);
	auto c = lab.host("10.0.0.4", cc, 4);
	lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	lab.net.addNat(ip("10.0.0.3"), ip("198.51.100.7"), 31000);
	lab.net.addNat(ip("10.0.0.4"), ip("198.51.100.7"), 32000);
	// Real SPIs are random; these fakes count from one start, and the server
	// tells SAs to one NAT address apart by SPI alone.
	burnSpi(b->kernel);
	burnSpi(c->kernel);
	burnSpi(c->kernel);
	LogCapture logs;
	REQUIRE(a->engine.connect(ConnectRequest{a->address, server->address}, lab.now));
	lab.settle();
	REQUIRE(b->engine.connect(ConnectRequest{b->address, server->address}, lab.now));
	lab.settle();
	ChildRequest mac;
	mac.localPort = 50000; // macOS/iOS: an ephemeral L2TP port
	REQUIRE(c->engine.connect(ConnectRequest{c->address, server->address, mac}, lab.now));
	lab.settle();
	CHECK(a->observer.events.size() == 2);
	CHECK(b->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-failed 1: the peer answered INVALID-ID-INFORMATION"});
	CHECK(logs.has("Quick Mode refused: the flow is already protected for peer 198.51.100.7:30001, another "
	               "client behind the same NAT: several clients behind one NAT need Linux 6.10 or later"));
	REQUIRE(c->observer.childUps.size() == 1);
	auto flows = server->engine.childSas();
	REQUIRE(flows.size() == 2);
	CHECK(flows[0].flow.dstPort == 1701);
	CHECK(flows[1].flow.dstPort == 50000);
	CHECK(server->kernel.policies().size() == 4);
	// The refused one reserved nothing in the server's kernel.
	CHECK(server->kernel.sas().size() == 4);
}

TEST_CASE("two clients behind one NAT, kernel 6.10 or later: the second one's pair is marked")
{
	Lab lab;
	IkeEngineConfig sc = labConfig();
	sc.shareNatFlows = true;
	auto server = lab.host("192.0.2.1", sc, 1);
	IkeEngineConfig cc = labConfig();
	cc.acceptPeers = false;
	auto a = lab.host("10.0.0.2", cc, 2);
	auto b = lab.host("10.0.0.3", cc, 3);
	lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	lab.net.addNat(ip("10.0.0.3"), ip("198.51.100.7"), 31000);
	burnSpi(b->kernel);
	REQUIRE(a->engine.connect(ConnectRequest{a->address, server->address}, lab.now));
	lab.settle();
	REQUIRE(b->engine.connect(ConnectRequest{b->address, server->address}, lab.now));
	lab.settle();
	REQUIRE(a->observer.childUps.size() == 1);
	REQUIRE(b->observer.childUps.size() == 1);
	auto pairs = server->engine.childSas();
	REQUIRE(pairs.size() == 2);
	CHECK(pairs[0].flow == pairs[1].flow); // one selector: the NAT's address, 1701 both ends
	CHECK(pairs[0].mark == 0);
	CHECK(pairs[1].mark == pairs[1].reqid);
	CHECK(pairs[1].reqid != pairs[0].reqid);
	// Each client's L2TP is found by its mark.
	auto first = server->engine.childSaCovering(ip("198.51.100.7"), 1701, 0);
	auto second = server->engine.childSaCovering(ip("198.51.100.7"), 1701, pairs[1].mark);
	REQUIRE(first);
	REQUIRE(second);
	CHECK(first->inboundSpi == pairs[0].inboundSpi);
	CHECK(second->inboundSpi == pairs[1].inboundSpi);
	CHECK_FALSE(server->engine.childSaCovering(ip("198.51.100.7"), 1701, pairs[1].mark + 1));
	CHECK(server->kernel.policies().size() == 4);
	// The clients' own kernels know nothing of marks.
	for (const auto &sa : a->kernel.sas())
		CHECK(sa.params.setMark == 0);
	size_t marked = 0;
	for (const auto &sa : server->kernel.sas())
		marked += sa.params.setMark == pairs[1].mark ? 1 : 0;
	CHECK(marked == 1); // the second client's inbound SA
	// The first client leaves: the second keeps its pair and policies.
	REQUIRE(a->engine.closeSa(1, "test", lab.now));
	lab.settle();
	CHECK(server->engine.childSas().size() == 1);
	CHECK(server->engine.childSaCovering(ip("198.51.100.7"), 1701, pairs[1].mark));
	CHECK(server->kernel.policies().size() == 4);
}

TEST_CASE("a pre-RFC client (draft NAT-T only): NAT-D type 130, mode 61444, NAT-OA type 131")
{
	Pair p(labConfig(), labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	dropRfc3947VendorId(p.lab, "198.51.100.7:30000>192.0.2.1:500 MM-SA");
	LogCapture logs;
	p.connect();
	CHECK(logs.has("Main Mode 2 chose aes128-sha256-ecp256; vendor ids: draft-ietf-ipsec-nat-t-ike-03, DPD"));
	CHECK(logs.has("Quick Mode offer: aes256gcm16/udp-transport-draft/3600s"));
	// MM3 carries the draft's NAT-D payloads.
	auto mm3 = parseMessage(p.lab.datagrams.at(2).bytes);
	REQUIRE(mm3);
	auto chain = parsePayloadChain(mm3->header.nextPayload, mm3->body);
	REQUIRE(chain);
	REQUIRE(chain->size() == 4);
	CHECK(chain->at(2).type == PayloadType::NatDDraft);
	CHECK(chain->at(3).type == PayloadType::NatDDraft);
	REQUIRE(p.server->observer.childUps.size() == 1);
	CHECK(p.server->observer.childUps[0].natT);
	CHECK(p.server->observer.childUps[0].natOa == ip("10.0.0.2"));
	const auto *in = findSa(p.server->kernel, 0xc0000001);
	REQUIRE(in);
	REQUIRE(in->params.encap);
	CHECK(in->params.encap->srcPort == 30001);
	CHECK(p.client->observer.childUps.size() == 1);
}

TEST_CASE("a second Quick Mode for the same flow overlaps the first: one reqid, the policies added once")
{
	Pair p;
	p.connect();
	auto again = p.client->engine.connect(ConnectRequest{p.client->address, p.server->address}, p.lab.now);
	REQUIRE(again);
	CHECK(*again == 1); // the same ISAKMP SA, only a Quick Mode
	p.lab.settle();
	CHECK(ops(p.server->kernel) == std::vector<Op>{Op::AllocSpi, Op::AddSa, Op::AddSa, Op::AddPolicy, Op::AddPolicy,
	                                               Op::AllocSpi, Op::AddSa, Op::AddSa});
	for (const auto &sa : p.server->kernel.sas())
		CHECK(sa.params.reqid == 0x4c320000);
	CHECK(p.server->engine.childSas().size() == 2);
	CHECK(p.client->engine.childSas().size() == 2);

	p.server->kernel.clearCalls();
	REQUIRE(p.client->engine.closeSa(1, "user request", p.lab.now));
	p.lab.settle();
	CHECK(ops(p.server->kernel) == std::vector<Op>{Op::DeleteSa, Op::DeleteSa, Op::DeleteSa, Op::DeleteSa,
	                                               Op::DeletePolicy, Op::DeletePolicy});
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.server->kernel.policies().empty());
}

TEST_CASE("the ISAKMP SA's lifetime: when ours runs out, the SA and its IPsec SAs go, with Deletes to the peer")
{
	IkeEngineConfig server = labConfig();
	server.ikeLifetime = 1h;
	Pair p(server);
	p.connect();
	// The server's re-authentication (test_ike_reauth.cpp) gets lost on the way.
	p.lab.tamper = [&lab = p.lab](FakeIkeNetwork::Datagram &) { return lab.wire.back().ends_with(" MM-SA"); };
	CHECK(p.server->engine.ikeSas().at(0).lifetime == 1h);
	CHECK(p.client->engine.ikeSas().at(0).lifetime == 8h);
	p.lab.advance(59min);
	CHECK(p.server->engine.saCount() == 1);
	p.lab.advance(2min);
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.client->engine.saCount() == 0);
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.server->observer.events.back() == "ike-down 1: ISAKMP SA lifetime expired");
	CHECK(p.client->observer.events.back() == "ike-down 1: deleted by the peer");
}

TEST_CASE("re-authentication: the new ISAKMP SA takes over the IPsec SAs on both ends and the old one is deleted")
{
	Lab lab;
	auto server = lab.host("192.0.2.1", labConfig(), 1);
	auto client = lab.host("192.0.2.2", labConfig(), 2);
	burnSpi(client->kernel);
	REQUIRE(client->engine.connect(ConnectRequest{client->address, server->address}, lab.now));
	lab.settle();
	REQUIRE(server->engine.childSas().size() == 1);
	server->kernel.clearCalls();
	client->kernel.clearCalls();
	// A second Main Mode between the two, from the server's side this time;
	// no INITIAL-CONTACT (each side has an SA with the other).
	LogCapture logs;
	auto second =
	        server->engine.connect(ConnectRequest{server->address, client->address, std::nullopt, true}, lab.now);
	REQUIRE(second);
	lab.settle();
	CHECK(logs.has("192.0.2.2:500: ISAKMP SA 2 takes over the IPsec SAs of ISAKMP SA 1"));
	CHECK(logs.has("192.0.2.1:500: ISAKMP SA 2 takes over the IPsec SAs of ISAKMP SA 1"));
	// The old one stays a while, so that a peer that adopts the IPsec SAs
	// later (charon, in a job) has them when its Delete comes.
	CHECK(server->engine.ikeSas().size() == 2);
	CHECK(server->engine.childSas().at(0).ikeSaId == 2);
	lab.advance(IkeEngine::kReauthHandover - 1s);
	CHECK(server->engine.ikeSas().size() == 2);
	CHECK(client->engine.ikeSas().size() == 2);
	lab.advance(1s);
	CHECK(server->observer.events.back() == "ike-down 1: re-authenticated as ISAKMP SA 2");
	CHECK(client->observer.events.back() == "ike-down 1: deleted by the peer");
	for (Host *h : {server.get(), client.get()}) {
		REQUIRE(h->engine.ikeSas().size() == 1);
		CHECK(h->engine.ikeSas()[0].id == 2);
		REQUIRE(h->engine.childSas().size() == 1);
		CHECK(h->engine.childSas()[0].ikeSaId == 2);
		CHECK(h->kernel.calls().empty()); // the IPsec SAs were never touched
		CHECK(h->kernel.sas().size() == 2);
	}
	// They now hang off the new ISAKMP SA: its Delete takes them.
	REQUIRE(client->engine.closeSa(2, "user request", lab.now));
	lab.settle();
	CHECK(server->kernel.sas().empty());
	CHECK(client->kernel.sas().empty());
}

TEST_CASE("kernel expiry: soft makes the initiator rekey (the pairs overlap), hard removes the old pair on both ends")
{
	Pair p;
	p.connect();
	p.lab.advance(10s);
	p.client->engine.onSaExpired(0xc0000002, false, p.lab.now);
	p.client->engine.onSaExpired(0xc0000001, false, p.lab.now); // the pair's other SA: no second rekey
	p.lab.settle();
	REQUIRE(p.server->engine.childSas().size() == 2);
	REQUIRE(p.client->engine.childSas().size() == 2);
	CHECK(p.server->kernel.policies().size() == 2);
	// The server's soft expiry of the old pair comes later: the client has
	// rekeyed it already, so the server does not again.
	p.server->engine.onSaExpired(0xc0000001, false, p.lab.now);
	p.lab.settle();
	CHECK(p.server->engine.childSas().size() == 2);
	CHECK(p.client->engine.childSas().size() == 2);
	// The old pair's hard expiry on the client (the kernel deleted the SA
	// first): it goes there and, by Delete, on the server.
	p.server->kernel.clearCalls();
	REQUIRE(findSa(p.client->kernel, 0xc0000002));
	REQUIRE(p.client->kernel.deleteSa(findSa(p.client->kernel, 0xc0000002)->id));
	p.client->engine.onSaExpired(0xc0000002, true, p.lab.now);
	p.lab.settle();
	CHECK(p.client->engine.childSas().size() == 1);
	CHECK(p.server->engine.childSas().size() == 1);
	CHECK(p.server->kernel.calls() == std::vector<std::string>{"deleteSa spi=0xc0000001 192.0.2.2->192.0.2.1",
	                                                           "deleteSa spi=0xc0000002 192.0.2.1->192.0.2.2"});
	CHECK(p.server->kernel.policies().size() == 2);
	CHECK(p.server->kernel.sas().size() == 2);
	CHECK(p.client->observer.events.back() == "child-down in=0xc0000002: lifetime expired");
}

TEST_CASE("a hard expiry of an SPI whose SA the kernel still holds leaves the pair (a larval state ran out)")
{
	// The SPI's allocation outlived net.core.xfrm_acq_expires: the dataplane
	// added the SA afresh under the same SPI, and the kernel's expiry of the
	// larval state arrives after it.
	Pair p;
	LogCapture logs;
	p.connect();
	REQUIRE(findSa(p.server->kernel, 0xc0000001));
	p.server->kernel.clearCalls();
	p.server->engine.onSaExpired(0xc0000001, true, p.lab.now);
	p.lab.settle();
	CHECK(p.server->engine.childSas().size() == 1);
	CHECK(p.client->engine.childSas().size() == 1);
	for (const std::string &call : p.server->kernel.calls())
		CHECK(!call.starts_with("deleteSa"));
	CHECK(p.server->kernel.sas().size() == 2);
	CHECK(logs.has("hard expiry of SPI 0xc0000001 ignored: the kernel still holds the SA"));
	// Once the kernel has deleted it, the same expiry takes the pair on both ends.
	REQUIRE(p.server->kernel.deleteSa(findSa(p.server->kernel, 0xc0000001)->id));
	p.server->engine.onSaExpired(0xc0000001, true, p.lab.now);
	p.lab.settle();
	CHECK(p.server->engine.childSas().empty());
	CHECK(p.client->engine.childSas().empty());
}

TEST_CASE("the server rekeys a pair the client let run to its soft limit (a shorter lifetime of ours)")
{
	// The client asks for an hour; the server allows a minute and says so
	// (RESPONDER-LIFETIME), but a client may keep its own hour in mind.
	IkeEngineConfig server = labConfig();
	server.saLifetime = 60s;
	Pair p(server);
	LogCapture logs;
	p.connect();
	// The server answered the Quick Mode: its soft limit leaves the client
	// the first go (55 s of 60: 5 s before the end), the client's is at 90 %.
	const auto *in = findSa(p.server->kernel, 0xc0000001);
	REQUIRE(in);
	CHECK(in->params.lifetime.softAdd == 55s);
	CHECK(in->params.lifetime.hardAdd == 60s);
	p.lab.advance(55s);
	p.server->engine.onSaExpired(0xc0000001, false, p.lab.now);
	p.server->engine.onSaExpired(0xc0000002, false, p.lab.now); // the other SA of the pair
	p.lab.settle();
	CHECK(logs.has("peer 192.0.2.2:500: rekeying IPsec SA in 0xc0000001"));
	REQUIRE(p.server->engine.childSas().size() == 2);
	REQUIRE(p.client->engine.childSas().size() == 2);
	// The new pair is the server's Quick Mode: it names the client's port
	// 1701 and its own, as the first pair did, under the same policies.
	const ChildSaInfo fresh = p.server->engine.childSas().back();
	CHECK(fresh.flow == p.server->engine.childSas().front().flow);
	CHECK(fresh.reqid == p.server->engine.childSas().front().reqid);
	CHECK(p.server->kernel.policies().size() == 2);
	CHECK(p.client->kernel.policies().size() == 2);
	// Now the server asked for the pair: its own soft limit is at 90 %.
	// (By its whole id: the fake kernel gave the old outbound SA the same SPI.)
	const kernel::FakeIpsecDataplane::Sa *freshIn = nullptr;
	for (const auto &sa : p.server->kernel.sas())
		if (sa.id == kernel::SaId{ip("192.0.2.2"), ip("192.0.2.1"), fresh.inboundSpi, 0, 0})
			freshIn = &sa;
	REQUIRE(freshIn);
	CHECK(freshIn->params.lifetime.softAdd == 54s);
	// The old pair runs out on the server; both ends are left with the new one.
	REQUIRE(p.server->kernel.deleteSa(kernel::SaId{ip("192.0.2.2"), ip("192.0.2.1"), 0xc0000001, 0, 0}));
	p.server->engine.onSaExpired(0xc0000001, true, p.lab.now);
	p.lab.settle();
	CHECK(p.server->engine.childSas().size() == 1);
	CHECK(p.client->engine.childSas().size() == 1);
	CHECK(p.server->engine.childSas().at(0).inboundSpi == fresh.inboundSpi);
	CHECK(p.server->kernel.sas().size() == 2);
	CHECK(p.client->kernel.sas().size() == 2);
}

TEST_CASE("the server's rekey of a NATed client's pair names the client by its own address (NAT-OA)")
{
	Pair p(labConfig(), labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	p.connect();
	p.lab.advance(10s);
	p.lab.wire.clear();
	p.server->engine.onSaExpired(0xc0000001, false, p.lab.now);
	p.lab.settle();
	CHECK(p.lab.wire == std::vector<std::string>{"192.0.2.1:4500>198.51.100.7:30001 QM*",
	                                             "198.51.100.7:30001>192.0.2.1:4500 QM*",
	                                             "192.0.2.1:4500>198.51.100.7:30001 QM*"});
	REQUIRE(p.server->engine.childSas().size() == 2);
	REQUIRE(p.client->engine.childSas().size() == 2);
	// The client took the server's IDcr as its own address: its new pair is
	// between 10.0.0.2 and the server, as the first one, ESP in UDP.
	const ChildSaInfo fresh = p.client->engine.childSas().back();
	CHECK(fresh.flow == kernel::Selector{ip("10.0.0.2"), ip("192.0.2.1"), 32, 32, 17, 1701, 1701});
	CHECK(fresh.natT);
	CHECK(p.server->engine.childSas().back().natOa == ip("10.0.0.2"));
}

TEST_CASE("Quick Mode with PFS (a KE in QM1 and QM2) and a client that names port 0 (any)")
{
	IkeEngineConfig server = labConfig();
	server.proposals.esp = {*espSuiteFromSpelling("aes128-sha1"), *espSuiteFromSpelling("aes128-sha256-ecp256")};
	IkeEngineConfig client = labConfig();
	client.proposals.esp = {*espSuiteFromSpelling("aes128-sha256-ecp256")};
	Pair p(server, client);
	LogCapture logs;
	p.connect(0);
	CHECK(logs.has("Quick Mode offer: aes128-sha256-ecp256/transport/3600s"));
	REQUIRE(p.server->observer.childUps.size() == 1);
	CHECK(p.server->observer.childUps[0].suite == "aes128-sha256-ecp256");
	CHECK(p.server->observer.childUps[0].flow ==
	      kernel::Selector{ip("192.0.2.1"), ip("192.0.2.2"), 32, 32, 17, 1701, 0});
	for (uint32_t spi : {0xc0000001u, 0xc0000002u}) {
		const auto *s = findSa(p.server->kernel, spi);
		const auto *c = findSa(p.client->kernel, spi);
		REQUIRE(s);
		REQUIRE(c);
		CHECK(s->params.keys.integrity == kernel::EspIntegrity::HmacSha256_128);
		CHECK(s->params.keys.encryptionKey == c->params.keys.encryptionKey);
		CHECK(s->params.keys.integrityKey == c->params.keys.integrityKey);
	}
	CHECK(p.client->observer.childUps.size() == 1);
}
