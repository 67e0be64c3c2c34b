// Parsers: round trips through the builders, kernel-style replies and
// events, and hostile input (truncated, corrupted, lying lengths), which
// must give a clean Error and never touch a byte outside the input (run
// under ASan+UBSan to prove the latter).

#include "kernel/xfrm/xfrm_msg.h"
#include "tests/unit/kernel_xfrm/xfrm_test_util.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <doctest.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <climits>

using namespace l2tpsec;
using namespace l2tpsec::kernel;
using namespace l2tpsec::kernel::xfrm;
using namespace testutil;

namespace {

void putAddr(xfrm_address_t &a, const IpAddress &ipa)
{
	std::memset(&a, 0, sizeof(a));
	std::memcpy(&a, ipa.bytes().data(), ipa.isV4() ? 4 : 16);
}

std::vector<uint8_t> toVec(std::span<const uint8_t> s)
{
	return {s.begin(), s.end()};
}

/// A NEWSA the way the kernel answers GETSA: counters, stats, the legacy
/// XFRMA_ALG_AUTH next to AUTH_TRUNC, attributes we do not read, and one
/// from a future kernel.
std::vector<uint8_t> kernelSaReply(const IpAddress &src, const IpAddress &dst, uint32_t spi, uint32_t reqid)
{
	xfrm_usersa_info u;
	std::memset(&u, 0, sizeof(u));
	uint16_t fam = src.isV4() ? AF_INET : AF_INET6;
	u.sel.family = fam;
	putAddr(u.sel.saddr, src);
	putAddr(u.sel.daddr, dst);
	u.sel.prefixlen_s = u.sel.prefixlen_d = src.isV4() ? 32 : 128;
	u.sel.proto = IPPROTO_UDP;
	u.sel.sport = u.sel.dport = htons(1701);
	u.sel.sport_mask = u.sel.dport_mask = 0xffff;
	putAddr(u.id.daddr, dst);
	u.id.spi = htonl(spi);
	u.id.proto = IPPROTO_ESP;
	putAddr(u.saddr, src);
	u.lft.soft_byte_limit = u.lft.hard_byte_limit = XFRM_INF;
	u.lft.soft_packet_limit = u.lft.hard_packet_limit = XFRM_INF;
	u.lft.hard_add_expires_seconds = 3600;
	u.curlft.bytes = 123456789012ull;
	u.curlft.packets = 4242;
	u.curlft.add_time = 1700000000;
	u.curlft.use_time = 1700000100;
	u.stats.replay = 3;
	u.stats.integrity_failed = 5;
	u.reqid = reqid;
	u.family = fam;
	u.mode = XFRM_MODE_TRANSPORT;
	u.replay_window = 32;
	xfrm_lifetime_cur ltime{};
	xfrm_replay_state rs{1, 2, 3};
	uint32_t extra = 0;
	xfrm_encap_tmpl e;
	std::memset(&e, 0, sizeof(e));
	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(4500);
	e.encap_dport = htons(4501);
	uint32_t future = 0xabcdef;
	return KernelMsg(XFRM_MSG_NEWSA, 0, 9)
	        .body(u)
	        .attr(XFRMA_ALG_AUTH, algoAttr("hmac(sha256)", keyBytes(32, 1)))
	        .attr(XFRMA_ALG_AUTH_TRUNC, algoAttr("hmac(sha256)", keyBytes(32, 1), 128))
	        .attr(XFRMA_ALG_CRYPT, algoAttr("cbc(aes)", keyBytes(32, 2)))
	        .attr(XFRMA_ENCAP, e)
	        .attr(XFRMA_LTIME_VAL, ltime)
	        .attr(XFRMA_REPLAY_VAL, rs)
	        .attr(XFRMA_SA_EXTRA_FLAGS, extra)
	        .attr(XFRMA_MAX + 7, future)
	        .bytes();
}

std::vector<uint8_t> kernelPolicy(uint8_t dir, bool withTemplate, uint32_t reqid)
{
	xfrm_userpolicy_info p;
	std::memset(&p, 0, sizeof(p));
	p.sel.family = AF_INET;
	putAddr(p.sel.saddr, ip("192.0.2.1"));
	putAddr(p.sel.daddr, ip("192.0.2.2"));
	p.sel.prefixlen_s = p.sel.prefixlen_d = 32;
	p.sel.proto = IPPROTO_UDP;
	p.sel.sport = p.sel.dport = htons(1701);
	p.priority = 2000;
	p.index = 0x1231;
	p.dir = dir;
	KernelMsg m(XFRM_MSG_NEWPOLICY, NLM_F_MULTI, 3);
	m.body(p);
	if (withTemplate) {
		xfrm_user_tmpl t[2];
		std::memset(t, 0, sizeof(t));
		t[0].id.proto = IPPROTO_ESP;
		t[0].family = AF_INET;
		t[0].reqid = reqid;
		t[0].mode = XFRM_MODE_TRANSPORT;
		t[1] = t[0];
		t[1].reqid = 1;
		m.attr(XFRMA_TMPL, t, sizeof(t));
	}
	xfrm_userpolicy_type type{};
	m.attr(XFRMA_POLICY_TYPE, type);
	return m.bytes();
}

std::vector<uint8_t> kernelExpire(bool hard)
{
	xfrm_user_expire e;
	std::memset(&e, 0, sizeof(e));
	e.state.family = AF_INET;
	putAddr(e.state.saddr, ip("192.0.2.1"));
	putAddr(e.state.id.daddr, ip("192.0.2.2"));
	e.state.id.spi = htonl(0xc001);
	e.state.id.proto = IPPROTO_ESP;
	e.state.reqid = 0x4c320007;
	e.state.sel.family = AF_INET;
	putAddr(e.state.sel.saddr, ip("192.0.2.1"));
	putAddr(e.state.sel.daddr, ip("192.0.2.2"));
	e.state.sel.prefixlen_s = e.state.sel.prefixlen_d = 32;
	e.hard = hard;
	xfrm_mark mark{5, 0xff};
	return KernelMsg(XFRM_MSG_EXPIRE).body(e).attr(XFRMA_MARK, mark).bytes();
}

std::vector<uint8_t> kernelAcquire()
{
	xfrm_user_acquire a;
	std::memset(&a, 0, sizeof(a));
	putAddr(a.id.daddr, ip("2001:db8::2"));
	a.id.proto = IPPROTO_ESP;
	putAddr(a.saddr, ip("2001:db8::1"));
	a.sel.family = AF_INET6;
	putAddr(a.sel.saddr, ip("2001:db8::1"));
	putAddr(a.sel.daddr, ip("2001:db8::2"));
	a.sel.prefixlen_s = a.sel.prefixlen_d = 128;
	a.sel.proto = IPPROTO_UDP;
	a.sel.sport = a.sel.dport = htons(1701);
	a.policy.dir = XFRM_POLICY_OUT;
	a.policy.index = 0x89;
	a.policy.sel = a.sel;
	xfrm_user_tmpl t;
	std::memset(&t, 0, sizeof(t));
	t.reqid = 0x4c320009;
	t.id.proto = IPPROTO_ESP;
	return KernelMsg(XFRM_MSG_ACQUIRE).body(a).attr(XFRMA_TMPL, t).bytes();
}

std::vector<uint8_t> kernelMapping()
{
	xfrm_user_mapping m;
	std::memset(&m, 0, sizeof(m));
	putAddr(m.id.daddr, ip("203.0.113.1"));
	m.id.spi = htonl(0xc0de);
	m.id.family = AF_INET;
	m.id.proto = IPPROTO_ESP;
	m.reqid = 0x4c320003;
	putAddr(m.old_saddr, ip("198.51.100.7"));
	putAddr(m.new_saddr, ip("198.51.100.8"));
	m.old_sport = htons(4500);
	m.new_sport = htons(33333);
	return KernelMsg(XFRM_MSG_MAPPING).body(m).bytes();
}

std::vector<uint8_t> kernelError(int err, const char *extack, bool capped)
{
	// The echoed request: a DELSA, header and all.
	xfrm_usersa_id id;
	std::memset(&id, 0, sizeof(id));
	std::vector<uint8_t> echoed = KernelMsg(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, 4).body(id).bytes();
	nlmsgerr e;
	std::memset(&e, 0, sizeof(e));
	e.error = err;
	std::memcpy(&e.msg, echoed.data(), sizeof(nlmsghdr));
	uint16_t flags = (capped ? NLM_F_CAPPED : 0) | (extack ? NLM_F_ACK_TLVS : 0);
	KernelMsg m(NLMSG_ERROR, flags, 4);
	m.body(e);
	if (!capped)
		m.raw(echoed.data() + sizeof(nlmsghdr), echoed.size() - sizeof(nlmsghdr));
	if (extack)
		m.attr(NLMSGERR_ATTR_MSG, extack, std::strlen(extack) + 1);
	return m.bytes();
}

/// Calls every parser on the bytes; none may crash, whatever they are.
void parseAll(std::span<const uint8_t> b)
{
	(void)parseSa(b);
	(void)parsePolicy(b);
	(void)parseEvent(b);
	(void)parseAck(b);
	(void)parseDone(b);
	(void)splitMessages(b);
}

void setLen(std::vector<uint8_t> &m, uint32_t len)
{
	std::memcpy(m.data(), &len, 4);
}

} // namespace

