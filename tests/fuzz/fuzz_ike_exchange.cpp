// libFuzzer: two IKE engines of this code (an initiator and a responder,
// fake kernels, seeded randomness) run a Main Mode + Quick Mode exchange while
// the input decides what the wire does to each datagram: deliver, drop,
// duplicate, truncate, flip bits, replay an old one, inject bytes of its own,
// or let time pass. Whatever happens, neither engine may crash, hang or trip
// a sanitizer, and every SA must end up removed from the fake kernels at
// shutdown. (fuzz_ike_message covers the codec alone; this reaches the
// states behind the encrypted messages, which random bytes never get to.)

#include "common/log.h"
#include "ike/fake_ike_ports.h"
#include "ike/ike_engine.h"
#include "tests/support/fake_ipsec_dataplane.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ike;

namespace {

IpAddress ip(const char *s)
{
	return *IpAddress::parse(s);
}

IkeEngineConfig config(bool initiator)
{
	IkeConfig ike;
	// The cheapest group: the DH work is not what is fuzzed, and each run
	// does four DH operations.
	ike.ikeProposals = {"aes128-sha1-modp1024"};
	auto c = ikeEngineConfig(ike);
	if (!c)
		std::abort();
	c->psk = [](const IpAddress &) -> std::optional<crypto::SecretBytes> {
		std::string key = "fuzz-psk";
		return crypto::SecretBytes(key.begin(), key.end());
	};
	c->acceptPeers = !initiator;
	return std::move(*c);
}

struct Host {
	FakeIkeSockets sockets;
	kernel::FakeIpsecDataplane kernel;
	FakeIkeRandom random;
	IkeEngine engine;
	Host(FakeIkeNetwork &net, const IpAddress &address, bool initiator, uint64_t seed)
	    : sockets(net), random(seed), engine(config(initiator), sockets, kernel, random)
	{
		net.attach(address, engine);
	}
};

size_t installed(const kernel::FakeIpsecDataplane &k)
{
	size_t n = 0;
	for (const auto &sa : k.sas())
		n += !sa.larval;
	return n + k.policies().size();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	log::setLevel(LogLevel::Error); // the engines log every refusal
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzedDataProvider in(data, size);
	FakeIkeNetwork net;
	const IpAddress server = ip("192.0.2.1"), client = ip("198.51.100.2");
	if (in.ConsumeBool())
		net.addNat(client, ip("203.0.113.9"));
	auto responder = std::make_unique<Host>(net, server, false, 1);
	auto initiator = std::make_unique<Host>(net, client, true, 2);
	TimePoint now = TimePoint{} + std::chrono::hours(1);

	ChildRequest child;
	if (in.ConsumeBool())
		child.peerPort = in.ConsumeIntegral<uint16_t>(); // a client's ephemeral port
	if (!initiator->engine.connect(ConnectRequest{client, server, child}, now))
		std::abort();

	std::vector<FakeIkeNetwork::Datagram> history;
	for (int step = 0; step < 256 && in.remaining_bytes() > 0; ++step) {
		auto &q = net.queue();
		uint8_t op = in.ConsumeIntegral<uint8_t>() % 8;
		if (op == 5 || (q.empty() && op != 6 && op != 7)) {
			now += std::chrono::milliseconds(in.ConsumeIntegralInRange<uint32_t>(0, 200000));
			responder->engine.onTimer(now);
			initiator->engine.onTimer(now);
			continue;
		}
		switch (op) {
		case 0: // as sent
			break;
		case 1: // lost
			q.pop_front();
			continue;
		case 2: // duplicated
			q.push_back(q.front());
			break;
		case 3: // truncated
			q.front().bytes.resize(in.ConsumeIntegralInRange<size_t>(0, q.front().bytes.size()));
			break;
		case 4: { // bits flipped
			auto &b = q.front().bytes;
			if (!b.empty())
				b[in.ConsumeIntegralInRange<size_t>(0, b.size() - 1)] ^=
				        in.ConsumeIntegralInRange<uint8_t>(1, 255);
			break;
		}
		case 6: { // bytes of the input's own, from the client's side
			FakeIkeNetwork::Datagram d;
			d.from = Endpoint{client, in.ConsumeBool() ? uint16_t{500} : uint16_t{4500}};
			d.to = Endpoint{server, d.from.port};
			d.bytes = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 700));
			q.push_front(std::move(d));
			break;
		}
		case 7: // an old one again
			if (history.empty())
				continue;
			q.push_front(history[in.ConsumeIntegralInRange<size_t>(0, history.size() - 1)]);
			break;
		}
		if (history.size() < 64)
			history.push_back(q.front());
		net.deliver(now, 1);
	}
	// Then the wire behaves for a while: whatever state the engines are in,
	// they must settle without looping.
	for (int i = 0; i < 40; ++i) {
		net.deliver(now, 1000);
		now += std::chrono::seconds(5);
		responder->engine.onTimer(now);
		initiator->engine.onTimer(now);
	}

	if (std::getenv("FUZZ_IKE_VERBOSE")) // to check that a seed gets where it should
		std::fprintf(stderr, "responder: %zu ISAKMP SAs, %zu IPsec SA pairs; initiator: %zu, %zu\n",
		             responder->engine.saCount(), responder->engine.childSas().size(),
		             initiator->engine.saCount(), initiator->engine.childSas().size());
	responder->engine.shutdown(now);
	initiator->engine.shutdown(now);
	if (installed(responder->kernel) != 0 || installed(initiator->kernel) != 0)
		std::abort(); // an SA or policy outlived the engine's shutdown
	return 0;
}
