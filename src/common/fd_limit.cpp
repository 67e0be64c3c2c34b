#include "common/fd_limit.h"

namespace l2tpsec {

namespace {

std::optional<rlimit> gChildLimit;

} // namespace

Result<FdLimitRaise> raiseFdLimit()
{
	rlimit now{};
	if (::getrlimit(RLIMIT_NOFILE, &now) < 0)
		return sysError("getrlimit(RLIMIT_NOFILE)");
	FdLimitRaise r{now.rlim_cur, now.rlim_max};
	if (now.rlim_cur == now.rlim_max)
		return r;
	rlimit raised = now;
	raised.rlim_cur = now.rlim_max;
	if (::setrlimit(RLIMIT_NOFILE, &raised) < 0)
		return sysError("setrlimit(RLIMIT_NOFILE)");
	if (!gChildLimit)
		gChildLimit = now;
	return r;
}

std::optional<rlimit> childFdLimit()
{
	return gChildLimit;
}

void setChildFdLimit(std::optional<rlimit> limit)
{
	gChildLimit = limit;
}

} // namespace l2tpsec
