// Every key the loader knows is documented in l2tpsec.conf(5) and shown in
// examples/l2tpsec.conf, and the examples are valid configs.

#include "config/config_loader.h"

#include <fmt/format.h>

#include <doctest.h>

#include <fstream>
#include <sstream>

using namespace l2tpsec;

namespace {
std::string slurp(const std::string &path)
{
	std::ifstream in(path);
	REQUIRE_MESSAGE(in, path);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

bool hasLineStarting(const std::string &text, const std::string &prefix)
{
	return text.rfind(prefix, 0) == 0 || text.find("\n" + prefix) != std::string::npos;
}
} // namespace

TEST_CASE("l2tpsec.conf(5) documents every key")
{
	std::string man = slurp(L2TPSEC_SOURCE_DIR "/man/l2tpsec.conf.5");
	for (auto &k : configKeys()) {
		// mdoc: each key is an item of its section's list, ".It Cm key ...".
		bool found = hasLineStarting(man, fmt::format(".It Cm {} ", k.key)) ||
		             hasLineStarting(man, fmt::format(".It Cm {}\n", k.key));
		CHECK_MESSAGE(found, fmt::format("[{}] {} is not an .It Cm entry", k.section, k.key));
	}
}

TEST_CASE("examples/l2tpsec.conf shows every key and is valid")
{
	std::string example = slurp(L2TPSEC_SOURCE_DIR "/examples/l2tpsec.conf");
	for (auto &k : configKeys()) {
		bool found = hasLineStarting(example, fmt::format("{} = ", k.key)) ||
		             hasLineStarting(example, fmt::format("# {} = ", k.key));
		CHECK_MESSAGE(found, fmt::format("[{}] {} is not in the example", k.section, k.key));
	}
	ConfigLoad r = parseConfig(example, "examples/l2tpsec.conf");
	for (auto &e : r.errors)
		FAIL_CHECK(e.str());
	CHECK(r.ok());
}

TEST_CASE("examples/road-warrior.conf, l2tpsec(7)'s server, is valid")
{
	std::string text = slurp(L2TPSEC_SOURCE_DIR "/examples/road-warrior.conf");
	ConfigLoad r = parseConfig(text, "examples/road-warrior.conf");
	for (auto &e : r.errors)
		FAIL_CHECK(e.str());
	CHECK(r.ok());
	// l2tpsec(7) tells the admin to change exactly these lines.
	for (const char *line : {"listen = ", "local_address = ", "pool = ", "dns = "})
		CHECK_MESSAGE(hasLineStarting(text, line), line);
}
