#include "common/result.h"

#include <doctest.h>

#include <string>
#include <utility>

using namespace l2tpsec;

namespace {
Result<int> half(int x)
{
	if (x % 2)
		return Error{EINVAL, "odd"};
	return x / 2;
}
Result<int> quarter(int x)
{
	L2S_TRY_ASSIGN(int h, half(x));
	return half(h);
}
// Into an existing lvalue, twice in one function (the hidden names differ
// by line).
Result<std::string> halves(int x)
{
	std::pair<int, int> p;
	L2S_TRY_ASSIGN(p.first, half(x));
	L2S_TRY_ASSIGN(p.second, half(p.first));
	return std::to_string(p.first) + "," + std::to_string(p.second);
}
// Another error type passes through the same way.
struct Refusal {
	int code;
};
Result<int, Refusal> refuse(int x)
{
	if (x < 0)
		return Refusal{x};
	return x;
}
Result<int, Refusal> doubled(int x)
{
	L2S_TRY_ASSIGN(auto v, refuse(x));
	return 2 * v;
}
Result<void, Refusal> nonNegative(int x)
{
	L2S_TRY(refuse(x));
	return {};
}
Result<void> checkEven(int x)
{
	L2S_TRY(half(x));
	return {};
}
} // namespace

TEST_CASE("Result carries a value or an error")
{
	CHECK(*half(4) == 2);
	CHECK(!half(3));
	CHECK(half(3).error().message == "odd");
	CHECK(half(3).error().code == EINVAL);
	CHECK(*quarter(8) == 2);
	CHECK(quarter(6).error().message == "odd");
	CHECK(checkEven(2).ok());
	CHECK(checkEven(1).error().message == "odd");
	CHECK(*halves(8) == "4,2");
	CHECK(halves(6).error().message == "odd");
	CHECK(halves(3).error().message == "odd");
}

TEST_CASE("Result takes another error type")
{
	CHECK(*doubled(4) == 8);
	CHECK(doubled(-3).error().code == -3);
	CHECK(nonNegative(1).ok());
	CHECK(nonNegative(-1).error().code == -1);
}

TEST_CASE("errnoError appends strerror")
{
	CHECK(errnoError(ENOENT, "open /x").message == "open /x: No such file or directory");
}
