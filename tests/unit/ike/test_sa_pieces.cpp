// The pieces IkeSa and IkeEngine are made of, alone: SaTransport (flights,
// retransmission, the NAT-T marker, message ids) and SaTable (routing by
// cookies, half-open counts, deadlines). The exchanges over them are
// tested end to end in the other test_ike_*.cpp files.
#include "ike/sa_table.h"
#include "ike/sa_transport.h"
#include "ike_lab.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

/// Sockets that keep what is sent.
struct RecordingSockets final : IkeSockets {
	struct Sent {
		IkeSocket socket;
		Endpoint local, peer;
		std::vector<uint8_t> bytes;
	};
	std::vector<Sent> sent;
	Result<void> send(IkeSocket socket, const Endpoint &local, const Endpoint &peer,
	                  std::span<const uint8_t> datagram) override
	{
		sent.push_back({socket, local, peer, {datagram.begin(), datagram.end()}});
		return {};
	}
};

struct NoEvents final : IkeSaEvents {
	void stateChanged(IkeSa &, Phase1State, Phase1State) override {}
	void foreignDelete(IkeSa &, uint32_t) override {}
};

struct Pieces {
	RecordingSockets sockets;
	kernel::FakeIpsecDataplane dataplane;
	FakeIkeRandom random{7};
	IkeContext ctx{
	        IkeEngineConfig{}, sockets, dataplane, random, nullptr, nullptr, ChildFlows(kernel::OwnedReqids{}),
	        TimePoint{}};
	NoEvents events;
};

Cookie cookie(uint8_t b)
{
	Cookie c{};
	c.fill(b);
	return c;
}

/// An SaTransport with what it reads, as IkeSa holds them.
struct Transport {
	SaIdentity who;
	PeerPath path;
	IsakmpCipher cipher;
	SaTransport tx;
	Transport(Pieces &p, SaIdentity w, PeerPath pa)
	    : who(std::move(w)), path(std::move(pa)), tx(p.ctx, who, path, cipher)
	{
	}
};

} // namespace

TEST_CASE("SaTransport: a flight is retransmitted with a doubling timeout, then given up")
{
	Pieces p;
	Transport t(p, {1, true, cookie(1), cookie(2)},
	            {IkeSocket::Ike, {ip("192.0.2.1"), 500}, {ip("192.0.2.2"), 500}});
	SaTransport &tx = t.tx;
	Flight f;
	tx.sendAwaiting(f, {1, 2, 3}, "Main Mode 1", {});
	REQUIRE(p.sockets.sent.size() == 1);
	CHECK(p.sockets.sent[0].bytes == std::vector<uint8_t>{1, 2, 3});
	CHECK(p.sockets.sent[0].peer == t.path.peer);
	CHECK(tx.retransmit(f)); // not due yet
	CHECK(p.sockets.sent.size() == 1);
	auto timeout = p.ctx.config.retransmitTimeout;
	for (uint32_t i = 1; i <= p.ctx.config.retransmitTries; i++) {
		p.ctx.now = *f.retransmitAt;
		CHECK(tx.retransmit(f));
		CHECK(p.sockets.sent.size() == i + 1);
		timeout = std::min(timeout * 2, p.ctx.config.maxRetransmitTimeout);
		CHECK(f.timeout == timeout);
	}
	p.ctx.now = *f.retransmitAt;
	CHECK_FALSE(tx.retransmit(f));
	CHECK(p.sockets.sent.size() == p.ctx.config.retransmitTries + 1);

	// An answer is kept for retransmissions of its request, never resent on its own.
	Flight answer;
	tx.sendAnswer(answer, {9}, {4, 5});
	CHECK_FALSE(answer.retransmitAt);
	CHECK(answer.answered == std::vector<uint8_t>{4, 5});
}

