// Golden tests for every L2TP generic-netlink request (the exact bytes, then
// parsed back field by field), the reply parsers on kernel-shaped answers,
// and the parsers on corrupt and hostile answers.

#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"
#include "tests/support/netlink_bytes.h"

#include <doctest.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>

#include <cstring>
#include <random>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using namespace l2tpsec::kernel::l2tpgenl;

namespace {

constexpr uint16_t kFamily = 0x1c;

IpAddress ip(const char *text)
{
	return *IpAddress::parse(text);
}

TunnelParams staticTunnel()
{
	TunnelParams p;
	p.tunnelId = 16385;
	p.peerTunnelId = 16386;
	p.version = 2;
	p.localAddress = ip("192.0.2.1");
	p.peerAddress = ip("192.0.2.2");
	p.localPort = 1701;
	p.peerPort = 1702;
	return p;
}

// A built request taken apart by hand (tests/support/netlink_bytes.h), not
// by the parsers under test.
using Parsed = test::GenlParts;

Parsed parseRequest(const std::vector<uint8_t> &bytes)
{
	auto msgs = netlink::splitMessages(bytes);
	REQUIRE(msgs);
	REQUIRE(msgs->size() == 1);
	return test::splitGenl(bytes);
}

template <typename T>
T attrInt(const Parsed &p, uint16_t type)
{
	REQUIRE(p.attrs.contains(type));
	const auto &payload = p.attrs.at(type);
	REQUIRE(payload.size() == sizeof(T));
	T v;
	std::memcpy(&v, payload.data(), sizeof v);
	return v;
}

uint32_t u32(const Parsed &p, uint16_t type)
{
	return attrInt<uint32_t>(p, type);
}

uint16_t u16(const Parsed &p, uint16_t type)
{
	return attrInt<uint16_t>(p, type);
}

uint8_t u8(const Parsed &p, uint16_t type)
{
	return attrInt<uint8_t>(p, type);
}

// What the kernel's l2tp_nl_tunnel_send() emits, with the u64 pads of
// nla_put_u64_64bit() in the stats nest.
std::vector<uint8_t> tunnelReply(uint32_t seq, uint16_t flags)
{
	test::GenlWriter w(kFamily, flags, seq, L2TP_CMD_TUNNEL_GET, 1);
	w.putU8(L2TP_ATTR_PROTO_VERSION, 2);
	w.putU32(L2TP_ATTR_CONN_ID, 16385);
	w.putU32(L2TP_ATTR_PEER_CONN_ID, 16386);
	w.putU32(L2TP_ATTR_DEBUG, 0);
	w.putU16(L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	size_t nest = w.beginNest(L2TP_ATTR_STATS);
	w.putBytes(L2TP_ATTR_STATS_PAD, {});
	w.putU64(L2TP_ATTR_TX_PACKETS, 11);
	w.putU64(L2TP_ATTR_TX_BYTES, 1100);
	w.putU64(L2TP_ATTR_TX_ERRORS, 1);
	w.putU64(L2TP_ATTR_RX_PACKETS, 12);
	w.putU64(L2TP_ATTR_RX_BYTES, 1200);
	w.putU64(L2TP_ATTR_RX_SEQ_DISCARDS, 2);
	w.putU64(L2TP_ATTR_RX_COOKIE_DISCARDS, 0);
	w.putU64(L2TP_ATTR_RX_OOS_PACKETS, 3);
	w.putU64(L2TP_ATTR_RX_ERRORS, 4);
	w.putU64(L2TP_ATTR_RX_INVALID, 0);
	w.endNest(nest);
	w.putU8(L2TP_ATTR_UDP_CSUM, 1);
	w.putU16(L2TP_ATTR_UDP_SPORT, 1701);
	w.putU16(L2TP_ATTR_UDP_DPORT, 1702);
	const uint8_t sa[4] = {192, 0, 2, 1}, da[4] = {192, 0, 2, 2};
	w.putBytes(L2TP_ATTR_IP_SADDR, sa);
	w.putBytes(L2TP_ATTR_IP_DADDR, da);
	return std::move(w).finish();
}

// What l2tp_nl_session_send() emits for a PPP session.
std::vector<uint8_t> sessionReply(uint32_t seq, bool withIfname)
{
	test::GenlWriter w(kFamily, 0, seq, L2TP_CMD_SESSION_GET, 1);
	w.putU32(L2TP_ATTR_CONN_ID, 16385);
	w.putU32(L2TP_ATTR_SESSION_ID, 1);
	w.putU32(L2TP_ATTR_PEER_CONN_ID, 16386);
	w.putU32(L2TP_ATTR_PEER_SESSION_ID, 2);
	w.putU32(L2TP_ATTR_DEBUG, 0);
	w.putU16(L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	if (withIfname)
		w.putString(L2TP_ATTR_IFNAME, "l2tpeth0");
	w.putU8(L2TP_ATTR_RECV_SEQ, 1);
	w.putU8(L2TP_ATTR_SEND_SEQ, 0);
	w.putU8(L2TP_ATTR_LNS_MODE, 1);
	w.putU8(L2TP_ATTR_USING_IPSEC, 1);
	w.putU64(L2TP_ATTR_RECV_TIMEOUT, 250);
	size_t nest = w.beginNest(L2TP_ATTR_STATS);
	w.putU64(L2TP_ATTR_TX_PACKETS, 5);
	w.putU64(L2TP_ATTR_TX_BYTES, 500);
	w.putU64(L2TP_ATTR_RX_PACKETS, 6);
	w.putU64(L2TP_ATTR_RX_BYTES, 600);
	w.endNest(nest);
	return std::move(w).finish();
}

} // namespace

TEST_CASE("TUNNEL_CREATE, static IPv4: golden bytes and every field")
{
	auto bytes = buildTunnelCreate(kFamily, 9, staticTunnel());
	REQUIRE(bytes);
	// clang-format off
	const std::vector<uint8_t> golden = {
		0x5c, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x09, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_TUNNEL_CREATE, 0x01, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_CONN_ID, 0x00,        0x01, 0x40, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_PEER_CONN_ID, 0x00,   0x02, 0x40, 0x00, 0x00,
		0x05, 0x00, L2TP_ATTR_PROTO_VERSION, 0x00,  0x02, 0x00, 0x00, 0x00,
		0x06, 0x00, L2TP_ATTR_ENCAP_TYPE, 0x00,     0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_IP_SADDR, 0x00,       192, 0, 2, 1,
		0x08, 0x00, L2TP_ATTR_IP_DADDR, 0x00,       192, 0, 2, 2,
		0x05, 0x00, L2TP_ATTR_UDP_CSUM, 0x00,       0x01, 0x00, 0x00, 0x00,
		0x06, 0x00, L2TP_ATTR_UDP_SPORT, 0x00,      0xa5, 0x06, 0x00, 0x00,
		0x06, 0x00, L2TP_ATTR_UDP_DPORT, 0x00,      0xa6, 0x06, 0x00, 0x00,
	};
	// clang-format on
	CHECK(*bytes == golden);

	Parsed p = parseRequest(*bytes);
	CHECK(p.type == kFamily);
	CHECK(p.flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(p.seq == 9);
	CHECK(p.cmd == L2TP_CMD_TUNNEL_CREATE);
	CHECK(p.version == L2TP_GENL_VERSION);
	CHECK(p.attrCount == 9);
	CHECK(u32(p, L2TP_ATTR_CONN_ID) == 16385);
	CHECK(u32(p, L2TP_ATTR_PEER_CONN_ID) == 16386);
	CHECK(u8(p, L2TP_ATTR_PROTO_VERSION) == 2);
	CHECK(u16(p, L2TP_ATTR_ENCAP_TYPE) == L2TP_ENCAPTYPE_UDP);
	CHECK(u16(p, L2TP_ATTR_UDP_SPORT) == 1701);
	CHECK(u16(p, L2TP_ATTR_UDP_DPORT) == 1702);
	CHECK(u8(p, L2TP_ATTR_UDP_CSUM) == 1);
	CHECK_FALSE(p.attrs.contains(L2TP_ATTR_FD));
	// And the tunnel parser reads the same attributes back.
	auto t = parseTunnel(*bytes);
	REQUIRE(t);
	CHECK(t->tunnelId == 16385);
	CHECK(t->peerTunnelId == 16386);
	CHECK(t->version == 2);
	CHECK(t->localAddress == ip("192.0.2.1"));
	CHECK(t->peerAddress == ip("192.0.2.2"));
	CHECK(t->localPort == 1701);
	CHECK(t->peerPort == 1702);
}

TEST_CASE("TUNNEL_CREATE, static IPv6: 16-byte addresses, no UDP_CSUM")
{
	TunnelParams tp = staticTunnel();
	tp.version = 3;
	tp.tunnelId = 100000;
	tp.peerTunnelId = 200000;
	tp.localAddress = ip("2001:db8::1");
	tp.peerAddress = ip("2001:db8::2");
	auto bytes = buildTunnelCreate(kFamily, 1, tp);
	REQUIRE(bytes);
	Parsed p = parseRequest(*bytes);
	CHECK(p.attrCount == 8);
	CHECK(u32(p, L2TP_ATTR_CONN_ID) == 100000);
	CHECK(u8(p, L2TP_ATTR_PROTO_VERSION) == 3);
	REQUIRE(p.attrs.contains(L2TP_ATTR_IP6_SADDR));
	CHECK(p.attrs.at(L2TP_ATTR_IP6_SADDR).size() == 16);
	CHECK(p.attrs.at(L2TP_ATTR_IP6_DADDR)[15] == 2);
	CHECK_FALSE(p.attrs.contains(L2TP_ATTR_IP_SADDR));
	CHECK_FALSE(p.attrs.contains(L2TP_ATTR_UDP_CSUM));
	auto t = parseTunnel(*bytes);
	REQUIRE(t);
	CHECK(t->localAddress == ip("2001:db8::1"));
	CHECK(t->peerAddress == ip("2001:db8::2"));
}

TEST_CASE("TUNNEL_CREATE, managed: the fd and nothing about addresses")
{
	TunnelParams tp;
	tp.tunnelId = 16385;
	tp.peerTunnelId = 7;
	tp.udpFd = 5;
	auto bytes = buildTunnelCreate(kFamily, 3, tp);
	REQUIRE(bytes);
	// clang-format off
	const std::vector<uint8_t> golden = {
		0x3c, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x03, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_TUNNEL_CREATE, 0x01, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_CONN_ID, 0x00,        0x01, 0x40, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_PEER_CONN_ID, 0x00,   0x07, 0x00, 0x00, 0x00,
		0x05, 0x00, L2TP_ATTR_PROTO_VERSION, 0x00,  0x02, 0x00, 0x00, 0x00,
		0x06, 0x00, L2TP_ATTR_ENCAP_TYPE, 0x00,     0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_FD, 0x00,             0x05, 0x00, 0x00, 0x00,
	};
	// clang-format on
	CHECK(*bytes == golden);
	Parsed p = parseRequest(*bytes);
	CHECK(p.attrCount == 5);
	CHECK(u32(p, L2TP_ATTR_FD) == 5);
	CHECK_FALSE(p.attrs.contains(L2TP_ATTR_UDP_SPORT));
}

TEST_CASE("TUNNEL_DELETE, TUNNEL_GET and the tunnel dump")
{
	// clang-format off
	const std::vector<uint8_t> del = {
		0x1c, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x04, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_TUNNEL_DELETE, 0x01, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_CONN_ID, 0x00,  0x01, 0x40, 0x00, 0x00,
	};
	const std::vector<uint8_t> dump = {
		0x14, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x01, 0x03,  0x06, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_TUNNEL_GET, 0x01, 0x00, 0x00,
	};
	// clang-format on
	CHECK(buildTunnelDelete(kFamily, 4, 16385) == del);
	CHECK(buildTunnelDump(kFamily, 6) == dump);

	auto getBytes = buildTunnelGet(kFamily, 5, 16385);
	Parsed get = parseRequest(getBytes);
	CHECK(get.flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(get.cmd == L2TP_CMD_TUNNEL_GET);
	CHECK(get.attrCount == 1);
	CHECK(u32(get, L2TP_ATTR_CONN_ID) == 16385);
	Parsed d = parseRequest(dump);
	CHECK((d.flags & NLM_F_DUMP) == NLM_F_DUMP);
	CHECK(d.attrCount == 0);
}

TEST_CASE("SESSION_CREATE: golden bytes and every field")
{
	SessionParams sp;
	sp.tunnelId = 16385;
	sp.sessionId = 1;
	sp.peerSessionId = 2;
	sp.lnsMode = true;
	sp.recvSeq = true;
	sp.reorderTimeoutMs = 250;
	auto bytes = buildSessionCreate(kFamily, 10, sp);
	REQUIRE(bytes);
	// clang-format off
	const std::vector<uint8_t> golden = {
		0x58, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x0a, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_SESSION_CREATE, 0x01, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_CONN_ID, 0x00,          0x01, 0x40, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_SESSION_ID, 0x00,       0x01, 0x00, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_PEER_SESSION_ID, 0x00,  0x02, 0x00, 0x00, 0x00,
		0x06, 0x00, L2TP_ATTR_PW_TYPE, 0x00,          L2TP_PWTYPE_PPP, 0x00, 0x00, 0x00,
		0x05, 0x00, L2TP_ATTR_RECV_SEQ, 0x00,         0x01, 0x00, 0x00, 0x00,
		0x05, 0x00, L2TP_ATTR_SEND_SEQ, 0x00,         0x00, 0x00, 0x00, 0x00,
		0x05, 0x00, L2TP_ATTR_LNS_MODE, 0x00,         0x01, 0x00, 0x00, 0x00,
		0x0c, 0x00, L2TP_ATTR_RECV_TIMEOUT, 0x00,     0xfa, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	// clang-format on
	CHECK(*bytes == golden);
	Parsed p = parseRequest(*bytes);
	CHECK(p.cmd == L2TP_CMD_SESSION_CREATE);
	CHECK(u16(p, L2TP_ATTR_PW_TYPE) == L2TP_PWTYPE_PPP);
	auto s = parseSession(*bytes);
	REQUIRE(s);
	CHECK(s->tunnelId == 16385);
	CHECK(s->sessionId == 1);
	CHECK(s->peerSessionId == 2);
	CHECK(s->lnsMode);
	CHECK(s->recvSeq);
	CHECK_FALSE(s->sendSeq);
	CHECK(s->reorderTimeoutMs == 250);

	sp.reorderTimeoutMs = 0;
	auto noTimeoutBytes = *buildSessionCreate(kFamily, 11, sp);
	Parsed noTimeout = parseRequest(noTimeoutBytes);
	CHECK_FALSE(noTimeout.attrs.contains(L2TP_ATTR_RECV_TIMEOUT));
	CHECK(noTimeout.attrCount == 7);
}

TEST_CASE("SESSION_DELETE, SESSION_GET and the session dump")
{
	// clang-format off
	const std::vector<uint8_t> del = {
		0x24, 0x00, 0x00, 0x00,  0x1c, 0x00,  0x05, 0x00,  0x0c, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		L2TP_CMD_SESSION_DELETE, 0x01, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_CONN_ID, 0x00,     0x01, 0x40, 0x00, 0x00,
		0x08, 0x00, L2TP_ATTR_SESSION_ID, 0x00,  0x03, 0x00, 0x00, 0x00,
	};
	// clang-format on
	CHECK(buildSessionDelete(kFamily, 12, 16385, 3) == del);
	auto getBytes = buildSessionGet(kFamily, 13, 16385, 3);
	Parsed get = parseRequest(getBytes);
	CHECK(get.cmd == L2TP_CMD_SESSION_GET);
	CHECK(get.flags == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(u32(get, L2TP_ATTR_CONN_ID) == 16385);
	CHECK(u32(get, L2TP_ATTR_SESSION_ID) == 3);
	auto dumpBytes = buildSessionDump(kFamily, 14);
	Parsed dump = parseRequest(dumpBytes);
	CHECK(dump.cmd == L2TP_CMD_SESSION_GET);
	CHECK(dump.flags == (NLM_F_REQUEST | NLM_F_DUMP));
	CHECK(dump.attrCount == 0);
}

TEST_CASE("CTRL_CMD_GETFAMILY request and reply")
{
	// clang-format off
	const std::vector<uint8_t> golden = {
		0x20, 0x00, 0x00, 0x00,  GENL_ID_CTRL, 0x00,  0x05, 0x00,  0x01, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
		CTRL_CMD_GETFAMILY, 0x01, 0x00, 0x00,
		0x09, 0x00, CTRL_ATTR_FAMILY_NAME, 0x00,  'l', '2', 't', 'p', 0x00, 0x00, 0x00, 0x00,
	};
	// clang-format on
	CHECK(buildGetFamily(1, "l2tp") == golden);

	test::GenlWriter w(GENL_ID_CTRL, 0, 1, CTRL_CMD_NEWFAMILY, 2);
	w.putString(CTRL_ATTR_FAMILY_NAME, "l2tp");
	w.putU16(CTRL_ATTR_FAMILY_ID, 0x1c);
	w.putU32(CTRL_ATTR_VERSION, 1);
	w.putU32(CTRL_ATTR_HDRSIZE, 0);
	w.putU32(CTRL_ATTR_MAXATTR, L2TP_ATTR_MAX);
	size_t ops = w.beginNest(CTRL_ATTR_OPS);
	size_t op1 = w.beginNest(1);
	w.putU32(CTRL_ATTR_OP_ID, L2TP_CMD_TUNNEL_CREATE);
	w.endNest(op1);
	w.endNest(ops);
	size_t groups = w.beginNest(CTRL_ATTR_MCAST_GROUPS);
	size_t g1 = w.beginNest(1);
	w.putString(CTRL_ATTR_MCAST_GRP_NAME, "l2tp");
	w.putU32(CTRL_ATTR_MCAST_GRP_ID, 9);
	w.endNest(g1);
	w.endNest(groups);
	auto reply = std::move(w).finish();
	auto f = parseFamily(reply);
	REQUIRE(f);
	CHECK(f->id == 0x1c);
	CHECK(f->name == "l2tp");
	CHECK(f->version == 1);
	CHECK(f->maxAttr == L2TP_ATTR_MAX);
	REQUIRE(f->mcastGroups.size() == 1);
	CHECK(f->mcastGroups[0].name == "l2tp");
	CHECK(f->mcastGroups[0].id == 9);

	test::GenlWriter noId(GENL_ID_CTRL, 0, 1, CTRL_CMD_NEWFAMILY, 2);
	noId.putString(CTRL_ATTR_FAMILY_NAME, "l2tp");
	auto bad = std::move(noId).finish();
	auto r = parseFamily(bad);
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "malformed CTRL_CMD_GETFAMILY reply: no CTRL_ATTR_FAMILY_ID");
}

TEST_CASE("a kernel tunnel answer, stats included")
{
	auto reply = tunnelReply(77, NLM_F_MULTI);
	auto t = parseTunnel(reply);
	REQUIRE(t);
	CHECK(t->tunnelId == 16385);
	CHECK(t->peerTunnelId == 16386);
	CHECK(t->version == 2);
	CHECK(t->localAddress.str() == "192.0.2.1");
	CHECK(t->peerAddress.str() == "192.0.2.2");
	CHECK(t->localPort == 1701);
	CHECK(t->peerPort == 1702);
	CHECK(t->stats.txPackets == 11);
	CHECK(t->stats.txBytes == 1100);
	CHECK(t->stats.txErrors == 1);
	CHECK(t->stats.rxPackets == 12);
	CHECK(t->stats.rxBytes == 1200);
	CHECK(t->stats.rxSeqDiscards == 2);
	CHECK(t->stats.rxOosPackets == 3);
	CHECK(t->stats.rxErrors == 4);
}

TEST_CASE("a kernel session answer, with and without an interface name")
{
	auto reply = sessionReply(1, false);
	auto s = parseSession(reply);
	REQUIRE(s);
	CHECK(s->tunnelId == 16385);
	CHECK(s->sessionId == 1);
	CHECK(s->peerSessionId == 2);
	CHECK(s->recvSeq);
	CHECK_FALSE(s->sendSeq);
	CHECK(s->lnsMode);
	CHECK(s->usingIpsec);
	CHECK(s->reorderTimeoutMs == 250);
	CHECK(s->ifname.empty());
	CHECK(s->stats.txPackets == 5);
	CHECK(s->stats.rxBytes == 600);

	auto eth = sessionReply(1, true);
	auto s2 = parseSession(eth);
	REQUIRE(s2);
	CHECK(s2->ifname == "l2tpeth0");
}

TEST_CASE("answers missing their identity, or with wrongly sized fields, are errors")
{
	SUBCASE("a tunnel without CONN_ID")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_TUNNEL_GET, 1);
		w.putU32(L2TP_ATTR_PEER_CONN_ID, 2);
		auto b = std::move(w).finish();
		auto r = parseTunnel(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == EBADMSG);
		CHECK(r.error().message == "malformed L2TP netlink reply: tunnel without L2TP_ATTR_CONN_ID");
	}
	SUBCASE("a session without SESSION_ID")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_SESSION_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		auto b = std::move(w).finish();
		CHECK_FALSE(parseSession(b));
	}
	SUBCASE("an IPv4 address of 16 bytes")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_TUNNEL_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		const uint8_t sixteen[16] = {};
		w.putBytes(L2TP_ATTR_IP_SADDR, sixteen);
		auto b = std::move(w).finish();
		auto r = parseTunnel(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message ==
		      "malformed L2TP netlink reply: address attribute 24 is 16 bytes, expected 4");
	}
	SUBCASE("a u64 counter of 4 bytes")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_TUNNEL_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		size_t nest = w.beginNest(L2TP_ATTR_STATS);
		w.putU32(L2TP_ATTR_RX_PACKETS, 1);
		w.endNest(nest);
		auto b = std::move(w).finish();
		CHECK_FALSE(parseTunnel(b));
	}
	SUBCASE("a stats nest whose inside is torn")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_SESSION_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		w.putU32(L2TP_ATTR_SESSION_ID, 3);
		const uint8_t torn[6] = {12, 0, 1, 0, 0, 0};
		w.putBytes(L2TP_ATTR_STATS, torn);
		auto b = std::move(w).finish();
		CHECK_FALSE(parseSession(b));
	}
	SUBCASE("an interface name longer than IFNAMSIZ")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_SESSION_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		w.putU32(L2TP_ATTR_SESSION_ID, 3);
		w.putString(L2TP_ATTR_IFNAME, "an-interface-name-too-long");
		auto b = std::move(w).finish();
		auto r = parseSession(b);
		REQUIRE_FALSE(r);
		CHECK(r.error().message == "malformed L2TP netlink reply: interface name of 26 bytes");
	}
	SUBCASE("unknown attributes are skipped")
	{
		test::GenlWriter w(kFamily, 0, 1, L2TP_CMD_TUNNEL_GET, 1);
		w.putU32(L2TP_ATTR_CONN_ID, 2);
		w.putU64(200, 1);
		const uint8_t odd[3] = {1, 2, 3};
		w.putBytes(L2TP_ATTR_MTU, odd); // "not used" by the kernel, so not by us
		auto b = std::move(w).finish();
		auto r = parseTunnel(b);
		REQUIRE(r);
		CHECK(r->tunnelId == 2);
	}
}

