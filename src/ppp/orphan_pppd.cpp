#include "ppp/orphan_pppd.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>

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
	return plugin && tagged;
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
		std::ifstream f(procRoot + "/" + std::string(name) + "/cmdline", std::ios::binary);
		std::string cmdline((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
		if (isOurPppd(cmdline))
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