TEST_CASE("SaTransport: IKE on the NAT-T socket carries the non-ESP marker; headers carry the cookies")
{
	Pieces p;
	Transport t(p, {1, false, cookie(3), cookie(4)},
	            {IkeSocket::NatT, {ip("192.0.2.1"), 4500}, {ip("198.51.100.7"), 30001}});
	SaTransport &tx = t.tx;
	tx.send({0xaa});
	REQUIRE(p.sockets.sent.size() == 1);
	CHECK(p.sockets.sent[0].socket == IkeSocket::NatT);
	CHECK(p.sockets.sent[0].bytes == std::vector<uint8_t>{0, 0, 0, 0, 0xaa});
	Header h = tx.header(ExchangeType::QuickMode, 42);
	CHECK(h.initiatorCookie == cookie(3));
	CHECK(h.responderCookie == cookie(4));
	CHECK(h.messageId == 42);
}

TEST_CASE("SaTransport: a new message id is never zero nor one already used")
{
	Pieces p;
	Transport t(p, {1, true, cookie(1), cookie(2)}, {});
	SaTransport &tx = t.tx;
	for (int i = 0; i < 64; i++) {
		auto mid = tx.newMessageId();
		REQUIRE(mid);
		CHECK(*mid != 0);
		CHECK_FALSE(tx.used(*mid));
		tx.markUsed(*mid);
		CHECK(tx.used(*mid));
	}
}

TEST_CASE("SaTable: routing by cookies and MM1 retransmits, half-open counts, deadlines")
{
	Pieces p;
	SaTable table;
	Endpoint local{ip("192.0.2.1"), 500}, peer{ip("192.0.2.2"), 500};
	// A responder SA: both cookies known from the start.
	IkeSa &resp = table.add(std::make_unique<IkeSa>(p.ctx, p.events, SaIdentity{1, false, cookie(1), cookie(2)},
	                                                PeerPath{IkeSocket::Ike, local, peer}),
	                        false);
	// An initiator SA: found by its cookie until the responder's is known.
	table.add(std::make_unique<IkeSa>(p.ctx, p.events, SaIdentity{2, true, cookie(5), Cookie{}},
	                                  PeerPath{IkeSocket::Ike, local, peer}),
	          true);
	CHECK(table.size() == 2);
	CHECK(table.halfOpen() == 2);
	CHECK(table.halfOpenAt(peer.address) == 2);
	CHECK(table.countAt(peer.address) == 2);
	CHECK(table.idsAt(peer.address) == std::set<uint64_t>{1, 2});
	CHECK(table.reauthenticating(2));
	CHECK_FALSE(table.reauthenticating(1));

	Header h;
	h.initiatorCookie = cookie(1);
	h.responderCookie = cookie(2);
	CHECK(table.route(h, peer) == &resp);
	h.responderCookie = Cookie{}; // MM1 again, from the same endpoint only
	CHECK(table.route(h, peer) == &resp);
	CHECK(table.route(h, Endpoint{peer.address, 4500}) == nullptr);
	h.initiatorCookie = cookie(5);
	h.responderCookie = cookie(9); // MM2 brings the responder's cookie
	REQUIRE(table.route(h, peer) != nullptr);
	CHECK(table.route(h, peer)->identity().id == 2);
	CHECK(table.peerSas(resp, false).size() == 1);

	// Deadlines: the setup timeout of each SA, earliest first.
	table.rearm(1);
	table.rearm(2);
	REQUIRE(table.nextDeadline());
	CHECK(*table.nextDeadline() == p.ctx.now + p.ctx.config.setupTimeout);
	CHECK(table.due(p.ctx.now).empty());
	CHECK(table.due(p.ctx.now + p.ctx.config.setupTimeout) == std::vector<uint64_t>{1, 2});

	// Dead: no longer half-open (once), and erasing forgets it everywhere.
	resp.close("", false);
	CHECK(table.update(resp));
	CHECK_FALSE(table.update(resp));
	CHECK(table.halfOpen() == 1);
	table.erase(1);
	CHECK(table.find(1) == nullptr);
	h.initiatorCookie = cookie(1);
	h.responderCookie = cookie(2);
	CHECK(table.route(h, peer) == nullptr);
	CHECK(table.countAt(peer.address) == 1);
	CHECK(table.due(p.ctx.now + p.ctx.config.setupTimeout) == std::vector<uint64_t>{2});
	table.find(2)->close("", false);
	table.erase(2);
	CHECK(table.size() == 0);
	CHECK(table.halfOpen() == 0);
	CHECK_FALSE(table.nextDeadline());
}

