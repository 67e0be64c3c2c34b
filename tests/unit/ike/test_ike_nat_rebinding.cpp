// NAT rebinding: the client's NAT forgets its mapping mid-session and gives
// it a new outside port. The server learns it from the kernel
// (XFRM_MSG_MAPPING for its inbound SA, IkeEngine::onNatMapping) or from an
// authenticated IKE message from the new port, and moves IKE and the
// ESP-in-UDP ports of its SAs there (XFRM_MSG_UPDSA).
#include "ike_lab.h"

namespace l2tpsec::ike::test {

namespace {

const IpAddress kNat = ip("198.51.100.7");
const Endpoint kOld{kNat, 30001};
const Endpoint kNew{kNat, 30002};
constexpr uint32_t kServerIn = 0xc0000001, kServerOut = 0xc0000002;
const std::string kMovedLine =
        "peer 198.51.100.7:30001: NAT mapping moved to 198.51.100.7:30002; 1 of 1 IPsec SAs updated";

/// A client (10.0.0.2) behind the lab's NAT (198.51.100.7, ports from 30000)
/// with its SA pair up, IKE and ESP from 30001; then the NAT forgets its
/// mappings. The server's kernel calls and the wire start empty.
struct Rebinding {
	Pair p{labConfig(), labConfig(), "10.0.0.2"};

	Rebinding()
	{
		p.lab.net.addNat(ip("10.0.0.2"), kNat, 30000);
		p.connect();
		REQUIRE(p.server->engine.ikeSas().at(0).peer == kOld);
		REQUIRE(p.server->kernel.installedSpis() == std::vector<uint32_t>{kServerIn, kServerOut});
		p.lab.net.resetNat(ip("10.0.0.2"));
		p.server->kernel.clearCalls();
		p.lab.wire.clear();
	}

	/// What the kernel reports for the server's inbound SA `spi`: ESP from `to`.
	void mapping(uint32_t spi, const Endpoint &to)
	{
		p.server->engine.onNatMapping(kernel::SaId{kNat, ip("192.0.2.1"), spi, 0, 0}, to, p.lab.now);
	}

	std::vector<uint32_t> updatedSpis() const
	{
		std::vector<uint32_t> out;
		for (const auto &c : p.server->kernel.records())
			if (c.op == Op::UpdateSa && !c.error)
				out.push_back(c.sa.spi);
		return out;
	}

	const kernel::NatTEncap &encap(uint32_t spi) const
	{
		const auto *sa = findSa(p.server->kernel, spi);
		REQUIRE(sa);
		REQUIRE(sa->params.encap);
		return *sa->params.encap;
	}

	/// Both SAs of the server carry ESP in UDP to and from `peerPort`, NAT-OA
	/// kept, and their keys are still the client's (the update's wiped keys
	/// did not replace them).
	void checkKernelAt(uint16_t peerPort) const
	{
		CHECK(encap(kServerOut) == kernel::NatTEncap{4500, peerPort, ip("10.0.0.2")});
		CHECK(encap(kServerIn) == kernel::NatTEncap{peerPort, 4500, ip("10.0.0.2")});
		for (uint32_t spi : {kServerIn, kServerOut}) {
			const auto *s = findSa(p.server->kernel, spi);
			const auto *c = findSa(p.client->kernel, spi);
			REQUIRE(s);
			REQUIRE(c);
			CHECK(s->params.keys.encryptionKey == c->params.keys.encryptionKey);
			CHECK(std::any_of(s->params.keys.encryptionKey.begin(), s->params.keys.encryptionKey.end(),
			                  [](uint8_t b) { return b != 0; }));
		}
	}

