// Several clients behind one NAT: their L2TP flows are one selector (the
// NAT's address, port 1701 on both ends), so ChildFlows gives every client
// after the first a reqid of its own and that reqid as a mark, with
// policies that match only the mark and win over the flow's unmarked pair.
#include "common/kernel_release.h"
#include "ike/child_sa.h"
#include "tests/support/fake_ipsec_dataplane.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

const kernel::Selector kFlow{ip("192.0.2.1"), ip("203.0.113.9"), 32, 32, 17, 1701, 1701};
const Endpoint kFirst{ip("203.0.113.9"), 4500}, kSecond{ip("203.0.113.9"), 4501}, kThird{ip("203.0.113.9"), 4502};
constexpr uint32_t kAll = 0xffffffff;

size_t policiesWithMark(const kernel::FakeIpsecDataplane &k, uint32_t mark)
{
	size_t n = 0;
	for (const auto &p : k.policies())
		n += p.id.mark == mark ? 1 : 0;
	return n;
}

} // namespace

TEST_CASE("ChildFlows: a second client behind the same NAT gets its own reqid and mark")
{
	kernel::FakeIpsecDataplane k;
	ChildFlows flows(kernel::OwnedReqids{}, true);
	auto first = flows.acquire(kFlow, kFirst);
	REQUIRE(first);
	CHECK(first->mark == 0);
	REQUIRE(flows.addPolicies(k, kFlow));

	auto second = flows.acquire(kFlow, kSecond);
	REQUIRE(second);
	CHECK(second->reqid != first->reqid);
	CHECK(second->mark == second->reqid);
	REQUIRE(flows.addPolicies(k, kFlow, second->mark));
	REQUIRE(k.policies().size() == 4);
	for (const auto &p : k.policies()) {
		bool marked = p.id.mark != 0;
		CHECK(p.params.reqid == (marked ? second->reqid : first->reqid));
		CHECK(p.params.priority == (marked ? kMarkedFlowPolicyPriority : kFlowPolicyPriority));
		CHECK(p.id.markMask == (marked ? kAll : 0));
	}
	CHECK(kMarkedFlowPolicyPriority < kFlowPolicyPriority); // lower wins in the kernel

	// A rekey from either client keeps its grant.
	auto again = flows.acquire(kFlow, kSecond);
	REQUIRE(again);
	CHECK(again->reqid == second->reqid);
	CHECK(again->mark == second->mark);
	flows.release(k, kFlow, second->mark);

	// The first client leaves: its unmarked policies stay while the second
	// is there (without an SA of their reqid they keep clear L2TP out).
	flows.release(k, kFlow);
	CHECK(k.policies().size() == 4);
	// A third client takes the free unmarked place.
	auto third = flows.acquire(kFlow, kThird);
	REQUIRE(third);
	CHECK(third->reqid == first->reqid);
	CHECK(third->mark == 0);
	flows.release(k, kFlow);

	flows.release(k, kFlow, second->mark);
	CHECK(k.policies().empty());
	CHECK(flows.size() == 0);
}

TEST_CASE("ChildFlows: marked holders follow a NAT rebinding and release in any order")
{
	kernel::FakeIpsecDataplane k;
	ChildFlows flows(kernel::OwnedReqids{}, true);
	auto first = flows.acquire(kFlow, kFirst);
	auto second = flows.acquire(kFlow, kSecond);
	REQUIRE(first);
	REQUIRE(second);
	REQUIRE(flows.addPolicies(k, kFlow));
	REQUIRE(flows.addPolicies(k, kFlow, second->mark));
	flows.moveHolder(kFlow, kSecond, kThird);
	auto moved = flows.acquire(kFlow, kThird); // a rekey from the new port
	REQUIRE(moved);
	CHECK(moved->mark == second->mark);
	flows.release(k, kFlow, moved->mark);

	flows.release(k, kFlow, second->mark);
	CHECK(policiesWithMark(k, second->mark) == 0);
	CHECK(policiesWithMark(k, 0) == 2);
	flows.release(k, kFlow);
	CHECK(k.policies().empty());
}

TEST_CASE("ChildFlows: without kernel support a second client behind the NAT is refused, the first kept")
{
	kernel::FakeIpsecDataplane k;
	ChildFlows flows(kernel::OwnedReqids{}, false);
	auto first = flows.acquire(kFlow, kFirst);
	REQUIRE(first);
	REQUIRE(flows.addPolicies(k, kFlow));
	auto second = flows.acquire(kFlow, kSecond);
	REQUIRE_FALSE(second);
	CHECK(second.error().message.find("need Linux 6.10 or later") != std::string::npos);
	CHECK(second.error().message.find("the first client keeps its connection") != std::string::npos);
	CHECK(k.policies().size() == 2);
	// Another address never shares the flow, support or not.
	ChildFlows sharing(kernel::OwnedReqids{}, true);
	REQUIRE(sharing.acquire(kFlow, kFirst));
	CHECK_FALSE(sharing.acquire(kFlow, Endpoint{ip("198.51.100.4"), 4500}));
}

TEST_CASE("ChildSa: a marked pair's inbound SA marks what it decrypts, its policies match the mark")
{
	kernel::FakeIpsecDataplane k;
	ChildFlows flows(kernel::OwnedReqids{}, true);
	REQUIRE(flows.acquire(kFlow, kFirst));
	auto grant = flows.acquire(kFlow, kSecond);
	REQUIRE(grant);
	ChildSaSpec spec;
	spec.local = Endpoint{ip("192.0.2.1"), 4500};
	spec.peer = kSecond;
	spec.udpEncap = true;
	spec.flow = kFlow;
	spec.reqid = grant->reqid;
	spec.mark = grant->mark;
	spec.inboundSpi = 0xc0000001;
	spec.outboundSpi = 0xd0000001;
	for (kernel::EspKeys *key : {&spec.inboundKeys, &spec.outboundKeys}) {
		key->encryptionKey.assign(16, 1);
		key->integrityKey.assign(20, 2);
	}
	auto child = ChildSa::install(k, flows, spec);
	REQUIRE(child);
	REQUIRE(k.sas().size() == 2);
	for (const auto &sa : k.sas())
		CHECK(sa.params.setMark == (sa.id.spi == spec.inboundSpi ? grant->mark : 0u));
	CHECK(policiesWithMark(k, grant->mark) == 2);
	child->remove(k, flows);
	CHECK(policiesWithMark(k, grant->mark) == 0);
	CHECK(k.sas().empty());
}

TEST_CASE("kernel release: L2TP tunnels may share an address and port pair from Linux 6.10")
{
	CHECK(releaseAtLeast("6.12.9+bpo-amd64", 6, 10));
	CHECK(releaseAtLeast("6.10.0", 6, 10));
	CHECK(releaseAtLeast("7.0.1", 6, 10));
	CHECK_FALSE(releaseAtLeast("6.1.0-27-amd64", 6, 10));
	CHECK_FALSE(releaseAtLeast("6.9.12", 6, 10));
	CHECK_FALSE(releaseAtLeast("5.19", 6, 10));
	CHECK_FALSE(releaseAtLeast("", 6, 10));
	CHECK_FALSE(releaseAtLeast("6", 6, 0));
	CHECK_FALSE(releaseAtLeast("x.y", 0, 0));
	CHECK(l2tpTunnelsMayShareAddressPort("6.12.57+deb13-amd64"));
	CHECK_FALSE(l2tpTunnelsMayShareAddressPort("6.1.0-40-amd64"));
}
