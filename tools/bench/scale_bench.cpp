// scale_bench: whether the control plane's cost per setup and per lookup
// stays flat as the sessions grow (issue 19: 1,000 against 10,000), and the
// daemon's heap per whole session.
//
// A whole session is what an LNS holds for one L2TP/IPsec client: an
// ISAKMP SA with its IPsec SA pair in the IKE engine (and its indexes by
// cookie, SPI and L2TP flow), and a tunnel with one session in the L2TP
// engine, admitted with [l2tp] ipsec = "required" through the daemon's
// IpsecAdmission. Both engines are the daemon's, over the in-memory ports
// of src/ike/fake_ike_ports.h and src/l2tp/fake_ports.h, with the null
// dataplanes of l2tpsecd --fake-dataplane (a real kernel holds its SAs and
// sessions outside the daemon). Each client is a real exchange: an
// initiator IKE engine negotiates Main Mode and Quick Mode with the
// responder, then a LAC engine opens a tunnel and a session from the
// client's address, port 1701, the flow the pair protects; the client's
// engines are then destroyed, so what stays is the server's state. The DH
// private value is 1 on both sides (as ike_setup_bench's load generator
// uses), so the DH costs almost nothing and the rest of the work is seen.
//
// For each N it builds N whole sessions, then measures:
//  - lookups, each the best of ROUNDS passes over LOOKUPS sessions, in ns
//    of this thread's CPU time per lookup: `spi` (the pair by inbound SPI,
//    the kernel's expiry and NAT mapping events), `flow`
//    (IpsecAdmission::protects, sasOf with the ISAKMP SA and
//    blockingSource for a client's L2TP flow), `session` (the L2TP session
//    by tunnel and session id), and `view` (one session's line as `show`
//    could build it: the session by id, its SAs and l2tp_views'
//    sessionView; L2tpService::show itself still copies every session).
//    `lookup_ns` picks random sessions among all, as a server's lookups
//    come: at 10,000 sessions the state (~70 MB) outgrows the CPU's caches
//    and each lookup pays for memory misses. `hot_lookup_ns` repeats 64
//    sessions, whose state stays cached: what is left is the lookup's own
//    work, which is what an index keeps flat;
//  - setup: MORE further whole sessions in 4 batches, the median batch's
//    CPU time per session in µs, both ends' work included;
//  - heap: mallinfo2's heap in use after the N sessions minus before the
//    first, per session, the finished Quick Modes expired (it counts the
//    fake pppd launcher's record of each start: an upper bound).
// One JSON line per N, then a line with the ratios of the last N to the
// first for setup, heap and each lookup. Timing never fails the run: the
// exit status is 1 only when a session did not come up or a lookup did
// not find what it should (the unit suite runs small N for that).
//
//   usage: scale_bench [N ...] [--more M] [--lookups K] [--rounds R]   (default 1000 10000)
#include "common/log.h"
#include "daemon/ike_views.h"
#include "daemon/ipsec_admission.h"
#include "daemon/l2tp_views.h"
#include "ike/fake_ike_ports.h"
#include "ike/ike_engine.h"
#include "kernel/null_ipsec_dataplane.h"
#include "kernel/null_l2tp_dataplane.h"
#include "l2tp/engine.h"
#include "l2tp/fake_ports.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace l2tpsec;

