// The executor's policy (kernel/netlink/nl_exchange.h), the same for XFRM and
// L2TP: what ends a request, what is an error, what is skipped. Exchange is
// fed byte buffers; Executor runs over a socketpair standing in for the
// kernel (answers are queued before the request is sent).

#include "kernel/netlink/nl_exchange.h"

#include <doctest.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::kernel::netlink;

namespace {

constexpr uint32_t kSeq = 77;
constexpr uint32_t kPort = 4242;

using Buf = std::vector<uint8_t>;

Buf msg(uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid, const Buf &payload = {})
{
	nlmsghdr h{};
	h.nlmsg_len = uint32_t(sizeof h + payload.size());
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = pid;
	Buf b(sizeof h);
	std::memcpy(b.data(), &h, sizeof h);
	b.insert(b.end(), payload.begin(), payload.end());
	b.resize((b.size() + 3) & ~size_t{3}, 0);
	return b;
}

Buf request(uint16_t flags)
{
	return msg(0x10, uint16_t(NLM_F_REQUEST | NLM_F_ACK | flags), kSeq, 0, {1, 2, 3, 4});
}

/// NLMSG_ERROR with a capped echo of request(flags), and optional extack.
Buf errorMsg(int error, const std::string &extack = {}, uint32_t seq = kSeq)
{
	Buf p(sizeof(nlmsgerr), 0);
	nlmsgerr e{};
	e.error = error;
	e.msg.nlmsg_len = 20;
	e.msg.nlmsg_seq = seq;
	std::memcpy(p.data(), &e, sizeof e);
	uint16_t flags = NLM_F_CAPPED;
	if (!extack.empty()) {
		flags |= NLM_F_ACK_TLVS;
		uint16_t len = uint16_t(4 + extack.size() + 1), type = NLMSGERR_ATTR_MSG;
		Buf a(4);
		std::memcpy(a.data(), &len, 2);
		std::memcpy(a.data() + 2, &type, 2);
		a.insert(a.end(), extack.begin(), extack.end());
		a.push_back(0);
		a.resize((a.size() + 3) & ~size_t{3}, 0);
		p.insert(p.end(), a.begin(), a.end());
	}
	return msg(NLMSG_ERROR, flags, seq, kPort, p);
}

Buf done(int status = 0, uint16_t flags = NLM_F_MULTI)
{
	Buf p(4);
	std::memcpy(p.data(), &status, 4);
	return msg(NLMSG_DONE, flags, kSeq, kPort, p);
}

Buf reply(uint8_t tag, uint16_t flags = NLM_F_MULTI, uint32_t seq = kSeq, uint32_t pid = kPort)
{
	return msg(0x10, flags, seq, pid, {tag, 0, 0, 0});
}

Buf cat(std::initializer_list<Buf> parts)
{
	Buf out;
	for (const Buf &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

/// Runs one exchange over `datagrams`; the tags of the replies seen go to `seen`.
Result<bool> run(uint16_t requestFlags, std::initializer_list<Buf> datagrams, std::vector<uint8_t> &seen,
                 Result<void> replyResult = {})
{
	Buf req = request(requestFlags);
	auto ex = Exchange::forRequest(req, kPort, "TEST_CMD");
	REQUIRE(ex);
	ReplyFn onReply = [&](const Message &m) -> Result<void> {
		seen.push_back(m.payload[0]);
		return replyResult;
	};
	Result<bool> r = false;
	for (const Buf &d : datagrams) {
		r = ex->feed(d, onReply);
		if (!r || *r)
			return r;
	}
	return r;
}

} // namespace

TEST_CASE("an ACK ends a request; replies before it reach the caller")
{
	std::vector<uint8_t> seen;
	auto r = run(0, {cat({reply(1, 0), errorMsg(0)})}, seen);
	REQUIRE(r);
	CHECK(*r);
	CHECK(seen == std::vector<uint8_t>{1});
}

TEST_CASE("an ACK may come in a later datagram")
{
	std::vector<uint8_t> seen;
	auto r = run(0, {reply(1, 0), errorMsg(0)}, seen);
	REQUIRE(r);
	CHECK(*r);
}

TEST_CASE("NLMSG_ERROR with an errno is an Error naming the request, with the extended ACK")
{
	std::vector<uint8_t> seen;
	auto r = run(0, {errorMsg(-EEXIST, "State already exists")}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EEXIST);
	CHECK(r.error().message.starts_with("TEST_CMD: "));
	CHECK(r.error().message.ends_with(" (State already exists)"));
}

TEST_CASE("a dump ends at NLMSG_DONE, across datagrams")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {cat({reply(1), reply(2)}), cat({reply(3), done()})}, seen);
	REQUIRE(r);
	CHECK(*r);
	CHECK(seen == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("a dump whose NLMSG_DONE carries an errno fails with it")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {cat({reply(1), done(-EOPNOTSUPP)})}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EOPNOTSUPP);
	CHECK(r.error().message.starts_with("TEST_CMD: "));
}