namespace {

/// One installed pair of flow `srcPort` -> 1701 with these SPIs, added to `set`.
void installPair(Pieces &p, ChildSaSet &set, uint16_t srcPort, uint32_t in, uint32_t out, TimePoint established)
{
	Endpoint local{ip("192.0.2.1"), 500}, peer{ip("192.0.2.2"), 500};
	ChildSaSpec spec;
	spec.local = local;
	spec.peer = peer;
	spec.flow = kernel::Selector{local.address, peer.address, 32, 32, 17, 1701, srcPort};
	auto reqid = p.ctx.flows.acquire(spec.flow, peer);
	REQUIRE(reqid);
	spec.reqid = reqid->reqid;
	spec.inboundSpi = in;
	spec.outboundSpi = out;
	for (kernel::EspKeys *k : {&spec.inboundKeys, &spec.outboundKeys}) {
		k->encryptionKey.assign(16, 1);
		k->integrityKey.assign(20, 2);
	}
	auto child = ChildSa::install(p.dataplane, p.ctx.flows, spec);
	REQUIRE_MESSAGE(child, (child ? "" : child.error().message));
	ChildSaInfo info;
	info.peer = peer;
	info.inboundSpi = in;
	info.outboundSpi = out;
	info.flow = spec.flow;
	info.established = established;
	set.add(std::move(*child), info);
}

} // namespace

TEST_CASE("ChildSaSet: lookups by SPI, newer pairs, hand-over and removal")
{
	Pieces p;
	ChildSaSet set(p.ctx, 5), other(p.ctx, 7);
	installPair(p, set, 1701, 0x1001, 0x2001, TimePoint{});
	installPair(p, set, 1701, 0x1002, 0x2002, TimePoint{} + std::chrono::seconds(10)); // a rekey of the flow
	installPair(p, other, 40000, 0x1003, 0x2003, TimePoint{});
	CHECK(set.size() == 2);
	CHECK(set.indexOf(0x1002) == 1);
	CHECK(set.indexOf(0x2001) == 0); // outbound SPIs count too
	CHECK_FALSE(set.indexOf(0x9999));
	CHECK(set.hasInboundSpi(0x1001));
	CHECK_FALSE(set.hasInboundSpi(0x2001));
	CHECK(set.hasNewerPair(0));
	CHECK_FALSE(set.hasNewerPair(1));
	// Every pair is filed under its set's ISAKMP SA.
	CHECK(p.ctx.spis.inboundOwner(0x1002) == 5);
	CHECK(p.ctx.spis.inboundOwner(0x1003) == 7);
	CHECK(p.ctx.spis.owners(0x2003) == std::vector<uint64_t>{7});

	set.adopt(other);
	CHECK(other.empty());
	REQUIRE(set.size() == 3);
	CHECK(set.infos()[2].ikeSaId == 5);
	CHECK(set.spec(2).inboundSpi == 0x1003);
	CHECK(p.ctx.spis.inboundOwner(0x1003) == 5);
	CHECK(p.ctx.spis.owners(0x2003) == std::vector<uint64_t>{5});

	CHECK(set.removeBySpi(0x2001, "test"));
	CHECK_FALSE(set.removeBySpi(0x2001, "test"));
	CHECK(set.size() == 2);
	CHECK(set.infos()[0].inboundSpi == 0x1002);
	CHECK(p.ctx.spis.inboundOwner(0x1001) == 0);
	CHECK(p.ctx.spis.owners(0x2001).empty());
	CHECK(p.ctx.spis.size() == 4);
	set.remove(set.size() - 1, "test");
	CHECK(p.ctx.spis.size() == 2);
}

