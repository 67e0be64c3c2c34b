#include "ppp/orphan_pppd.h"

#include "common/file_replace.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>

namespace l2tpsec::ppp {

namespace {

std::vector<std::string_view> splitNul(std::string_view s)
{
	std::vector<std::string_view> v;
	while (!s.empty()) {
		size_t end = s.find('\0');
		v.push_back(s.substr(0, end));
		if (end == std::string_view::npos)
			break;
		s.remove_prefix(end + 1);
	}
	return v;
}

bool isTag(std::string_view t)
{
	// l2tpsec-<digits>-<digits>
	if (!t.starts_with("l2tpsec-"))
		return false;
	t.remove_prefix(8);
	size_t dash = t.find('-');
	if (dash == 0 || dash == std::string_view::npos || dash + 1 == t.size())
		return false;
	for (size_t i = 0; i < t.size(); ++i)
		if (i != dash && (t[i] < '0' || t[i] > '9'))
			return false;
	return true;
}

// "" for a file that cannot be read: a process that exits while we look
// makes read() of its /proc files fail with ESRCH, which an ifstream turned
// into an exception that stopped the daemon at start.
std::string readFile(const std::string &path)
{
	auto text = readWholeFile(path);
	return text ? std::move(*text) : std::string();
}

// The parent pid from /proc/PID/stat: "PID (COMM) STATE PPID ...", where COMM
// may itself hold spaces and parentheses, so the fields after the last ')'.
pid_t parentOf(const std::string &stat)
{
	size_t close = stat.rfind(')');
	if (close == std::string::npos || close + 4 >= stat.size())
		return 0;
	std::string_view rest = std::string_view(stat).substr(close + 4); // ") S "
	pid_t ppid = 0;
	std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
	return ppid;
}

} // namespace

bool isOurPppd(std::string_view cmdline)
{
	auto args = splitNul(cmdline);
	bool plugin = false, tagged = false;
	for (size_t i = 0; i < args.size(); ++i) {
		plugin = plugin || args[i] == "pppol2tp.so";
		if (args[i] == "ipparam" && i + 1 < args.size() && isTag(args[i + 1]))
			tagged = true;
	}
	// A prestarted pppd ([ppp] prestart) got its session's options, the tag
	// among them, after it started: its command line ends in l2tpsec_wait.
	bool prestarted = !args.empty() && args.back() == "l2tpsec_wait";
	return plugin && (tagged || prestarted);
}

std::vector<pid_t> findOrphanPppds(const std::string &procRoot)
{
	std::vector<pid_t> pids;
	DIR *dir = ::opendir(procRoot.c_str());
	if (!dir)
		return pids;
	pid_t self = ::getpid();
	while (dirent *e = ::readdir(dir)) {
		std::string_view name = e->d_name;
		pid_t pid = 0;
		auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
		if (ec != std::errc{} || end != name.data() + name.size() || pid == self)
			continue;
		std::string proc = procRoot + "/" + std::string(name);
		if (!isOurPppd(readFile(proc + "/cmdline")))
			continue;
		// A pppd whose parent is a running l2tpsecd is that daemon's, not an
		// orphan: one in another network namespace (only one runs per
		// namespace) may serve its own sessions.
		pid_t parent = parentOf(readFile(proc + "/stat"));
		if (parent > 1 && parent != self &&
		    readFile(procRoot + "/" + std::to_string(parent) + "/comm") == "l2tpsecd\n")
			continue;
		pids.push_back(pid);
	}
	::closedir(dir);
	return pids;
}

size_t stopOrphanPppds(const std::string &procRoot)
{
	size_t n = 0;
	for (pid_t pid : findOrphanPppds(procRoot))
		n += ::kill(pid, SIGTERM) == 0;
	return n;
}

} // namespace l2tpsec::ppp
