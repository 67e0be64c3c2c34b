// A stand-in for pppd with l2tpsec's plugin, for PppdLauncher's unit tests:
// it finds `l2tpsec_fd N` among its arguments and sends, on that descriptor,
// one datagram for each `fake-send HEX` (the plugin's bytes), in order. Then
// it prints one line and either exits with the status of `fake-exit N` or
// waits to be stopped (SIGTERM: exit 5, as pppd does, after sending the
// datagram of `fake-on-term HEX`, as pppd's plugin sends IP down then).
//
// The tests put the fake-* words in [ppp] options, which pppd's command line
// ends with. A prestarted one (`l2tpsec_wait`) first waits, as the plugin
// does, for the daemon's SESSION message and its socket, and reads the
// session's words as more arguments ("@pppol2tp" standing for the socket),
// printing "fake pppd: session with socket N"; it exits 0 when the daemon
// closes the socket first.

#include "../support/hex.h"
#include "l2tpsec_pppd_wire.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

int reportFd = -1;
std::vector<uint8_t> onTerm;

} // namespace

namespace {

// Blocks for the SESSION message on `fd`: its words (the socket's number
// in place of the placeholder), or exits.
std::vector<std::string> waitForSession(int fd)
{
	std::vector<uint8_t> buf(L2TPSEC_PPPD_MAX_MESSAGE + 1);
	union {
		char bytes[CMSG_SPACE(sizeof(int))];
		cmsghdr align;
	} control{};
	iovec iov{buf.data(), buf.size()};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof control.bytes;
	ssize_t n = ::recvmsg(fd, &msg, 0);
	if (n == 0)
		std::exit(0);
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (n < 3 || c == nullptr || c->cmsg_type != SCM_RIGHTS || buf[0] != L2TPSEC_PPPD_SESSION) {
		std::printf("fake pppd: no SESSION message with a socket\n");
		std::exit(2);
	}
	int sock = -1;
	std::memcpy(&sock, CMSG_DATA(c), sizeof sock);
	std::vector<std::string> words;
	size_t count = (size_t{buf[1]} << 8) | buf[2], at = 3;
	for (size_t i = 0; i < count && at + 2 <= static_cast<size_t>(n); ++i) {
		size_t len = (size_t{buf[at]} << 8) | buf[at + 1];
		at += 2;
		std::string w(reinterpret_cast<const char *>(buf.data() + at), len);
		words.push_back(w == L2TPSEC_PPPD_SOCKET_WORD ? std::to_string(sock) : w);
		at += len;
	}
	std::printf("fake pppd: session with socket %d\n", sock);
	return words;
}

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
	std::vector<std::string> args(argv + 1, argv + argc);
	for (size_t i = 0; i < args.size(); ++i) {
		std::string_view a = args[i];
		if (a == "l2tpsec_wait" && fd >= 0) {
			std::vector<std::string> more = waitForSession(fd);
			args.insert(args.end(), more.begin(), more.end());
			continue;
		}
		if (i + 1 >= args.size())
			break;
		if (a == "l2tpsec_fd") {
			fd = std::stoi(args[++i]);
		} else if (a == "fake-exit") {
			exitStatus = std::stoi(args[++i]);
		} else if (a == "fake-send") {
			messages.push_back(l2tpsec::test::hex(args[++i]));
		} else if (a == "fake-on-term") {
			onTerm = l2tpsec::test::hex(args[++i]);
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
