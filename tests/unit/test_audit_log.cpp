#include "common/log.h"
#include "daemon/audit_log.h"
#include "temp_dir.h"

#include <doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

using namespace l2tpsec;
using nlohmann::json;

namespace {

std::vector<std::string> lines(const std::string &path)
{
	std::vector<std::string> v;
	std::ifstream f(path);
	for (std::string l; std::getline(f, l);)
		v.push_back(l);
	return v;
}

json record(int n)
{
	return json{{"event", "start"}, {"n", n}, {"user", "alice"}};
}

// The file size limit makes writes past it fail like a full disk (EFBIG
// instead of ENOSPC; a write across it is short), for this process only.
struct FileSizeLimit {
	rlimit old{};
	explicit FileSizeLimit(rlim_t bytes)
	{
		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &old);
		rlimit lim{bytes, old.rlim_max};
		setrlimit(RLIMIT_FSIZE, &lim);
	}
	~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &old); }
};

} // namespace

TEST_CASE("a rotated (renamed) audit file: the next record goes to a new file at the path")
{
	TempDir dir;
	std::string path = dir.path + "/audit.jsonl";
	AuditLog audit;
	REQUIRE(audit.open(path));
	audit.write(record(1));
	REQUIRE(::rename(path.c_str(), (path + ".1").c_str()) == 0);
	audit.write(record(2));
	CHECK(lines(path + ".1") == std::vector<std::string>{record(1).dump()});
	CHECK(lines(path) == std::vector<std::string>{record(2).dump()});
	struct stat st {};
	REQUIRE(::stat(path.c_str(), &st) == 0);
	CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("reopen() moves to a new file at once, and a removed file is made again")
{
	TempDir dir;
	std::string path = dir.path + "/audit.jsonl";
	AuditLog audit;
	REQUIRE(audit.open(path));
	REQUIRE(::rename(path.c_str(), (path + ".1").c_str()) == 0);
	REQUIRE(audit.reopen());
	struct stat st {};
	CHECK(::stat(path.c_str(), &st) == 0);
	REQUIRE(::unlink(path.c_str()) == 0);
	audit.write(record(3));
	CHECK(lines(path) == std::vector<std::string>{record(3).dump()});
	CHECK(lines(path + ".1").empty());
}

TEST_CASE("a full disk splits no record and loses none: they wait and are written in order")
{
	TempDir dir;
	std::string path = dir.path + "/audit.jsonl";
	AuditLog audit;
	REQUIRE(audit.open(path));
	audit.write(record(1));
	size_t first = record(1).dump().size() + 1;
	{
		// Room for the first record and half of the next: record 2 would be
		// cut in the middle, record 3 finds no room at all.
		FileSizeLimit full(first + first / 2);
		audit.write(record(2));
		audit.write(record(3));
		CHECK(audit.pending() == 2);
		CHECK(lines(path) == std::vector<std::string>{record(1).dump()});
	}
	// Room again: the waiting records go first, then the new one.
	audit.write(record(4));
	CHECK(audit.pending() == 0);
	CHECK(lines(path) ==
	      std::vector<std::string>{record(1).dump(), record(2).dump(), record(3).dump(), record(4).dump()});
}

TEST_CASE("at most kMaxPending records wait; the oldest is dropped first")
{
	TempDir dir;
	std::string path = dir.path + "/audit.jsonl";
	AuditLog audit;
	REQUIRE(audit.open(path));
	log::setLevel(LogLevel::Warn); // not ten thousand records in the test log
	{
		FileSizeLimit full(1);
		for (size_t i = 0; i < AuditLog::kMaxPending + 2; ++i)
			audit.write(record(static_cast<int>(i)));
		CHECK(audit.pending() == AuditLog::kMaxPending);
	}
	REQUIRE(audit.reopen());
	CHECK(audit.pending() == 0);
	auto all = lines(path);
	REQUIRE(all.size() == AuditLog::kMaxPending);
	CHECK(all.front() == record(2).dump());
	CHECK(all.back() == record(static_cast<int>(AuditLog::kMaxPending + 1)).dump());
	log::setLevel(LogLevel::Info);
}
