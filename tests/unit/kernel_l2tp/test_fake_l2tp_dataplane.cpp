// FakeL2tpDataplane: records calls, fails on request, and answers like the
// kernel (same errnos and texts as NetlinkL2tpDataplane).

#include "tests/support/fake_l2tp_dataplane.h"

#include <doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using Op = FakeL2tpDataplane::Op;

namespace {

TunnelParams tunnel(uint32_t id, uint8_t version = 2)
{
	TunnelParams p;
	p.tunnelId = id;
	p.peerTunnelId = id + 1000;
	p.version = version;
	p.localAddress = *IpAddress::parse("192.0.2.1");
	p.peerAddress = *IpAddress::parse("192.0.2.2");
	return p;
}

SessionParams session(uint32_t tid, uint32_t sid)
{
	SessionParams s;
	s.tunnelId = tid;
	s.sessionId = sid;
	s.peerSessionId = sid + 100;
	return s;
}

using Log = std::vector<std::string>;

} // namespace

TEST_CASE("tunnels and sessions are created, listed, read and deleted")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(16385)));
	SessionParams sp = session(16385, 1);
	sp.lnsMode = true;
	sp.reorderTimeoutMs = 100;
	REQUIRE(dp.createSession(sp));
	REQUIRE(dp.createSession(session(16385, 2)));

	auto t = dp.getTunnel(16385);
	REQUIRE(t);
	CHECK(t->peerTunnelId == 17385);
	CHECK(t->localAddress.str() == "192.0.2.1");
	CHECK(t->localPort == 1701);
	auto s = dp.getSession(16385, 1);
	REQUIRE(s);
	CHECK(s->peerSessionId == 101);
	CHECK(s->lnsMode);
	CHECK(s->reorderTimeoutMs == 100);
	CHECK(dp.listTunnels()->size() == 1);
	CHECK(dp.listSessions()->size() == 2);

	REQUIRE(dp.deleteSession(16385, 2));
	CHECK_FALSE(dp.hasSession(16385, 2));
	REQUIRE(dp.deleteTunnel(16385));
	CHECK_FALSE(dp.hasTunnel(16385));
	CHECK_FALSE(dp.hasSession(16385, 1)); // went with its tunnel
	CHECK(dp.listSessions()->empty());

	CHECK(dp.callLog() == Log{"createTunnel 16385", "createSession 16385/1", "createSession 16385/2",
	                          "getTunnel 16385", "getSession 16385/1", "listTunnels", "listSessions",
	                          "deleteSession 16385/2", "deleteTunnel 16385", "listSessions"});
	CHECK(dp.calls().front() == FakeL2tpDataplane::Call{Op::CreateTunnel, 16385, 0, false});
}

TEST_CASE("the kernel's refusals, with the netlink dataplane's texts")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(16385)));

	auto dup = dp.createTunnel(tunnel(16385));
	REQUIRE_FALSE(dup);
	CHECK(dup.error().code == EEXIST);
	CHECK(dup.error().message == "L2TP_CMD_TUNNEL_CREATE tunnel 16385: File exists");

	auto orphan = dp.createSession(session(9, 1));
	REQUIRE_FALSE(orphan);
	CHECK(orphan.error().code == ENODEV);
	CHECK(orphan.error().message == "L2TP_CMD_SESSION_CREATE tunnel 9 session 1: No such device (no such tunnel)");

	REQUIRE(dp.createSession(session(16385, 1)));
	auto dupSession = dp.createSession(session(16385, 1));
	REQUIRE_FALSE(dupSession);
	CHECK(dupSession.error().message == "L2TP_CMD_SESSION_CREATE tunnel 16385 session 1: File exists");

	CHECK(dp.deleteTunnel(9).error().message == "L2TP_CMD_TUNNEL_DELETE tunnel 9: No such device (no such tunnel)");
	CHECK(dp.getTunnel(9).error().code == ENODEV);
	CHECK(dp.deleteSession(16385, 7).error().message ==
	      "L2TP_CMD_SESSION_DELETE tunnel 16385 session 7: No such device (no such session)");
	CHECK(dp.getSession(16385, 7).error().code == ENODEV);

	TunnelParams bad = tunnel(70000);
	auto invalid = dp.createTunnel(bad);
	REQUIRE_FALSE(invalid);
	CHECK(invalid.error().code == EINVAL);
	CHECK(invalid.error().message == "tunnel 70000 peer 71000: L2TPv2 tunnel ids are 16 bits");

	CHECK(dp.callLog() == Log{"createTunnel 16385", "createTunnel 16385 failed", "createSession 9/1 failed",
	                          "createSession 16385/1", "createSession 16385/1 failed", "deleteTunnel 9 failed",
	                          "getTunnel 9 failed", "deleteSession 16385/7 failed", "getSession 16385/7 failed",
	                          "createTunnel 70000 failed"});
}

TEST_CASE("session ids: per tunnel in L2TPv2, per namespace in L2TPv3")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(1)));
	REQUIRE(dp.createTunnel(tunnel(2)));
	REQUIRE(dp.createSession(session(1, 5)));
	CHECK(dp.createSession(session(2, 5)));

	REQUIRE(dp.createTunnel(tunnel(100000, 3)));
	REQUIRE(dp.createTunnel(tunnel(100001, 3)));
	REQUIRE(dp.createSession(session(100000, 7)));
	auto clash = dp.createSession(session(100001, 7));
	REQUIRE_FALSE(clash);
	CHECK(clash.error().code == EEXIST);
}

