// DasListener's answers (RFC 5176), without sockets: who is ignored, what a
// Disconnect-Request and a CoA-Request get, retransmissions, and which
// sessions a selector names; and the Session-Timeouts a CoA-Request sets
// (SessionDeadlines) on the event loop.
#include "crypto/md5.h"
#include "daemon/das_listener.h"
#include "daemon/session_deadlines.h"
#include "radius/radius_authenticator.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::radius;

namespace {

const IpAddress kClient = *IpAddress::parse("198.51.100.7");
constexpr std::string_view kSecret = "das-secret";

DasSettings settings()
{
	DasSettings s;
	s.clients = {kClient};
	s.secret = std::string(kSecret);
	s.nas = {"vpn-gw1", {*IpAddress::parse("192.0.2.1")}};
	return s;
}

std::vector<uint8_t> request(uint8_t code, uint8_t id, std::vector<Attribute> attrs, std::string_view secret = kSecret,
                             bool mac = false)
{
	Packet p;
	p.code = code;
	p.identifier = id;
	p.attributes = std::move(attrs);
	return signRequest(p, secret, mac);
}

Attribute user(std::string_view name)
{
	return {attr::kUserName, std::vector<uint8_t>(name.begin(), name.end())};
}

struct Harness {
	std::unique_ptr<EventLoop> loop = EventLoop::create().value();
	std::vector<SessionSelector> asked;
	std::vector<std::pair<SessionSelector, std::chrono::seconds>> limited;
	std::vector<std::string> sessions = {"1/2"};
	std::unique_ptr<DasListener> das;
	DasListener::Clock::time_point now = DasListener::Clock::now();

	Harness()
	{
		das = DasListener::start(
		              *loop, settings(),
		              [this](const SessionSelector &s) {
			              asked.push_back(s);
			              return s.userName == "alice" ? sessions : std::vector<std::string>{};
		              },
		              [this](const SessionSelector &s, std::chrono::seconds limit) {
			              limited.emplace_back(s, limit);
			              return s.userName == "alice" ? sessions : std::vector<std::string>{};
		              })
		              .value();
	}
	std::optional<Packet> send(const std::vector<uint8_t> &bytes, const IpAddress &from = kClient,
	                           uint16_t port = 40000)
	{
		auto a = das->answer(bytes, from, port, now);
		if (!a)
			return std::nullopt;
		auto req = parsePacket(bytes).value();
		// The answer is signed for the request.
		std::vector<uint8_t> asSent = *a;
		std::copy(req.authenticator.begin(), req.authenticator.end(), asSent.begin() + 4);
		CHECK(messageAuthenticatorValid(asSent, kSecret, false));
		return parsePacket(*a).value();
	}
};

std::optional<uint32_t> causeOf(const Packet &p)
{
	const Attribute *a = p.find(attr::kErrorCause);
	return a ? integerOf(*a) : std::nullopt;
}

} // namespace

TEST_CASE("das listener: a Disconnect-Request for a user with sessions is ACKed, once")
{
	Harness h;
	auto bytes = request(code::kDisconnectRequest, 9, {user("alice")}, kSecret, true);
	auto a = h.send(bytes);
	REQUIRE(a);
	CHECK(a->code == code::kDisconnectAck);
	CHECK(a->identifier == 9);
	CHECK(a->find(attr::kMessageAuthenticator)); // the request had one
	REQUIRE(h.asked.size() == 1);
	CHECK(h.asked[0].userName == "alice");
	// The same request again: the same answer, nothing ended again.
	auto again = h.send(bytes);
	REQUIRE(again);
	CHECK(again->code == code::kDisconnectAck);
	CHECK(h.asked.size() == 1);
	// After the window it is a new request.
	h.now += DasListener::kDuplicateWindow;
	CHECK(h.send(bytes));
	CHECK(h.asked.size() == 2);
	CHECK(h.das->answered() == 3);
}

TEST_CASE("das listener: NAKs with their Error-Cause")
{
	Harness h;
	auto a = h.send(request(code::kDisconnectRequest, 1, {user("bob")}));
	REQUIRE(a);
	CHECK(a->code == code::kDisconnectNak);
	CHECK(causeOf(*a) == 503u);
	CHECK_FALSE(a->find(attr::kMessageAuthenticator));

	a = h.send(request(code::kDisconnectRequest, 2, {user("alice"), {attr::kNasIdentifier, {'x'}}}));
	REQUIRE(a);
	CHECK(causeOf(*a) == 403u);

	a = h.send(request(code::kDisconnectRequest, 3, {user("alice"), integerAttribute(attr::kSessionTimeout, 9)}));
	REQUIRE(a);
	CHECK(a->code == code::kDisconnectNak);
	CHECK(causeOf(*a) == 401u);
	CHECK(h.asked.size() == 1); // only bob's was looked up
	CHECK(h.limited.empty());
}