TEST_CASE("every truncation and every byte corruption of real answers parses or fails cleanly")
{
	// Under ASan/UBSan this is the check that no input makes the parsers
	// read outside the buffer or misbehave; outside them it checks that they
	// always return.
	std::vector<std::vector<uint8_t>> samples = {tunnelReply(1, NLM_F_MULTI), sessionReply(2, true),
	                                             sessionReply(3, false)};
	auto runAll = [](const std::vector<uint8_t> &bytes) {
		auto msgs = netlink::splitMessages(bytes);
		if (!msgs)
			return;
		for (const netlink::Message &m : *msgs) {
			(void)netlink::parseAck(m);
			(void)netlink::parseDone(m);
			(void)parseTunnel(m.bytes);
			(void)parseSession(m.bytes);
			(void)parseFamily(m.bytes);
		}
	};
	std::mt19937 rng(20261126);
	size_t runs = 0;
	for (const auto &sample : samples) {
		for (size_t len = 0; len <= sample.size(); len++) {
			std::vector<uint8_t> cut(sample.begin(), sample.begin() + len);
			// Keep nlmsg_len consistent with the cut, so the attribute
			// parsers see the torn tail rather than splitMessages refusing it.
			if (len >= 4) {
				cut[0] = uint8_t(len);
				cut[1] = uint8_t(len >> 8);
			}
			runAll(cut);
			runs++;
		}
		for (size_t i = 0; i < sample.size(); i++) {
			for (uint8_t v : {uint8_t(0), uint8_t(0xff), uint8_t(sample[i] + 1), uint8_t(rng())}) {
				auto bad = sample;
				bad[i] = v;
				runAll(bad);
				runs++;
			}
		}
	}
	CHECK(runs > 1000);
}

