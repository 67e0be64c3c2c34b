#pragma once
// AccountingOnOffSender: sends one Accounting-On or Accounting-Off
// (radius/accounting_onoff.h) to the [radius] accounting servers, in the
// order configured, each up to `tries` times `timeout` apart, until one
// answers; then tells `done` whether one did. A server that refuses the port
// (ICMP, seen on the connected socket) is passed over at once. Runs on the
// event loop: starting the daemon does not wait for it, and a clean stop
// waits for it at most servers x tries x timeout.

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

class AccountingOnOffSender {
public:
	/// The server that answered, or nullopt when none did.
	using Done = std::function<void(std::optional<RadiusServer> answered)>;

	AccountingOnOffSender(EventLoop &loop, std::vector<RadiusServer> servers, std::string secret,
	                      radius::OnOffRequest request, std::chrono::milliseconds timeout, uint32_t tries,
	                      Done done);
	~AccountingOnOffSender();
	AccountingOnOffSender(const AccountingOnOffSender &) = delete;
	AccountingOnOffSender &operator=(const AccountingOnOffSender &) = delete;

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
	radius::OnOffRequest request_;
	std::chrono::milliseconds timeout_;
	uint32_t tries_;
	Done done_;
	size_t server_ = 0;
	uint32_t tried_ = 0;
	UniqueFd fd_;
	std::vector<uint8_t> datagram_;
	std::optional<EventLoop::TimerId> timer_;
	bool finished_ = false;
};

/// The Accounting-On or -Off of a daemon with `radius`, at `now`.
radius::OnOffRequest onOffRequestOf(const RadiusConfig &radius, bool on, std::chrono::system_clock::time_point now);

} // namespace l2tpsec
