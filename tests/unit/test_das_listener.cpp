// DasListener's answers (RFC 5176), without sockets: who is ignored, what a
// Disconnect-Request and a CoA-Request get, retransmissions, and which
// sessions a selector names.
#include "crypto/md5.h"
#include "daemon/das_listener.h"
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
	std::vector<std::string> sessions = {"1/2"};
	std::unique_ptr<DasListener> das;
	DasListener::Clock::time_point now = DasListener::Clock::now();

	Harness()
	{
		das = DasListener::start(*loop, settings(), [this](const SessionSelector &s) {
			      asked.push_back(s);
			      return s.userName == "alice" ? sessions : std::vector<std::string>{};
		      }).value();
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

	a = h.send(request(code::kCoaRequest, 3, {user("alice")}));
	REQUIRE(a);
	CHECK(a->code == code::kCoaNak);
	CHECK(causeOf(*a) == 405u);
	CHECK(h.asked.size() == 1); // only bob's was looked up
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