TEST_CASE("a managed tunnel's descriptor must be open")
{
	FakeL2tpDataplane dp;
	int sv[2];
	REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	TunnelParams managed;
	managed.tunnelId = 16400;
	managed.peerTunnelId = 1;
	managed.udpFd = sv[0];
	CHECK(dp.createTunnel(managed));
	auto t = dp.getTunnel(16400);
	REQUIRE(t);
	CHECK(t->localPort == 0); // the fake does not look into the socket
	close(sv[0]);
	close(sv[1]);
	managed.tunnelId = 16401;
	auto r = dp.createTunnel(managed);
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "L2TP_CMD_TUNNEL_CREATE tunnel 16401: Bad file descriptor");
}

TEST_CASE("failNext fails the next call, or the next call of one kind, without side effects")
{
	FakeL2tpDataplane dp;
	dp.failNext(Error{ENOBUFS, "injected"});
	auto r = dp.createTunnel(tunnel(1));
	REQUIRE_FALSE(r);
	CHECK(r.error().code == ENOBUFS);
	CHECK(r.error().message == "injected");
	CHECK_FALSE(dp.hasTunnel(1));

	dp.failNext(Error{EPROTONOSUPPORT, "no ppp"}, Op::CreateSession);
	dp.failNext(Error{EIO, "second"}, Op::CreateSession);
	REQUIRE(dp.createTunnel(tunnel(1))); // not a session call: unaffected
	CHECK(dp.createSession(session(1, 1)).error().message == "no ppp");
	CHECK(dp.createSession(session(1, 1)).error().message == "second");
	CHECK(dp.createSession(session(1, 1)));
	CHECK(dp.callLog() == Log{"createTunnel 1 failed", "createTunnel 1", "createSession 1/1 failed",
	                          "createSession 1/1 failed", "createSession 1/1"});
	dp.clearCalls();
	CHECK(dp.calls().empty());
}

TEST_CASE("openPppSocket gives a real descriptor and follows pppol2tp_connect()")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(16385)));
	REQUIRE(dp.createSession(session(16385, 1)));

	SessionParams sp = session(16385, 1);
	sp.lnsMode = true;
	auto fd = dp.openPppSocket(sp, 17385, -1);
	REQUIRE(fd);
	CHECK(fd->valid());
	CHECK((fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
	CHECK(dp.pppAttached(16385, 1));
	CHECK(dp.getSession(16385, 1)->lnsMode); // the socket option reached the session

	auto second = dp.openPppSocket(sp, 17385, -1);
	REQUIRE_FALSE(second);
	CHECK(second.error().code == EEXIST);
	CHECK(second.error().message ==
	      "connect PPPoL2TP tunnel 16385 session 1: File exists (the session already has a PPP socket)");

	auto noTunnel = dp.openPppSocket(session(9, 1), 1, -1);
	REQUIRE_FALSE(noTunnel);
	CHECK(noTunnel.error().code == ENOENT);

	// A missing session is created by the connect, as the kernel does.
	auto implicit = dp.openPppSocket(session(16385, 2), 17385, -1);
	REQUIRE(implicit);
	CHECK(dp.hasSession(16385, 2));

	// Closing the socket deletes the session (pppol2tp_release()).
	fd->reset();
	CHECK_FALSE(dp.pppAttached(16385, 1));
	CHECK_FALSE(dp.hasSession(16385, 1));
	CHECK(dp.getSession(16385, 1).error().code == ENODEV);
	CHECK(dp.hasSession(16385, 2));

	CHECK_FALSE(dp.openPppSocket(session(16385, 3), 0, -1));
}

TEST_CASE("a PPP socket passed to a child keeps the session while the child holds it")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(16385)));
	auto fd = dp.openPppSocket(session(16385, 1), 17385, -1);
	REQUIRE(fd);
	int copy = dup(fd->get()); // what a fork() would hold
	fd->reset();
	CHECK(dp.hasSession(16385, 1));
	close(copy);
	CHECK_FALSE(dp.pppAttached(16385, 1));
	CHECK_FALSE(dp.hasSession(16385, 1));
}

TEST_CASE("flush removes tunnels in the owned range only, with their sessions")
{
	FakeL2tpDataplane dp(OwnedTunnelIds{0x4000, 0x7fff});
	dp.addExistingTunnel(tunnel(0x4001)); // left by a crashed run
	dp.addExistingTunnel(tunnel(100));    // another program's
	REQUIRE(dp.createTunnel(tunnel(0x4002)));
	REQUIRE(dp.createSession(session(0x4002, 1)));
	REQUIRE(dp.createSession(session(100, 1)));
	auto n = dp.flush();
	REQUIRE(n);
	CHECK(*n == 2);
	CHECK(dp.hasTunnel(100));
	CHECK(dp.hasSession(100, 1));
	CHECK_FALSE(dp.hasTunnel(0x4001));
	CHECK_FALSE(dp.hasSession(0x4002, 1));
	CHECK(*dp.flush() == 0);
	CHECK(dp.callLog().back() == "flush");
}

TEST_CASE("stats set by a test are what get and list report")
{
	FakeL2tpDataplane dp;
	REQUIRE(dp.createTunnel(tunnel(1)));
	REQUIRE(dp.createSession(session(1, 1)));
	L2tpStats st;
	st.rxPackets = 10;
	st.txBytes = 999;
	dp.setTunnelStats(1, st);
	dp.setSessionStats(1, 1, st);
	CHECK(dp.getTunnel(1)->stats.rxPackets == 10);
	CHECK(dp.getSession(1, 1)->stats.txBytes == 999);
	CHECK(dp.listSessions()->front().stats.rxPackets == 10);
	CHECK(dp.tunnelParams(1)->peerTunnelId == 1001);
	CHECK(dp.sessionParams(1, 1)->peerSessionId == 101);
	CHECK_FALSE(dp.tunnelParams(2));
	CHECK_FALSE(dp.sessionParams(1, 2));
}
