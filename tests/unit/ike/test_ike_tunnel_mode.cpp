// Tunnel-mode ESP around the L2TP flow (RFC 2409 §5.5, RFC 2407 §4.5
// Encapsulation Mode 1; with NAT-T 3, RFC 3947 §5.1, or 61443, drafts):
// a LAC of this code asks for it, a server of this code takes it when
// [ike] tunnel_mode is "accept", and both kernels get tunnel-mode SAs with
// the inner flow as selector and policies whose templates carry the IKE
// endpoints as outer addresses.
#include "ike_lab.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

// The server's SAs: it answered the Quick Mode, its soft limit is at 95 %.
const std::string kLife = " life=bytes:0/0,packets:0/0,secs:3420/3600";

IkeEngineConfig tunnelServer(bool accept = true)
{
	IkeEngineConfig c = labConfig();
	c.acceptTunnelMode = accept;
	return c;
}

ChildRequest tunnelChild(uint8_t idPrefix = 0)
{
	ChildRequest c;
	c.mode = kernel::IpsecMode::Tunnel;
	c.idPrefix = idPrefix;
	return c;
}

kernel::PolicyParams tunnelPolicy(const char *src, const char *dst, uint32_t reqid = kernel::OwnedReqids{}.first)
{
	kernel::PolicyParams p;
	p.mode = kernel::IpsecMode::Tunnel;
	p.reqid = reqid;
	p.tunnelSrc = ip(src);
	p.tunnelDst = ip(dst);
	p.priority = kFlowPolicyPriority;
	return p;
}

/// The kernel holds just the OUT and the IN policy of the flow `out` (our
/// side's selector), with these parameters.
void checkPolicies(const kernel::FakeIpsecDataplane &k, const kernel::Selector &out, const kernel::PolicyParams &outP,
                   const kernel::PolicyParams &inP)
{
	const auto &pols = k.policies();
	REQUIRE(pols.size() == 2);
	CHECK(pols[0].id == kernel::PolicyId{out, kernel::PolicyDirection::Out, 0, 0});
	CHECK(pols[1].id == kernel::PolicyId{reversed(out), kernel::PolicyDirection::In, 0, 0});
	for (size_t i = 0; i < 2; i++) {
		const kernel::PolicyParams &want = i == 0 ? outP : inP;
		CHECK(pols[i].params.mode == want.mode);
		CHECK(pols[i].params.reqid == want.reqid);
		CHECK(pols[i].params.priority == want.priority);
		CHECK(pols[i].params.tunnelSrc == want.tunnelSrc);
		CHECK(pols[i].params.tunnelDst == want.tunnelDst);
	}
}

/// An installed SA's parameters other than the keys' values.
void checkSa(const Host &h, const kernel::SaId &id, const kernel::Selector &sel, std::optional<kernel::NatTEncap> encap)
{
	const auto *sa = findSa(h.kernel, id.spi);
	REQUIRE(sa);
	CHECK(sa->id == id);
	CHECK(sa->params.mode == kernel::IpsecMode::Tunnel);
	CHECK(sa->params.reqid == kernel::OwnedReqids{}.first);
	CHECK(sa->params.selector == sel);
	CHECK(sa->params.encap == encap);
	CHECK(sa->params.keys.cipher == kernel::EspCipher::AesGcm16);
	CHECK(sa->params.keys.encryptionKey.size() == 36);
	CHECK(sa->params.lifetime.hardAdd == 3600s);
	CHECK(sa->params.replayWindow == (id.dst == h.address ? 32 : 0));
}

} // namespace