TEST_CASE("das listener: a CoA-Request sets the Session-Timeout of the sessions it names")
{
	Harness h;
	auto bytes =
	        request(code::kCoaRequest, 4,
	                {user("alice"), {attr::kAcctSessionId, {'7', 'a'}}, integerAttribute(attr::kSessionTimeout, 3)},
	                kSecret, true);
	auto a = h.send(bytes);
	REQUIRE(a);
	CHECK(a->code == code::kCoaAck);
	CHECK(a->identifier == 4);
	CHECK_FALSE(a->find(attr::kErrorCause));
	REQUIRE(h.limited.size() == 1);
	CHECK(h.limited[0].first.userName == "alice");
	CHECK(h.limited[0].first.acctSessionId == "7a");
	CHECK(h.limited[0].second == std::chrono::seconds(3));
	CHECK(h.asked.empty()); // nothing ended
	// Sent again: answered as before, set once.
	a = h.send(bytes);
	REQUIRE(a);
	CHECK(a->code == code::kCoaAck);
	CHECK(h.limited.size() == 1);
}

TEST_CASE("das listener: CoA-NAKs with their Error-Cause")
{
	Harness h;
	auto nakOf = [&](uint8_t id, std::vector<Attribute> attrs) {
		auto a = h.send(request(code::kCoaRequest, id, std::move(attrs)));
		REQUIRE(a);
		CHECK(a->code == code::kCoaNak);
		CHECK(a->identifier == id);
		return causeOf(*a).value_or(0);
	};
	Attribute minute = integerAttribute(attr::kSessionTimeout, 60);
	CHECK(nakOf(1, {user("bob"), minute}) == 503u);
	CHECK(nakOf(2, {user("alice"), minute, integerAttribute(attr::kServiceType, 17)}) == 405u);
	CHECK(nakOf(3, {user("alice"), minute, integerAttribute(attr::kIdleTimeout, 60)}) == 401u);
	CHECK(nakOf(4, {user("alice")}) == 402u);
	CHECK(nakOf(5, {user("alice"), integerAttribute(attr::kSessionTimeout, 0)}) == 407u);
	CHECK(nakOf(6, {user("alice"), minute, {attr::kNasIdentifier, {'x'}}}) == 403u);
	// Only bob's was looked up (and found nothing).
	REQUIRE(h.limited.size() == 1);
	CHECK(h.limited[0].first.userName == "bob");
}

TEST_CASE("das listener: unknown sources, wrong secrets and junk get no answer")
{
	Harness h;
	auto good = request(code::kDisconnectRequest, 1, {user("alice")});
	CHECK_FALSE(h.das->answer(good, *IpAddress::parse("198.51.100.8"), 40000, h.now));
	CHECK_FALSE(
	        h.das->answer(request(code::kDisconnectRequest, 1, {user("alice")}, "wrong"), kClient, 40000, h.now));
	CHECK_FALSE(h.das->answer(request(code::kDisconnectRequest, 1, {user("alice")}, "wrong", true), kClient, 40000,
	                          h.now));
	// A right Request Authenticator over a wrong Message-Authenticator.
	auto badMac = request(code::kDisconnectRequest, 1, {user("alice")}, kSecret, true);
	badMac[badMac.size() - 1] ^= 1;
	Packet p = parsePacket(badMac).value();
	p.authenticator = {};
	auto resigned = buildPacket(p);
	crypto::Md5 md5;
	md5.update(resigned);
	md5.update(kSecret);
	auto digest = md5.finish();
	std::copy(digest.begin(), digest.end(), resigned.begin() + 4);
	CHECK(requestAuthenticatorValid(resigned, kSecret));
	CHECK_FALSE(h.das->answer(resigned, kClient, 40000, h.now));
	CHECK_FALSE(h.das->answer(std::vector<uint8_t>{1, 2, 3}, kClient, 40000, h.now));
	CHECK_FALSE(h.das->answer(request(1, 1, {user("alice")}), kClient, 40000, h.now)); // an Access-Request
	CHECK(h.asked.empty());
	CHECK(h.das->ignored() == 6);
	CHECK(h.das->answered() == 0);
	// A flood is logged within kLogLines a minute and still ignored.
	for (int i = 0; i < 100; i++)
		CHECK_FALSE(h.das->answer(good, *IpAddress::parse("203.0.113.1"), 1, h.now));
	CHECK(h.das->ignored() == 106);
}

