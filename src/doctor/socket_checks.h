#pragma once
// Who holds the UDP ports l2tpsecd binds (500 and 4500 for IKE, 1701 for
// L2TP): /proc/net/udp and udp6, with each socket's inode mapped to the
// process that has it open (/proc/PID/fd).

#include "doctor/finding.h"
#include "doctor/host_inputs.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::doctor {

struct UdpSocket {
	std::string address; ///< "0.0.0.0", "::", "192.0.2.1"
	uint16_t port = 0;
	uint64_t inode = 0;
	bool operator==(const UdpSocket &) const = default;
};

/// The sockets of /proc/net/udp (v6 false) or /proc/net/udp6 (v6 true);
/// lines that do not parse are left out.
std::vector<UdpSocket> parseProcNetUdp(std::string_view text, bool v6);

/// One port: free, held by l2tpsecd, or held by another daemon (named by
/// process, with how to stop it). `needed` false (IPsec off, for 500 and
/// 4500) makes a conflict a warning.
Finding checkPort(uint16_t port, std::string_view use, const std::vector<UdpSocket> &sockets,
                  const std::map<uint64_t, std::string> &owners, bool needed);

} // namespace l2tpsec::doctor
