// replaceFile: readers see the old or the new file, never a mix; the mode is
// exact; nothing is left behind; readWholeFile names the path it failed on.

#include "common/file_replace.h"
#include "temp_dir.h"

#include <doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace l2tpsec;

TEST_CASE("replaceFile writes the new contents with the mode asked for")
{
	TempDir dir;
	std::string path = dir.write("secrets", "old\n", 0644);
	REQUIRE(replaceFile(path, "new\n", 0600));
	auto text = readWholeFile(path);
	REQUIRE(text);
	CHECK(*text == "new\n");
	struct stat st {};
	REQUIRE(::stat(path.c_str(), &st) == 0);
	CHECK((st.st_mode & 07777) == 0600);
	// No temporary file is left beside it.
	size_t files = 0;
	for ([[maybe_unused]] auto &e : std::filesystem::directory_iterator(dir.path))
		files++;
	CHECK(files == 1);

	auto missing = readWholeFile(dir.path + "/nope");
	REQUIRE_FALSE(missing);
	CHECK(missing.error().message.find(dir.path + "/nope") != std::string::npos);
	CHECK_FALSE(replaceFile(dir.path + "/no/such/dir/file", "x", 0600));
}

TEST_CASE("a reader during many replacements sees only whole files")
{
	TempDir dir;
	std::string a(64 * 1024, 'a'), b(64 * 1024, 'b');
	std::string path = dir.write("secrets", a);
	std::atomic<bool> done{false};
	size_t torn = 0, reads = 0;
	std::thread reader([&] {
		while (!done) {
			// The rename is atomic: the path never goes missing either.
			auto text = readWholeFile(path);
			reads++;
			if (!text || (*text != a && *text != b))
				torn++;
		}
	});
	for (int i = 0; i < 200; i++) {
		auto lock = DirectoryLock::forFile(path);
		REQUIRE(lock);
		REQUIRE(replaceFile(path, i % 2 ? a : b, 0600));
	}
	done = true;
	reader.join();
	CHECK(reads > 0);
	CHECK(torn == 0);
}