TEST_CASE("das listener: which sessions a selector names")
{
	control::SessionView v;
	v.tunnel = 3;
	v.session = 4;
	v.role = "lns";
	v.user = "alice";
	v.address = "10.99.0.10";
	SessionSelector s;
	s.userName = "alice";
	CHECK(dasSelects(s, v));
	s.framedIp = IpAddress::parse("10.99.0.10");
	s.nasPortId = "l2tpsec-3-4";
	CHECK(dasSelects(s, v));
	s.nasPortId = "l2tpsec-3-5";
	CHECK_FALSE(dasSelects(s, v));
	s.nasPortId.reset();
	s.framedIp = IpAddress::parse("10.99.0.11");
	CHECK_FALSE(dasSelects(s, v));
	s.framedIp.reset();
	s.userName = "bob";
	CHECK_FALSE(dasSelects(s, v));
	s.userName = "alice";
	v.role = "lac";
	CHECK_FALSE(dasSelects(s, v));
	v.role = "lns";
	v.address.reset();
	s.framedIp = IpAddress::parse("10.99.0.10");
	CHECK_FALSE(dasSelects(s, v));

	// Acct-Session-Id: the one accounting sends; none without accounting.
	v.address = "10.99.0.10";
	SessionSelector byId;
	byId.acctSessionId = "0123456789abcdef-0000002a";
	CHECK_FALSE(dasSelects(byId, v));
	v.acctSessionId = "0123456789abcdef-0000002a";
	CHECK(dasSelects(byId, v));
	byId.userName = "alice";
	CHECK(dasSelects(byId, v));
	byId.userName = "bob";
	CHECK_FALSE(dasSelects(byId, v));
	byId.userName.reset();
	v.acctSessionId = "0123456789abcdef-0000002b";
	CHECK_FALSE(dasSelects(byId, v));
}

TEST_CASE("session deadlines: a limit passes on the loop; replaced, forgotten, cancelled")
{
	using namespace std::chrono_literals;
	auto loop = EventLoop::create().value();
	std::vector<std::pair<uint16_t, uint16_t>> expired;
	std::vector<std::chrono::milliseconds> limits;
	auto deadlines =
	        std::make_unique<SessionDeadlines>(*loop, [&](uint16_t t, uint16_t s, std::chrono::milliseconds l) {
		        expired.emplace_back(t, s);
		        limits.push_back(l);
	        });
	auto start = EventLoop::Clock::now();
	deadlines->set(1, 2, 30ms);
	deadlines->set(1, 3, 10000ms);
	deadlines->set(1, 3, 60ms); // replaces the 10 s
	deadlines->set(4, 5, 40ms);
	deadlines->forget(4, 5); // it ended first
	deadlines->forget(9, 9); // none: nothing
	CHECK(deadlines->size() == 2);
	REQUIRE(deadlines->deadlineOf(1, 2));
	CHECK(*deadlines->deadlineOf(1, 2) - start >= 30ms);
	CHECK_FALSE(deadlines->deadlineOf(4, 5));
	CHECK(loop->pendingTimers() == 2);
	while (expired.size() < 2 && EventLoop::Clock::now() - start < 5s)
		REQUIRE(loop->runOnce(20ms));
	auto took = EventLoop::Clock::now() - start;
	REQUIRE(expired.size() == 2);
	CHECK(expired[0] == std::pair<uint16_t, uint16_t>{1, 2});
	CHECK(expired[1] == std::pair<uint16_t, uint16_t>{1, 3});
	CHECK(limits == std::vector<std::chrono::milliseconds>{30ms, 60ms});
	CHECK(took >= 60ms);
	CHECK(deadlines->size() == 0);
	CHECK_FALSE(deadlines->deadlineOf(1, 2));
	// Limits still set go with the object: their timers are cancelled.
	deadlines->set(6, 7, 10ms);
	deadlines->set(8, 9, 10000ms);
	CHECK(loop->pendingTimers() == 2);
	deadlines.reset();
	CHECK(loop->pendingTimers() == 0);
}

TEST_CASE("das listener: settings from the config")
{
	Config c;
	c.server.listen = {*IpAddress::parse("192.0.2.1"), *IpAddress::parse("192.0.2.2")};
	c.ppp.radius.emplace();
	c.ppp.radius->secret = Secret{{}, "radius-secret"};
	c.ppp.radius->nasIdentifier = "gw";
	c.ppp.radius->dasListen = {*IpAddress::parse("192.0.2.2"), *IpAddress::parse("192.0.2.3")};
	c.ppp.radius->dasClients = {kClient};
	DasSettings s = dasSettings(c);
	CHECK(s.secret == "radius-secret");
	CHECK(s.port == 3799);
	CHECK(s.nas.identifier == "gw");
	CHECK(s.nas.addresses.size() == 3);
	c.ppp.radius->dasSecret = Secret{{}, "das"};
	CHECK(dasSettings(c).secret == "das");
}
