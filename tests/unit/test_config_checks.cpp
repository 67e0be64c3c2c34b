// Configs that parse but cannot serve anyone are refused by loadConfigFile
// (so by l2tpsecd --check, start-up and reload), and ones that serve badly
// are warned about: every message with its exact text.

#include "config/config_checks.h"
#include "config/config_loader.h"
#include "temp_dir.h"

#include <doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace l2tpsec;

namespace {

struct Outcome {
	bool ok = false;
	std::vector<std::string> errors;
	std::vector<std::string> warnings;
};

Outcome load(const std::string &conf)
{
	ConfigLoad r = loadConfigFile(conf);
	Outcome o{r.ok(), {}, {}};
	for (auto &e : r.errors)
		o.errors.push_back(e.str());
	for (auto &w : r.warnings)
		o.warnings.push_back(w.str());
	return o;
}

const std::string kPsk = "a pre-shared key of 33 characters\n";

} // namespace

TEST_CASE("ipsec required with neither psk_file nor certificate serves no one")
{
	TempDir dir;
	std::string conf = dir.write("l2tpsec.conf", "[ppp]\nmtu = 1400\n");
	Outcome o = load(conf);
	CHECK(!o.ok);
	CHECK(o.errors == std::vector<std::string>{
	                          conf + ": [l2tp] ipsec is \"required\" (the default) but [ike] has neither psk_file "
	                                 "nor certificate, so no client can connect; set one of them, or ipsec = "
	                                 "\"off\""});
	dir.write("l2tpsec.conf", "[ppp]\nmtu = 1400\n[l2tp]\nipsec = \"required\"\n");
	CHECK(load(conf).errors ==
	      std::vector<std::string>{conf + ":4: [l2tp] ipsec is \"required\" but [ike] has neither psk_file nor "
	                                      "certificate, so no client can connect; set one of them, or ipsec = "
	                                      "\"off\""});
	// Without IPsec, or with a key, it serves.
	dir.write("l2tpsec.conf", "[l2tp]\nipsec = \"off\"\n");
	CHECK(load(conf).ok);
	dir.write("l2tpsec.conf", "[l2tp]\nipsec = \"optional\"\n");
	CHECK(load(conf).ok);
	dir.write("psk", kPsk);
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n");
	CHECK(load(conf).ok);
	dir.write("s.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	dir.write("s.key", "-----BEGIN PRIVATE KEY-----\n");
	dir.write("l2tpsec.conf", "[ike]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\nca = [\"s.pem\"]\n");
	CHECK(load(conf).ok);
	// A daemon that dials out ([[lac]], each with its own key) serves those.
	dir.write("pass", "pw\n");
	dir.write("l2tpsec.conf", "[[lac]]\nname = \"office\"\nserver = \"192.0.2.9\"\nuser = \"u\"\npassword_file = "
	                          "\"pass\"\npsk_file = \"psk\"\n");
	CHECK(load(conf).ok);
}

TEST_CASE("a pre-shared key shorter than 20 characters is an error unless allow_short_psk")
{
	TempDir dir;
	std::string psk = dir.write("psk", "short key\n");
	std::string conf = dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n");
	Outcome o = load(conf);
	CHECK(!o.ok);
	CHECK(o.errors == std::vector<std::string>{conf + ":2: [ike] psk_file: the key in '" + psk +
	                                           "' has 9 characters; use one of at least 20, or set [ike] "
	                                           "allow_short_psk = true to accept it"});
	// 19 is too short, 20 is enough.
	dir.write("psk", std::string(19, 'k') + "\n");
	CHECK(load(conf).errors.size() == 1);
	dir.write("psk", std::string(20, 'k') + "\n");
	CHECK(load(conf).ok);
	// Characters, not bytes: 19 umlauts are 38 bytes.
	std::string umlauts;
	for (int i = 0; i < 19; i++)
		umlauts += "\xc3\xbc";
	dir.write("psk", umlauts + "\n");
	CHECK(load(conf).errors == std::vector<std::string>{conf + ":2: [ike] psk_file: the key in '" + psk +
	                                                    "' has 19 characters; use one of at least 20, or set "
	                                                    "[ike] allow_short_psk = true to accept it"});

	// The opt-out turns the error into a warning.
	dir.write("psk", "short key\n");
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\nallow_short_psk = true\n");
	o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":2: [ike] psk_file: the key in '" + psk +
	                                             "' has 9 characters, fewer than 20 (accepted because of [ike] "
	                                             "allow_short_psk)"});
}

