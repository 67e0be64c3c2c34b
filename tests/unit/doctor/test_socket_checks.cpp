// Who holds 500, 4500 and 1701: /proc/net/udp(6) and the port check.

#include "doctor/socket_checks.h"

#include <doctest.h>

using namespace l2tpsec::doctor;

namespace {

const char *kUdp =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
        "pointer drops\n"
        "  120: 00000000:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
        "21345 2 0000000000000000 0\n"
        "  121: 0102000A:1194 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
        "21346 2 0000000000000000 0\n"
        "  122: 00000000:06A5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
        "30001 2 0000000000000000 0\n"
        "garbage\n";

const char *kUdp6 = "  sl  local_address                         remote_address                        st tx_queue "
                    "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
                    "   50: 00000000000000000000000000000000:01F4 00000000000000000000000000000000:0000 07 "
                    "00000000:00000000 00:00000000 00000000     0        0 21350 2 0000000000000000 0\n";

} // namespace

TEST_CASE("doctor parses /proc/net/udp and udp6")
{
	CHECK(parseProcNetUdp(kUdp, false) ==
	      std::vector<UdpSocket>{{"0.0.0.0", 500, 21345}, {"10.0.2.1", 4500, 21346}, {"0.0.0.0", 1701, 30001}});
	CHECK(parseProcNetUdp(kUdp6, true) == std::vector<UdpSocket>{{"::", 500, 21350}});
	CHECK(parseProcNetUdp(kUdp6, false).empty()); // a v6 address is not a v4 one
}

TEST_CASE("doctor: a port held by charon is fatal, with how to stop strongSwan")
{
	auto sockets = parseProcNetUdp(kUdp, false);
	std::map<uint64_t, std::string> owners{{21345, "charon"}, {21346, "charon"}, {30001, "l2tpsecd"}};
	Finding f = checkPort(500, "IKE", sockets, owners, true);
	CHECK(f.status == Status::Fatal);
	CHECK(f.why == "0.0.0.0:500 is held by charon (strongSwan's IKE daemon): l2tpsecd cannot bind IKE");
	CHECK(f.fix ==
	      "systemctl disable --now strongswan-starter strongswan (RHEL: systemctl disable --now strongswan)");
	CHECK(checkPort(4500, "IKE with NAT-T", sockets, owners, false).status == Status::Warn);
	Finding ours = checkPort(1701, "L2TP", sockets, owners, true);
	CHECK(ours == Finding{"udp 1701", Status::Ok, "held by l2tpsecd (0.0.0.0:1701)", ""});
}

TEST_CASE("doctor: xl2tpd, an unknown process and an unnamed owner")
{
	auto sockets = parseProcNetUdp(kUdp, false);
	Finding x = checkPort(1701, "L2TP", sockets, {{30001, "xl2tpd"}}, true);
	CHECK(x.status == Status::Fatal);
	CHECK(x.fix == "systemctl disable --now xl2tpd");
	Finding other = checkPort(1701, "L2TP", sockets, {{30001, "socat"}}, true);
	CHECK(other.why == "0.0.0.0:1701 is held by socat (not l2tpsecd): l2tpsecd cannot bind L2TP");
	CHECK(other.fix == "stop socat, or give l2tpsecd another address in [server] listen");
	Finding unseen = checkPort(1701, "L2TP", sockets, {}, true);
	CHECK(unseen.status == Status::Warn);
	CHECK(unseen.fix == "run l2tpctl doctor as root to name it");
	CHECK(checkPort(1702, "L2TP", sockets, {}, true) == Finding{"udp 1702", Status::Ok, "free for L2TP", ""});
	auto v6 = parseProcNetUdp(kUdp6, true);
	CHECK(checkPort(500, "IKE", v6, {{21350, "pluto"}}, true).why ==
	      "[::]:500 is held by pluto (libreswan's IKE daemon): l2tpsecd cannot bind IKE");
}
