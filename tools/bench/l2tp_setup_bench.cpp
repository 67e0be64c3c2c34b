// l2tp_setup_bench: how fast the L2TP control plane sets up tunnels and
// sessions, and how much memory a session costs, with the kernel and pppd
// replaced by in-memory stand-ins (so this measures our code only).
//
// A LAC engine and an LNS engine of this code run in this process over the
// in-memory network of src/l2tp/fake_ports.h. The LAC opens TUNNELS tunnels
// with SESSIONS sessions each; the clock is the real one. It reports:
//  - setup rate: established sessions per second of wall time, SCCRQ to the
//    last ICCN processed, both ends' work included;
//  - heap per session: the heap in use (mallinfo2) after setup, minus the
//    heap before, with the LAC side destroyed first, so what remains is the
//    LNS engine plus its in-memory kernel and pppd stand-ins, divided by the
//    number of sessions (an upper bound for the daemon's own share).
//
//   usage: l2tp_setup_bench [TUNNELS [SESSIONS_PER_TUNNEL]]   (default 100 10)
#include "common/log.h"
#include "kernel/null_l2tp_dataplane.h"
#include "l2tp/engine.h"
#include "l2tp/fake_ports.h"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace l2tpsec;
using namespace l2tpsec::l2tp;

namespace {

size_t heapInUse()
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

struct Side {
	FakeTunnelSockets sockets;
	kernel::NullL2tpDataplane kernel;
	FakePppLauncher ppp;
	L2tpEngine engine;
	Side(FakeNetwork &net, const char *address, EngineConfig cfg)
	    : sockets(net, *IpAddress::parse(address)), engine(std::move(cfg), kernel, sockets, ppp)
	{
		net.attach(sockets, engine);
	}
};

} // namespace

int main(int argc, char **argv)
{
	long tunnels = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100;
	long perTunnel = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10;
	if (tunnels < 1 || tunnels > 16000 || perTunnel < 1 || perTunnel > 1000) {
		std::fprintf(stderr, "usage: l2tp_setup_bench [TUNNELS (1-16000) [SESSIONS_PER_TUNNEL (1-1000)]]\n");
		return 64;
	}
	long total = tunnels * perTunnel;

	// Per-session info lines would dominate the measurement; a daemon at
	// this scale runs at warn too.
	log::setLevel(LogLevel::Warn);
	size_t heapBefore = heapInUse();
	FakeNetwork net;
	EngineConfig lnsCfg;
	lnsCfg.hostName = "lns";
	lnsCfg.maxTunnelsPerPeer = 20000; // one LAC host opens them all
	lnsCfg.pool = std::make_pair(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.255.254"));
	EngineConfig lacCfg;
	lacCfg.hostName = "lac";
	lacCfg.acceptTunnels = false;
	auto lns = std::make_unique<Side>(net, "192.0.2.1", lnsCfg);
	auto lac = std::make_unique<Side>(net, "192.0.2.2", lacCfg);
	if (total > 65000) {
		std::fprintf(stderr, "at most 65000 sessions (the pool)\n");
		return 64;
	}

	auto t0 = std::chrono::steady_clock::now();
	for (long t = 0; t < tunnels; ++t) {
		LacRequest req{"bench", Endpoint{*IpAddress::parse("192.0.2.2"), 0},
		               Endpoint{*IpAddress::parse("192.0.2.1"), 1701}};
		auto tid = lac->engine.connect(req, TransportClock::now());
		if (!tid) {
			std::fprintf(stderr, "connect: %s\n", tid.error().message.c_str());
			return 1;
		}
		for (long s = 1; s < perTunnel; ++s)
			if (!lac->engine.placeCall(tid.value(), TransportClock::now()))
				return 1;
		net.deliver(TransportClock::now());
	}
	net.deliver(TransportClock::now());
	auto t1 = std::chrono::steady_clock::now();

	size_t up = 0;
	for (const SessionInfo &s : lns->engine.sessions())
		up += s.state == SessionStateName::Established;
	if (static_cast<long>(up) != total || static_cast<long>(lns->ppp.starts().size()) != total) {
		std::fprintf(stderr, "only %zu of %ld sessions came up\n", up, total);
		return 1;
	}
	double seconds = std::chrono::duration<double>(t1 - t0).count();

	// Heap per session: drop the LAC side, then what is left is the LNS.
	lac.reset();
	malloc_trim(0);
	size_t heapLns = heapInUse() - heapBefore;
	std::printf("{\"tunnels\":%ld,\"sessions_per_tunnel\":%ld,\"sessions\":%ld,\"setup_seconds\":%.3f,"
	            "\"sessions_per_second\":%.0f,\"tunnels_per_second\":%.0f,\"lns_heap_bytes\":%zu,"
	            "\"lns_heap_bytes_per_session\":%.0f}\n",
	            tunnels, perTunnel, total, seconds, static_cast<double>(total) / seconds,
	            static_cast<double>(tunnels) / seconds, heapLns,
	            static_cast<double>(heapLns) / static_cast<double>(total));
	return 0;
}
