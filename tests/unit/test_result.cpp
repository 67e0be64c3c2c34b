#include "common/result.h"

#include <doctest.h>

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
	auto h = half(x);
	if (!h)
		return std::move(h).error();
	return half(*h);
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
}

TEST_CASE("errnoError appends strerror")
{
	CHECK(errnoError(ENOENT, "open /x").message == "open /x: No such file or directory");
}
