#include "doctor/host_gather.h"

#include "common/file_replace.h"
#include "config/config_checks.h"
#include "doctor/socket_checks.h"

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace l2tpsec::doctor {

namespace {

// The directories modprobe reads, in its order (modprobe.d(5)).
constexpr std::array kModprobeDirs{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d",
                                   "/usr/lib/modprobe.d"};

std::string shellQuoted(const std::string &s)
{
	std::string q = "'";
	for (char c : s)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

// Which process has each of `inodes` open: /proc/PID/fd/N -> "socket:[INODE]".
std::map<uint64_t, std::string> socketOwners(const std::string &root, const std::set<uint64_t> &inodes)
{
	std::map<uint64_t, std::string> owners;
	std::error_code ec;
	if (inodes.empty())
		return owners;
	for (const fs::directory_entry &p : fs::directory_iterator(root + "/proc", ec)) {
		const std::string pid = p.path().filename();
		if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit))
			continue;
		std::error_code fdEc;
		for (const fs::directory_entry &fd : fs::directory_iterator(p.path() / "fd", fdEc)) {
			std::error_code linkEc;
			const std::string target = fs::read_symlink(fd.path(), linkEc);
			if (linkEc || !target.starts_with("socket:["))
				continue;
			uint64_t inode = std::strtoull(target.c_str() + 8, nullptr, 10);
			if (!inodes.contains(inode))
				continue;
			std::string comm = readTextFile(p.path() / "comm").value_or("?");
			comm.erase(comm.find_last_not_of('\n') + 1);
			owners.emplace(inode, comm);
		}
	}
	return owners;
}

} // namespace

std::optional<std::string> runCommand(const std::vector<std::string> &argv)
{
	std::string cmd = "PATH=\"$PATH:/usr/sbin:/sbin\" exec";
	for (const std::string &a : argv)
		cmd += " " + shellQuoted(a);
	cmd += " 2>/dev/null";
	FILE *p = ::popen(cmd.c_str(), "r");
	if (!p)
		return std::nullopt;
	std::string out;
	char buf[4096];
	for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
		out.append(buf, n);
	int status = ::pclose(p);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return std::nullopt;
	return out;
}

std::optional<std::string> readTextFile(const std::string &path)
{
	auto text = readWholeFile(path);
	return text ? std::optional(std::move(*text)) : std::nullopt;
}

HostInputs gatherHost(const std::string &root, const std::vector<std::string> &probed, const CommandRunner &run)
{
	const std::string r = root == "/" ? "" : root;
	HostInputs in;
	if (auto rel = readTextFile(r + "/proc/sys/kernel/osrelease")) {
		in.kernelRelease = *rel;
		in.kernelRelease.erase(in.kernelRelease.find_last_not_of(" \n") + 1);
	}
	const std::string modules = r + "/lib/modules/" + in.kernelRelease;
	in.procModules = readTextFile(r + "/proc/modules");
	in.modulesBuiltin = readTextFile(modules + "/modules.builtin");
	in.modulesDep = readTextFile(modules + "/modules.dep");
	for (const char *dir : kModprobeDirs) {
		std::error_code ec;
		std::vector<std::string> files;
		for (const fs::directory_entry &e : fs::directory_iterator(r + dir, ec))
			if (e.path().extension() == ".conf")
				files.push_back(e.path().filename());
		std::sort(files.begin(), files.end());
		for (const std::string &name : files)
			if (auto text = readTextFile(fmt::format("{}{}/{}", r, dir, name)))
				in.modprobeConfs.push_back(TextFile{fmt::format("{}/{}", dir, name), *text});
	}
	in.kernelConfig = readTextFile(r + "/boot/config-" + in.kernelRelease);
	in.ipForward = readTextFile(r + "/proc/sys/net/ipv4/ip_forward");
	in.udp4 = readTextFile(r + "/proc/net/udp");
	in.udp6 = readTextFile(r + "/proc/net/udp6");
	std::set<uint64_t> inodes;
	for (auto [text, v6] : {std::pair{&in.udp4, false}, std::pair{&in.udp6, true}})
		if (*text)
			for (const UdpSocket &s : parseProcNetUdp(**text, v6))
				if (s.port == 500 || s.port == 4500 || s.port == 1701)
					inodes.insert(s.inode);
	in.socketOwners = socketOwners(r.empty() ? "/" : r, inodes);
	in.nftRuleset = run({"nft", "-j", "list", "ruleset"});
	in.iptablesSave = run({"iptables-save"});
	for (const std::string &p : probed) {
		std::error_code ec;
		if (fs::exists(r + p, ec))
			in.existingFiles.insert(p);
	}
	if (r.empty())
		in.addresses = currentHostFacts().addresses;
	return in;
}

} // namespace l2tpsec::doctor