TEST_CASE("ChildSaSet: a set that goes unfiles its pairs")
{
	Pieces p;
	{
		ChildSaSet set(p.ctx, 9);
		installPair(p, set, 1701, 0x1001, 0x2001, TimePoint{});
		CHECK(p.ctx.spis.inboundOwner(0x1001) == 9);
	}
	CHECK(p.ctx.spis.size() == 0);
	CHECK(p.ctx.spis.inboundOwner(0x1001) == 0);
}

TEST_CASE("ChildSpiIndex: outbound SPIs are the peers' and may repeat")
{
	ChildSpiIndex index;
	index.file(0x1001, 0xabcd, 1);
	index.file(0x1002, 0xabcd, 2); // another peer chose the same SPI
	index.file(0x1003, 0xabcd, 2); // and again, for its rekeyed pair
	CHECK(index.owners(0xabcd) == std::vector<uint64_t>{1, 2});
	CHECK(index.owners(0x1002) == std::vector<uint64_t>{2});
	index.unfile(0x1003, 0xabcd, 2);
	CHECK(index.owners(0xabcd) == std::vector<uint64_t>{1, 2}); // SA 2's first pair is still there
	index.unfile(0x1002, 0xabcd, 2);
	CHECK(index.owners(0xabcd) == std::vector<uint64_t>{1});
	index.unfile(0x1002, 0xabcd, 2); // twice: nothing
	CHECK(index.size() == 2);
	// An inbound SPI re-filed under its new owner is not unfiled by the old.
	index.file(0x1001, 0xabcd, 3);
	index.unfile(0x1001, 0xabcd, 1);
	CHECK(index.inboundOwner(0x1001) == 3);
}

TEST_CASE("ChildSaSet: pairs are filed by the L2TP flow they cover, in the order a walk finds them")
{
	Pieces p;
	const IpAddress peer = ip("192.0.2.2");
	{
		ChildSaSet set(p.ctx, 5), other(p.ctx, 3);
		installPair(p, set, 1701, 0x1001, 0x2001, TimePoint{});
		installPair(p, other, 40000, 0x1003, 0x2003, TimePoint{});
		CHECK(p.ctx.l2tpFlows.size() == 2);
		auto at = p.ctx.l2tpFlows.first(peer, 1701);
		REQUIRE(at);
		CHECK(at->owner == 5);
		REQUIRE(set.atPlace(at->seq));
		CHECK(set.atPlace(at->seq)->inboundSpi == 0x1001);
		CHECK_FALSE(other.atPlace(at->seq));
		// Port not known: ISAKMP SA 3 comes first in the engine's order.
		CHECK(p.ctx.l2tpFlows.first(peer, 0)->owner == 3);

		// Adopted pairs are filed under the new owner, after its own.
		set.adopt(other);
		at = p.ctx.l2tpFlows.first(peer, 40000);
		REQUIRE(at);
		CHECK(at->owner == 5);
		CHECK(set.atPlace(at->seq)->inboundSpi == 0x1003);
		CHECK(p.ctx.l2tpFlows.first(peer, 0)->owner == 5);
		CHECK(set.atPlace(p.ctx.l2tpFlows.first(peer, 0)->seq)->inboundSpi == 0x1001);

		// The peer's NAT moved it to another port: still found.
		set.follow(Endpoint{peer, 4501});
		CHECK(p.ctx.l2tpFlows.first(peer, 1701));
		CHECK(p.ctx.l2tpFlows.size() == 2);

		CHECK(set.removeBySpi(0x1001, "test"));
		CHECK_FALSE(p.ctx.l2tpFlows.first(peer, 1701));
		CHECK(p.ctx.l2tpFlows.first(peer, 40000));
	}
	// The set went: nothing left filed.
	CHECK(p.ctx.l2tpFlows.size() == 0);
	CHECK_FALSE(p.ctx.l2tpFlows.first(peer, 0));
}
