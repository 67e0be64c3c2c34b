// The RNG cannot have known answers; these check lengths, that output is
// not constant, and that SecretBytes behaves like a vector.

#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "test_util.h"

#include <doctest.h>

#include <algorithm>

using namespace l2tpsec::crypto;
using l2tpsec::crypto::test::bytes;

TEST_CASE("random: lengths, and two draws differ")
{
	auto a = randomBytes(32);
	auto b = randomBytes(32);
	REQUIRE(a);
	REQUIRE(b);
	CHECK(a->size() == 32);
	// 2^-256 chance of a false failure.
	CHECK(*a != *b);
	auto empty = randomBytes(0);
	REQUIRE(empty);
	CHECK(empty->empty());
	auto s = randomSecret(16);
	REQUIRE(s);
	CHECK(s->size() == 16);
}

TEST_CASE("random: randomFill writes every byte")
{
	// Filled buffers no longer hold their constant start values (each check
	// fails by chance with probability 2^-512).
	std::vector<uint8_t> zeros(64, 0x00);
	std::vector<uint8_t> ones(64, 0xff);
	REQUIRE(randomFill(zeros));
	REQUIRE(randomFill(ones));
	CHECK(zeros != std::vector<uint8_t>(64, 0x00));
	CHECK(ones != std::vector<uint8_t>(64, 0xff));
	CHECK(randomFill({}));
}

TEST_CASE("secret bytes: a vector that converts both ways")
{
	const std::vector<uint8_t> plain{1, 2, 3};
	SecretBytes s = toSecret(plain);
	CHECK(s.size() == 3);
	s.push_back(4); // reallocation goes through the wiping allocator
	CHECK(toPublic(s) == std::vector<uint8_t>{1, 2, 3, 4});
	SecretBytes copy = s;
	CHECK(copy == s);
	std::vector<uint8_t> buf(8, 0xaa);
	secureWipe(buf.data(), buf.size());
	CHECK(std::all_of(buf.begin(), buf.end(), [](uint8_t b) { return b == 0; }));
	secureWipe(nullptr, 0);
}