TEST_CASE("the pre-shared key rule covers [[lac]] psk files, and so does the opt-out")
{
	TempDir dir;
	dir.write("pass", "pw\n");
	std::string psk = dir.write("office.psk", "office\n");
	const std::string profile = "[[lac]]\nname = \"office\"\nserver = \"192.0.2.9\"\nuser = \"u\"\n"
	                            "password_file = \"pass\"\npsk_file = \"office.psk\"\n";
	std::string conf = dir.write("l2tpsec.conf", "[l2tp]\nipsec = \"off\"\n" + profile);
	CHECK(load(conf).errors ==
	      std::vector<std::string>{conf + ":8: [[lac]] 'office' psk_file: the key in '" + psk +
	                               "' has 6 characters; use one of at least 20, or set [ike] allow_short_psk = "
	                               "true to accept it"});
	dir.write("l2tpsec.conf", "[ike]\nallow_short_psk = true\n" + profile);
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":8: [[lac]] 'office' psk_file: the key in '" + psk +
	                                             "' has 6 characters, fewer than 20 (accepted because of [ike] "
	                                             "allow_short_psk)"});
}

TEST_CASE("[ppp] secrets: missing, unreadable, malformed and empty files are errors")
{
	TempDir dir;
	dir.write("psk", kPsk);
	const std::string head = "[ike]\npsk_file = \"psk\"\n[ppp]\nsecrets = \"chap-secrets\"\n";
	std::string conf = dir.write("l2tpsec.conf", head);
	std::string secrets = dir.path + "/chap-secrets";
	CHECK(load(conf).errors == std::vector<std::string>{conf + ":4: [ppp] secrets: cannot read '" + secrets +
	                                                    "': No such file or directory"});

	std::filesystem::create_directory(secrets);
	CHECK(load(conf).errors ==
	      std::vector<std::string>{conf + ":4: [ppp] secrets: cannot read '" + secrets + "': Is a directory"});
	std::filesystem::remove(secrets);

	// Each line pppd would skip or misread, at its own file:line.
	dir.write("chap-secrets", "# client server secret addresses\n"
	                          "alice * \"alice pw\" *\n"
	                          "bob *\n"
	                          "carol * carol-pw\n"
	                          "\n"
	                          "dave * \"dave pw *\n"
	                          "erin * erin-pw 10.99.0.20 10.99.0.21\n");
	CHECK(load(conf).errors ==
	      std::vector<std::string>{
	              secrets + ":3: [ppp] secrets: 2 fields where pppd needs 4: client, server, secret and the "
	                        "addresses the client may have (\"*\" for any)",
	              secrets + ":4: [ppp] secrets: 3 fields where pppd needs 4: client, server, secret and the "
	                        "addresses the client may have (\"*\" for any)",
	              secrets + ":6: [ppp] secrets: the quote \" opened on this line is not closed on it",
	      });

	// A file that lets no one in.
	dir.write("chap-secrets", "# alice * alice-pw *\n\n");
	CHECK(load(conf).errors == std::vector<std::string>{conf + ":4: [ppp] secrets: '" + secrets +
	                                                    "' lists no client (lines of client, server, secret and "
	                                                    "addresses), so no one can log in"});

	dir.write("chap-secrets", "alice * alice-pw *\n");
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
}

TEST_CASE("[ppp] secrets: other users' access warns; with [radius] the file is not read")
{
	TempDir dir;
	dir.write("psk", kPsk);
	std::string secrets = dir.write("chap-secrets", "alice * alice-pw *\n", 0644);
	std::string conf = dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nsecrets = \"chap-secrets\"\n");
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":4: [ppp] secrets: '" + secrets +
	                                             "' can be read by other users; chmod 600 it"});

	std::filesystem::remove(secrets);
	dir.write("radius.secret", "testing123\n");
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nsecrets = \"chap-secrets\"\n[radius]\n"
	                          "auth_servers = [\"192.0.2.5\"]\nsecret_file = \"radius.secret\"\n");
	o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":4: [ppp] secrets: not used for the users of an LNS "
	                                                    "session; [radius] authenticates them"});
}

TEST_CASE("PAP as the only method warns")
{
	TempDir dir;
	dir.write("psk", kPsk);
	std::string conf = dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nauth = [\"pap\"]\n");
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":4: [ppp] auth: with \"pap\" alone every password "
	                                                    "crosses the PPP link as clear text, protected by IPsec "
	                                                    "at most; offer \"mschap-v2\" as well"});
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nauth = [\"mschap-v2\", \"pap\"]\n");
	o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
}

