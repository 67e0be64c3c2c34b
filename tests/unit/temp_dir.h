#pragma once
// A scratch directory for files the config loader reads, removed at the end
// of the test.

#include <doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

struct TempDir {
	std::string path;
	TempDir()
	{
		char tmpl[] = "/tmp/l2tpsec-test-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		path = tmpl;
	}
	~TempDir()
	{
		std::error_code ignoredError;
		std::filesystem::remove_all(path, ignoredError);
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	std::string write(const std::string &name, const std::string &content, mode_t mode = 0600) const
	{
		std::string p = path + "/" + name;
		std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
		chmod(p.c_str(), mode);
		return p;
	}
};
