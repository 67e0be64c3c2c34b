// Every key the loader knows is documented in l2tpsec.conf(5) and shown in
// examples/l2tpsec.conf, and the example itself is a valid config.

#include "config/config_loader.h"

#include <doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <regex>
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
} // namespace

TEST_CASE("l2tpsec.conf(5) documents every key")
{
	std::string man = slurp(L2TPSEC_SOURCE_DIR "/man/l2tpsec.conf.5");
	for (auto &k : configKeys()) {
		// mdoc: each key is an item of its section's list (".It Cm key" or ".It Ic key").
		std::regex item(fmt::format(R"(\n\.It (Cm|Ic|Va|Li) {}( |\n))", k.key));
		CHECK_MESSAGE(std::regex_search(man, item), fmt::format("[{}] {} is not an .It entry", k.section, k.key));
	}
}

TEST_CASE("examples/l2tpsec.conf shows every key and is valid")
{
	std::string example = slurp(L2TPSEC_SOURCE_DIR "/examples/l2tpsec.conf");
	for (auto &k : configKeys()) {
		std::regex line(fmt::format(R"((^|\n)#? ?{} = )", k.key));
		CHECK_MESSAGE(std::regex_search(example, line), fmt::format("[{}] {} is not in the example", k.section, k.key));
	}
	ConfigLoad r = parseConfig(example, "examples/l2tpsec.conf");
	for (auto &e : r.errors)
		FAIL_CHECK(e.str());
	CHECK(r.ok());
}