TEST_CASE("a dump that fails at its start ends with NLMSG_ERROR")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {errorMsg(-EPERM)}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EPERM);
}

TEST_CASE("an interrupted dump (NLM_F_DUMP_INTR) runs to its end, then fails with EINTR")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {cat({reply(1), reply(2, NLM_F_MULTI | NLM_F_DUMP_INTR)}), done()}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EINTR);
	CHECK(r.error().message == "TEST_CMD: dump interrupted by a concurrent change");
	CHECK(seen == std::vector<uint8_t>{1, 2});

	// The flag on NLMSG_DONE alone counts too.
	seen.clear();
	r = run(NLM_F_DUMP, {cat({reply(1), done(0, NLM_F_MULTI | NLM_F_DUMP_INTR)})}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EINTR);
}

TEST_CASE("retryInterrupted runs a dump again on EINTR only, kDumpAttempts times at most")
{
	int calls = 0;
	auto intr = retryInterrupted([&]() -> Result<void> {
		calls++;
		return Error{EINTR, "interrupted"};
	});
	CHECK_FALSE(intr);
	CHECK(calls == kDumpAttempts);

	calls = 0;
	auto second = retryInterrupted([&]() -> Result<void> {
		if (++calls == 1)
			return Error{EINTR, "interrupted"};
		return {};
	});
	CHECK(second);
	CHECK(calls == 2);

	calls = 0;
	auto other = retryInterrupted([&]() -> Result<void> {
		calls++;
		return Error{EPERM, "no"};
	});
	CHECK(other.error().code == EPERM);
	CHECK(calls == 1);
}

TEST_CASE("NLMSG_OVERRUN is an error")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {cat({reply(1), msg(NLMSG_OVERRUN, 0, kSeq, kPort)})}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EOVERFLOW);
	CHECK(r.error().message.starts_with("TEST_CMD: netlink overrun"));
}

TEST_CASE("truncated and short datagrams are errors")
{
	std::vector<uint8_t> seen;
	auto whole = cat({reply(1), errorMsg(0)});
	Buf torn(whole.begin(), whole.end() - 8);
	auto r = run(0, {torn}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EBADMSG);
	CHECK(r.error().message.starts_with("TEST_CMD: malformed netlink data"));

	Buf shortAck = msg(NLMSG_ERROR, 0, kSeq, kPort, {0, 0, 0, 0});
	r = run(0, {shortAck}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EBADMSG);

	Buf badDone = msg(NLMSG_DONE, NLM_F_MULTI, kSeq, kPort, {7, 0, 0, 0});
	r = run(NLM_F_DUMP, {badDone}, seen);
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EBADMSG);
}

TEST_CASE("answers to other sequence numbers or ports are skipped, NOOP too")
{
	std::vector<uint8_t> seen;
	auto r = run(0,
	             {cat({reply(9, 0, kSeq - 1), errorMsg(-EEXIST, {}, kSeq - 1), reply(8, 0, kSeq, kPort + 1),
	                   msg(NLMSG_NOOP, 0, kSeq, kPort), reply(1, 0, kSeq, 0)}),
	              errorMsg(0)},
	             seen);
	REQUIRE(r);
	CHECK(*r);
	CHECK(seen == std::vector<uint8_t>{1});
}

