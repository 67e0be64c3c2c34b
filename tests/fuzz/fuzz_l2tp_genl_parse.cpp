// libFuzzer: the L2TP reply parsers (kernel/l2tp/l2tp_msg.h, on libnl-genl
// through kernel/l2tp/genl_codec.h) and the errors made of NLMSG_ERROR, on
// hostile bytes. Each must answer any input with a value or an EBADMSG
// Error, never a crash, an out-of-bounds read or undefined behaviour.
//
// The input is tried as a datagram, taken apart the way GenlSocket does it
// (messages, then NLMSG_ERROR / NLMSG_DONE or the reply parsers), and as a
// bare attribute stream behind a valid header, which reaches the attribute
// parsers without having to grow valid headers first.
#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"
#include "tests/fuzz/parse_check.h"

#include <linux/l2tp.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

using namespace l2tpsec;
using l2tpsec::fuzz::check;
using namespace l2tpsec::kernel;

namespace {

/// A kernel errno, negative (include/linux/err.h MAX_ERRNO), or 0.
void checkErrno(int e)
{
	if (e > 0 || e < -4095)
		__builtin_trap();
}

/// `inner` lies wholly inside `outer`.
void checkWithin(std::span<const uint8_t> inner, std::span<const uint8_t> outer)
{
	if (inner.empty())
		return;
	if (inner.data() < outer.data() || inner.size() > outer.size() ||
	    size_t(inner.data() - outer.data()) > outer.size() - inner.size())
		__builtin_trap();
}

/// Every reply parser on one generic-netlink message, as the dataplane and
/// the family resolution would use them.
void parseReplies(netlink::Bytes message, uint8_t cmd)
{
	check(l2tpgenl::parseFamily(message));
	check(l2tpgenl::parseTunnel(message), [](const TunnelState &t) {
		(void)t.localAddress.str();
		(void)t.peerAddress.str();
	});
	check(l2tpgenl::parseSession(message), [](const SessionState &s) {
		// IFNAMSIZ: the parser refuses longer names.
		if (s.ifname.size() > 15)
			__builtin_trap();
	});
	(void)l2tpgenl::commandName(cmd);
}

/// The error texts the dataplane makes of a kernel errno from NLMSG_ERROR.
/// (kernel/netlink parses it, for XFRM too: a positive errno.)
void describeError(const netlink::Ack &e, uint8_t cmd)
{
	checkErrno(-e.error);
	if (e.error == 0)
		return; // an ACK
	(void)l2tpgenl::requestError(cmd, e.error, e.requestSeq);
	(void)l2tpgenl::requestError(cmd, e.error, e.requestSeq, e.requestSeq);
	(void)l2tpgenl::explainRequestError(cmd, errnoError(e.error, e.extack));
	(void)l2tpgenl::pppConnectError(e.error, e.requestSeq, e.requestSeq);
}

void parseDatagram(netlink::Bytes datagram)
{
	check(netlink::splitMessages(datagram), [datagram](const std::vector<netlink::Message> &messages) {
		for (const netlink::Message &m : messages) {
			checkWithin(m.payload, datagram);
			// The command of the request an error answers is unknown
			// here; the first payload byte stands in for it.
			uint8_t cmd = m.payload.empty() ? L2TP_CMD_NOOP : m.payload[0];
			check(netlink::parseAck(m), [cmd](const netlink::Ack &e) { describeError(e, cmd); });
			check(netlink::parseDone(m), [](int e) { checkErrno(-e); });
			parseReplies(m.bytes, cmd);
		}
	});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netlink::Bytes input(data, size);
	parseDatagram(input);
	// The input as the attributes of one message (nlmsghdr, genlmsghdr).
	std::vector<uint8_t> message(20 + size, 0);
	const uint32_t len = uint32_t(message.size());
	std::memcpy(message.data(), &len, sizeof len);
	message[16] = size ? data[0] : L2TP_CMD_NOOP;
	message[17] = L2TP_GENL_VERSION;
	if (size)
		std::memcpy(message.data() + 20, data, size);
	parseReplies(message, message[16]);
	return 0;
}
