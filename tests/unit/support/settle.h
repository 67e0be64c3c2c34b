#pragma once
// The settle loop of the two-engine test labs (L2TP's exchange_lab.h, IKE's
// ike_lab.h): step the lab until a step changes nothing. A lab that keeps
// changing (two engines answering each other for ever) fails the test by name
// rather than returning as if it had settled.

#include <doctest.h>

#include <string_view>

namespace l2tpsec::test {

/// Calls `step` until it returns false ("nothing happened": the wire is quiet
/// and no timer was due). Fails the test, naming `what`, when `step` still
/// returns true after `limit` calls.
template <typename Step>
void settle(std::string_view what, Step &&step, int limit = 1000)
{
	for (int round = 0; round < limit; ++round)
		if (!step())
			return;
	FAIL(what << " did not settle in " << limit << " steps");
}

} // namespace l2tpsec::test
