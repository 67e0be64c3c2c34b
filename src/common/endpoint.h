#pragma once
// Endpoint: an IP address and a UDP port, the unit of every peer and local
// address IKE and L2TP talk about ("192.0.2.1:1701", "[2001:db8::1]:500").

#include "common/ip_address.h"

#include <compare>
#include <cstdint>
#include <string>

namespace l2tpsec {

struct Endpoint {
	IpAddress address;
	uint16_t port = 0;
	/// L2TP peers only: the mark of the IPsec SA pair their packets come
	/// through when several clients behind one NAT share address and port
	/// (ike::ChildFlows); 0 for every other endpoint.
	uint32_t mark = 0;
	friend bool operator==(const Endpoint &, const Endpoint &) = default;
	friend auto operator<=>(const Endpoint &, const Endpoint &) = default; // NOLINT(modernize-use-nullptr)
	/// "ADDRESS:PORT", with an IPv6 address in brackets and " mark 0x..." for a mark.
	std::string str() const;
};

} // namespace l2tpsec
