// LacSupervisor over the in-memory L2TP lab: a [[lac]] profile whose server
// dies (and whose address a standby takes, as keepalived moves it) dials the
// standby from port 1701 while its old tunnel still waits, closing, for a
// StopCCN ack that never comes; a second live tunnel to one server still
// takes an ephemeral port.

#include "daemon/lac_supervisor.h"
#include "l2tp/exchange_lab.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec;
using namespace l2tpsec::l2tp;
using namespace l2tpsec::l2tp::test;

namespace {

Config lacSetup()
{
	Config c;
	c.server.listen = {ip("192.0.2.2")};
	for (const char *name : {"office", "home"}) {
		LacProfile p;
		p.name = name;
		p.server = ip("192.0.2.1");
		p.user = "alice";
		c.lac.push_back(p);
	}
	return c;
}

const TunnelInfo *tunnelOf(const L2tpEngine &engine, uint16_t id, std::vector<TunnelInfo> &keep)
{
	keep = engine.tunnels();
	auto t = std::find_if(keep.begin(), keep.end(), [id](const TunnelInfo &x) { return x.tunnelId == id; });
	return t == keep.end() ? nullptr : &*t;
}

/// The LAC host of a lab run by its LacSupervisor (IPsec off: no IKE).
struct SupervisedLac {
	Lab lab;
	std::unique_ptr<Host> server, lac;
	std::unique_ptr<EventLoop> loop;
	IpsecAdmission admission{IpsecRequirement::Off, IpsecFlows{}};
	std::unique_ptr<LacSupervisor> sup;

	SupervisedLac()
	{
		// The supervisor gives the engine the real clock.
		lab.now = TransportClock::now();
		server = lab.host("192.0.2.1", lnsConfig());
		lac = lab.host("192.0.2.2", lacConfig());
		auto l = EventLoop::create();
		REQUIRE(l);
		loop = std::move(l.value());
		sup = std::make_unique<LacSupervisor>(*loop, lac->engine, admission, nullptr, 1701, [] {});
		sup->configure(lacSetup(), true);
	}
	~SupervisedLac() { sup->stopAll(); }

	uint16_t connect(const char *profile)
	{
		auto p = sup->connect(profile);
		REQUIRE(p);
		REQUIRE(p->tunnel);
		lab.now = std::max(lab.now, TransportClock::now());
		lab.settle();
		return *p->tunnel;
	}
};

} // namespace

TEST_CASE("LacSupervisor: after a failover the profile dials the standby from 1701 beside its closing tunnel")
{
	SupervisedLac s;
	uint16_t first = s.connect("office");
	std::vector<TunnelInfo> keep;
	const TunnelInfo *t = tunnelOf(s.lac->engine, first, keep);
	REQUIRE(t);
	CHECK(t->state == TunnelStateName::Established);
	CHECK(t->local.port == 1701);
	s.sup->tunnelUp(*t);

	// The server dies; the LAC's IPsec SA goes with it (DPD) and the daemon
	// closes the tunnel, which waits for a StopCCN ack from nobody.
	s.lab.kill(*s.server);
	REQUIRE(s.lac->engine.closeTunnel(first, "IPsec SA down: dead peer", s.lab.now));
	t = tunnelOf(s.lac->engine, first, keep);
	REQUIRE(t);
	CHECK(t->state == TunnelStateName::Closing);
	s.sup->tunnelDown(*t, "IPsec SA down: dead peer");
	REQUIRE(s.loop->runOnce(std::chrono::milliseconds(1000))); // the deferred reconnect
	auto waiting = s.sup->view();
	REQUIRE(waiting.profiles.size() == 2);
	auto office = std::find_if(waiting.profiles.begin(), waiting.profiles.end(),
	                           [](const control::ProfileView &p) { return p.name == "office"; });
	REQUIRE(office != waiting.profiles.end());
	CHECK(office->state == "waiting to retry");

	// The standby has the address now. The reconnect (l2tpctl connect does
	// what the back-off's timer does) comes from port 1701, which the IPsec
	// SA it negotiates covers, and comes up.
	auto standby = s.lab.host("192.0.2.1", lnsConfig());
	uint16_t second = s.connect("office");
	CHECK(second != first);
	t = tunnelOf(s.lac->engine, second, keep);
	REQUIRE(t);
	CHECK(t->local.port == 1701);
	CHECK(t->state == TunnelStateName::Established);
	t = tunnelOf(s.lac->engine, first, keep);
	REQUIRE(t); // still closing beside it
	CHECK(t->state == TunnelStateName::Closing);
	CHECK(standby->engine.tunnelCount() == 1);

	// A second profile to the same server beside the live tunnel: an
	// ephemeral port, not a second tunnel on one address/port pair.
	uint16_t third = s.connect("home");
	t = tunnelOf(s.lac->engine, third, keep);
	REQUIRE(t);
	CHECK(t->local.port != 1701);
	CHECK(t->state == TunnelStateName::Established);
}
