// libFuzzer: the [ppp] secrets (chap-secrets) scanner must answer any bytes
// with entries and problems, never a crash, hang or sanitizer report, and
// every line it names must be a line of the input.
#include "config/chap_secrets.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view text(reinterpret_cast<const char *>(data), size);
	l2tpsec::ChapSecrets r = l2tpsec::parseChapSecrets(text);
	int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
	for (auto &e : r.entries)
		if (e.line < 1 || e.line > lines || e.fields < 4)
			__builtin_trap();
	for (auto &p : r.problems)
		if (p.line < 1 || p.line > lines || p.message.empty())
			__builtin_trap();
	return 0;
}
