#include "daemon_call.h"

#include "control/control_client.h"

#include <algorithm>
#include <cstdio>

namespace l2tpsec::ctl {

using nlohmann::json;

namespace {

// One request and its answer: the reply's data, or the exit code and the
// line that says why not.
struct Answer {
	std::optional<json> data;
	int code = kExitOk;
	std::string error;
};

Answer exchange(const Globals &g, const json &request)
{
	auto client = ControlClient::connect(g.socket, std::chrono::milliseconds(g.timeoutMs));
	if (!client)
		return {std::nullopt, kExitUnreachable, client.error().message};
	auto reply = client->request(request);
	if (!reply)
		return {std::nullopt, kExitProtocol, reply.error().message};
	if (!(*reply)["ok"].get<bool>())
		return {std::nullopt, kExitCommandFailed, reply->value("error", std::string("unknown error"))};
	return {reply->value("data", json::object()), kExitOk, ""};
}

} // namespace

int Outcome::fail(int exitCode, const std::string &message)
{
	code = exitCode;
	if (asJson)
		std::printf("%s\n", nlohmann::json{{"error", message}, {"exit", exitCode}}.dump().c_str());
	else // one "l2tpctl: " line each (a config's errors come several at once)
		for (size_t at = 0; at <= message.size();) {
			size_t end = std::min(message.find('\n', at), message.size());
			std::fprintf(stderr, "l2tpctl: %.*s\n", static_cast<int>(end - at), message.c_str() + at);
			at = end + 1;
		}
	return exitCode;
}

std::optional<json> call(const Globals &g, const json &request, Outcome &out, bool quiet)
{
	Answer a = exchange(g, request);
	if (a.data)
		return a.data;
	if (!quiet || a.code != kExitUnreachable)
		out.fail(a.code, a.error);
	else
		out.code = a.code;
	return std::nullopt;
}

std::optional<json> ask(const Globals &g, const json &request)
{
	return exchange(g, request).data;
}

std::string configPathFor(const std::string &given, const std::optional<control::StatusView> &status)
{
	if (!given.empty())
		return given;
	if (status && !status->configFile.empty())
		return status->configFile;
	return L2TPSEC_DEFAULT_CONFIG;
}

} // namespace l2tpsec::ctl