TEST_CASE("SAs round-trip through build and parse: every algorithm, both families, all options")
{
	for (const AlgCase &a : kAlgorithms) {
		// Named copies, not a structured binding: clang 14 cannot capture
		// those in CAPTURE()'s lambda.
		for (const auto &pair :
		     {std::pair{"192.0.2.1", "192.0.2.2"}, std::pair{"2001:db8::1", "2001:db8::2"}}) {
			const char *src = pair.first, *dst = pair.second;
			CAPTURE(a.label);
			CAPTURE(src);
			SaId id{ip(src), ip(dst), 0xc0000001, 0x10, 0xff};
			SaParams p = paramsFor(a, id.src, id.dst);
			p.encap = NatTEncap{4500, 4501, ip(src)};
			p.lifetime = {1, 2, 3, 4, std::chrono::seconds(5), std::chrono::seconds(6)};
			for (uint8_t window : {uint8_t(0), uint8_t(32), uint8_t(64), uint8_t(255)}) {
				p.replayWindow = window;
				auto spec = makeSaSpec(id, p);
				REQUIRE(spec);
				MsgBuffer buf;
				for (bool update : {false, true}) {
					auto msg = buildNewSa(buf, 1, *spec, update);
					REQUIRE(msg);
					auto back = parseSa(*msg);
					REQUIRE(back);
					CHECK(back->spec == *spec);
					CHECK(back->protocol == IPPROTO_ESP);
				}
			}
		}
	}
}

