// libFuzzer: the config loader must answer any bytes with a Config or errors,
// never a crash, hang or sanitizer report.
#include "config/config_loader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view text(reinterpret_cast<const char *>(data), size);
	l2tpsec::ConfigLoad r = l2tpsec::parseConfig(text, "/etc/l2tpsec/fuzz.conf");
	// Exactly one of a config or errors; every diagnostic renders.
	if (r.ok() == !r.errors.empty())
		__builtin_trap();
	for (auto &e : r.errors)
		(void)e.str();
	return 0;
}
