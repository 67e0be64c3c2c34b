// `l2tpctl user` edits of a chap-secrets file: the user's entry changes and
// everything else stays byte for byte; what is written reads back the same
// through pppd's syntax (the scanner of the [ppp] secrets check).

#include "config/chap_secrets.h"
#include "config/chap_secrets_edit.h"

#include <doctest.h>

using namespace l2tpsec;

namespace {
const char *kFile = "# users of the VPN\n"
                    "alice * alice-pw *\n"
                    "\n"
                    "\"bob smith\" l2tpsec 'old pw' 10.99.0.20 # static address\n"
                    "carol * \\\n  carol-pw *\n"
                    "broken line\n"
                    "alice * second-alice *\n"
                    "dave * dave-pw *"; // no newline at the end
} // namespace

TEST_CASE("user add appends one line, keeping the file as it was")
{
	auto r = setChapSecret(kFile, "erin", "pass word \"quoted\" #1");
	REQUIRE(r);
	CHECK(r->added);
	CHECK(r->text == std::string(kFile) + "\nerin * \"pass word \\\"quoted\\\" #1\" *\n");
	ChapSecrets back = parseChapSecrets(r->text);
	REQUIRE(back.entries.size() == 6);
	CHECK(back.entries.back().client == "erin");
	CHECK(back.entries.back().fields == 4);
	// The broken line is still there and still reported.
	CHECK(back.problems.size() == 1);

	auto empty = setChapSecret("", "alice", "pw");
	REQUIRE(empty);
	CHECK(empty->text == "alice * pw *\n");
}

TEST_CASE("user passwd changes the first entry in place and drops the user's others")
{
	auto r = setChapSecret(kFile, "alice", "new-pw");
	REQUIRE(r);
	CHECK_FALSE(r->added);
	CHECK(r->text == "# users of the VPN\n"
	                 "alice * new-pw *\n"
	                 "\n"
	                 "\"bob smith\" l2tpsec 'old pw' 10.99.0.20 # static address\n"
	                 "carol * \\\n  carol-pw *\n"
	                 "broken line\n"
	                 "dave * dave-pw *");

	// Server and addresses are kept; a quoted name is found by its value.
	auto bob = setChapSecret(kFile, "bob smith", "x");
	REQUIRE(bob);
	CHECK(bob->text.find("\"bob smith\" l2tpsec x 10.99.0.20\n") != std::string::npos);
	CHECK(bob->text.find("static address") == std::string::npos); // the comment went with the line

	// A continued entry is replaced whole.
	auto carol = setChapSecret(kFile, "carol", "c2");
	REQUIRE(carol);
	CHECK(carol->text.find("carol * c2 *\nbroken line\n") != std::string::npos);
	CHECK(carol->text.find("carol-pw") == std::string::npos);

	// The last line without a newline.
	auto dave = setChapSecret(kFile, "dave", "d2");
	REQUIRE(dave);
	CHECK(dave->text.ends_with("alice * second-alice *\ndave * d2 *\n"));
}

TEST_CASE("user del removes every entry of the user")
{
	auto r = removeChapSecret(kFile, "alice");
	REQUIRE(r);
	CHECK(*r == "# users of the VPN\n"
	            "\n"
	            "\"bob smith\" l2tpsec 'old pw' 10.99.0.20 # static address\n"
	            "carol * \\\n  carol-pw *\n"
	            "broken line\n"
	            "dave * dave-pw *");
	auto none = removeChapSecret(kFile, "zoe");
	REQUIRE_FALSE(none);
	CHECK(none.error().message == "no user zoe");
	CHECK(chapSecretsUsers(kFile) == std::vector<std::string>{"alice", "bob smith", "carol", "dave"});
}

TEST_CASE("names and passwords pppd would misread are refused")
{
	CHECK_FALSE(setChapSecret(kFile, "", "pw"));
	CHECK_FALSE(setChapSecret(kFile, "*", "pw"));
	CHECK_FALSE(setChapSecret(kFile, "a\nb", "pw"));
	CHECK_FALSE(setChapSecret(kFile, "alice", ""));
	CHECK_FALSE(setChapSecret(kFile, "alice", "@/etc/shadow"));
	CHECK_FALSE(setChapSecret(kFile, "alice", std::string(256, 'x')));
	CHECK(setChapSecret(kFile, "DOMAIN\\user", "a\\b"));
	// Whatever is accepted reads back as written.
	for (std::string word : {"DOMAIN\\user", "tab\there", "a'b\"c", "#x", "p w"}) {
		if (!checkUserName(word))
			continue;
		auto r = setChapSecret("", word, word);
		REQUIRE(r);
		ChapSecrets back = parseChapSecrets(r->text);
		REQUIRE(back.entries.size() == 1);
		CHECK(back.entries[0].client == word);
	}
	CHECK(quoteSecretsWord("alice@example.com") == "alice@example.com");
	CHECK(quoteSecretsWord("") == "\"\"");
}

TEST_CASE("a file whose last line is unfinished is left alone, with a reason")
{
	auto r = setChapSecret("alice * pw * \\", "bob", "pw");
	REQUIRE_FALSE(r);
	CHECK(r.error().message.find("trailing backslash") != std::string::npos);
}
