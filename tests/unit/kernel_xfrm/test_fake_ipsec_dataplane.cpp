// FakeIpsecDataplane: records every call, and refuses what the kernel
// refuses with the words NetlinkIpsecDataplane would use.

#include "tests/support/fake_ipsec_dataplane.h"
#include "tests/unit/kernel_xfrm/xfrm_test_util.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using namespace testutil;

namespace {

const IpAddress kA = ip("192.0.2.1"), kB = ip("192.0.2.2");
constexpr uint32_t kReqid = 0x4c320001;

SaParams params()
{
	return paramsFor(kAlgorithms[0], kA, kB, kReqid);
}

PolicyId policy(PolicyDirection dir)
{
	return PolicyId{dir == PolicyDirection::Out ? l2tpFlow(kA, kB) : l2tpFlow(kB, kA), dir, 0, 0};
}

PolicyParams policyParams()
{
	PolicyParams p;
	p.reqid = kReqid;
	return p;
}

} // namespace

TEST_CASE("records every call in order, as text and as typed records")
{
	FakeIpsecDataplane fake;
	IpsecDataplane &dp = fake;
	auto spi = dp.allocSpi(kB, kA, kReqid);
	REQUIRE(spi);
	CHECK(*spi == 0xc0000001);
	SaId in{kB, kA, *spi, 0, 0};
	SaId out{kA, kB, 0xc001, 0, 0};
	SaParams inParams = paramsFor(kAlgorithms[0], kB, kA, kReqid);
	REQUIRE(dp.addSa(in, inParams));
	SaParams outParams = params();
	outParams.encap = NatTEncap{4500, 4500, std::nullopt};
	outParams.replayWindow = 0;
	REQUIRE(dp.addSa(out, outParams));
	REQUIRE(dp.addPolicy(policy(PolicyDirection::Out), policyParams()));
	REQUIRE(dp.deleteSa(out));
	REQUIRE(dp.bypassSocket(7));
	REQUIRE(dp.enableUdpEncap(8));

	CHECK(fake.calls() ==
	      std::vector<std::string>{
	              "allocSpi 192.0.2.2->192.0.2.1 reqid=0x4c320001 -> spi=0xc0000001",
	              "addSa spi=0xc0000001 192.0.2.2->192.0.2.1 reqid=0x4c320001 transport cbc(aes) hmac(sha1)/96 "
	              "sel=192.0.2.2/32->192.0.2.1/32 udp 1701->1701 (completes allocSpi)",
	              "addSa spi=0x0000c001 192.0.2.1->192.0.2.2 reqid=0x4c320001 transport cbc(aes) hmac(sha1)/96 "
	              "sel=192.0.2.1/32->192.0.2.2/32 udp 1701->1701 encap=4500->4500",
	              "addPolicy out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701 reqid=0x4c320001 transport priority=0",
	              "deleteSa spi=0x0000c001 192.0.2.1->192.0.2.2",
	              "bypassSocket fd=7",
	              "enableUdpEncap fd=8",
	      });
	REQUIRE(fake.records().size() == 7);
	CHECK(fake.records()[2].op == FakeIpsecDataplane::Op::AddSa);
	CHECK(fake.records()[2].sa == out);
	CHECK(fake.records()[2].saParams->encap == outParams.encap);
	CHECK(fake.records()[3].policy == policy(PolicyDirection::Out));
	CHECK(fake.records()[5].fd == 7);
	CHECK(fake.installedSpis() == std::vector<uint32_t>{0xc0000001});
	CHECK(fake.bypassedSockets() == std::vector<int>{7});
	CHECK(fake.encapSockets() == std::vector<int>{8});
	fake.clearCalls();
	CHECK(fake.calls().empty());
}

