// The chap-secrets scanner behind the [ppp] secrets check: pppd's word
// syntax (quotes, escapes, comments, continued lines) and the lines it
// would skip or misread.

#include "config/chap_secrets.h"

#include <doctest.h>

using namespace l2tpsec;

namespace {
std::vector<std::string> problems(std::string_view text)
{
	std::vector<std::string> out;
	for (auto &p : parseChapSecrets(text).problems)
		out.push_back(std::to_string(p.line) + ": " + p.message);
	return out;
}
} // namespace

TEST_CASE("chap-secrets: entries with pppd's quoting, escapes, comments and continued lines")
{
	ChapSecrets s = parseChapSecrets("# client server secret addresses\n"
	                                 "alice * \"a long pass word\" *\n"
	                                 "\"bob smith\" l2tpsec 'x#y' 10.99.0.20 # a comment\n"
	                                 "carol * \\\n  carol-pw *\r\n"
	                                 "  \t\n"
	                                 "d\\ ave * pw# *\n"
	                                 "erin * \"\" *"); // an empty secret; no newline at the end
	CHECK(s.problems.empty());
	REQUIRE(s.entries.size() == 5);
	CHECK(s.entries[0].line == 2);
	CHECK(s.entries[0].client == "alice");
	CHECK(s.entries[0].server == "*");
	CHECK(s.entries[0].fields == 4);
	CHECK(s.entries[1].client == "bob smith");
	CHECK(s.entries[1].server == "l2tpsec");
	CHECK(s.entries[1].line == 3);
	CHECK(s.entries[2].client == "carol");
	CHECK(s.entries[2].line == 4); // where the continued entry starts
	CHECK(s.entries[3].client == "d ave");
	CHECK(s.entries[3].line == 7);
	CHECK(s.entries[3].fields == 4); // '#' inside a word is no comment
	CHECK(s.entries[4].client == "erin");
	CHECK(s.entries[4].line == 8);
}

TEST_CASE("chap-secrets: lines pppd would skip or misread")
{
	const std::string need = " where pppd needs 4: client, server, secret and the addresses the client may "
	                         "have (\"*\" for any)";
	CHECK(problems("alice\n") == std::vector<std::string>{"1: 1 field" + need});
	CHECK(problems("\n\nalice *\n") == std::vector<std::string>{"3: 2 fields" + need});
	CHECK(problems("alice * pw # no addresses\n") == std::vector<std::string>{"1: 3 fields" + need});
	CHECK(problems("alice * 'pw *\nbob * pw *\n") ==
	      std::vector<std::string>{"1: the quote ' opened on this line is not closed on it"});
	CHECK(parseChapSecrets("alice * 'pw *\nbob * pw *\n").entries.size() == 1);
	CHECK(problems("alice * \"pw") ==
	      std::vector<std::string>{"1: the quote \" opened on this line is not closed on it"});
	CHECK(problems("\xef\xbb\xbf"
	               "alice * pw *\n") ==
	      std::vector<std::string>{"1: the file starts with a UTF-8 byte-order mark, which pppd reads as part of "
	                               "the first client's name; save it without one"});
	CHECK(problems("alice * pw *\\") == std::vector<std::string>{}); // a lone backslash at the end
	CHECK(parseChapSecrets("").entries.empty());
	CHECK(parseChapSecrets("# only\n# comments\n").problems.empty());
}
