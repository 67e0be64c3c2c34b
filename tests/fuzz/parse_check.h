#pragma once
// Shared by the parser fuzz targets: what every parser promises about its
// answer, checked on each call.

#include "common/result.h"

#include <cerrno>

namespace l2tpsec::fuzz {

/// A parser's answer: a value, handed to `use`, or a failure with EBADMSG
/// and a reason, by contract (callers map the code, so another one would
/// mislead them). Anything else stops the fuzzer.
template <typename T, typename Use>
void check(const Result<T> &r, Use use)
{
	if (r)
		use(*r);
	else if (r.error().code != EBADMSG || r.error().message.empty())
		__builtin_trap();
}

template <typename T>
void check(const Result<T> &r)
{
	check(r, [](const T &) {});
}

} // namespace l2tpsec::fuzz