TEST_CASE("a kernel GETSA reply: counters, algorithms, encap, reqid; unknown attributes ignored")
{
	auto msg = kernelSaReply(ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 0x4c320001);
	auto info = parseSa(msg);
	REQUIRE(info);
	CHECK(info->bytes == 123456789012ull);
	CHECK(info->packets == 4242);
	CHECK(info->addTime == 1700000000);
	CHECK(info->useTime == 1700000100);
	CHECK(info->replayDrops == 3);
	CHECK(info->integrityFailures == 5);
	CHECK(info->spec.replayWindow == 32);
	CHECK(info->spec.lifetime.hardAdd == std::chrono::seconds(3600));
	CHECK(info->spec.lifetime.hardBytes == 0); // XFRM_INF
	SaState st = toSaState(*info);
	CHECK(st.id == SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 0, 0});
	CHECK(st.reqid == 0x4c320001);
	CHECK(st.mode == IpsecMode::Transport);
	CHECK(st.bytes == 123456789012ull);
	CHECK(st.packets == 4242);
	CHECK(st.cipher == "cbc(aes)");
	CHECK(st.integrity == "hmac(sha256)");
	REQUIRE(st.encap);
	CHECK(st.encap->srcPort == 4500);
	CHECK(st.encap->dstPort == 4501);
	CHECK(!st.encap->originalAddress);
	CHECK(info->spec.auth->bits == 128); // from AUTH_TRUNC, not the legacy attribute

	auto v6 = parseSa(kernelSaReply(ip("2001:db8::1"), ip("2001:db8::2"), 0xc002, 0x4c320002));
	REQUIRE(v6);
	CHECK(v6->spec.id.src == ip("2001:db8::1"));
	CHECK(v6->spec.selector == l2tpFlow(ip("2001:db8::1"), ip("2001:db8::2")));
}

