// NullIpsecDataplane and NullL2tpDataplane (--fake-dataplane, benchmarks):
// they answer like the kernel, count, and keep nothing.

#include "kernel/factory/dataplane_factory.h"
#include "kernel/null_ipsec_dataplane.h"
#include "kernel/null_l2tp_dataplane.h"

#include <doctest.h>
#include <malloc.h>

using namespace l2tpsec;
using namespace l2tpsec::kernel;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

size_t heapInUse()
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

} // namespace

TEST_CASE("NullIpsecDataplane: SPIs from the fake's sequence, the kernel's parameter checks")
{
	NullIpsecDataplane dp;
	OwnedReqids owned;
	auto a = dp.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), owned.first);
	auto b = dp.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), owned.first);
	REQUIRE(a);
	REQUIRE(b);
	CHECK(*a == 0xc0000001);
	CHECK(*b == 0xc0000002);
	CHECK(*dp.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), owned.first, 0x100, 0x1ff) == 0x100);
	CHECK(dp.allocSpi(ip("192.0.2.1"), ip("192.0.2.2"), 7).error().code == EINVAL);
	CHECK(dp.allocSpi(ip("192.0.2.1"), ip("2001:db8::1"), owned.first).error().code == EINVAL);
	CHECK(dp.counts().spisAllocated == 3);
	CHECK(dp.counts().refused == 2);
}

TEST_CASE("NullIpsecDataplane: counts every call, lists nothing, keeps nothing")
{
	NullIpsecDataplane dp;
	SaId id{ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 0, 0};
	SaParams params;
	params.reqid = OwnedReqids{}.first;
	PolicyId pol;
	// Warm up, then 10,000 SA lifetimes must not move the heap.
	for (int i = 0; i < 10; i++) {
		(void)dp.addSa(id, params);
		(void)dp.deleteSa(id);
	}
	size_t before = heapInUse();
	for (uint32_t i = 0; i < 10000; i++) {
		id.spi = 0x1000 + i;
		CHECK(dp.addSa(id, params));
		CHECK(dp.updateSa(id, params));
		CHECK(dp.addPolicy(pol, PolicyParams{}));
		CHECK(dp.deletePolicy(pol));
		CHECK(dp.deleteSa(id));
	}
	CHECK(heapInUse() == before);
	CHECK(dp.counts().sasAdded == 10010);
	CHECK(dp.counts().sasUpdated == 10000);
	CHECK(dp.counts().sasDeleted == 10010);
	CHECK(dp.counts().policiesAdded == 10000);
	CHECK(dp.counts().policiesDeleted == 10000);
	auto st = dp.querySa(id);
	REQUIRE(st);
	CHECK(st->id == id);
	CHECK(st->bytes == 0);
	CHECK(dp.listSas()->empty());
	CHECK(dp.listPolicies()->empty());
	CHECK(dp.flush()->sas == 0);
	CHECK(dp.bypassSocket(-1));
	CHECK(dp.enableUdpEncap(-1));
}

TEST_CASE("NullL2tpDataplane: counts every call, answers the ids asked, no PPP descriptor")
{
	NullL2tpDataplane dp;
	TunnelParams t;
	t.tunnelId = 0x4001;
	SessionParams s;
	s.tunnelId = 0x4001;
	s.sessionId = 7;
	size_t before = 0;
	for (int i = 0; i < 10010; i++) {
		if (i == 10)
			before = heapInUse();
		CHECK(dp.createTunnel(t));
		CHECK(dp.createSession(s));
		auto fd = dp.openPppSocket(s, 9, -1);
		REQUIRE(fd);
		CHECK_FALSE(*fd);
		CHECK(dp.deleteSession(s.tunnelId, s.sessionId));
		CHECK(dp.deleteTunnel(t.tunnelId));
	}
	CHECK(heapInUse() == before);
	CHECK(dp.counts().tunnelsCreated == 10010);
	CHECK(dp.counts().sessionsDeleted == 10010);
	CHECK(dp.counts().pppSockets == 10010);
	CHECK(dp.getTunnel(5)->tunnelId == 5);
	auto ss = dp.getSession(5, 6);
	REQUIRE(ss);
	CHECK(ss->sessionId == 6);
	CHECK(ss->stats.rxBytes == 0);
	CHECK(dp.listTunnels()->empty());
	CHECK(dp.listSessions()->empty());
	CHECK(*dp.flush() == 0);
}

TEST_CASE("the factory's null kind: null dataplanes, no XFRM events, no root needed")
{
	auto ipsec = makeIpsecDataplane(DataplaneKind::Null, OwnedReqids{});
	REQUIRE(ipsec);
	CHECK(dynamic_cast<NullIpsecDataplane *>(ipsec->dataplane.get()) != nullptr);
	CHECK(ipsec->events == nullptr);
	auto l2tp = makeL2tpDataplane(DataplaneKind::Null);
	REQUIRE(l2tp);
	CHECK(dynamic_cast<NullL2tpDataplane *>(l2tp->get()) != nullptr);
}
