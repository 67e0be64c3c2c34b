#pragma once
// DasListener: the RADIUS Dynamic Authorization Server (RFC 5176), so that
// an administrator's RADIUS tools can end a user's session on whichever
// server holds it ([radius] das_listen).
//
// One UDP socket per das_listen address on das_port. A datagram is looked
// at only when it comes from a das_clients address, parses, and its Request
// Authenticator (and Message-Authenticator, when present) is right for the
// secret; anything else gets no answer, and a log line naming the source (at
// most kLogLines a minute, then a count). Requests name sessions as
// radius/das_request.h reads them (User-Name, Framed-IP-Address,
// NAS-Port-Id, Acct-Session-Id). A Disconnect-Request ends the LNS sessions
// it names the way `l2tpctl disconnect` does (CDN, pppd stopped, the audit's
// stop record with the reason "radius-disconnect") and is answered with a
// Disconnect-ACK; a CoA-Request sets their Session-Timeout (L2tpService::
// limitSession) and is answered with a CoA-ACK. Either gets a NAK with the
// Error-Cause of radius/das_request.h when it is refused, 503 when no session
// matches; each answer is logged with the source and the sessions named. A
// request sent again (same source, Identifier and authenticator) within
// kDuplicateWindow gets the first answer again and changes nothing more (RFC
// 5176 §2.3, RFC 5080 §2.2.2).

#include "common/event_loop.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "config/config.h"
#include "l2tpsec/control_views.h"
#include "radius/das_request.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace l2tpsec {

struct DasSettings {
	std::vector<IpAddress> listen;
	uint16_t port = 3799;
	std::vector<IpAddress> clients;
	std::string secret;
	radius::NasIdentity nas;
	friend bool operator==(const DasSettings &, const DasSettings &) = default;
};

/// The listener's settings from a config whose [radius] has das_listen;
/// NAS-IP-Address may name a das_listen or a [server] listen address.
DasSettings dasSettings(const Config &config);

/// True when `view` is an LNS session that `s` names: each field of `s`
/// that is set matches (NAS-Port-Id: "l2tpsec-TUNNEL-SESSION";
/// Acct-Session-Id: the one its accounting sends, none without accounting).
bool dasSelects(const radius::SessionSelector &s, const control::SessionView &view);

class DasListener {
public:
	using Clock = std::chrono::steady_clock;
	/// Ends the sessions `s` names; returns the "TUNNEL/SESSION" of each.
	using Disconnect = std::function<std::vector<std::string>(const radius::SessionSelector &s)>;
	/// Sets the Session-Timeout of the sessions `s` names; returns the
	/// "TUNNEL/SESSION" of each.
	using SetTimeout =
	        std::function<std::vector<std::string>(const radius::SessionSelector &s, std::chrono::seconds limit)>;

	static Result<std::unique_ptr<DasListener>> start(EventLoop &loop, DasSettings settings, Disconnect disconnect,
	                                                  SetTimeout setTimeout);
	~DasListener();
	DasListener(const DasListener &) = delete;
	DasListener &operator=(const DasListener &) = delete;

	const DasSettings &settings() const { return settings_; }
	/// The port bound (the first socket's; das_port, or the kernel's for 0).
	uint16_t port() const;

	/// What to send back for one datagram from from:fromPort, or nothing.
	std::optional<std::vector<uint8_t>> answer(std::span<const uint8_t> datagram, const IpAddress &from,
	                                           uint16_t fromPort, Clock::time_point now);

	uint64_t answered() const { return answered_; }
	uint64_t ignored() const { return ignored_; }

	static constexpr std::chrono::seconds kDuplicateWindow{30};
	static constexpr size_t kMaxRemembered = 256;
	static constexpr uint32_t kLogLines = 10;

private:
	DasListener(EventLoop &loop, DasSettings settings, Disconnect disconnect, SetTimeout setTimeout);
	void onReadable(int fd);
	/// Counts it and logs `why`, within kLogLines a minute.
	void ignore(const std::string &why, Clock::time_point now);
	std::vector<uint8_t> handle(const radius::Packet &request, const IpAddress &from);

	struct Remembered {
		radius::Authenticator authenticator;
		std::vector<uint8_t> answer;
		Clock::time_point at;
	};
	using Source = std::tuple<IpAddress, uint16_t, uint8_t>;

	EventLoop &loop_;
	DasSettings settings_;
	Disconnect disconnect_;
	SetTimeout setTimeout_;
	std::vector<UniqueFd> fds_;
	std::vector<uint8_t> buf_;
	std::map<Source, Remembered> remembered_;
	uint64_t answered_ = 0;
	uint64_t ignored_ = 0;
	Clock::time_point minute_{};
	uint32_t linesInMinute_ = 0;
	uint64_t unlogged_ = 0;
};

} // namespace l2tpsec
