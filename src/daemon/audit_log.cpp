#include "daemon/audit_log.h"

#include "common/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace l2tpsec {

std::string isoTimeUtc(std::chrono::system_clock::time_point t)
{
	time_t secs = std::chrono::system_clock::to_time_t(t);
	tm utc{};
	gmtime_r(&secs, &utc);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &utc);
	return buf;
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
	path_ = path;
	return {};
}

void AuditLog::write(const nlohmann::json &record)
{
	// Peer-supplied text (user names) is escaped by the JSON encoder, so a
	// record is always exactly one line.
	std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
	logInfo("audit", "{}", line);
	if (!fd_)
		return;
	line += '\n';
	// O_APPEND makes each record one atomic write at the end of the file.
	if (::write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
		logError("audit", "cannot write {}: {}", path_, std::strerror(errno));
}

} // namespace l2tpsec