TEST_CASE("parameter checks give a reason before the kernel's bare EINVAL")
{
	auto reason = [](const TunnelParams &p) {
		auto r = buildTunnelCreate(kFamily, 1, p);
		REQUIRE_FALSE(r);
		CHECK(r.error().code == EINVAL);
		return r.error().message;
	};
	TunnelParams p = staticTunnel();
	p.version = 4;
	CHECK(reason(p) == "tunnel 16385: L2TP version 4 (expected 2 or 3)");
	p = staticTunnel();
	p.peerTunnelId = 0;
	CHECK(reason(p) == "tunnel 16385 peer 0: tunnel ids must be non-zero");
	p = staticTunnel();
	p.tunnelId = 70000;
	CHECK(reason(p) == "tunnel 70000 peer 16386: L2TPv2 tunnel ids are 16 bits");
	p.version = 3;
	CHECK(buildTunnelCreate(kFamily, 1, p));
	p = staticTunnel();
	p.peerAddress = ip("2001:db8::2");
	CHECK(reason(p) == "tunnel 16385: local 192.0.2.1 and peer 2001:db8::2 are of different address families");
	p = staticTunnel();
	p.localAddress = ip("0.0.0.0");
	CHECK(reason(p) == "tunnel 16385: a static tunnel needs local and peer addresses");
	p = staticTunnel();
	p.peerPort = 0;
	CHECK(reason(p) == "tunnel 16385: a static tunnel needs non-zero UDP ports");

	SessionParams sp;
	sp.tunnelId = 1;
	sp.sessionId = 0;
	sp.peerSessionId = 2;
	auto r = buildSessionCreate(kFamily, 1, sp);
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "tunnel 1 session 0 peer 2: session ids must be non-zero");
	sp.sessionId = 3;
	sp.tunnelId = 0;
	CHECK_FALSE(buildSessionCreate(kFamily, 1, sp));
	sp.tunnelId = 1;
	auto ppp = validatePppSocketParams(sp, 0);
	REQUIRE_FALSE(ppp);
	CHECK(ppp.error().message == "tunnel 1 session 3: the peer tunnel id must be non-zero");
}

