#include "common/kernel_release.h"

#include <sys/utsname.h>

#include <charconv>

namespace l2tpsec {

namespace {

/// The number at the front of `s`, consumed; nullopt-like -1 when none.
int takeNumber(std::string_view &s)
{
	int n = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
	if (ec != std::errc{} || end == s.data())
		return -1;
	s.remove_prefix(static_cast<size_t>(end - s.data()));
	return n;
}

} // namespace

bool releaseAtLeast(std::string_view release, int major, int minor)
{
	int got = takeNumber(release);
	if (got < 0 || release.empty() || release.front() != '.')
		return false;
	release.remove_prefix(1);
	int gotMinor = takeNumber(release);
	if (gotMinor < 0)
		return false;
	return got > major || (got == major && gotMinor >= minor);
}

std::string runningKernelRelease()
{
	utsname u{};
	if (::uname(&u) < 0)
		return {};
	return u.release;
}

bool l2tpTunnelsMayShareAddressPort(std::string_view release)
{
	return releaseAtLeast(release, 6, 10);
}

} // namespace l2tpsec
