#include "common/file_replace.h"

#include "common/unique_fd.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <utility>

namespace l2tpsec {

namespace {

std::string directoryOf(const std::string &path)
{
	size_t slash = path.rfind('/');
	if (slash == std::string::npos)
		return ".";
	return slash == 0 ? "/" : path.substr(0, slash);
}

Result<void> writeAll(int fd, std::string_view data, const std::string &path)
{
	while (!data.empty()) {
		ssize_t n = ::write(fd, data.data(), data.size());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sysError(fmt::format("cannot write {}", path));
		}
		data.remove_prefix(static_cast<size_t>(n));
	}
	return {};
}

} // namespace

Result<std::string> readWholeFile(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return sysError(fmt::format("cannot open {}", path));
	std::string out;
	char buf[8192];
	while (true) {
		ssize_t n = ::read(fd.get(), buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sysError(fmt::format("cannot read {}", path));
		}
		if (n == 0)
			return out;
		out.append(buf, static_cast<size_t>(n));
	}
}

Result<void> replaceFile(const std::string &path, std::string_view contents, mode_t mode)
{
	struct stat old {};
	bool hadOld = ::stat(path.c_str(), &old) == 0;
	std::random_device rd;
	std::string tmp = fmt::format("{}.tmp-{}-{:08x}", path, ::getpid(), rd());
	UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
	if (!fd)
		return sysError(fmt::format("cannot create {}", tmp));
	auto fail = [&](Error e) -> Result<void> {
		::unlink(tmp.c_str());
		return e;
	};
	// The mode is exact, whatever the umask; the owner is the old file's
	// (a root-run tool must not hand root a file the admin's group kept).
	if (::fchmod(fd.get(), mode) != 0)
		return fail(sysError(fmt::format("cannot chmod {}", tmp)));
	if (hadOld && ::geteuid() == 0 && ::fchown(fd.get(), old.st_uid, old.st_gid) != 0)
		return fail(sysError(fmt::format("cannot chown {}", tmp)));
	if (auto w = writeAll(fd.get(), contents, tmp); !w)
		return fail(std::move(w).error());
	if (::fsync(fd.get()) != 0)
		return fail(sysError(fmt::format("cannot sync {}", tmp)));
	fd.reset();
	if (::rename(tmp.c_str(), path.c_str()) != 0)
		return fail(sysError(fmt::format("cannot rename over {}", path)));
	std::string dir = directoryOf(path);
	UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (dirFd)
		::fsync(dirFd.get()); // best effort: the rename is done either way
	return {};
}

Result<DirectoryLock> DirectoryLock::forFile(const std::string &path)
{
	std::string dir = directoryOf(path);
	int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sysError(fmt::format("cannot open the directory {}", dir));
	if (::flock(fd, LOCK_EX) != 0) {
		Error e = sysError(fmt::format("cannot lock {}", dir));
		::close(fd);
		return e;
	}
	return DirectoryLock(fd);
}

DirectoryLock::DirectoryLock(DirectoryLock &&other) noexcept : fd_(std::exchange(other.fd_, -1))
{
}

DirectoryLock::~DirectoryLock()
{
	if (fd_ >= 0)
		::close(fd_); // drops the flock
}

} // namespace l2tpsec