TEST_CASE("refuses duplicates and missing objects the way the kernel does")
{
	FakeIpsecDataplane fake;
	SaId id{kA, kB, 0xc001, 0, 0};
	REQUIRE(fake.addSa(id, params()));
	auto dup = fake.addSa(id, params());
	REQUIRE(!dup);
	CHECK(dup.error().code == EEXIST);
	CHECK(dup.error().message == "XFRM_MSG_NEWSA spi 0x0000c001 192.0.2.1->192.0.2.2: File exists");
	CHECK(fake.calls().back() ==
	      "addSa spi=0x0000c001 192.0.2.1->192.0.2.2 reqid=0x4c320001 transport cbc(aes) "
	      "hmac(sha1)/96 sel=192.0.2.1/32->192.0.2.2/32 udp 1701->1701 -> XFRM_MSG_NEWSA spi "
	      "0x0000c001 192.0.2.1->192.0.2.2: File exists");
	CHECK(fake.records().back().error->code == EEXIST);
	// The same SPI towards another destination is another SA.
	CHECK(fake.addSa(SaId{kB, kA, 0xc001, 0, 0}, paramsFor(kAlgorithms[0], kB, kA, kReqid)));

	SaId missing{kA, kB, 0xdead, 0, 0};
	CHECK(fake.deleteSa(missing).error().message ==
	      "XFRM_MSG_DELSA spi 0x0000dead 192.0.2.1->192.0.2.2: No such process");
	CHECK(fake.querySa(missing).error().code == ESRCH);
	CHECK(fake.updateSa(missing, params()).error().message ==
	      "XFRM_MSG_UPDSA spi 0x0000dead 192.0.2.1->192.0.2.2: No such process");

	REQUIRE(fake.addPolicy(policy(PolicyDirection::Out), policyParams()));
	CHECK(fake.addPolicy(policy(PolicyDirection::Out), policyParams()).error().message ==
	      "XFRM_MSG_NEWPOLICY out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701: File exists");
	CHECK(fake.deletePolicy(policy(PolicyDirection::In)).error().message ==
	      "XFRM_MSG_DELPOLICY in 192.0.2.2/32->192.0.2.1/32 udp 1701->1701: No such file or directory");
	// Same selector, other direction: another policy.
	PolicyId fwd = policy(PolicyDirection::Out);
	fwd.direction = PolicyDirection::Fwd;
	CHECK(fake.addPolicy(fwd, policyParams()));
}

TEST_CASE("marks: an unmarked SA matches every mark, marked SAs with different marks coexist")
{
	FakeIpsecDataplane fake;
	REQUIRE(fake.addSa(SaId{kA, kB, 0x1000, 1, 0xff}, params()));
	CHECK(fake.addSa(SaId{kA, kB, 0x1000, 2, 0xff}, params()));
	CHECK(fake.addSa(SaId{kA, kB, 0x1000, 1, 0xff}, params()).error().code == EEXIST);
	CHECK(fake.querySa(SaId{kA, kB, 0x1000, 2, 0xff})->id.mark == 2);
	FakeIpsecDataplane other;
	REQUIRE(other.addSa(SaId{kA, kB, 0x1000, 0, 0}, params()));
	CHECK(other.addSa(SaId{kA, kB, 0x1000, 5, 0xff}, params()).error().code == EEXIST);
}

TEST_CASE("validation is makeSaSpec's and checkPolicy's")
{
	FakeIpsecDataplane fake;
	SaParams p = params();
	p.reqid = 1;
	auto r = fake.addSa(SaId{kA, kB, 0x1000, 0, 0}, p);
	CHECK(r.error().code == EINVAL);
	CHECK(r.error().message == "spi 0x00001000 192.0.2.1->192.0.2.2: reqid 0x00000001 is outside l2tpsec's range "
	                           "0x4c320000-0x4c32ffff");
	PolicyParams pp = policyParams();
	pp.reqid = 0;
	CHECK(fake.addPolicy(policy(PolicyDirection::In), pp).error().code == EINVAL);
	CHECK(fake.allocSpi(kA, kB, 0).error().message ==
	      "XFRM_MSG_ALLOCSPI 192.0.2.1->192.0.2.2: reqid 0x00000000 is outside l2tpsec's range");
	CHECK(fake.bypassSocket(-1).error().message == "bypass IPsec policies on fd -1: Bad file descriptor");
	CHECK(fake.enableUdpEncap(-1).error().message == "UDP_ENCAP_ESPINUDP on fd -1: Bad file descriptor");
	CHECK(fake.sas().empty());
	CHECK(fake.policies().empty());
}

TEST_CASE("allocSpi: deterministic, inside the range, never a taken SPI")
{
	FakeIpsecDataplane fake;
	CHECK(*fake.allocSpi(kA, kB, kReqid, 0x100, 0x102) == 0x100);
	CHECK(*fake.allocSpi(kA, kB, kReqid, 0x100, 0x102) == 0x101);
	REQUIRE(fake.addSa(SaId{kA, kB, 0x102, 0, 0}, params()));
	CHECK(fake.allocSpi(kA, kB, kReqid, 0x100, 0x102).error().message ==
	      "XFRM_MSG_ALLOCSPI 192.0.2.1->192.0.2.2: No such file or directory");
	CHECK(fake.installedSpis() == std::vector<uint32_t>{0x102});
	CHECK(fake.sas().size() == 3);
	CHECK(fake.sas()[0].larval);
	// A larval SA shows up in queries, without algorithms.
	auto larval = fake.querySa(SaId{kA, kB, 0x100, 0, 0});
	REQUIRE(larval);
	CHECK(larval->cipher.empty());
	CHECK(larval->reqid == kReqid);
}

