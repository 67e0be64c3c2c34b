// IkeSa::transition(): the one place an ISAKMP SA's state changes. Each
// change is one debug line "ISAKMP SA N: OLD -> NEW (WHY)", and the engine
// acts on the event (half-open count, removal) without polling the SAs.
#include "ike_lab.h"

#include <doctest.h>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

/// The "OLD -> NEW (WHY)" part of the transition lines while it lives.
struct TransitionLog {
	std::vector<std::string> lines;
	LogLevel saved;
	TransitionLog() : saved(log::level())
	{
		log::setLevel(LogLevel::Debug);
		log::setSink([this](LogLevel lvl, std::string_view, std::string_view msg) {
			size_t at = msg.find("ISAKMP SA ");
			if (lvl != LogLevel::Debug || at == std::string_view::npos ||
			    msg.find(" -> ") == std::string_view::npos)
				return;
			std::string_view rest = msg.substr(at);
			lines.emplace_back(rest.substr(rest.find(": ") + 2));
		});
	}
	~TransitionLog()
	{
		log::setSink(nullptr);
		log::setLevel(saved);
	}
};

} // namespace

TEST_CASE("every phase-1 state change is logged once with its reason, and the engine follows it")
{
	Pair p;
	TransitionLog log; // after the lab, which sets the level
	uint64_t id = p.connect();
	std::vector<std::string> expected{
	        "start -> MM1 sent (initiating)",      "start -> MM2 sent (MAIN_MODE)",
	        "MM1 sent -> MM3 sent (MAIN_MODE)",    "MM2 sent -> MM4 sent (MAIN_MODE)",
	        "MM3 sent -> MM5 sent (MAIN_MODE)",    "MM4 sent -> established (MAIN_MODE)",
	        "MM5 sent -> established (MAIN_MODE)",
	};
	CHECK(log.lines == expected);
	CHECK(p.client->engine.halfOpenCount() == 0);
	CHECK(p.server->engine.halfOpenCount() == 0);

	log.lines.clear();
	REQUIRE(p.client->engine.closeSa(id, "a test", p.lab.now));
	p.lab.settle();
	CHECK(log.lines ==
	      std::vector<std::string>{"established -> dead (a test)", "established -> dead (deleted by the peer)"});
	CHECK(p.client->engine.saCount() == 0);
	CHECK(p.server->engine.saCount() == 0);
}