TEST_CASE("tunnel mode: a LAC asks for it, a server with tunnel_mode accept takes it; tunnel SAs and templates")
{
	Pair p(tunnelServer(), labConfig());
	LogCapture logs;
	p.connect(tunnelChild());
	CHECK(p.lab.wire == kDirectSetupWire);
	CHECK(logs.has("peer 192.0.2.2:500: Quick Mode offer: aes256gcm16/tunnel/3600s"));
	CHECK(logs.has("chose aes256gcm16 (tunnel, 3600 s) for 192.0.2.2 proto 17 port 1701 <-> 192.0.2.1 proto 17 "
	               "port 1701"));
	CHECK(logs.has("IPsec SA up: SPI in 0xc0000001 out 0xc0000002, aes256gcm16, tunnel mode, 3600 s"));

	CHECK(p.server->kernel.calls() ==
	      std::vector<std::string>{
	              "allocSpi 192.0.2.2->192.0.2.1 reqid=0x4c320000 -> spi=0xc0000001",
	              "addSa spi=0xc0000001 192.0.2.2->192.0.2.1 reqid=0x4c320000 tunnel rfc4106(gcm(aes)) "
	              "sel=192.0.2.2/32->192.0.2.1/32 udp 1701->1701" +
	                      kLife + " (completes allocSpi)",
	              "addSa spi=0xc0000002 192.0.2.1->192.0.2.2 reqid=0x4c320000 tunnel rfc4106(gcm(aes)) "
	              "sel=192.0.2.1/32->192.0.2.2/32 udp 1701->1701" +
	                      kLife,
	              "addPolicy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701 reqid=0x4c320000 tunnel "
	              "192.0.2.1->192.0.2.2 priority=1000",
	              "addPolicy in 192.0.2.2/32->192.0.2.1/32 udp 1701->1701 reqid=0x4c320000 tunnel "
	              "192.0.2.2->192.0.2.1 priority=1000"});

	// The exact parameters, both ends: the inner flow as selector, no
	// NAT-T, the IKE endpoints as the templates' outer addresses.
	const kernel::Selector serverOut{ip("192.0.2.1"), ip("192.0.2.2"), 32, 32, 17, 1701, 1701};
	checkSa(*p.server, kernel::SaId{ip("192.0.2.2"), ip("192.0.2.1"), 0xc0000001, 0, 0}, reversed(serverOut),
	        std::nullopt);
	checkSa(*p.server, kernel::SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc0000002, 0, 0}, serverOut, std::nullopt);
	checkPolicies(p.server->kernel, serverOut, tunnelPolicy("192.0.2.1", "192.0.2.2"),
	              tunnelPolicy("192.0.2.2", "192.0.2.1"));
	checkSa(*p.client, kernel::SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc0000002, 0, 0}, serverOut, std::nullopt);
	checkSa(*p.client, kernel::SaId{ip("192.0.2.2"), ip("192.0.2.1"), 0xc0000001, 0, 0}, reversed(serverOut),
	        std::nullopt);
	checkPolicies(p.client->kernel, reversed(serverOut), tunnelPolicy("192.0.2.2", "192.0.2.1"),
	              tunnelPolicy("192.0.2.1", "192.0.2.2"));
	for (uint32_t spi : {0xc0000001u, 0xc0000002u})
		CHECK(findSa(p.server->kernel, spi)->params.keys.encryptionKey ==
		      findSa(p.client->kernel, spi)->params.keys.encryptionKey);

	auto children = p.server->engine.childSas();
	REQUIRE(children.size() == 1);
	CHECK(children[0].mode == kernel::IpsecMode::Tunnel);
	CHECK(children[0].flow == serverOut);
	CHECK_FALSE(children[0].natT);
	CHECK(p.client->engine.childSas().at(0).mode == kernel::IpsecMode::Tunnel);

	// Closing removes both SAs and the tunnel policies on both ends.
	REQUIRE(p.client->engine.closeSa(1, "test", p.lab.now));
	p.lab.settle();
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.client->kernel.policies().empty());
	CHECK(p.server->kernel.sas().empty());
	CHECK(p.server->kernel.policies().empty());
}

