// libFuzzer: the decoder of what l2tpsec's pppd plugin sends
// (ppp/plugin_message.h) on hostile bytes. Every datagram must come back as
// a message or an EBADMSG Error, never a crash, an out-of-bounds read or
// undefined behaviour; and a message must be exactly what its bytes encode
// (encoding it again gives the same datagram), except a hello of another
// protocol version, of which only the version is read.
#include "ppp/plugin_message.h"
#include "tests/fuzz/parse_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

using namespace l2tpsec;
using l2tpsec::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::span<const uint8_t> input(data, size);
	check(ppp::decodePluginMessage(input), [input](const ppp::PluginMessage &m) {
		(void)ppp::describePluginMessage(m);
		if (const auto *h = std::get_if<ppp::PluginHello>(&m); h && h->protocol != ppp::kPluginProtocol)
			return;
		auto again = ppp::encodePluginMessage(m);
		if (!std::equal(again.begin(), again.end(), input.begin(), input.end()))
			__builtin_trap();
	});
	return 0;
}
