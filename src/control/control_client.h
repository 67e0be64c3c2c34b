#pragma once
// ControlClient: l2tpctl's end of the control protocol. Blocking, with a
// deadline, because a CLI has nothing else to do while it waits.

#include "common/result.h"
#include "common/unique_fd.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace l2tpsec {

class ControlClient {
public:
	/// Error codes the caller can tell apart.
	enum : int { Unreachable = 1, Protocol = 2, Timeout = 3 };

	/// Connects to the daemon's socket; Error.code is Unreachable when no
	/// daemon listens there (missing socket, refused, no permission).
	static Result<ControlClient> connect(const std::string &path, std::chrono::milliseconds timeout);

	/// Sends one request and returns the whole response object
	/// ({"ok":..., "data"|"error":...}).
	Result<nlohmann::json> request(const nlohmann::json &req);

private:
	ControlClient(UniqueFd fd, std::string path, std::chrono::milliseconds timeout)
	    : fd_(std::move(fd)), path_(std::move(path)), timeout_(timeout)
	{
	}
	UniqueFd fd_;
	std::string path_;
	std::chrono::milliseconds timeout_;
	std::string buffered_;
};

} // namespace l2tpsec
