#pragma once
// DhcpResponder: answers DHCPINFORM from the daemon's PPP clients ([ppp]
// routes and domain, the user's user_routes and its RADIUS Framed-Routes), so
// that a client that does not send everything into the tunnel learns the
// subnets behind the server (src/dhcp/inform_ack.h).
//
// One UDP socket on port 67 for every PPP link. IP_PKTINFO says on which
// interface a request came in; it is answered only there, and only when that
// interface is an established LNS session's whose client address is the
// request's ciaddr: nobody else, on a LAN or on another client's link, gets
// an answer, and nothing else is answered (no DISCOVER or REQUEST: IPCP gave
// the address). The answer goes to ciaddr, port 68, out of that interface.
// At most kMaxPerSecond requests are looked at each second, and a log line
// about ignored requests is written at most every kLogInterval.

#include "common/event_loop.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "config/config.h"
#include "dhcp/inform_ack.h"
#include "l2tpsec/control_views.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// The client of an established LNS session: what its answer depends on.
struct DhcpClient {
	IpAddress address = IpAddress::v4(0);
	/// The name it authenticated as in PPP ("" before): its user_routes.
	std::string user;
	uint16_t tunnel = 0;
	uint16_t session = 0;
	/// The subnets of the Framed-Route attributes of its RADIUS
	/// Access-Accept (PppdLauncher), filled in by the daemon.
	std::vector<IpPrefix> radiusRoutes;
	bool operator==(const DhcpClient &) const = default;
};

/// The client of the established LNS session on `interface`, if any (without
/// its RADIUS routes, which the sessions view does not carry).
std::optional<DhcpClient> lnsClientOn(const control::SessionsView &sessions, std::string_view interface);

/// What the responder tells `client`, the server's end of its link being
/// `serverId` (host order): [ppp] routes, then the user's user_routes, then
/// its RADIUS routes, each subnet once.
dhcp::InformSettings informSettings(const PppConfig &ppp, uint32_t serverId, const DhcpClient &client = {});

/// The DHCP ports (RFC 2131 §4.1); tests pick others.
struct DhcpPorts {
	uint16_t server = 67;
	uint16_t client = 68;
};

class DhcpResponder {
public:
	/// lnsClientOn() over the daemon's sessions, asked once per request.
	using ClientOn = std::function<std::optional<DhcpClient>(std::string_view interface)>;

	/// Only with [ppp] routes, domain or user_routes set, or with [radius]
	/// (whose Access-Accept may carry Framed-Routes).
	static bool wanted(const PppConfig &ppp)
	{
		return !ppp.routes.empty() || !ppp.domain.empty() || !ppp.userRoutes.empty() || ppp.radius.has_value();
	}

	static Result<std::unique_ptr<DhcpResponder>> start(EventLoop &loop, const PppConfig &ppp, ClientOn clientOn,
	                                                    DhcpPorts ports = {});
	~DhcpResponder();
	DhcpResponder(const DhcpResponder &) = delete;
	DhcpResponder &operator=(const DhcpResponder &) = delete;

	/// A reloaded [ppp]: its routes, user_routes, domain and dns answer from
	/// now on.
	void reconfigure(const PppConfig &ppp) { ppp_ = ppp; }

	/// The port bound (DhcpPorts::server, or the one the kernel chose for 0).
	uint16_t port() const;
	uint64_t answered() const { return answered_; }
	uint64_t ignored() const { return ignored_; }

	static constexpr uint32_t kMaxPerSecond = 20;
	static constexpr std::chrono::seconds kLogInterval{60};

private:
	DhcpResponder(EventLoop &loop, const PppConfig &ppp, ClientOn clientOn, DhcpPorts ports, UniqueFd fd);
	void onReadable();
	/// `local`: our address on interface `ifindex`, the server identifier.
	void onDatagram(std::span<const uint8_t> datagram, int ifindex, const IpAddress &local);
	/// Counts it; says why at most every kLogInterval.
	void ignore(const std::string &why);
	bool withinRate();

	EventLoop &loop_;
	PppConfig ppp_;
	ClientOn clientOn_;
	DhcpPorts ports_;
	UniqueFd fd_;
	std::vector<uint8_t> buf_;
	uint64_t answered_ = 0;
	uint64_t ignored_ = 0;
	uint64_t ignoredSinceLog_ = 0;
	std::optional<EventLoop::Clock::time_point> lastLog_;
	EventLoop::Clock::time_point second_{};
	uint32_t inSecond_ = 0;
};

} // namespace l2tpsec