TEST_CASE("errors name the request and explain the kernel's cryptic errnos")
{
	CHECK(requestError(L2TP_CMD_TUNNEL_CREATE, EEXIST, 16385).message ==
	      "L2TP_CMD_TUNNEL_CREATE tunnel 16385: File exists");
	CHECK(requestError(L2TP_CMD_SESSION_CREATE, ENODEV, 9, 1).message ==
	      "L2TP_CMD_SESSION_CREATE tunnel 9 session 1: No such device (no such tunnel)");
	CHECK(requestError(L2TP_CMD_SESSION_DELETE, ENODEV, 9, 1).message ==
	      "L2TP_CMD_SESSION_DELETE tunnel 9 session 1: No such device (no such session)");
	CHECK(requestError(L2TP_CMD_SESSION_CREATE, EPROTONOSUPPORT, 9, 1).message ==
	      "L2TP_CMD_SESSION_CREATE tunnel 9 session 1: Protocol not supported (PPP pseudowires need the "
	      "l2tp_ppp module and a kernel with CONFIG_L2TP_V3)");
	CHECK(requestError(L2TP_CMD_TUNNEL_DELETE, ENODEV, 5).code == ENODEV);
	CHECK(pppConnectError(ENOENT, 9, 1).message ==
	      "connect PPPoL2TP tunnel 9 session 1: No such file or directory (no such tunnel)");
	CHECK(pppConnectError(EEXIST, 9, 1).message ==
	      "connect PPPoL2TP tunnel 9 session 1: File exists (the session already has a PPP socket)");
	CHECK(commandName(200) == "L2TP_CMD_200");
}
