// A server behind a 1:1 NAT (a cloud's public address) answering a client
// that dials the public address: the NAT-D of Main Mode 4 as Windows reads
// them. Windows refuses a server they show behind a NAT (error 809);
// [ike] conceal_server_nat answers a Microsoft client (its MS NT5
// ISAKMPOAKLEY vendor id) so that only the client looks NATed, and leaves
// everyone else with RFC 3947's answer.
#include "ike/nat_detection.h"
#include "ike_lab.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

constexpr const char *kServerPrivate = "10.1.0.1";
constexpr const char *kServerPublic = "203.0.113.1";
constexpr const char *kWindowsClient = "192.0.2.2";

/// The client's MM1 (the datagram Lab::wire names `mm1`) gains Windows' MS
/// NT5 ISAKMPOAKLEY vendor id on the way.
void addMicrosoftVendorId(Lab &lab, std::string mm1)
{
	rewriteVendorIds(lab, std::move(mm1), std::nullopt, KnownVendorId::MsNt5IsakmpOakley);
}

/// The server at 10.1.0.1 behind a 1:1 NAT as 203.0.113.1; a client at
/// 192.0.2.2 (not behind one) connects to the public address.
struct NatedServer {
	Lab lab;
	LogCapture logs; ///< from before connect()
	std::unique_ptr<Host> server, client;
	explicit NatedServer(bool conceal, bool microsoft)
	{
		IkeEngineConfig s = labConfig();
		s.concealServerNat = conceal;
		IkeEngineConfig c = labConfig();
		c.acceptPeers = false;
		server = lab.host(kServerPrivate, std::move(s), 1);
		client = lab.host(kWindowsClient, std::move(c), 2);
		burnSpi(client->kernel);
		lab.net.addOneToOneNat(ip(kServerPrivate), ip(kServerPublic));
		if (microsoft)
			addMicrosoftVendorId(lab, std::string(kWindowsClient) + ":500>" + kServerPublic + ":500 MM-SA");
	}
	void connect()
	{
		auto id = client->engine.connect(ConnectRequest{client->address, ip(kServerPublic), ChildRequest{}},
		                                 lab.now);
		REQUIRE(id);
		lab.settle();
	}
	/// The NAT-D payloads of the server's Main Mode 4 and the hashes a
	/// client computes over them (RFC 3947 §3.2, SHA-256: the suite the lab
	/// negotiates).
	struct Mm4NatD {
		std::vector<std::vector<uint8_t>> natd;
		std::vector<uint8_t> dialled, client, server;
	};
	Mm4NatD mm4() const
	{
		auto mm4 = sent(lab, std::string(kServerPublic) + ":500>" + kWindowsClient + ":500 MM-KE");
		REQUIRE(mm4.size() == 1);
		auto m = parseMessage(mm4[0]);
		REQUIRE(m);
		auto chain = parsePayloadChain(m->header.nextPayload, m->body);
		REQUIRE(chain);
		Mm4NatD out;
		for (const RawPayload &raw : *chain)
			if (raw.type == PayloadType::NatD)
				out.natd.emplace_back(raw.body.begin(), raw.body.end());
		const Header &h = m->header;
		out.dialled = natDetectionHash(crypto::HashAlgorithm::Sha256, h.initiatorCookie, h.responderCookie,
		                               ip(kServerPublic), 500);
		out.client = natDetectionHash(crypto::HashAlgorithm::Sha256, h.initiatorCookie, h.responderCookie,
		                              ip(kWindowsClient), 500);
		out.server = natDetectionHash(crypto::HashAlgorithm::Sha256, h.initiatorCookie, h.responderCookie,
		                              ip(kServerPrivate), 500);
		return out;
	}
	/// RFC 3947's answer: the client sees itself where it is, the server
	/// behind a NAT (what Windows refuses).
	void checkRfc3947Answer() const
	{
		auto natd = mm4();
		REQUIRE(natd.natd.size() == 2);
		CHECK(natd.natd[0] == natd.client);
		CHECK(natd.natd[1] == natd.server);
		IkeSaInfo c = client->engine.ikeSas().at(0);
		CHECK_FALSE(c.natLocal);
		CHECK(c.natPeer);
	}
	/// Both ends up, ESP in UDP on 4500 (the server knows its NAT).
	void checkUpInUdp() const
	{
		REQUIRE(server->observer.childUps.size() == 1);
		REQUIRE(client->observer.childUps.size() == 1);
		CHECK(server->observer.childUps[0].natT);
		CHECK(client->observer.childUps[0].natT);
		IkeSaInfo s = server->engine.ikeSas().at(0);
		CHECK(s.natLocal);
		CHECK(s.local == Endpoint{ip(kServerPrivate), 4500});
		CHECK(s.peer == Endpoint{ip(kWindowsClient), 4500});
	}
};