TEST_CASE("querySa reports traffic; updateSa changes only encap ports and lifetimes")
{
	FakeIpsecDataplane fake;
	SaId id{kA, kB, 0xc001, 0, 0};
	SaParams p = params();
	p.encap = NatTEncap{4500, 4500, std::nullopt};
	REQUIRE(fake.addSa(id, p));
	REQUIRE(fake.addTraffic(id, 1500, 3));
	auto st = fake.querySa(id);
	REQUIRE(st);
	CHECK(st->bytes == 1500);
	CHECK(st->packets == 3);
	CHECK(st->cipher == "cbc(aes)");
	CHECK(st->integrity == "hmac(sha1)");
	CHECK(st->encap == p.encap);
	CHECK(fake.addTraffic(SaId{kA, kB, 1, 0, 0}, 1, 1).error().code == ESRCH);

	SaParams q = p;
	q.encap = NatTEncap{4500, 62000, std::nullopt};
	q.lifetime.hardAdd = std::chrono::seconds(60);
	q.keys.encryptionKey = keyBytes(32, 9); // the kernel keeps the old key
	REQUIRE(fake.updateSa(id, q));
	CHECK(fake.sas()[0].params.encap->dstPort == 62000);
	CHECK(fake.sas()[0].params.lifetime.hardAdd == std::chrono::seconds(60));
	CHECK(fake.sas()[0].params.keys.encryptionKey == p.keys.encryptionKey);
}

TEST_CASE("list and flush see only l2tpsec's reqids; foreign state survives")
{
	FakeIpsecDataplane fake;
	REQUIRE(fake.addSa(SaId{kA, kB, 0xc001, 0, 0}, params()));
	REQUIRE(fake.allocSpi(kB, kA, kReqid + 1));
	REQUIRE(fake.addPolicy(policy(PolicyDirection::Out), policyParams()));
	REQUIRE(fake.addPolicy(policy(PolicyDirection::In), policyParams()));
	fake.addForeignSa(SaId{kA, kB, 0x7777, 0, 0}, 7);
	PolicyId foreign{l2tpFlow(ip("198.51.100.1"), ip("198.51.100.2")), PolicyDirection::Out, 0, 0};
	fake.addForeignPolicy(foreign, 7);

	auto sas = fake.listSas();
	REQUIRE(sas);
	CHECK(sas->size() == 2);
	auto pols = fake.listPolicies();
	REQUIRE(pols);
	REQUIRE(pols->size() == 2);
	CHECK((*pols)[0].index % 8 == 1); // out: the kernel's index carries the direction
	CHECK((*pols)[1].index % 8 == 0);

	auto report = fake.flush();
	REQUIRE(report);
	CHECK(report->sas == 2);
	CHECK(report->policies == 2);
	CHECK(fake.calls().back() == "flush -> 2 SAs, 2 policies");
	REQUIRE(fake.sas().size() == 1);
	CHECK(fake.sas()[0].id.spi == 0x7777);
	REQUIRE(fake.policies().size() == 1);
	CHECK(fake.policies()[0].id == foreign);
	CHECK(fake.listSas()->empty());
}

TEST_CASE("failNext: the next call fails, changes nothing, and is recorded")
{
	FakeIpsecDataplane fake;
	fake.failNext(Error{ENOBUFS, "XFRM_MSG_NEWSA spi 0x0000c001 192.0.2.1->192.0.2.2: No buffer space available"});
	SaId id{kA, kB, 0xc001, 0, 0};
	auto r = fake.addSa(id, params());
	REQUIRE(!r);
	CHECK(r.error().code == ENOBUFS);
	CHECK(fake.sas().empty());
	CHECK(fake.records().back().error->code == ENOBUFS);
	CHECK(fake.calls().back().ends_with("-> XFRM_MSG_NEWSA spi 0x0000c001 192.0.2.1->192.0.2.2: No buffer space "
	                                    "available"));
	CHECK(fake.addSa(id, params()));

	fake.failNext(Error{EPERM, "nope"});
	CHECK(fake.flush().error().message == "nope");
	CHECK(fake.sas().size() == 1);
	fake.failNext(Error{EIO, "io"});
	CHECK(fake.listPolicies().error().code == EIO);
	CHECK(fake.listPolicies());
}
