// The socket side without root: UDP encapsulation and bypass errors, and,
// when the machine allows unprivileged user+network namespaces, the real
// kernel driven through NetlinkIpsecDataplane in a private namespace
// (policies, dumps, flush, ACQUIRE events, socket bypass). SAs need the
// esp4 module, which only the lab VM guarantees: tests/kernel/xfrm_*.sh.

#include "kernel/xfrm/netlink_ipsec_dataplane.h"
#include "kernel/xfrm/xfrm_events.h"
#include "kernel/xfrm/xfrm_netlink.h"
#include "tests/unit/kernel_xfrm/xfrm_test_util.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <doctest.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using namespace testutil;

namespace {

/// Enters a fresh user+network namespace once for this process (the test
/// binary runs alone); false when the system forbids it.
bool privateNetns()
{
	static int state = [] {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
			return 0;
		// Bring lo up so traffic to 127.0.0.1 is routable.
		UniqueFd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
		ifreq ifr{};
		std::strcpy(ifr.ifr_name, "lo");
		if (ioctl(s.get(), SIOCGIFFLAGS, &ifr) < 0)
			return 0;
		ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
		if (ioctl(s.get(), SIOCSIFFLAGS, &ifr) < 0)
			return 0;
		// lo skips IPsec (devinet.c sets NOXFRM on loopback); this
		// namespace's lo must not, so its policies apply.
		UniqueFd f(open("/proc/sys/net/ipv4/conf/lo/disable_xfrm", O_WRONLY | O_CLOEXEC));
		if (!f || write(f.get(), "0\n", 2) != 2)
			return 0;
		return 1;
	}();
	return state == 1;
}

UniqueFd udpSocket()
{
	return UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

int sendTo(int fd, uint16_t srcPort, uint16_t dstPort)
{
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(srcPort);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) < 0)
		return errno;
	a.sin_port = htons(dstPort);
	return sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr *>(&a), sizeof(a)) < 0 ? errno : 0;
}

} // namespace

TEST_CASE("enableUdpEncap and bypassSocket report bad descriptors with context")
{
	auto dp = NetlinkIpsecDataplane::create();
	REQUIRE(dp);
	CHECK((*dp)->enableUdpEncap(-1).error().message == "UDP_ENCAP_ESPINUDP on fd -1: Bad file descriptor");
	CHECK((*dp)->bypassSocket(-1).error().message == "bypass IPsec policies on fd -1: Bad file descriptor");
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	UniqueFd a(sv[0]), b(sv[1]);
	CHECK((*dp)->bypassSocket(a.get()).error().message ==
	      fmt::format("bypass IPsec policies on fd {}: not an IP socket", a.get()));
}

