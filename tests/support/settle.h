#pragma once
// The settle loop of the two-engine test labs (L2TP's exchange_lab.h, IKE's
// ike_lab.h): step the lab until a step changes nothing. A lab that keeps
// changing (two engines answering each other for ever) fails the test by name
// rather than returning as if it had settled.

#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
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

/// The two-engine labs (ike_lab.h, exchange_lab.h) share their clock work:
/// a Lab has `net` (deliver(now), queue()), `hosts` (pointers to hosts whose
/// `engine` has nextDeadline() and onTimer(now)) and `now`.

/// Delivers until the wire is quiet and fires every timer due by now.
template <typename Lab>
void settleLab(Lab &lab, std::string_view what)
{
	settle(what, [&] {
		lab.net.deliver(lab.now);
		bool fired = false;
		for (auto *h : lab.hosts) {
			if (auto d = h->engine.nextDeadline(); d && *d <= lab.now) {
				h->engine.onTimer(lab.now);
				fired = true;
			}
		}
		return fired || !lab.net.queue().empty();
	});
}

/// Moves the lab's clock forward by `d`, settling at every deadline on the way.
template <typename Lab>
void advanceLab(Lab &lab, std::string_view what, std::chrono::milliseconds d)
{
	auto end = lab.now + d;
	settleLab(lab, what);
	for (int round = 0; round < 100000; ++round) {
		std::optional<decltype(end)> next;
		for (auto *h : lab.hosts)
			if (auto t = h->engine.nextDeadline(); t && (!next || *t < *next))
				next = t;
		if (!next || *next > end)
			break;
		lab.now = std::max(lab.now, *next);
		settleLab(lab, what);
	}
	lab.now = end;
	settleLab(lab, what);
}

} // namespace l2tpsec::test