TEST_CASE("policies: round trip, kernel dump entries, socket policies")
{
	PolicyId id{l2tpFlow(ip("2001:db8::1"), ip("2001:db8::2")), PolicyDirection::Fwd, 1, 0xff};
	PolicyParams pp;
	pp.reqid = 0x4c320005;
	pp.priority = 7;
	pp.mode = IpsecMode::Tunnel;
	pp.tunnelSrc = ip("2001:db8::a");
	pp.tunnelDst = ip("2001:db8::b");
	MsgBuffer buf;
	auto back = parsePolicy(*buildNewPolicy(buf, 1, id, pp));
	REQUIRE(back);
	CHECK(back->state.id == id);
	CHECK(back->state.params.reqid == pp.reqid);
	CHECK(back->state.params.priority == 7);
	CHECK(back->state.params.mode == IpsecMode::Tunnel);
	CHECK(back->state.params.tunnelSrc == pp.tunnelSrc);
	CHECK(back->state.params.tunnelDst == pp.tunnelDst);
	CHECK(back->templates == 1);
	CHECK(!back->socket);
	CHECK(!back->block);

	auto k = parsePolicy(kernelPolicy(XFRM_POLICY_IN, true, 0x4c320001));
	REQUIRE(k);
	CHECK(k->state.index == 0x1231);
	CHECK(k->state.id.direction == PolicyDirection::In);
	CHECK(k->state.params.reqid == 0x4c320001);
	CHECK(k->templates == 2);
	auto sock = parsePolicy(kernelPolicy(XFRM_POLICY_MAX + XFRM_POLICY_OUT, false, 0));
	REQUIRE(sock);
	CHECK(sock->socket);
	CHECK(sock->state.id.direction == PolicyDirection::Out);
	CHECK(sock->templates == 0);
}

TEST_CASE("events: expire soft and hard, acquire, mapping")
{
	auto soft = parseEvent(kernelExpire(false));
	REQUIRE(soft);
	CHECK(soft->kind == EventKind::Expire);
	CHECK(!soft->hard);
	CHECK(soft->sa == SaId{ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 5, 0xff});
	CHECK(soft->reqid == 0x4c320007);
	CHECK(parseEvent(kernelExpire(true))->hard);

	auto acq = parseEvent(kernelAcquire());
	REQUIRE(acq);
	CHECK(acq->kind == EventKind::Acquire);
	CHECK(acq->sa.src == ip("2001:db8::1"));
	CHECK(acq->sa.dst == ip("2001:db8::2"));
	CHECK(acq->reqid == 0x4c320009);
	CHECK(acq->policyIndex == 0x89);
	CHECK(acq->direction == PolicyDirection::Out);
	CHECK(acq->selector == l2tpFlow(ip("2001:db8::1"), ip("2001:db8::2")));

	auto map = parseEvent(kernelMapping());
	REQUIRE(map);
	CHECK(map->kind == EventKind::Mapping);
	CHECK(map->sa.spi == 0xc0de);
	CHECK(map->sa.dst == ip("203.0.113.1"));
	CHECK(map->sa.src == ip("198.51.100.7"));
	CHECK(map->newAddress == ip("198.51.100.8"));
	CHECK(map->oldPort == 4500);
	CHECK(map->newPort == 33333);
	CHECK(map->reqid == 0x4c320003);

	CHECK(parseEvent(kernelSaReply(ip("192.0.2.1"), ip("192.0.2.2"), 1, 1)).error().message ==
	      "XFRM_MSG_NEWSA is not an event we handle");
}

