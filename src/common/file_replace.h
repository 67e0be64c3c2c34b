#pragma once
// Replacing a file so that every reader sees either the old or the new
// contents, never a mix or an empty file: the new text goes to a temporary
// file in the same directory, is synced, and is renamed over the old one.
// Used by `l2tpctl user` on [ppp] secrets while l2tpsecd may be reloading.

#include "common/result.h"

#include <sys/types.h>

#include <string>
#include <string_view>

namespace l2tpsec {

/// Reads a whole file; the error names the path.
Result<std::string> readWholeFile(const std::string &path);

/// Replaces `path` with `contents`, file mode `mode` (umask aside), owned
/// like the file it replaces (when the caller may chown). The directory is
/// synced after the rename, so the change survives a crash.
Result<void> replaceFile(const std::string &path, std::string_view contents, mode_t mode);

/// Serialises the read-modify-write cycles of several processes on one
/// file: an exclusive flock on its directory, held while the object lives.
class DirectoryLock {
public:
	static Result<DirectoryLock> forFile(const std::string &path);
	DirectoryLock(DirectoryLock &&other) noexcept;
	DirectoryLock &operator=(DirectoryLock &&) = delete;
	DirectoryLock(const DirectoryLock &) = delete;
	~DirectoryLock();

private:
	explicit DirectoryLock(int fd) : fd_(fd) {}
	int fd_ = -1;
};

} // namespace l2tpsec
