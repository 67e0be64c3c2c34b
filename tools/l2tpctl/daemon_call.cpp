#include "daemon_call.h"

#include "control/control_client.h"

namespace l2tpsec::ctl {

using nlohmann::json;

std::optional<json> call(const Globals &g, const json &request, Outcome &out, bool quiet)
{
	auto client = ControlClient::connect(g.socket, std::chrono::milliseconds(g.timeoutMs));
	if (!client) {
		if (!quiet)
			std::fprintf(stderr, "l2tpctl: %s\n", client.error().message.c_str());
		out.code = kExitUnreachable;
		return std::nullopt;
	}
	auto reply = client->request(request);
	if (!reply) {
		std::fprintf(stderr, "l2tpctl: %s\n", reply.error().message.c_str());
		out.code = kExitProtocol;
		return std::nullopt;
	}
	if (!(*reply)["ok"].get<bool>()) {
		std::string err = reply->value("error", std::string("unknown error"));
		std::fprintf(stderr, "l2tpctl: %s\n", err.c_str());
		out.code = kExitCommandFailed;
		return std::nullopt;
	}
	return reply->value("data", json::object());
}

} // namespace l2tpsec::ctl