namespace {

using Clock = std::chrono::steady_clock;

size_t heapInUse()
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/// This thread's CPU time: the machine runs other work too, and a wall
/// clock would count the time it waits for a core.
double cpuSeconds()
{
	timespec ts{};
	::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void fail(const std::string &what)
{
	std::fprintf(stderr, "scale_bench: %s\n", what.c_str());
	std::exit(1);
}

const IpAddress kServer = IpAddress::v4(0xc0000201); // 192.0.2.1

/// Client `i`'s address: 100.64.0.0/10 and up, one per client.
IpAddress clientAddress(size_t i)
{
	return IpAddress::v4(0x64400000u + static_cast<uint32_t>(i) + 1);
}

ike::IkeEngineConfig ikeConfig(bool responder)
{
	IkeConfig ike;
	ike.ikeProposals = {"aes128-sha256-modp2048"};
	ike.espProposals = {"aes128-sha256"};
	auto c = ike::ikeEngineConfig(ike);
	if (!c)
		fail(c.error().message);
	c->psk = [](const IpAddress &) -> std::optional<crypto::SecretBytes> {
		std::string key = "scale-bench";
		return crypto::SecretBytes(key.begin(), key.end());
	};
	// Setups and lookups only: no DPD probes or keepalives, and a finished
	// Quick Mode is forgotten after a second (the heap is read after it).
	c->dpdInterval = std::chrono::seconds(0);
	c->natKeepalive = std::chrono::seconds(0);
	c->quickModeLinger = std::chrono::seconds(1);
	c->maxHalfOpen = 1 << 20;
	c->acceptPeers = responder;
	return std::move(*c);
}

/// DH key pairs with the private value 1 (see the top of this file);
/// the rest (cookies, SPIs, nonces) differs with the seed, as real peers'
/// do.
class CheapDhRandom final : public ike::IkeRandom {
public:
	explicit CheapDhRandom(uint64_t seed) : fake_(seed) {}
	Result<std::vector<uint8_t>> bytes(size_t n) override { return fake_.bytes(n); }
	Result<crypto::DhKeyPair> keyPair(crypto::DhGroup group) override
	{
		const uint8_t one = 1;
		return crypto::DhKeyPair::fromPrivateValue(group, std::span(&one, 1));
	}

private:
	ike::FakeIkeRandom fake_;
};

/// One whole session as the bench finds it again.
struct Client {
	IpAddress address;
	uint32_t inboundSpi = 0;
	uint16_t tunnelId = 0, sessionId = 0;
};

/// What the server's engines report: the client of each new pair and session.
struct Reports final : ike::IkeObserver, l2tp::EngineObserver {
	std::optional<uint32_t> lastSpi;
	std::optional<std::pair<uint16_t, uint16_t>> lastSession;
	size_t childFailures = 0;
	void childSaUp(const ike::ChildSaInfo &c) override { lastSpi = c.inboundSpi; }
	void childSaFailed(uint64_t, const std::string &) override { childFailures++; }
	void sessionUp(const l2tp::SessionInfo &s) override { lastSession = std::pair(s.tunnelId, s.sessionId); }
};

/// The server: the daemon's two engines and the admission between them.
struct Server {
	ike::FakeIkeNetwork ikeNet;
	l2tp::FakeNetwork l2tpNet;
	Reports reports;
	ike::FakeIkeSockets ikeSockets{ikeNet};
	kernel::NullIpsecDataplane ipsecKernel;
	CheapDhRandom random{19};
	ike::IkeEngine ike{ikeConfig(true), ikeSockets, ipsecKernel, random, &reports};
	IpsecAdmission admission{IpsecRequirement::Required, flows()};
	l2tp::FakeTunnelSockets l2tpSockets{l2tpNet, kServer};
	kernel::NullL2tpDataplane l2tpKernel;
	l2tp::FakePppLauncher ppp;
	l2tp::L2tpEngine l2tp{l2tpConfig(), l2tpKernel, l2tpSockets, ppp, &reports};
	/// The clients' kernels, one for all: each client picks another SPI
	/// (as real peers do; each its own null dataplane would pick the same).
	kernel::NullIpsecDataplane clientsKernel;

	Server()
	{
		ikeNet.attach(kServer, ike);
		l2tpNet.attach(l2tpSockets, l2tp);
	}

	/// What IkeService answers IpsecAdmission, from the engine alone.
	IpsecFlows flows()
	{
		ike::IkeEngine *e = &ike;
		return IpsecFlows{
		        [e](const Endpoint &peer) { return flowSasOf(*e, peer, false).has_value(); },
		        [e](const Endpoint &peer) -> std::optional<IpAddress> {
			        if (auto sas = flowSasOf(*e, peer, false))
				        return sas->child.peer.address;
			        return std::nullopt;
		        },
		        [e](const Endpoint &peer, bool isakmp) { return flowSasOf(*e, peer, isakmp); },
		        nullptr,
		};
	}

	l2tp::EngineConfig l2tpConfig() const
	{
		l2tp::EngineConfig c;
		c.hostName = "lns";
		c.pool = std::make_pair(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.255.254"));
		c.admitPeer = admission.admitPeer(IpsecRequirement::Required);
		return c;
	}

	/// One client's whole session: IPsec first, then L2TP over it.
	Client setUp(size_t i)
	{
		Client client{clientAddress(i)};
		auto now = Clock::now();
		{
			ike::FakeIkeSockets sockets(ikeNet);
			CheapDhRandom rnd(1000 + i);
			ike::IkeEngine initiator(ikeConfig(false), sockets, clientsKernel, rnd);
			ikeNet.attach(client.address, initiator);
			reports.lastSpi.reset();
			ike::ConnectRequest req;
			req.local = client.address;
			req.server = kServer;
			if (auto id = initiator.connect(req, now); !id)
				fail("IKE connect: " + id.error().message);
			ikeNet.deliver(now);
			ikeNet.detach(client.address);
		}
		if (!reports.lastSpi)
			fail("client " + client.address.str() + ": no IPsec SA pair came up");
		client.inboundSpi = *reports.lastSpi;
		{
			l2tp::FakeTunnelSockets sockets(l2tpNet, client.address);
			kernel::NullL2tpDataplane kernel;
			l2tp::FakePppLauncher lacPpp;
			l2tp::EngineConfig cfg;
			cfg.hostName = "lac";
			cfg.acceptTunnels = false;
			l2tp::L2tpEngine lac(std::move(cfg), kernel, sockets, lacPpp);
			l2tpNet.attach(sockets, lac);
			reports.lastSession.reset();
			l2tp::LacRequest req{"bench", l2tp::Endpoint{client.address, 1701},
			                     l2tp::Endpoint{kServer, 1701}};
			if (auto tid = lac.connect(req, now); !tid)
				fail("L2TP connect: " + tid.error().message);
			l2tpNet.deliver(now);
			l2tpNet.detach(client.address);
		}
		if (!reports.lastSession)
			fail("client " + client.address.str() + ": no L2TP session came up");
		client.tunnelId = reports.lastSession->first;
		client.sessionId = reports.lastSession->second;
		return client;
	}

	/// The finished Quick Modes go (quickModeLinger).
	void expireLingering() { ike.onTimer(Clock::now() + std::chrono::seconds(2)); }
};

struct Options {
	std::vector<size_t> sizes;
	size_t more = 200;
	size_t batches = 4;
	size_t lookups = 2000;
	size_t rounds = 5;
};

/// The best of `rounds` passes of `one` over `picks`, in ns per call.
template <typename F>
double bestNs(const std::vector<size_t> &picks, size_t rounds, F &&one)
{
	double best = 1e300;
	for (size_t r = 0; r < rounds; r++) {
		double t0 = cpuSeconds();
		for (size_t i : picks)
			one(i);
		double ns = (cpuSeconds() - t0) * 1e9;
		best = std::min(best, ns / static_cast<double>(picks.size()));
	}
	return best;
}

struct Lookups {
	double spiNs = 0, flowNs = 0, sessionNs = 0, viewNs = 0;
};

struct Figures {
	size_t sessions = 0;
	double setupUs = 0, heapPerSession = 0;
	Lookups cold, hot;
};

Lookups lookups(Server &s, const std::vector<Client> &clients, const std::vector<size_t> &picks, size_t rounds)
{
	Lookups l;
	l.spiNs = bestNs(picks, rounds, [&](size_t i) {
		auto c = s.ike.childSaByInboundSpi(clients[i].inboundSpi);
		if (!c || c->peer.address != clients[i].address)
			fail("SPI lookup for " + clients[i].address.str());
	});
	l.flowNs = bestNs(picks, rounds, [&](size_t i) {
		l2tp::Endpoint peer{clients[i].address, 1701};
		auto sas = s.admission.sasOf(peer, true);
		if (!s.admission.protects(peer) || !sas || !sas->isakmp ||
		    sas->child.inboundSpi != clients[i].inboundSpi ||
		    s.admission.blockingSource(peer) != clients[i].address)
			fail("flow lookup for " + clients[i].address.str());
	});
	l.sessionNs = bestNs(picks, rounds, [&](size_t i) {
		auto info = s.l2tp.findSession(clients[i].tunnelId, clients[i].sessionId);
		if (!info || info->peer.address != clients[i].address)
			fail("session lookup for " + clients[i].address.str());
	});
	auto now = l2tp::TransportClock::now();
	l.viewNs = bestNs(picks, rounds, [&](size_t i) {
		auto info = s.l2tp.findSession(clients[i].tunnelId, clients[i].sessionId);
		if (!info)
			fail("view of " + clients[i].address.str());
		SessionExtras x;
		auto sas = s.admission.sasOf(info->peer, true);
		if (!sas)
			fail("view of " + clients[i].address.str() + ": no SAs");
		x.ikePeer = sas->child.peer.str();
		control::SessionView v = sessionView(*info, x, now);
		if (v.session != clients[i].sessionId)
			fail("view of " + clients[i].address.str());
	});
	return l;
}

Figures measure(size_t n, const Options &o)
{
	std::vector<Client> clients;
	clients.reserve(n + o.more);
	size_t heapBefore = heapInUse();
	auto server = std::make_unique<Server>();
	for (size_t i = 0; i < n; i++)
		clients.push_back(server->setUp(i));
	server->expireLingering();
	malloc_trim(0);
	size_t heapAfter = heapInUse();

	// Counts: every client has its ISAKMP SA, pair, tunnel and session.
	if (server->ike.saCount() != n || server->ike.childSas().size() != n || server->l2tp.tunnelCount() != n ||
	    server->l2tp.sessions().size() != n || server->reports.childFailures != 0)
		fail("counts: " + std::to_string(server->ike.saCount()) + " ISAKMP SAs, " +
		     std::to_string(server->l2tp.sessions().size()) + " sessions for " + std::to_string(n) +
		     " clients");

	std::mt19937_64 rng(n);
	// Cold: random sessions among all, as a server's lookups come. Hot: the
	// same 64 sessions over and over, their state in the CPU's caches, so
	// only the work of the lookup itself is left.
	std::vector<size_t> cold(o.lookups), hot(o.lookups);
	for (size_t &p : cold)
		p = rng() % n;
	for (size_t k = 0; k < hot.size(); k++)
		hot[k] = k < 64 ? rng() % n : hot[k % 64];
	Figures f;
	f.sessions = n;
	f.cold = lookups(*server, clients, cold, o.rounds);
	f.hot = lookups(*server, clients, hot, o.rounds);

	// Setups at this fill level: the median batch.
	std::vector<double> perSession;
	size_t per = std::max<size_t>(1, o.more / o.batches);
	for (size_t b = 0; b < o.batches; b++) {
		double t0 = cpuSeconds();
		for (size_t k = 0; k < per; k++)
			clients.push_back(server->setUp(clients.size()));
		double us = (cpuSeconds() - t0) * 1e6;
		perSession.push_back(us / static_cast<double>(per));
	}
	std::sort(perSession.begin(), perSession.end());
	f.setupUs = perSession[perSession.size() / 2];
	if (server->ike.saCount() != clients.size() || server->l2tp.tunnelCount() != clients.size())
		fail("counts after the further setups");
	f.heapPerSession = static_cast<double>(heapAfter - heapBefore) / static_cast<double>(n);
	return f;
}

std::string json(const Lookups &l, const char *format = "%.0f")
{
	std::string out = "{";
	for (auto [name, v] : {std::pair("spi", l.spiNs), std::pair("flow", l.flowNs),
	                       std::pair("session", l.sessionNs), std::pair("view", l.viewNs)}) {
		char buf[64];
		std::snprintf(buf, sizeof buf, format, v);
		out += std::string(out.size() > 1 ? "," : "") + "\"" + name + "\":" + buf;
	}
	return out + "}";
}

Lookups ratio(const Lookups &b, const Lookups &a)
{
	return Lookups{b.spiNs / a.spiNs, b.flowNs / a.flowNs, b.sessionNs / a.sessionNs, b.viewNs / a.viewNs};
}

size_t number(const char *s, size_t min, size_t max)
{
	char *end = nullptr;
	unsigned long long v = std::strtoull(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		std::fprintf(stderr, "usage: scale_bench [N ...] [--more M] [--lookups K] [--rounds R]\n");
		std::exit(64);
	}
	return static_cast<size_t>(v);
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if ((a == "--more" || a == "--lookups" || a == "--rounds") && i + 1 < argc) {
			size_t v = number(argv[++i], 1, 20000);
			(a == "--more" ? o.more : a == "--lookups" ? o.lookups : o.rounds) = v;
		} else {
			// Client addresses, tunnel ids and the pool allow 40,000 whole sessions.
			o.sizes.push_back(number(argv[i], 1, 40000));
		}
	}
	if (o.sizes.empty())
		o.sizes = {1000, 10000};
	o.batches = std::min(o.batches, o.more);
	for (size_t n : o.sizes)
		if (n + o.more > 40000)
			fail("N + --more must stay within 40000");

	// Per-session info lines would dominate; a daemon at this scale runs at warn too.
	log::setLevel(LogLevel::Warn);
	std::vector<Figures> all;
	for (size_t n : o.sizes) {
		Figures f = measure(n, o);
		all.push_back(f);
		std::printf("{\"sessions\":%zu,\"setup_us_per_session\":%.1f,\"heap_bytes_per_session\":%.0f,"
		            "\"lookup_ns\":%s,\"hot_lookup_ns\":%s}\n",
		            f.sessions, f.setupUs, f.heapPerSession, json(f.cold).c_str(), json(f.hot).c_str());
		std::fflush(stdout);
	}
	if (all.size() > 1) {
		const Figures &a = all.front(), &b = all.back();
		std::printf("{\"ratio_of\":\"%zu/%zu\",\"setup\":%.2f,\"heap_per_session\":%.2f,\"lookup\":%s,"
		            "\"hot_lookup\":%s}\n",
		            b.sessions, a.sessions, b.setupUs / a.setupUs, b.heapPerSession / a.heapPerSession,
		            json(ratio(b.cold, a.cold), "%.2f").c_str(), json(ratio(b.hot, a.hot), "%.2f").c_str());
	}
	return 0;
}
