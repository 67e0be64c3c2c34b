#include "ppp/pppd_command.h"
#include "ppp/pppd_exit.h"

#include <doctest.h>

#include <csignal>
#include <string>
#include <vector>

using namespace l2tpsec;
using namespace l2tpsec::ppp;

namespace {

std::string joined(const std::vector<std::string> &v)
{
	std::string s;
	for (const std::string &w : v)
		s += (s.empty() ? "" : " ") + w;
	return s;
}

} // namespace

TEST_CASE("LNS pppd: pppol2tp plugin, required auth, addresses, DNS, MTU, idle, extra options last")
{
	PppConfig cfg;
	cfg.auth = {PppAuth::MsChapV2, PppAuth::Chap};
	cfg.localAddress = IpAddress::parse("10.99.0.1");
	cfg.dns = {*IpAddress::parse("10.99.0.1"), *IpAddress::parse("192.0.2.53")};
	cfg.mtu = 1400;
	cfg.mru = 1380;
	cfg.idleTimeout = std::chrono::seconds(600);
	cfg.options = {"lcp-echo-interval 30", "  lcp-echo-failure\t4 "};
	PppdSession s;
	s.pppol2tpFd = 3;
	s.tunnelId = 16385;
	s.sessionId = 7;
	s.remoteAddress = IpAddress::parse("10.99.0.10");
	s.tag = "l2tpsec-16385-7";
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 16385 pppol2tp_session_id 7 "
	      "pppol2tp_lns_mode nodetach auth require-mschap-v2 require-chap debug 10.99.0.1:10.99.0.10 "
	      "ms-dns 10.99.0.1 ms-dns 192.0.2.53 mtu 1400 mru 1380 idle 600 ipparam l2tpsec-16385-7 "
	      "lcp-echo-interval 30 lcp-echo-failure 4");
}

TEST_CASE("LNS pppd without a pool leaves the addresses to pppd")
{
	PppConfig cfg;
	cfg.pppd = "/opt/ppp/pppd";
	PppdSession s;
	s.tunnelId = 1;
	s.sessionId = 2;
	CHECK(joined(pppdArguments(cfg, s)) ==
	      "/opt/ppp/pppd plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 1 pppol2tp_session_id 2 "
	      "pppol2tp_lns_mode nodetach auth require-mschap-v2 debug mtu 1400 mru 1400");
}

TEST_CASE("LAC pppd: no auth of the server, user name, password through a descriptor, never in argv")
{
	PppConfig cfg;
	cfg.localAddress = IpAddress::parse("10.99.0.1"); // an LNS setting: ignored here
	PppdSession s;
	s.lns = false;
	s.pppol2tpFd = 4;
	s.tunnelId = 16400;
	s.sessionId = 9;
	s.user = "alice";
	s.passwordFd = 5;
	auto argv = pppdArguments(cfg, s);
	CHECK(joined(argv) == "/usr/sbin/pppd plugin pppol2tp.so pppol2tp 4 pppol2tp_tunnel_id 16400 "
	                      "pppol2tp_session_id 9 nodetach noauth noipdefault user alice plugin passwordfd.so "
	                      "passwordfd 5 mtu 1400 mru 1400");
}

TEST_CASE("pppd exit statuses map to reasons (pppd(8) EXIT STATUS)")
{
	auto exited = [](int code) { return code << 8; }; // the wait status of exit(code)
	CHECK(describePppdExit(exited(0)).reason == "ok");
	PppdExit auth = describePppdExit(exited(11));
	CHECK(auth.exitCode == 11);
	CHECK(auth.reason == "peer-auth-failed");
	CHECK(auth.text == "the peer failed or refused to authenticate itself (pppd exit 11)");
	CHECK(describePppdExit(exited(19)).reason == "auth-failed");
	CHECK(describePppdExit(exited(12)).reason == "idle");
	CHECK(describePppdExit(exited(15)).reason == "peer-dead");
	CHECK(describePppdExit(exited(5)).reason == "terminated");
	CHECK(describePppdExit(exited(2)).text == "pppd rejected its options (check [ppp] options in the config) "
	                                          "(pppd exit 2)");
	PppdExit odd = describePppdExit(exited(42));
	CHECK(odd.reason == "unknown");
	CHECK(odd.text == "pppd exited with unknown status 42");
	PppdExit killed = describePppdExit(SIGKILL); // the wait status of a SIGKILL death
	CHECK(killed.exitCode == -1);
	CHECK(killed.signal == SIGKILL);
	CHECK(killed.reason == "killed");
	CHECK(killed.text == "pppd was killed by signal SIGKILL (9)");
}
