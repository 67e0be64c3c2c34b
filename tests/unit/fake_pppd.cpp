// A stand-in for pppd with l2tpsec's plugin, for PppdLauncher's unit tests:
// it finds `l2tpsec_fd N` among its arguments and sends, on that descriptor,
// one datagram for each `fake-send HEX` (the plugin's bytes), in order. Then
// it prints one line and either exits with the status of `fake-exit N` or
// waits to be stopped (SIGTERM: exit 5, as pppd does, after sending the
// datagram of `fake-on-term HEX`, as pppd's plugin sends IP down then).
//
// The tests put the fake-* words in [ppp] options, which pppd's command line
// ends with.

#include "../support/hex.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

int reportFd = -1;
std::vector<uint8_t> onTerm;

} // namespace

int main(int argc, char **argv)
{
	std::signal(SIGTERM, [](int) {
		if (reportFd >= 0 && !onTerm.empty())
			(void)::send(reportFd, onTerm.data(), onTerm.size(), MSG_NOSIGNAL);
		_exit(5);
	});
	int fd = -1;
	int exitStatus = -1;
	std::vector<std::vector<uint8_t>> messages;
	for (int i = 1; i + 1 < argc; ++i) {
		std::string_view a = argv[i];
		if (a == "l2tpsec_fd") {
			fd = std::atoi(argv[++i]);
		} else if (a == "fake-exit") {
			exitStatus = std::atoi(argv[++i]);
		} else if (a == "fake-send") {
			messages.push_back(l2tpsec::test::hex(argv[++i]));
		} else if (a == "fake-on-term") {
			onTerm = l2tpsec::test::hex(argv[++i]);
		}
	}
	if (fd < 0) {
		std::printf("fake pppd: no l2tpsec_fd\n");
		return 2;
	}
	reportFd = fd; // before the first message: a SIGTERM may follow it at once
	for (const auto &m : messages)
		if (::send(fd, m.data(), m.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(m.size())) {
			std::perror("fake pppd: send");
			return 1;
		}
	std::printf("fake pppd: sent %zu message(s)\n", messages.size());
	std::fflush(stdout);
	if (exitStatus >= 0)
		return exitStatus;
	for (;;)
		::pause();
}
