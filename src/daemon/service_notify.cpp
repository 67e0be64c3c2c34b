#include "daemon/service_notify.h"

#include "common/log.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace l2tpsec::service {

namespace {

bool send(std::string state, std::string_view status)
{
	if (!notifyEnabled())
		return false;
	if (!status.empty()) {
		// One line: a newline would start another assignment.
		std::string line(status);
		for (char &c : line)
			if (c == '\n' || c == '\r')
				c = ' ';
		if (!state.empty())
			state += '\n';
		state += "STATUS=" + line;
	}
	int rc = sd_notify(0, state.c_str());
	if (rc <= 0) {
		logDebug("daemon", "sd_notify failed: {}", rc < 0 ? std::strerror(-rc) : "no NOTIFY_SOCKET");
		return false;
	}
	return true;
}

} // namespace

bool notifyEnabled()
{
	const char *s = std::getenv("NOTIFY_SOCKET");
	return s && *s;
}

bool notifyReady(std::string_view status)
{
	return send("READY=1", status);
}

bool notifyReloading(std::string_view status)
{
	// MONOTONIC_USEC lets a manager that checks it (Type=notify-reload,
	// systemd 253) match this message to the reload it asked for.
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t usec = static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
	return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec), status);
}

bool notifyStopping(std::string_view status)
{
	return send("STOPPING=1", status);
}

bool notifyStatus(std::string_view status)
{
	return send("", status);
}

} // namespace l2tpsec::service