TEST_CASE("tunnel mode with NAT-T (RFC 3947): UDP-Tunnel (3), ESP in UDP, the inner flow from the client's own "
          "address, no NAT-OA")
{
	Pair p(tunnelServer(), labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	LogCapture logs;
	p.connect(tunnelChild());
	CHECK(logs.has("Quick Mode offer: aes256gcm16/udp-tunnel/3600s"));
	CHECK(logs.has("chose aes256gcm16 (udp-tunnel, 3600 s) for 10.0.0.2 proto 17 port 1701 <-> 192.0.2.1"));

	// The server: SAs with the NAT's address and port outside, the
	// client's own address inside.
	const kernel::Selector serverOut{ip("192.0.2.1"), ip("10.0.0.2"), 32, 32, 17, 1701, 1701};
	CHECK(p.server->kernel.calls() ==
	      std::vector<std::string>{
	              "allocSpi 198.51.100.7->192.0.2.1 reqid=0x4c320000 -> spi=0xc0000001",
	              "addSa spi=0xc0000001 198.51.100.7->192.0.2.1 reqid=0x4c320000 tunnel rfc4106(gcm(aes)) "
	              "sel=10.0.0.2/32->192.0.2.1/32 udp 1701->1701 encap=30001->4500" +
	                      kLife + " (completes allocSpi)",
	              "addSa spi=0xc0000002 192.0.2.1->198.51.100.7 reqid=0x4c320000 tunnel rfc4106(gcm(aes)) "
	              "sel=192.0.2.1/32->10.0.0.2/32 udp 1701->1701 encap=4500->30001" +
	                      kLife,
	              "addPolicy out 192.0.2.1/32->10.0.0.2/32 udp 1701->1701 reqid=0x4c320000 tunnel "
	              "192.0.2.1->198.51.100.7 priority=1000",
	              "addPolicy in 10.0.0.2/32->192.0.2.1/32 udp 1701->1701 reqid=0x4c320000 tunnel "
	              "198.51.100.7->192.0.2.1 priority=1000"});
	checkSa(*p.server, kernel::SaId{ip("198.51.100.7"), ip("192.0.2.1"), 0xc0000001, 0, 0}, reversed(serverOut),
	        kernel::NatTEncap{30001, 4500, std::nullopt});
	checkSa(*p.server, kernel::SaId{ip("192.0.2.1"), ip("198.51.100.7"), 0xc0000002, 0, 0}, serverOut,
	        kernel::NatTEncap{4500, 30001, std::nullopt});
	checkPolicies(p.server->kernel, serverOut, tunnelPolicy("192.0.2.1", "198.51.100.7"),
	              tunnelPolicy("198.51.100.7", "192.0.2.1"));

	// The client: between its own address and the server's, 4500 to 4500.
	checkSa(*p.client, kernel::SaId{ip("192.0.2.1"), ip("10.0.0.2"), 0xc0000002, 0, 0}, serverOut,
	        kernel::NatTEncap{4500, 4500, std::nullopt});
	checkSa(*p.client, kernel::SaId{ip("10.0.0.2"), ip("192.0.2.1"), 0xc0000001, 0, 0}, reversed(serverOut),
	        kernel::NatTEncap{4500, 4500, std::nullopt});
	checkPolicies(p.client->kernel, reversed(serverOut), tunnelPolicy("10.0.0.2", "192.0.2.1"),
	              tunnelPolicy("192.0.2.1", "10.0.0.2"));

	ChildSaInfo c = p.server->engine.childSas().at(0);
	CHECK(c.mode == kernel::IpsecMode::Tunnel);
	CHECK(c.natT);
	CHECK_FALSE(c.natOa);
}

TEST_CASE("tunnel mode with draft NAT-T: UDP-Tunnel 61443")
{
	Pair p(tunnelServer(), labConfig(), "10.0.0.2");
	p.lab.net.addNat(ip("10.0.0.2"), ip("198.51.100.7"), 30000);
	dropRfc3947VendorId(p.lab, "198.51.100.7:30000>192.0.2.1:500 MM-SA");
	LogCapture logs;
	p.connect(tunnelChild());
	CHECK(logs.has("Quick Mode offer: aes256gcm16/udp-tunnel-draft/3600s"));
	CHECK(logs.has("chose aes256gcm16 (udp-tunnel-draft, 3600 s)"));
	const kernel::Selector serverOut{ip("192.0.2.1"), ip("10.0.0.2"), 32, 32, 17, 1701, 1701};
	checkSa(*p.server, kernel::SaId{ip("198.51.100.7"), ip("192.0.2.1"), 0xc0000001, 0, 0}, reversed(serverOut),
	        kernel::NatTEncap{30001, 4500, std::nullopt});
	checkPolicies(p.server->kernel, serverOut, tunnelPolicy("192.0.2.1", "198.51.100.7"),
	              tunnelPolicy("198.51.100.7", "192.0.2.1"));
	CHECK(p.client->engine.childSas().at(0).mode == kernel::IpsecMode::Tunnel);
}

TEST_CASE("tunnel mode refused by default: NO-PROPOSAL-CHOSEN, one log line naming the peer and why")
{
	Pair p(tunnelServer(false), labConfig());
	LogCapture logs;
	p.connect(tunnelChild());
	CHECK(p.lab.wire.back() == "192.0.2.1:500>192.0.2.2:500 INFO*");
	CHECK(logs.countOf("no proposal chosen") == 1);
	CHECK(logs.has("peer 192.0.2.2:500: no proposal chosen (Quick Mode): tunnel mode offered, [ike] tunnel_mode is "
	               "refuse"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-up 1", "child-failed 1: the peer answered NO-PROPOSAL-CHOSEN"});
	CHECK(p.server->kernel.calls().empty());
	CHECK(p.client->kernel.sas().empty());
	CHECK(p.client->kernel.policies().empty());
	CHECK(p.server->engine.childSas().empty());

	// Transport mode still works over the same ISAKMP SA.
	p.connect();
	CHECK(p.server->engine.childSas().at(0).mode == kernel::IpsecMode::Transport);
}

TEST_CASE("tunnel mode with subnet IDs: a /32 is the host and accepted, anything wider is refused")
{
	SUBCASE("ID_IPV4_ADDR_SUBNET /32")
	{
		Pair p(tunnelServer(), labConfig());
		LogCapture logs;
		p.connect(tunnelChild(32));
		CHECK(logs.has("for 192.0.2.2/32 proto 17 port 1701 <-> 192.0.2.1/32 proto 17 port 1701"));
		const kernel::Selector serverOut{ip("192.0.2.1"), ip("192.0.2.2"), 32, 32, 17, 1701, 1701};
		checkPolicies(p.server->kernel, serverOut, tunnelPolicy("192.0.2.1", "192.0.2.2"),
		              tunnelPolicy("192.0.2.2", "192.0.2.1"));
		CHECK(p.client->observer.childUps.size() == 1);
	}
	SUBCASE("ID_IPV4_ADDR_SUBNET /24")
	{
		Pair p(tunnelServer(), labConfig());
		LogCapture logs;
		p.connect(tunnelChild(24));
		CHECK(logs.has("peer 192.0.2.2:500: Quick Mode for 192.0.2.0/24 proto 17 port 1701 <-> 192.0.2.0/24 "
		               "proto 17 port 1701 names more than one host; only the L2TP flow between two hosts is "
		               "protected; refused"));
		CHECK(p.client->observer.events ==
		      std::vector<std::string>{"ike-up 1", "child-failed 1: the peer answered INVALID-ID-INFORMATION"});
		CHECK(p.server->kernel.calls().empty());
		CHECK(p.client->kernel.sas().empty());
	}
}

TEST_CASE("ChildFlows: a flow has one mode; its policies carry the template it was acquired with")
{
	kernel::FakeIpsecDataplane k;
	ChildFlows flows(kernel::OwnedReqids{});
	const kernel::Selector flow{ip("192.0.2.1"), ip("192.0.2.2"), 32, 32, 17, 1701, 1701};
	const Endpoint local{ip("192.0.2.1"), 500}, peer{ip("192.0.2.2"), 500};
	CHECK(flowTemplate(kernel::IpsecMode::Transport, local, peer) == FlowTemplate{});
	FlowTemplate tunnel = flowTemplate(kernel::IpsecMode::Tunnel, local, peer);
	CHECK(tunnel == FlowTemplate{kernel::IpsecMode::Tunnel, ip("192.0.2.1"), ip("192.0.2.2")});

	auto reqid = flows.acquire(flow, peer);
	REQUIRE(reqid);
	CHECK(reqid->reqid == kernel::OwnedReqids{}.first);
	CHECK(reqid->mark == 0);
	auto other = flows.acquire(flow, peer, tunnel);
	REQUIRE_FALSE(other);
	CHECK(other.error().message == "the flow is already protected in transport mode");
	flows.release(k, flow);
	CHECK(flows.size() == 0);

	reqid = flows.acquire(flow, peer, tunnel);
	REQUIRE(reqid);
	auto again = flows.acquire(flow, peer, tunnel); // a rekey in the same mode
	REQUIRE(again);
	CHECK(again->reqid == reqid->reqid);
	REQUIRE(flows.addPolicies(k, flow));
	checkPolicies(k, flow, tunnelPolicy("192.0.2.1", "192.0.2.2", reqid->reqid),
	              tunnelPolicy("192.0.2.2", "192.0.2.1", reqid->reqid));
	flows.release(k, flow);
	CHECK(k.policies().size() == 2);
	flows.release(k, flow);
	CHECK(k.policies().empty());
}
