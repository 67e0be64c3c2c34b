#pragma once
// AccountingSender: sends one Accounting-Request (an Accounting-On or -Off,
// radius/accounting_onoff.h, or a session's Start, Interim-Update or Stop,
// radius/session_accounting.h) to the [radius] accounting servers, in the
// order configured, each up to `tries` times `timeout` apart, until one
// answers; then tells `done` whether one did. A server that refuses the port
// (ICMP, seen on the connected socket) is passed over at once. Each try is
// built anew with its own Identifier and the seconds it waited
// (Acct-Delay-Time, RFC 2866 §5.2: a changed attribute makes a new request,
// RFC 5080 §2.2.1); an answer to any try of the current server counts. Runs
// on the event loop: nothing waits for it but a clean stop, at most
// servers x tries x timeout.

#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "config/config.h"
#include "radius/accounting_onoff.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec {

/// One request to send.
struct AccountingRequestSpec {
	/// For the log: "Accounting-On (NAS-Identifier vpn-a)", "Stop of ...".
	std::string what;
	/// The signed datagram with this Identifier, `delaySeconds` after the
	/// event it reports.
	std::function<std::vector<uint8_t>(uint8_t identifier, uint32_t delaySeconds)> build;
	/// The first try's Identifier.
	uint8_t identifier = 0;
	/// An info line when answered (a debug line otherwise: Interim-Updates).
	bool logAcknowledged = true;
};

class AccountingSender {
public:
	/// The server that answered, or nullopt when none did.
	using Done = std::function<void(std::optional<RadiusServer> answered)>;

	AccountingSender(EventLoop &loop, std::vector<RadiusServer> servers, std::string secret,
	                 AccountingRequestSpec request, std::chrono::milliseconds timeout, uint32_t tries, Done done);
	~AccountingSender();
	AccountingSender(const AccountingSender &) = delete;
	AccountingSender &operator=(const AccountingSender &) = delete;

	/// Sends the first try (Done may run from here when nothing can be sent).
	void start();
	bool finished() const { return finished_; }

private:
	void openServer();
	void sendTry();
	void onReadable();
	void onTimeout();
	void nextServer();
	void finish(std::optional<RadiusServer> answered);
	void closeSocket();

	EventLoop &loop_;
	std::vector<RadiusServer> servers_;
	std::string secret_;
	AccountingRequestSpec request_;
	std::chrono::milliseconds timeout_;
	uint32_t tries_;
	Done done_;
	std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
	size_t server_ = 0;
	uint8_t identifier_;
	UniqueFd fd_;
	/// The tries sent to the current server.
	std::vector<std::vector<uint8_t>> sent_;
	std::optional<EventLoop::TimerId> timer_;
	bool finished_ = false;
};

/// The Accounting-On or -Off of a daemon with `radius`, at `now`.
radius::OnOffRequest onOffRequestOf(const RadiusConfig &radius, bool on, std::chrono::system_clock::time_point now);

/// What AccountingSender sends for an Accounting-On or -Off request.
AccountingRequestSpec onOffSpec(const radius::OnOffRequest &request, const std::string &secret);

} // namespace l2tpsec