const std::string kRefusalWarning =
        "peer 192.0.2.2:500: a Microsoft client sees this server behind a NAT and refuses it "
        "(Windows error 809) unless it sets AssumeUDPEncapsulationContextOnSendRule=2, or "
        "[ike] conceal_server_nat = true";

} // namespace

TEST_CASE("conceal_server_nat: a Microsoft client finds the server where it dialled and itself behind a NAT")
{
	NatedServer n(true, true);
	n.connect();
	CHECK(n.logs.has("192.0.2.2:500: NAT detected (we are behind one)"));
	CHECK(n.logs.has("peer 192.0.2.2:500: our NAT concealed from a Microsoft client ([ike] conceal_server_nat)"));
	CHECK_FALSE(n.logs.has("error 809"));
	auto natd = n.mm4();
	REQUIRE(natd.natd.size() == 2);
	// Windows' check: one of the responder's own NAT-D is HASH(its address
	// as dialled | 500), so the server is not behind a NAT.
	CHECK(natd.natd[1] == natd.dialled);
	// The client's is not its own: it sees itself behind a NAT, floats to
	// 4500 and asks for ESP in UDP, which the server sends.
	CHECK(natd.natd[0] != natd.client);
	IkeSaInfo c = n.client->engine.ikeSas().at(0);
	CHECK(c.natLocal);
	CHECK_FALSE(c.natPeer);
	CHECK(c.peer == Endpoint{ip(kServerPublic), 4500});
	CHECK_FALSE(n.server->engine.ikeSas().at(0).natPeer);
	n.checkUpInUdp();
	const auto *in = findSa(n.server->kernel, 0xc0000001);
	REQUIRE(in);
	REQUIRE(in->params.encap);
	CHECK(in->params.encap->srcPort == 4500);
	CHECK(in->params.encap->dstPort == 4500);
}

TEST_CASE("conceal_server_nat: a client without Microsoft's vendor id gets RFC 3947's NAT-D")
{
	NatedServer n(true, false);
	n.connect();
	CHECK_FALSE(n.logs.has("concealed"));
	CHECK_FALSE(n.logs.has("error 809"));
	n.checkRfc3947Answer();
	n.checkUpInUdp();
}

TEST_CASE("conceal_server_nat off: a Microsoft client that finds the server behind a NAT is named in a warning")
{
	NatedServer n(false, true);
	n.connect();
	CHECK(n.logs.countOf(kRefusalWarning) == 1);
	CHECK_FALSE(n.logs.has("concealed"));
	n.checkRfc3947Answer();
}

TEST_CASE("conceal_server_nat: a server not behind a NAT answers a Microsoft client as RFC 3947 says")
{
	IkeEngineConfig server = labConfig();
	server.concealServerNat = true;
	Pair p(server);
	addMicrosoftVendorId(p.lab, "192.0.2.2:500>192.0.2.1:500 MM-SA");
	LogCapture logs;
	p.connect();
	CHECK(logs.has("vendor ids: NAT-T (RFC 3947)"));
	CHECK(logs.has("MS NT5 ISAKMPOAKLEY"));
	CHECK(p.lab.wire == kDirectSetupWire);
	CHECK_FALSE(logs.has("concealed"));
	CHECK_FALSE(logs.has("NAT detected"));
}