TEST_CASE("NLMSG_ERROR: ACK, errno, extended ACK text, capped or not")
{
	auto ack = parseAck(kernelError(0, nullptr, true));
	REQUIRE(ack);
	CHECK(ack->error == 0);
	auto eexist = parseAck(kernelError(-EEXIST, nullptr, false));
	REQUIRE(eexist);
	CHECK(eexist->error == EEXIST);
	CHECK(eexist->extack.empty());
	for (bool capped : {true, false}) {
		auto e = parseAck(kernelError(-ENOSYS, "Requested CRYPT algorithm not found", capped));
		REQUIRE(e);
		CHECK(e->error == ENOSYS);
		CHECK(e->extack == "Requested CRYPT algorithm not found");
	}
	CHECK(parseAck(kernelError(5, nullptr, true)).error().message == "NLMSG_ERROR with error code 5");
	CHECK(parseAck(kernelError(INT_MIN, nullptr, true)).error().message ==
	      "NLMSG_ERROR with error code -2147483648");
	CHECK(parseAck(kernelExpire(true)).error().message == "expected NLMSG_ERROR, got XFRM_MSG_EXPIRE");

	// An echoed request that claims more than is there.
	auto lying = kernelError(-EINVAL, "x", false);
	uint32_t huge = 0x7fffffff;
	std::memcpy(lying.data() + sizeof(nlmsghdr) + offsetof(nlmsgerr, msg), &huge, 4);
	CHECK(parseAck(lying).error().message == "NLMSG_ERROR echoes a 2147483647-byte request that is not there");
}

TEST_CASE("NLMSG_DONE status")
{
	int zero = 0, intr = -EINTR, bad = 7;
	CHECK(*parseDone(KernelMsg(NLMSG_DONE).body(zero).bytes()) == 0);
	CHECK(*parseDone(KernelMsg(NLMSG_DONE).bytes()) == 0);
	CHECK(*parseDone(KernelMsg(NLMSG_DONE).body(intr).bytes()) == EINTR);
	CHECK(!parseDone(KernelMsg(NLMSG_DONE).body(bad).bytes()));
}