	/// What the server shows (l2tpctl sas): IKE and the pair at `peer`.
	void checkViewsAt(const Endpoint &peer) const
	{
		CHECK(p.server->engine.ikeSas().at(0).peer == peer);
		CHECK(p.server->engine.childSas().at(0).peer == peer);
	}
};

} // namespace

TEST_CASE("NAT rebinding: the kernel's MAPPING event moves IKE and both SAs' ESP-in-UDP ports to the new port")
{
	Rebinding r;
	// The client's next NAT keepalive opens the new mapping; the server ignores it.
	r.p.lab.advance(21s);
	CHECK(r.p.lab.wire == std::vector<std::string>{"198.51.100.7:30002>192.0.2.1:4500 keepalive"});
	CHECK(r.p.server->kernel.calls().empty());

	LogCapture logs;
	r.mapping(kServerIn, kNew);
	// XFRM_MSG_UPDSA for each: the outbound SA's destination port, the
	// inbound SA's source port; the keys in the request are the wiped ones
	// (zeros, their length kept), which the kernel does not take.
	REQUIRE(r.p.server->kernel.records().size() == 2);
	const auto &out = r.p.server->kernel.records()[0];
	const auto &in = r.p.server->kernel.records()[1];
	CHECK(out.op == Op::UpdateSa);
	CHECK(out.sa == kernel::SaId{ip("192.0.2.1"), kNat, kServerOut, 0, 0});
	CHECK(out.saParams->encap == kernel::NatTEncap{4500, 30002, ip("10.0.0.2")});
	CHECK(out.saParams->keys.encryptionKey == std::vector<uint8_t>(36, 0));
	CHECK(in.op == Op::UpdateSa);
	CHECK(in.sa == kernel::SaId{kNat, ip("192.0.2.1"), kServerIn, 0, 0});
	CHECK(in.saParams->encap == kernel::NatTEncap{30002, 4500, ip("10.0.0.2")});
	CHECK(in.saParams->lifetime == findSa(r.p.server->kernel, kServerIn)->params.lifetime);
	r.checkKernelAt(30002);
	r.checkViewsAt(kNew);
	CHECK(logs.lines == std::vector<std::string>{kMovedLine});

	// IKE follows: the server's DPD probe goes to the new port and is answered.
	r.p.lab.wire.clear();
	r.p.lab.advance(10s);
	CHECK(r.p.lab.count("192.0.2.1:4500>198.51.100.7:30002 INFO*") >= 1);
	CHECK(r.p.lab.count("198.51.100.7:30002>192.0.2.1:4500 INFO*") >= 1);
	CHECK(r.p.lab.count(">198.51.100.7:30001") == 0);
	CHECK(r.p.server->engine.saCount() == 1);
	CHECK(r.p.server->kernel.sas().size() == 2);
}

TEST_CASE("NAT rebinding: an authenticated IKE message from the new port moves the SAs the same way")
{
	Rebinding r;
	LogCapture logs;
	// 30 s of silence: the client's DPD R-U-THERE leaves by a new NAT port
	// (its keepalive at 20 s opened it).
	r.p.lab.advance(31s);
	CHECK(r.p.lab.count("198.51.100.7:30002>192.0.2.1:4500 INFO*") >= 1);
	CHECK(r.updatedSpis() == std::vector<uint32_t>{kServerOut, kServerIn});
	r.checkKernelAt(30002);
	r.checkViewsAt(kNew);
	CHECK(logs.countOf("NAT mapping moved") == 1);
	CHECK(logs.has(kMovedLine));

	// The kernel's MAPPING for the same move comes after: nothing more.
	r.p.server->kernel.clearCalls();
	r.mapping(kServerIn, kNew);
	CHECK(r.p.server->kernel.calls().empty());
	CHECK(logs.countOf("NAT mapping moved") == 1);

	// A rekey from the new port is the same peer's flow, not another client's.
	r.p.server->observer.events.clear();
	auto id = r.p.client->engine.connect(ConnectRequest{ip("10.0.0.2"), ip("192.0.2.1")}, r.p.lab.now);
	REQUIRE(id);
	r.p.lab.settle();
	CHECK(r.p.server->observer.events == std::vector<std::string>{"child-up in=0xc0000002 out=0xc0000003"});
	const auto *rekeyed = findSa(r.p.server->kernel, 0xc0000003);
	REQUIRE(rekeyed);
	REQUIRE(rekeyed->params.encap);
	CHECK(rekeyed->params.encap->dstPort == 30002);
}

TEST_CASE("NAT rebinding: the kernel repeats MAPPING for every ESP packet; repeats change and log nothing")
{
	Rebinding r;
	LogCapture logs;
	r.mapping(kServerIn, kNew);
	REQUIRE(r.updatedSpis() == std::vector<uint32_t>{kServerOut, kServerIn});
	r.p.server->kernel.clearCalls();
	for (int i = 0; i < 50; i++)
		r.mapping(kServerIn, kNew);
	CHECK(r.p.server->kernel.calls().empty());
	CHECK(logs.lines == std::vector<std::string>{kMovedLine});
	CHECK(r.p.lab.net.queue().empty());

	// A second rebinding is a new move again.
	r.mapping(kServerIn, Endpoint{kNat, 30003});
	CHECK(r.updatedSpis() == std::vector<uint32_t>{kServerOut, kServerIn});
	CHECK(logs.has("peer 198.51.100.7:30002: NAT mapping moved to 198.51.100.7:30003; 1 of 1 IPsec SAs updated"));
	r.checkKernelAt(30003);
}

TEST_CASE("NAT rebinding: a MAPPING for an SPI of no SA of ours is ignored")
{
	Rebinding r;
	LogCapture logs;
	r.mapping(0xdeadbeef, kNew);
	r.mapping(kServerOut, kNew); // our outbound SA: the kernel names inbound SAs only
	CHECK(r.p.server->kernel.calls().empty());
	CHECK(logs.lines.empty());
	r.checkViewsAt(kOld);
	r.checkKernelAt(30001);
}

TEST_CASE("NAT rebinding: another outside address is logged once and changes nothing")
{
	Rebinding r;
	LogCapture logs;
	const Endpoint elsewhere{ip("203.0.113.9"), 30002};
	for (int i = 0; i < 3; i++)
		r.mapping(kServerIn, elsewhere);
	CHECK(r.p.server->kernel.calls().empty());
	CHECK(logs.lines ==
	      std::vector<std::string>{"peer 198.51.100.7:30001: ESP (SPI in 0xc0000001) now comes from "
	                               "203.0.113.9:30002: another address, so its IPsec SAs are kept as they "
	                               "are until the peer re-keys or DPD or the L2TP hello removes them"});
	r.checkViewsAt(kOld);
	r.checkKernelAt(30001);
}

TEST_CASE("NAT rebinding: a refused update is a warning naming the peer and the SPI; the other SA still moves")
{
	Rebinding r;
	LogCapture logs;
	r.p.server->kernel.failNext(Error{ESRCH, "XFRM_MSG_UPDSA: No such process"});
	r.mapping(kServerIn, kNew);
	CHECK(logs.has("peer 198.51.100.7:30001: moving outbound SA 0xc0000002 to 198.51.100.7:30002: "
	               "XFRM_MSG_UPDSA: No such process"));
	CHECK(logs.has("peer 198.51.100.7:30001: NAT mapping moved to 198.51.100.7:30002; 0 of 1 IPsec SAs updated"));
	CHECK(r.updatedSpis() == std::vector<uint32_t>{kServerIn});
	CHECK(r.encap(kServerOut).dstPort == 30001);
	CHECK(r.encap(kServerIn).srcPort == 30002);
	// Still up; a repeat does not retry (or log) per packet.
	CHECK(r.p.server->engine.saCount() == 1);
	CHECK(r.p.server->engine.childSas().size() == 1);
	size_t lines = logs.lines.size();
	r.mapping(kServerIn, kNew);
	CHECK(logs.lines.size() == lines);
}

} // namespace l2tpsec::ike::test
