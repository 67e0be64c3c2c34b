// The IKE engine's flow index (src/ike/child_flow_index.h), which answers
// the L2TP admission's "which IPsec SA pair covers L2TP from peer:port",
// alone and against the rule it indexes, childProtects() (ike_views.h).
#include "daemon/ike_views.h"
#include "ike/child_flow_index.h"

#include <doctest.h>

#include <random>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ike;

namespace {

IpAddress addr(const char *s)
{
	return *IpAddress::parse(s);
}

/// A pair of ours (192.0.2.1:1701) with IKE peer `peer` and flow peer `flowPeer`:`port`.
ChildSaInfo pairOf(const char *peer, const char *flowPeer, uint16_t port, uint8_t prefix = 32)
{
	ChildSaInfo c;
	c.local = Endpoint{addr("192.0.2.1"), 500};
	c.peer = Endpoint{addr(peer), 500};
	c.flow = kernel::Selector{addr("192.0.2.1"), addr(flowPeer), 32, prefix, 17, 1701, port};
	return c;
}

using Place = ChildFlowIndex::Place;

} // namespace

TEST_CASE("ChildFlowIndex: a pair is found by its flow's address and port, and unfiled")
{
	ChildFlowIndex index;
	ChildSaInfo a = pairOf("198.51.100.7", "198.51.100.7", 1701);
	index.file(a, Place{1, index.nextSeq()});
	CHECK(index.first(addr("198.51.100.7"), 1701) == Place{1, 1});
	CHECK(index.first(addr("198.51.100.7"), 0) == Place{1, 1}); // port not known yet
	CHECK_FALSE(index.first(addr("198.51.100.7"), 40000));
	CHECK_FALSE(index.first(addr("198.51.100.8"), 1701));
	CHECK(index.size() == 1);
	index.unfile(a, Place{1, 1});
	CHECK_FALSE(index.first(addr("198.51.100.7"), 1701));
	CHECK_FALSE(index.first(addr("198.51.100.7"), 0));
	CHECK(index.size() == 0);
}

TEST_CASE("ChildFlowIndex: behind a NAT the NAT's address and the client's own both match")
{
	ChildFlowIndex index;
	// Two clients behind one NAT (203.0.113.9), each flow naming its own address.
	ChildSaInfo one = pairOf("203.0.113.9", "10.0.0.5", 1701);
	ChildSaInfo two = pairOf("203.0.113.9", "10.0.0.6", 1701);
	index.file(one, Place{4, index.nextSeq()});
	index.file(two, Place{3, index.nextSeq()});
	CHECK(index.first(addr("10.0.0.5"), 1701) == Place{4, 1});
	CHECK(index.first(addr("10.0.0.6"), 1701) == Place{3, 2});
	// The NAT's address: both cover it, the lower ISAKMP SA id first.
	CHECK(index.first(addr("203.0.113.9"), 1701) == Place{3, 2});
	CHECK_FALSE(index.first(addr("203.0.113.10"), 1701));
	index.unfile(two, Place{3, 2});
	CHECK(index.first(addr("203.0.113.9"), 1701) == Place{4, 1});
	CHECK_FALSE(index.first(addr("10.0.0.6"), 1701));
}

TEST_CASE("ChildFlowIndex: a flow with any port or any address covers more")
{
	ChildFlowIndex index;
	ChildSaInfo anyPort = pairOf("198.51.100.7", "198.51.100.7", 0);
	ChildSaInfo anyAddress = pairOf("198.51.100.9", "0.0.0.0", 1701, 0);
	index.file(anyPort, Place{2, index.nextSeq()});
	index.file(anyAddress, Place{5, index.nextSeq()});
	CHECK(index.first(addr("198.51.100.7"), 40000) == Place{2, 1});
	CHECK(index.first(addr("198.51.100.8"), 1701) == Place{5, 2});
	CHECK_FALSE(index.first(addr("198.51.100.8"), 40000));
	CHECK(index.first(addr("198.51.100.8"), 0) == Place{5, 2});
	CHECK(index.first(addr("198.51.100.9"), 40000) == std::nullopt); // its IKE peer, but another port
	// Both cover 198.51.100.7:1701; the first in ISAKMP SA order wins.
	CHECK(index.first(addr("198.51.100.7"), 1701) == Place{2, 1});
	index.unfile(anyAddress, Place{5, 2});
	CHECK_FALSE(index.first(addr("198.51.100.8"), 1701));
	CHECK(index.size() == 1);
}

TEST_CASE("ChildFlowIndex: agrees with childProtects and a walk in order, NAT and wildcards included")
{
	// Random pairs over a few addresses and ports, filed and unfiled at
	// random; every lookup is compared with the first pair, in place
	// order, that childProtects() accepts. At most kMaxFiled pairs are filed
	// at once: the reference walk is quadratic over the run, and the
	// ASan+UBSan build at -O0 ran past the suite's 30 s with ~1,000.
	constexpr size_t kMaxFiled = 150;
	std::mt19937 rng(19);
	const std::vector<const char *> addresses{"0.0.0.0", "198.51.100.7", "198.51.100.8", "203.0.113.9", "10.0.0.5"};
	const std::vector<uint16_t> ports{0, 1701, 40000};
	auto pick = [&](const auto &v) { return v[rng() % v.size()]; };
	ChildFlowIndex index;
	std::vector<std::pair<Place, ChildSaInfo>> filed;
	for (int step = 0; step < 3000; step++) {
		if (filed.empty() || (filed.size() < kMaxFiled && rng() % 3 != 0)) {
			uint8_t prefix = rng() % 4 == 0 ? 0 : 32;
			ChildSaInfo c = pairOf(pick(addresses), pick(addresses), pick(ports), prefix);
			Place at{1 + rng() % 6, index.nextSeq()};
			index.file(c, at);
			filed.emplace_back(at, c);
		} else {
			size_t i = rng() % filed.size();
			index.unfile(filed[i].second, filed[i].first);
			filed.erase(filed.begin() + static_cast<ptrdiff_t>(i));
		}
		for (const char *peer : addresses)
			for (uint16_t port : ports) {
				std::optional<Place> walk;
				for (const auto &[at, c] : filed)
					if (childProtects(c, addr(peer), port) && (!walk || at < *walk))
						walk = at;
				REQUIRE_MESSAGE(index.first(addr(peer), port) == walk,
				                peer << ":" << port << " step " << step);
			}
	}
	CHECK(index.size() == filed.size());
}