TEST_CASE("enableUdpEncap sets UDP_ENCAP_ESPINUDP on a UDP socket")
{
	auto dp = NetlinkIpsecDataplane::create();
	REQUIRE(dp);
	auto udp = udpSocket();
	CHECK((*dp)->enableUdpEncap(udp.get()));
	UniqueFd tcp(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK(!(*dp)->enableUdpEncap(tcp.get()));
}

TEST_CASE("the real kernel in a private namespace: policies, list, flush, errors with context")
{
	if (!privateNetns()) {
		MESSAGE("skipped: no unprivileged user+network namespaces here");
		return;
	}
	auto made = NetlinkIpsecDataplane::create();
	REQUIRE(made);
	auto &dp = **made;
	auto sas = dp.listSas();
	REQUIRE(sas);
	CHECK(sas->empty());

	PolicyId out{l2tpFlow(ip("192.0.2.1"), ip("192.0.2.2")), PolicyDirection::Out, 0, 0};
	PolicyParams pp;
	pp.reqid = 0x4c320001;
	pp.priority = 100;
	REQUIRE(dp.addPolicy(out, pp));
	auto dup = dp.addPolicy(out, pp);
	REQUIRE(!dup);
	CHECK(dup.error().code == EEXIST);
	CHECK(dup.error().message.starts_with(
	        "XFRM_MSG_NEWPOLICY out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701: File exists"));

	// A foreign policy (reqid outside ours) must survive the flush.
	PolicyId foreign{l2tpFlow(ip("198.51.100.1"), ip("198.51.100.2")), PolicyDirection::In, 0, 0};
	{
		xfrm::MsgBuffer buf;
		PolicyParams fp;
		fp.reqid = 7;
		auto sock = xfrm::XfrmSocket::open();
		REQUIRE(sock);
		auto msg = xfrm::buildNewPolicy(buf, sock->nextSeq(), foreign, fp);
		REQUIRE(sock->execute(*msg, "foreign policy"));
	}
	auto pols = dp.listPolicies();
	REQUIRE(pols);
	REQUIRE(pols->size() == 1);
	CHECK((*pols)[0].id == out);
	CHECK((*pols)[0].params.reqid == 0x4c320001);
	CHECK((*pols)[0].params.priority == 100);
	CHECK((*pols)[0].index % 8 == 1);

	auto missing = dp.deleteSa(SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xdead, 0, 0});
	CHECK(missing.error().message == "XFRM_MSG_DELSA spi 0x0000dead 192.0.2.1->192.0.2.2: No such process");
	auto noPolicy = dp.deletePolicy(foreign.direction == PolicyDirection::In ? out : foreign);
	CHECK(noPolicy);
	CHECK(dp.deletePolicy(out).error().message.starts_with(
	        "XFRM_MSG_DELPOLICY out 192.0.2.1/32->192.0.2.2/32 udp 1701->1701: No such file or directory"));

	REQUIRE(dp.addPolicy(out, pp));
	auto report = dp.flush();
	REQUIRE(report);
	CHECK(report->policies == 1);
	CHECK(dp.listPolicies()->empty());
	// The foreign one is still there: deleting it works.
	auto sock = xfrm::XfrmSocket::open();
	xfrm::MsgBuffer buf;
	CHECK(sock->execute(*xfrm::buildDelPolicy(buf, sock->nextSeq(), foreign), "foreign policy delete"));
}

TEST_CASE("ACQUIRE events reach the subscription; a bypassed socket is not caught")
{
	if (!privateNetns()) {
		MESSAGE("skipped: no unprivileged user+network namespaces here");
		return;
	}
	auto made = NetlinkIpsecDataplane::create();
	REQUIRE(made);
	auto &dp = **made;
	auto events = xfrm::EventSubscription::open();
	REQUIRE(events);
	CHECK(events->readPending()->empty());

	PolicyId out{l2tpFlow(ip("127.0.0.1"), ip("127.0.0.1")), PolicyDirection::Out, 0, 0};
	out.selector.srcPort = 1702;
	PolicyParams pp;
	pp.reqid = 0x4c320077;
	REQUIRE(dp.addPolicy(out, pp));

	UniqueFd receiver(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	sockaddr_in at{};
	at.sin_family = AF_INET;
	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	at.sin_port = htons(1701);
	REQUIRE(bind(receiver.get(), reinterpret_cast<sockaddr *>(&at), sizeof(at)) == 0);
	auto received = [&] {
		char b[16];
		for (int i = 0; i < 20; i++) {
			if (recv(receiver.get(), b, sizeof(b), 0) > 0)
				return true;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		return false;
	};

	// A plain socket's packet needs an SA that is not there: the kernel
	// drops it and asks the key manager (us) for one.
	auto plain = udpSocket();
	CHECK(sendTo(plain.get(), 1702, 1701) == 0);
	CHECK(!received());
	std::vector<xfrm::Event> got;
	for (int i = 0; i < 50 && got.empty(); i++) {
		auto r = events->readPending();
		REQUIRE(r);
		got = *r;
		if (got.empty())
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	REQUIRE(got.size() >= 1);
	CHECK(got[0].kind == xfrm::EventKind::Acquire);
	CHECK(got[0].reqid == 0x4c320077);
	CHECK(got[0].direction == PolicyDirection::Out);
	CHECK(got[0].selector.srcPort == 1702);
	CHECK(got[0].selector.dstPort == 1701);
	CHECK(xfrm::describeEvent(got[0]) ==
	      fmt::format("acquire out 127.0.0.1/32->127.0.0.1/32 udp 1702->1701 policy {} reqid 0x4c320077",
	                  got[0].policyIndex));

	// The same flow from a bypassed socket goes out in the clear.
	auto bypassed = udpSocket();
	REQUIRE(dp.bypassSocket(bypassed.get()));
	CHECK(sendTo(bypassed.get(), 1702, 1701) == 0);
	CHECK(received());
	auto flushed = dp.flush();
	REQUIRE(flushed);
	CHECK(flushed->policies == 1);
}