TEST_CASE("splitMessages: several messages, an unpadded last one, bad lengths")
{
	auto a = kernelExpire(false); // 4-aligned length
	std::vector<uint8_t> tail = {0x15, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	std::vector<uint8_t> dgram = a;
	dgram.insert(dgram.end(), tail.begin(), tail.end());
	auto msgs = splitMessages(dgram);
	REQUIRE(msgs);
	REQUIRE(msgs->size() == 2);
	CHECK((*msgs)[0].type == XFRM_MSG_EXPIRE);
	CHECK((*msgs)[0].bytes.size() == a.size());
	CHECK((*msgs)[1].type == NLMSG_DONE);
	CHECK((*msgs)[1].bytes.size() == 21);

	CHECK(splitMessages(std::span<const uint8_t>{})->empty());
	std::vector<uint8_t> shortish(10, 0);
	CHECK(splitMessages(shortish).error().message ==
	      "malformed netlink data: 10 trailing bytes are shorter than a message header");
	auto big = a;
	setLen(big, uint32_t(a.size() + 1));
	CHECK(splitMessages(big).error().message ==
	      fmt::format("malformed netlink data: message length {} with {} bytes left", a.size() + 1, a.size()));
	auto tiny = a;
	setLen(tiny, 15);
	CHECK(splitMessages(tiny).error().code == EBADMSG);
	auto zero = a;
	setLen(zero, 0);
	CHECK(!splitMessages(zero)); // would loop forever if zero were accepted
}

TEST_CASE("hostile SA messages: lying lengths give clean errors")
{
	auto good = kernelSaReply(ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 1);
	REQUIRE(parseSa(good));

	SUBCASE("empty and tiny inputs")
	{
		CHECK(parseSa({}).error().message == "netlink message of 0 bytes is shorter than its header");
		CHECK(parseSa(std::span(good).first(15)).error().code == EBADMSG);
	}
	SUBCASE("nlmsg_len past the end, below the header, zero")
	{
		auto m = good;
		setLen(m, uint32_t(m.size() + 4));
		CHECK(parseSa(m).error().message ==
		      fmt::format("netlink message claims {} bytes, {} present", m.size() + 4, m.size()));
		setLen(m, 8);
		CHECK(parseSa(m).error().code == EBADMSG);
		setLen(m, 0);
		CHECK(parseSa(m).error().code == EBADMSG);
	}
	SUBCASE("payload shorter than xfrm_usersa_info")
	{
		auto m = good;
		m.resize(16 + 100);
		setLen(m, uint32_t(m.size()));
		CHECK(parseSa(m).error().message == "XFRM_MSG_NEWSA: 100 bytes of payload, xfrm_usersa_info needs 224");
	}
	size_t firstAttr = 16 + sizeof(xfrm_usersa_info);
	SUBCASE("an attribute length of zero, three, or past the end")
	{
		for (uint16_t bad : {uint16_t(0), uint16_t(3), uint16_t(0xffff)}) {
			CAPTURE(bad);
			auto m = good;
			std::memcpy(m.data() + firstAttr, &bad, 2);
			auto r = parseSa(m);
			REQUIRE(!r);
			CHECK(r.error().code == EBADMSG);
		}
		auto m = good;
		uint16_t past = uint16_t(m.size() - firstAttr + 4);
		std::memcpy(m.data() + firstAttr, &past, 2);
		CHECK(parseSa(m).error().message ==
		      fmt::format("XFRM_MSG_NEWSA: attribute 1 at offset 240 ({} bytes) runs past the {}-byte message",
		                  past, m.size()));
		uint16_t three = 3;
		std::memcpy(m.data() + firstAttr, &three, 2);
		CHECK(parseSa(m).error().message ==
		      "XFRM_MSG_NEWSA: attribute 1 at offset 240 has length 3, shorter than its header");
	}
	SUBCASE("a message cut inside an attribute, with a consistent nlmsg_len")
	{
		auto m = good;
		m.resize(firstAttr + 30);
		setLen(m, uint32_t(m.size()));
		CHECK(parseSa(m).error().message ==
		      "XFRM_MSG_NEWSA: attribute 1 at offset 240 (104 bytes) runs past the 270-byte message");
	}
	SUBCASE("algorithm key longer than its attribute, name without NUL, attribute too short")
	{
		SaId id{ip("192.0.2.1"), ip("192.0.2.2"), 0x1000, 0, 0};
		auto spec = *makeSaSpec(id, paramsFor(kAlgorithms[0], id.src, id.dst));
		MsgBuffer buf;
		auto m = toVec(*buildNewSa(buf, 1, spec, false));
		size_t cryptKeyLen = firstAttr + 4 + 64; // XFRMA_ALG_CRYPT comes first
		auto lie = m;
		uint32_t bits = 0xffffffff;
		std::memcpy(lie.data() + cryptKeyLen, &bits, 4);
		CHECK(parseSa(lie).error().message ==
		      "XFRM_MSG_NEWSA: XFRMA_ALG_CRYPT key of 4294967295 bits runs past its 84-byte attribute");
		auto noNul = m;
		std::memset(noNul.data() + firstAttr + 4, 'A', 64);
		CHECK(parseSa(noNul).error().message ==
		      "XFRM_MSG_NEWSA: XFRMA_ALG_CRYPT algorithm name is not terminated");
		// Shrink XFRMA_ALG_CRYPT to 10 bytes of payload, keeping the walk aligned.
		auto shrunk = KernelMsg(XFRM_MSG_NEWSA)
		                      .raw(m.data() + 16, sizeof(xfrm_usersa_info))
		                      .attr(XFRMA_ALG_CRYPT, m.data(), 10)
		                      .bytes();
		CHECK(parseSa(shrunk).error().message ==
		      "XFRM_MSG_NEWSA: XFRMA_ALG_CRYPT attribute is 10 bytes, needs at least 68");
		auto shortEncap = KernelMsg(XFRM_MSG_NEWSA)
		                          .raw(m.data() + 16, sizeof(xfrm_usersa_info))
		                          .attr(XFRMA_ENCAP, m.data(), 4)
		                          .bytes();
		CHECK(parseSa(shortEncap).error().message ==
		      "XFRM_MSG_NEWSA: XFRMA_ENCAP attribute is 4 bytes, needs 24");
	}
	SUBCASE("unknown family, mode and encapsulation")
	{
		auto m = good;
		uint16_t fam = 99;
		std::memcpy(m.data() + 16 + offsetof(xfrm_usersa_info, family), &fam, 2);
		CHECK(parseSa(m).error().message == "XFRM_MSG_NEWSA: unknown address family 99");
		m = good;
		m[16 + offsetof(xfrm_usersa_info, mode)] = XFRM_MODE_BEET;
		CHECK(parseSa(m).error().message == "XFRM_MSG_NEWSA: unsupported mode 4");
		m = good;
		m[16 + offsetof(xfrm_usersa_info, sel) + offsetof(xfrm_selector, prefixlen_s)] = 33;
		CHECK(parseSa(m).error().message == "XFRM_MSG_NEWSA: selector prefix /33 or /32 out of range");
	}
	SUBCASE("not an SA")
	{
		CHECK(parseSa(kernelExpire(true)).error().message == "expected an SA, got XFRM_MSG_EXPIRE");
	}
}

TEST_CASE("hostile policies and events")
{
	auto p = kernelPolicy(XFRM_POLICY_OUT, true, 1);
	size_t tmplAttr = 16 + sizeof(xfrm_userpolicy_info);
	auto odd = p;
	uint16_t len = 4 + 63;
	std::memcpy(odd.data() + tmplAttr, &len, 2);
	CHECK(!parsePolicy(odd)); // the walk no longer lines up

	auto t63 = KernelMsg(XFRM_MSG_NEWPOLICY)
	                   .raw(p.data() + 16, sizeof(xfrm_userpolicy_info))
	                   .attr(XFRMA_TMPL, p.data(), 63)
	                   .bytes();
	CHECK(parsePolicy(t63).error().message ==
	      "XFRM_MSG_NEWPOLICY: XFRMA_TMPL of 63 bytes is not a whole number of 64-byte templates");

	auto shortExpire = kernelExpire(false);
	shortExpire.resize(16 + sizeof(xfrm_user_expire) - 1);
	setLen(shortExpire, uint32_t(shortExpire.size()));
	CHECK(parseEvent(shortExpire).error().message ==
	      fmt::format("XFRM_MSG_EXPIRE: {} bytes of payload, xfrm_user_expire needs {}",
	                  sizeof(xfrm_user_expire) - 1, sizeof(xfrm_user_expire)));
	auto shortMark = KernelMsg(XFRM_MSG_EXPIRE)
	                         .raw(kernelExpire(false).data() + 16, sizeof(xfrm_user_expire))
	                         .attr(XFRMA_MARK, p.data(), 4)
	                         .bytes();
	CHECK(parseEvent(shortMark).error().message == "XFRM_MSG_EXPIRE: XFRMA_MARK attribute is 4 bytes, needs 8");
}

TEST_CASE("every truncation of every message kind is refused or parsed, never overrun")
{
	std::vector<std::vector<uint8_t>> samples = {
	        kernelSaReply(ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 1),
	        kernelSaReply(ip("2001:db8::1"), ip("2001:db8::2"), 0xc001, 1),
	        kernelPolicy(XFRM_POLICY_IN, true, 2),
	        kernelExpire(true),
	        kernelAcquire(),
	        kernelMapping(),
	        kernelError(-ENOSYS, "Requested AUTH algorithm not found", false),
	        kernelError(-ENOSYS, "Requested AUTH algorithm not found", true),
	};
	size_t parsed = 0;
	for (const auto &full : samples) {
		for (size_t n = 0; n < full.size(); n++) {
			// Cut bytes with the header still claiming the full length...
			std::vector<uint8_t> cut(full.begin(), full.begin() + long(n));
			parseAll(cut);
			// ... and with a header that agrees with the cut.
			if (n >= 4) {
				setLen(cut, uint32_t(n));
				parseAll(cut);
				parsed += parseSa(cut) || parsePolicy(cut) || parseEvent(cut) || parseAck(cut);
			}
		}
	}
	// A few cuts at an attribute boundary are complete messages in their own
	// right; most are not.
	CHECK(parsed < 40);
}

TEST_CASE("random corruption never crashes a parser")
{
	std::vector<std::vector<uint8_t>> samples = {
	        kernelSaReply(ip("192.0.2.1"), ip("192.0.2.2"), 0xc001, 1),
	        kernelPolicy(XFRM_POLICY_OUT, true, 1),
	        kernelExpire(false),
	        kernelAcquire(),
	        kernelMapping(),
	        kernelError(-EEXIST, "State already exists", false),
	};
	uint64_t x = 0x9e3779b97f4a7c15ull; // xorshift64: deterministic, no <random> state to seed
	auto next = [&] {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		return x;
	};
	for (int round = 0; round < 20000; round++) {
		auto m = samples[next() % samples.size()];
		int flips = 1 + int(next() % 8);
		for (int i = 0; i < flips; i++)
			m[next() % m.size()] = uint8_t(next());
		if (next() % 4 == 0)
			m.resize(next() % (m.size() + 1));
		parseAll(m);
	}
	CHECK(true);
}