TEST_CASE("PAP alone does not warn inside required IPsec with RADIUS")
{
	TempDir dir;
	dir.write("psk", kPsk);
	dir.write("radius.secret", "a-RADIUS-secret\n");
	std::string radius = "[radius]\nauth_servers = [\"192.0.2.5\"]\nsecret_file = \"radius.secret\"\n";
	std::string conf = dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[l2tp]\nipsec = \"required\"\n[ppp]\n"
	                                             "auth = [\"pap\"]\n" +
	                                                     radius);
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
	// IPsec by default (required) counts too.
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nauth = [\"pap\"]\n" + radius);
	o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
	// The warning stays without IPsec, or with it optional, and without RADIUS.
	std::string warning = ":6: [ppp] auth: with \"pap\" alone every password crosses the PPP link as clear text, "
	                      "protected by IPsec at most; offer \"mschap-v2\" as well";
	dir.write("l2tpsec.conf",
	          "[ike]\npsk_file = \"psk\"\n[l2tp]\nipsec = \"off\"\n[ppp]\nauth = [\"pap\"]\n" + radius);
	CHECK(load(conf).warnings == std::vector<std::string>{conf + warning});
	dir.write("l2tpsec.conf",
	          "[ike]\npsk_file = \"psk\"\n[l2tp]\nipsec = \"optional\"\n[ppp]\nauth = [\"pap\"]\n" + radius);
	CHECK(load(conf).warnings == std::vector<std::string>{conf + warning});
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[l2tp]\nipsec = \"required\"\n[ppp]\nauth = [\"pap\"]\n");
	CHECK(load(conf).warnings == std::vector<std::string>{conf + warning});
}

TEST_CASE("a pool smaller than max_sessions warns")
{
	TempDir dir;
	dir.write("psk", kPsk);
	std::string conf =
	        dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[l2tp]\nmax_sessions = 50\n[ppp]\n"
	                                  "local_address = \"10.99.0.1\"\npool = \"10.99.0.10-10.99.0.19\"\n");
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings == std::vector<std::string>{conf + ":7: [ppp] pool has 10 addresses but [l2tp] max_sessions "
	                                                    "allows 50 sessions: calls past 10 are refused (address "
	                                                    "pool exhausted); widen the pool or lower max_sessions"});
	dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[l2tp]\nmax_sessions = 10\n[ppp]\n"
	                          "local_address = \"10.99.0.1\"\npool = \"10.99.0.10-10.99.0.19\"\n");
	o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
}

TEST_CASE("a listen address no local interface has warns")
{
	ConfigLoad parsed = parseConfig("[l2tp]\nipsec = \"off\"\n[server]\n\nlisten = [\"192.0.2.7\", \"192.0.2.1\", "
	                                "\"127.0.0.2\", \"0.0.0.0\"]\n",
	                                "/etc/l2tpsec/l2tpsec.conf");
	REQUIRE(parsed.ok());
	HostFacts host{std::vector<IpAddress>{*IpAddress::parse("192.0.2.7"), *IpAddress::parse("127.0.0.1")}};
	ConfigLoad out;
	checkCanServe(*parsed.config, host, out);
	CHECK(out.errors.empty());
	REQUIRE(out.warnings.size() == 1);
	CHECK(out.warnings[0].str() == "/etc/l2tpsec/l2tpsec.conf:5: [server] listen: no local interface has "
	                               "192.0.2.1; it is bound anyway and serves once an interface has it");
	// Interfaces that cannot be listed: no guess.
	out = ConfigLoad{};
	checkCanServe(*parsed.config, HostFacts{}, out);
	CHECK(out.warnings.empty());

	// This host: the loopback address is there, a documentation one is not.
	auto here = currentHostFacts().addresses;
	REQUIRE(here);
	CHECK(std::find(here->begin(), here->end(), *IpAddress::parse("127.0.0.1")) != here->end());
	TempDir dir;
	std::string conf = dir.write("l2tpsec.conf", "[l2tp]\nipsec = \"off\"\n[server]\nlisten = [\"127.0.0.1\"]\n");
	Outcome o = load(conf);
	CHECK(o.ok);
	CHECK(o.warnings.empty());
}

TEST_CASE("every refusal is reported together")
{
	TempDir dir;
	dir.write("psk", "short\n");
	dir.write("chap-secrets", "bob *\n");
	std::string conf = dir.write("l2tpsec.conf", "[ike]\npsk_file = \"psk\"\n[ppp]\nsecrets = \"chap-secrets\"\n"
	                                             "auth = [\"pap\"]\n");
	Outcome o = load(conf);
	CHECK(!o.ok);
	CHECK(o.errors.size() == 2);
	CHECK(o.warnings.size() == 1);
}
