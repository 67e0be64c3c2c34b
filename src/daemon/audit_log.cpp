#include "daemon/audit_log.h"

#include "common/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace l2tpsec {

namespace {

constexpr std::string_view kAuditLog = "audit";

} // namespace

AuditLog::~AuditLog()
{
	// A last try for what waits (the disk may have room again by now).
	if (fd_)
		flushPending();
	if (!pending_.empty())
		logError(kAuditLog, "{} audit record(s) never reached {}; they are in this log above", pending_.size(),
		         path_);
}

Result<void> AuditLog::openFile(const std::string &path)
{
	// The directory is created if it is missing (one level, like /var/log/l2tpsec).
	if (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0) {
		std::string dir = path.substr(0, slash);
		if (::mkdir(dir.c_str(), 0750) < 0 && errno != EEXIST)
			return sysError("[server] audit_log: cannot create " + dir);
	}
	UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
	if (!fd)
		return sysError("[server] audit_log " + path);
	fd_ = std::move(fd);
	return {};
}

Result<void> AuditLog::open(const std::string &path)
{
	if (path == path_ && (fd_ || path.empty()))
		return {};
	if (path.empty()) {
		fd_.reset();
		path_.clear();
		return {};
	}
	L2S_TRY(openFile(path));
	path_ = path;
	flushPending();
	return {};
}

Result<void> AuditLog::reopen()
{
	if (path_.empty())
		return {};
	L2S_TRY(openFile(path_));
	flushPending();
	return {};
}

// logrotate renamed (or removed) the file: the records from now on belong in
// a new file at the path, not in the rotated one.
void AuditLog::followRotation()
{
	struct stat held {
	}, named{};
	if (::fstat(fd_.get(), &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
	    held.st_ino == named.st_ino)
		return;
	if (auto r = openFile(path_); !r)
		logError(kAuditLog, "{} was rotated and cannot be opened again: {}", path_, r.error().message);
	else
		logInfo(kAuditLog, "{} was rotated; writing to a new file", path_);
}

// One record, whole or not at all: O_APPEND puts each write at the end in
// one piece, and a short write (disk full) is cut back off the file so that
// the retry does not leave half a line before it.
bool AuditLog::append(const std::string &line)
{
	struct stat st {};
	bool sized = ::fstat(fd_.get(), &st) == 0;
	ssize_t n = ::write(fd_.get(), line.data(), line.size());
	if (n == static_cast<ssize_t>(line.size()))
		return true;
	int err = n < 0 ? errno : ENOSPC;
	if (n > 0 && sized && ::ftruncate(fd_.get(), st.st_size) < 0)
		logError(kAuditLog, "cannot cut a partial record off {}: {}", path_, std::strerror(errno));
	if (!failing_)
		logError(kAuditLog, "cannot write {}: {}; records wait in memory (at most {}) and are in this log",
		         path_, std::strerror(err), kMaxPending);
	failing_ = true;
	return false;
}

void AuditLog::flushPending()
{
	while (!pending_.empty() && append(pending_.front()))
		pending_.pop_front();
	if (pending_.empty() && failing_) {
		failing_ = false;
		logInfo(kAuditLog, "{} is writable again; every waiting record was written", path_);
	}
}

void AuditLog::write(const nlohmann::json &record)
{
	// Peer-supplied text (user names) is escaped by the JSON encoder, so a
	// record is always exactly one line.
	std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
	logInfo(kAuditLog, "{}", line);
	if (path_.empty())
		return;
	if (fd_)
		followRotation();
	else if (auto r = openFile(path_); !r)
		logError(kAuditLog, "{}", r.error().message);
	line += '\n';
	if (pending_.size() == kMaxPending) {
		logError(kAuditLog, "{} audit records wait for {}: dropping the oldest (it is in this log)",
		         kMaxPending, path_);
		pending_.pop_front();
	}
	pending_.push_back(std::move(line));
	if (fd_)
		flushPending();
}

} // namespace l2tpsec
