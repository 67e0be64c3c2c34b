// GenlSocket on the host's real generic netlink, without root: the
// controller family ("nlctrl") answers anyone, so the libnl socket, the
// shared executor (kernel/netlink/nl_exchange.h) and the family parser run
// against a kernel here too (the "l2tp" family itself needs the lab VM:
// tests/kernel/l2tp_*.sh).

#include "kernel/l2tp/genl_socket.h"

#include <doctest.h>
#include <linux/genetlink.h>

using namespace l2tpsec;
using namespace l2tpsec::kernel;

TEST_CASE("GenlSocket resolves the controller family through the shared executor")
{
	auto sock = GenlSocket::open();
	if (!sock) {
		MESSAGE("no NETLINK_GENERIC socket here: " << sock.error().message);
		return;
	}
	auto ctrl = sock->resolveFamily("nlctrl");
	REQUIRE_MESSAGE(ctrl, ctrl.error().message);
	CHECK(ctrl->id == GENL_ID_CTRL);
	CHECK(ctrl->name == "nlctrl");

	// A family that does not exist (a name within GENL_NAMSIZ, or the policy
	// refuses it with EINVAL): the kernel's errno, naming the request.
	auto missing = sock->resolveFamily("nosuchfamily");
	REQUIRE_FALSE(missing);
	CHECK(missing.error().code == ENOENT);
	CHECK(missing.error().message.starts_with("CTRL_CMD_GETFAMILY \"nosuchfamily\""));

	// The socket stays usable after an error: answers are matched by sequence.
	CHECK(sock->resolveFamily("nlctrl"));
}
