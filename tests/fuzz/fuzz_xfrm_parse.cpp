// libFuzzer: the XFRM netlink parsers (kernel/xfrm/xfrm_msg.h) on hostile
// bytes. Every entry point must answer any input with a value or an EBADMSG
// Error, never a crash, an out-of-bounds read or undefined behaviour.
//
// The input is tried twice: as one message (the way XfrmSocket hands a reply
// or EventSubscription an event to a parser) and as a whole datagram, split
// the way both of them split what the kernel sends (a dump is many messages).
#include "kernel/xfrm/xfrm_msg.h"
#include "tests/fuzz/parse_check.h"

#include <linux/netlink.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

using namespace l2tpsec;
using l2tpsec::fuzz::check;
using namespace l2tpsec::kernel;
using namespace l2tpsec::kernel::xfrm;

namespace {

/// A kernel errno is 0..4095 once negated (include/linux/err.h MAX_ERRNO).
void checkErrno(int e)
{
	if (e < 0 || e > 4095)
		__builtin_trap();
}

/// What a parsed SA is used for (listSas, querySa, logs), then the builder
/// on the same spec: builder and parser must agree on every field. The unit
/// tests check that for the specs l2tpsec makes; here any spec the kernel
/// could send that the builder accepts must come back unchanged.
void useSa(const SaInfo &sa)
{
	SaState st = toSaState(sa);
	(void)describeSa(st.id);
	(void)describeSelector(sa.spec.selector);
	MsgBuffer buf;
	auto built = buildNewSa(buf, 1, sa.spec, false);
	if (!built)
		return;
	auto again = parseSa(*built);
	if (!again || !(again->spec == sa.spec))
		__builtin_trap();
}

void useEvent(const Event &e)
{
	(void)describeSa(e.sa);
	(void)describeSelector(e.selector);
	(void)directionName(e.direction);
	(void)e.newAddress.str();
}

/// Every parser on one message, whatever its type says: each must check
/// the type itself.
void parseMessage(std::span<const uint8_t> msg)
{
	check(parseSa(msg), useSa);
	check(parsePolicy(msg), [](const PolicyInfo &p) {
		(void)describePolicy(p.state.id);
		(void)modeName(p.state.params.mode);
	});
	check(parseEvent(msg), useEvent);
	check(parseAck(msg), [](const NlAck &ack) { checkErrno(ack.error); });
	check(parseDone(msg), checkErrno);

	if (msg.size() >= sizeof(nlmsghdr)) {
		uint16_t type;
		std::memcpy(&type, msg.data() + offsetof(nlmsghdr, nlmsg_type), sizeof(type));
		(void)msgTypeName(type);
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::span<const uint8_t> input(data, size);
	parseMessage(input);

	check(splitMessages(input), [input](const std::vector<NlMessage> &messages) {
		// The messages tile the datagram: each starts where the previous
		// one's padding ended and lies inside it.
		size_t offset = 0;
		for (const NlMessage &m : messages) {
			if (m.bytes.data() != input.data() + offset || m.bytes.size() < sizeof(nlmsghdr) ||
			    m.bytes.size() > input.size() - offset)
				__builtin_trap();
			offset += std::min<size_t>(NLMSG_ALIGN(m.bytes.size()), input.size() - offset);
			parseMessage(m.bytes);
		}
		if (offset != input.size())
			__builtin_trap();
	});
	return 0;
}
