#include "common/suggest.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("editDistance counts insertions, deletions and substitutions")
{
	CHECK(editDistance("", "") == 0);
	CHECK(editDistance("abc", "") == 3);
	CHECK(editDistance("", "abc") == 3);
	CHECK(editDistance("sessions", "sessions") == 0);
	CHECK(editDistance("sesions", "sessions") == 1);
	CHECK(editDistance("stauts", "status") == 2);
	CHECK(editDistance("kitten", "sitting") == 3);
}

TEST_CASE("suggestion: the closest word at most two edits away")
{
	const std::vector<std::string_view> commands = {"status", "sessions", "sas", "show"};
	CHECK(suggestion("sesions", commands) == "sessions");
	CHECK(suggestion("stats", commands) == "status");
	CHECK(suggestion("shwo", commands) == "show");
	CHECK(suggestion("frobnicate", commands) == "");
	CHECK(suggestion("x", {}) == "");
	// A tie goes to the first.
	CHECK(suggestion("sa", {"sas", "sa1"}) == "sas");
}
