// libFuzzer: the generic-netlink readers (kernel/l2tp/nl_wire.h) and the L2TP
// reply parsers (kernel/l2tp/l2tp_msg.h) on hostile bytes. Each must answer
// any input with a value or an EBADMSG Error, never a crash, an
// out-of-bounds read or undefined behaviour.
//
// The input is tried as a datagram, taken apart the way GenlSocket does it
// (messages, then NLMSG_ERROR / NLMSG_DONE or a genl payload for the reply
// parsers), and as a bare attribute stream, which reaches the attribute
// parsers without having to grow valid headers first.
#include "kernel/l2tp/l2tp_errors.h"
#include "kernel/l2tp/l2tp_msg.h"
#include "kernel/l2tp/nl_wire.h"
#include "tests/fuzz/parse_check.h"

#include <linux/l2tp.h>

#include <cstddef>
#include <cstdint>
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

/// Every typed reader on every attribute of the stream: each checks the size.
void readAttributes(nl::Bytes stream)
{
	check(nl::splitAttrs(stream), [stream](const std::vector<nl::Attr> &attrs) {
		for (const nl::Attr &a : attrs) {
			checkWithin(a.payload, stream);
			check(nl::attrU8(a));
			check(nl::attrU16(a));
			check(nl::attrU32(a));
			check(nl::attrU64(a));
			if (nl::attrString(a).size() > a.payload.size())
				__builtin_trap();
		}
	});
}

/// Every reply parser on one attribute stream, as the dataplane and the
/// family resolution would use them.
void parseReplies(nl::Bytes attrs, uint8_t cmd)
{
	readAttributes(attrs);

	check(l2tpgenl::parseFamily(attrs));
	check(l2tpgenl::parseTunnel(attrs), [](const TunnelState &t) {
		(void)t.localAddress.str();
		(void)t.peerAddress.str();
	});
	check(l2tpgenl::parseSession(attrs), [](const SessionState &s) {
		// IFNAMSIZ: the parser refuses longer names.
		if (s.ifname.size() > 15)
			__builtin_trap();
	});
	check(l2tpgenl::parseStats(attrs));
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

void parseDatagram(nl::Bytes datagram)
{
	check(nl::splitMessages(datagram), [datagram](const std::vector<nl::Message> &messages) {
		for (const nl::Message &m : messages) {
			checkWithin(m.payload, datagram);
			// The command of the request an error answers is unknown
			// here; the first payload byte stands in for it.
			uint8_t cmd = m.payload.empty() ? L2TP_CMD_NOOP : m.payload[0];
			check(netlink::parseAck(m), [cmd](const netlink::Ack &e) { describeError(e, cmd); });
			check(netlink::parseDone(m), [](int e) { checkErrno(-e); });
			check(nl::parseGenl(m), [&m](const nl::GenlPayload &genl) {
				checkWithin(genl.attrs, m.payload);
				parseReplies(genl.attrs, genl.cmd);
			});
		}
	});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nl::Bytes input(data, size);
	parseDatagram(input);
	parseReplies(input, size ? data[0] : L2TP_CMD_NOOP);
	return 0;
}
