// DhcpResponder over loopback: an INFORM from the session's client is
// answered, anything else is not; and the pure parts (which session is on an
// interface, what the settings say).
#include "daemon/dhcp_responder.h"
#include "dhcp/dhcp_message.h"

#include <arpa/inet.h>
#include <doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>

using namespace l2tpsec;

namespace {

control::SessionView session(std::string role, std::string state, std::string address, std::string interface)
{
	control::SessionView s;
	s.role = std::move(role);
	s.state = std::move(state);
	s.address = std::move(address);
	s.interface = std::move(interface);
	return s;
}

PppConfig labPpp()
{
	PppConfig ppp;
	ppp.routes = {*IpPrefix::parse("203.0.113.0/24"), *IpPrefix::parse("198.51.100.128/25")};
	ppp.dns = {*IpAddress::parse("10.99.0.1")};
	ppp.domain = "lab.example";
	return ppp;
}

std::vector<uint8_t> inform(uint32_t ciaddr)
{
	dhcp::Message m;
	m.xid = 0x1234;
	m.ciaddr = ciaddr;
	m.options.push_back({dhcp::option::kMessageType, {static_cast<uint8_t>(dhcp::MessageType::Inform)}});
	return dhcp::buildMessage(m);
}

constexpr uint32_t kLoopback = 0x7f000001;

// A DHCP client on 127.0.0.1 and a responder that takes "lo" for the link of
// a session whose client is `client`.
struct LoopbackLab {
	std::unique_ptr<EventLoop> loop = EventLoop::create().value();
	UniqueFd client{socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
	std::unique_ptr<DhcpResponder> responder;
	std::vector<std::string> asked;

	explicit LoopbackLab(std::optional<IpAddress> sessionClient)
	{
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(kLoopback);
		REQUIRE(bind(client.get(), reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0);
		socklen_t len = sizeof sa;
		REQUIRE(getsockname(client.get(), reinterpret_cast<sockaddr *>(&sa), &len) == 0);
		DhcpPorts ports{0, ntohs(sa.sin_port)};
		auto r = DhcpResponder::start(
		        *loop, labPpp(),
		        [this, sessionClient](std::string_view interface) -> std::optional<DhcpClient> {
			        asked.emplace_back(interface);
			        if (interface != "lo" || !sessionClient)
				        return std::nullopt;
			        return DhcpClient{*sessionClient, "alice", 1, 2, {*IpPrefix::parse("10.50.0.0/16")}};
		        },
		        ports);
		REQUIRE(r.ok());
		responder = std::move(*r);
	}

	void send(const std::vector<uint8_t> &datagram)
	{
		sockaddr_in to{};
		to.sin_family = AF_INET;
		to.sin_port = htons(responder->port());
		to.sin_addr.s_addr = htonl(kLoopback);
		REQUIRE(sendto(client.get(), datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr *>(&to),
		               sizeof to) == static_cast<ssize_t>(datagram.size()));
	}

	/// The answer, if one comes within a few turns of the loop.
	std::optional<dhcp::Message> answer()
	{
		std::vector<uint8_t> buf(2048);
		for (int i = 0; i < 10; ++i) {
			REQUIRE(loop->runOnce(std::chrono::milliseconds(20)));
			ssize_t n = recv(client.get(), buf.data(), buf.size(), 0);
			if (n > 0) {
				auto m = dhcp::parseMessage(
				        std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
				REQUIRE(m.ok());
				return *m;
			}
		}
		return std::nullopt;
	}
};

} // namespace

TEST_CASE("dhcp responder: the client of the established LNS session on the interface")
{
	control::SessionsView v;
	v.sessions = {session("lac", "established", "10.99.0.9", "ppp0"),
	              session("lns", "wait-ppp", "10.99.0.11", "ppp1"),
	              session("lns", "established", "10.99.0.10", "ppp0")};
	v.sessions[2].user = "alice";
	v.sessions[2].tunnel = 7;
	v.sessions[2].session = 9;
	CHECK(lnsClientOn(v, "ppp0") == DhcpClient{*IpAddress::parse("10.99.0.10"), "alice", 7, 9, {}});
	CHECK_FALSE(lnsClientOn(v, "ppp1").has_value());
	CHECK_FALSE(lnsClientOn(v, "ppp2").has_value());
	CHECK_FALSE(lnsClientOn(control::SessionsView{}, "ppp0").has_value());
}

TEST_CASE("dhcp responder: settings from [ppp], the server's end as the router")
{
	dhcp::InformSettings s = informSettings(labPpp(), 0x0a630001);
	CHECK(s.serverId == 0x0a630001);
	REQUIRE(s.routes.size() == 2);
	CHECK(s.routes[1] == dhcp::ClasslessRoute{0xc6336480, 25, 0x0a630001});
	CHECK(s.dnsServers == std::vector<uint32_t>{0x0a630001});
	CHECK(s.domain == "lab.example");
	CHECK(DhcpResponder::wanted(labPpp()));
	CHECK_FALSE(DhcpResponder::wanted(PppConfig{}));
}

TEST_CASE("dhcp responder: the user's user_routes and RADIUS routes follow [ppp] routes, each subnet once")
{
	PppConfig ppp = labPpp();
	ppp.userRoutes["alice"] = {*IpPrefix::parse("10.20.0.0/24"), *IpPrefix::parse("203.0.113.0/24")};
	ppp.userRoutes["bob"] = {*IpPrefix::parse("10.40.0.0/16")};
	auto destinations = [](const dhcp::InformSettings &s) {
		std::vector<std::string> out;
		for (const dhcp::ClasslessRoute &r : s.routes) {
			CHECK(r.router == 0x0a630001);
			out.push_back(IpAddress::v4(r.destination).str() + "/" + std::to_string(r.length));
		}
		return out;
	};
	DhcpClient alice{*IpAddress::parse("10.99.0.10"), "alice", 1, 2, {}};
	CHECK(destinations(informSettings(ppp, 0x0a630001, alice)) ==
	      std::vector<std::string>{"203.0.113.0/24", "198.51.100.128/25", "10.20.0.0/24"});
	alice.radiusRoutes = {*IpPrefix::parse("10.50.0.0/16"), *IpPrefix::parse("10.20.0.0/24"),
	                      *IpPrefix::parse("10.60.0.1")};
	CHECK(destinations(informSettings(ppp, 0x0a630001, alice)) ==
	      std::vector<std::string>{"203.0.113.0/24", "198.51.100.128/25", "10.20.0.0/24", "10.50.0.0/16",
	                               "10.60.0.1/32"});
	// Nobody else gets alice's routes; a session not yet authenticated
	// gets the pool's.
	DhcpClient carol{*IpAddress::parse("10.99.0.11"), "carol", 1, 3, {}};
	CHECK(destinations(informSettings(ppp, 0x0a630001, carol)) ==
	      std::vector<std::string>{"203.0.113.0/24", "198.51.100.128/25"});
	ppp.userRoutes[""] = {*IpPrefix::parse("10.70.0.0/16")}; // not from the config, but still
	CHECK(destinations(informSettings(ppp, 0x0a630001, DhcpClient{})) ==
	      std::vector<std::string>{"203.0.113.0/24", "198.51.100.128/25"});
	// The responder runs with only user_routes, or only [radius].
	PppConfig only;
	only.userRoutes["bob"] = {*IpPrefix::parse("10.40.0.0/16")};
	CHECK(DhcpResponder::wanted(only));
	only.userRoutes.clear();
	only.radius = RadiusConfig{};
	CHECK(DhcpResponder::wanted(only));
}

TEST_CASE("dhcp responder: an INFORM from the session's client is answered on its link")
{
	LoopbackLab lab(IpAddress::v4(kLoopback));
	lab.send(inform(kLoopback));
	auto ack = lab.answer();
	REQUIRE(ack.has_value());
	CHECK(lab.asked == std::vector<std::string>{"lo"});
	CHECK(ack->type() == dhcp::MessageType::Ack);
	CHECK(ack->xid == 0x1234);
	CHECK(ack->ciaddr == kLoopback);
	CHECK(ack->yiaddr == 0);
	CHECK(ack->find(dhcp::option::kServerId)->value == std::vector<uint8_t>{127, 0, 0, 1});
	// [ppp] routes, then the client's RADIUS route.
	CHECK(ack->find(dhcp::option::kClasslessRoutes)->value ==
	      std::vector<uint8_t>{24,  203, 0, 113, 127, 0,  0,  1,  25,  198, 51, 100,
	                           128, 127, 0, 0,   1,   16, 10, 50, 127, 0,   0,  1});
	CHECK(ack->find(dhcp::option::kMsClasslessRoutes) != nullptr);
	CHECK(ack->find(dhcp::option::kDnsServers)->value == std::vector<uint8_t>{10, 99, 0, 1});
	CHECK(lab.responder->answered() == 1);
}

TEST_CASE("dhcp responder: another ciaddr, no session, or not an INFORM: no answer")
{
	SUBCASE("ciaddr is not the session's client")
	{
		LoopbackLab lab(IpAddress::v4(kLoopback));
		lab.send(inform(0x7f000002));
		CHECK_FALSE(lab.answer().has_value());
	}
	SUBCASE("no established session on the interface")
	{
		LoopbackLab lab(std::nullopt);
		lab.send(inform(kLoopback));
		CHECK_FALSE(lab.answer().has_value());
	}
	SUBCASE("not DHCP, and not an INFORM")
	{
		LoopbackLab lab(IpAddress::v4(kLoopback));
		lab.send({1, 2, 3});
		dhcp::Message request = *dhcp::parseMessage(inform(kLoopback));
		request.options[0].value = {static_cast<uint8_t>(dhcp::MessageType::Request)};
		lab.send(dhcp::buildMessage(request));
		CHECK_FALSE(lab.answer().has_value());
		CHECK(lab.asked.empty());
		CHECK(lab.responder->ignored() == 2);
	}
}

TEST_CASE("dhcp responder: a port already taken is an error that names it")
{
	LoopbackLab lab(std::nullopt);
	auto second = DhcpResponder::start(
	        *lab.loop, labPpp(), [](std::string_view) { return std::nullopt; },
	        DhcpPorts{lab.responder->port(), 68});
	REQUIRE_FALSE(second.ok());
	CHECK(second.error().code == EADDRINUSE);
	CHECK(second.error().message.starts_with("DHCPINFORM responder on UDP port "));
}
