#include "config/proposal_syntax.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("IKE proposals need cipher, integrity and group")
{
	auto p = parseIkeProposal("aes256-sha256-modp2048");
	REQUIRE(p);
	CHECK(p->encryption == "aes256");
	CHECK(p->integrity == "sha256");
	CHECK(p->group == "modp2048");
	for (const char *ok :
	     {"aes128-sha1-ecp256", "3des-sha1-modp1024", "aes192-sha512-ecp384", "aes256-md5-modp1536"})
		CHECK_MESSAGE(parseIkeProposal(ok), ok);
	for (const char *bad : {"", "aes256", "aes256-sha256", "aes256-sha256-modp2048-x", "aes128gcm16-sha1-modp2048",
	                        "aes256-sha256_96-modp2048", "aes256--modp2048", "-", "--"})
		CHECK_MESSAGE(!parseIkeProposal(bad), bad);
}

TEST_CASE("ESP proposals: CBC with integrity, GCM without, optional PFS group")
{
	CHECK(parseEspProposal("aes256-sha1")->group.empty());
	CHECK(parseEspProposal("aes128gcm16")->integrity.empty());
	CHECK(parseEspProposal("aes128gcm16-ecp256")->group == "ecp256");
	CHECK(parseEspProposal("aes128-sha256_96")->integrity == "sha256_96");
	CHECK(parseEspProposal("3des-sha1-modp1024")->group == "modp1024");
	for (const char *bad :
	     {"", "aes256", "aes128gcm16-sha1", "aes256-sha1-modp999", "des-sha1", "aes256-sha1-", "aes128gcm16-"})
		CHECK_MESSAGE(!parseEspProposal(bad), bad);
}