TEST_CASE("a zero NLMSG_DONE in a request that is no dump is skipped: the ACK follows")
{
	std::vector<uint8_t> seen;
	auto r = run(0, {cat({reply(1), done()})}, seen);
	REQUIRE(r);
	CHECK_FALSE(*r);
	r = run(0, {cat({reply(1), done(), errorMsg(0)})}, seen);
	REQUIRE(r);
	CHECK(*r);
}

TEST_CASE("a reply handler's error is returned once the exchange is complete")
{
	std::vector<uint8_t> seen;
	auto r = run(NLM_F_DUMP, {cat({reply(1), reply(2)}), done()}, seen, Error{EPROTO, "bad entry"});
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EPROTO);
	CHECK(r.error().message == "TEST_CMD: bad entry");
	CHECK(seen == std::vector<uint8_t>{1}); // not called again after failing
}

TEST_CASE("a request must be exactly one netlink message")
{
	Buf two = cat({request(0), request(0)});
	CHECK(Exchange::forRequest(two, kPort, "X").error().code == EINVAL);
	Buf none;
	CHECK(Exchange::forRequest(none, kPort, "X").error().code == EINVAL);
}

namespace {

struct Pair {
	int ours = -1, kernel = -1;
	Pair()
	{
		int fds[2];
		REQUIRE(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) == 0);
		ours = fds[0];
		kernel = fds[1];
	}
	~Pair()
	{
		::close(ours);
		::close(kernel);
	}
	void answer(const Buf &d) const { REQUIRE(::send(kernel, d.data(), d.size(), 0) == ssize_t(d.size())); }
	Buf received() const
	{
		Buf b(4096);
		ssize_t n = ::recv(kernel, b.data(), b.size(), MSG_DONTWAIT);
		REQUIRE(n >= 0);
		b.resize(size_t(n));
		return b;
	}
};

} // namespace

TEST_CASE("Executor: sends the request, reads answers until the dump ends")
{
	Pair p;
	p.answer(cat({reply(1), reply(2)}));
	p.answer(done());
	Executor ex(p.ours, kPort, std::chrono::milliseconds(2000));
	std::vector<uint8_t> seen;
	Buf req = request(NLM_F_DUMP);
	auto r = ex.execute(req, "TEST_DUMP", [&](const Message &m) -> Result<void> {
		seen.push_back(m.payload[0]);
		return {};
	});
	CHECK(r);
	CHECK(seen == std::vector<uint8_t>{1, 2});
	CHECK(p.received() == req);
}

TEST_CASE("Executor: no answer is a timeout, not a stall")
{
	Pair p;
	Executor ex(p.ours, kPort, std::chrono::milliseconds(50));
	auto r = ex.execute(request(0), "TEST_CMD");
	REQUIRE_FALSE(r);
	CHECK(r.error().code == ETIMEDOUT);
	CHECK(r.error().message == "TEST_CMD: no answer from the kernel within 50 ms");
}

TEST_CASE("Executor: a datagram larger than the receive buffer is an error")
{
	Pair p;
	int big = 1 << 20;
	REQUIRE(setsockopt(p.kernel, SOL_SOCKET, SO_SNDBUF, &big, sizeof big) == 0);
	REQUIRE(setsockopt(p.ours, SOL_SOCKET, SO_RCVBUF, &big, sizeof big) == 0);
	p.answer(msg(0x10, NLM_F_MULTI, kSeq, kPort, Buf(70000, 0)));
	Executor ex(p.ours, kPort, std::chrono::milliseconds(2000));
	auto r = ex.execute(request(NLM_F_DUMP), "TEST_DUMP");
	REQUIRE_FALSE(r);
	CHECK(r.error().code == EMSGSIZE);
}

TEST_CASE("Executor: a closed socket is an error")
{
	Executor ex(-1, kPort, std::chrono::milliseconds(50));
	CHECK(ex.execute(request(0), "TEST_CMD").error().code == EBADF);
}
