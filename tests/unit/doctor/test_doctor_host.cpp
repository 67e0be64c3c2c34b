// l2tpctl doctor over a fixture host: the I/O layer reads a root directory
// built here, the checks run over it, and the human output is compared with
// a checked-in snapshot (doctor_host.expected), so any change to its
// columns or words shows as a diff. L2TPSEC_UPDATE_SNAPSHOTS=1 rewrites it.

#include "../temp_dir.h"
#include "doctor/doctor.h"
#include "doctor/host_gather.h"
#include "doctor/report.h"

#include <doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace l2tpsec;
using namespace l2tpsec::doctor;
namespace fs = std::filesystem;

namespace {

const std::string kPlugin = "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so";

void put(const TempDir &root, const std::string &path, const std::string &text)
{
	fs::create_directories(fs::path(root.path + path).parent_path());
	root.write(path.substr(1), text, 0644);
}

// A Debian 12 host with l2tp_ppp blacklisted, ip_forward off, strongSwan's
// charon on udp 500 and an nft input chain that drops IKE.
void makeHost(const TempDir &root)
{
	put(root, "/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	put(root, "/proc/modules",
	    "l2tp_netlink 28672 0 - Live 0x0\nl2tp_core 45056 1 l2tp_netlink, Live 0x0\n"
	    "esp4 24576 0 - Live 0x0\n");
	put(root, "/lib/modules/6.1.0-18-amd64/modules.dep",
	    "kernel/net/l2tp/l2tp_core.ko: \nkernel/net/l2tp/l2tp_ppp.ko: kernel/net/l2tp/l2tp_netlink.ko\n"
	    "kernel/net/l2tp/l2tp_netlink.ko: \nkernel/net/ipv4/esp4.ko: \nkernel/net/ipv6/esp6.ko: \n"
	    "kernel/drivers/net/ppp/ppp_generic.ko: \n");
	put(root, "/lib/modules/6.1.0-18-amd64/modules.builtin", "kernel/net/xfrm/xfrm_user.ko\n");
	put(root, "/etc/modprobe.d/no-l2tp.conf", "# added by hand\nblacklist l2tp_ppp\n");
	put(root, "/etc/modprobe.d/notes.txt", "blacklist ppp_generic\n"); // not a .conf: modprobe ignores it
	put(root, "/boot/config-6.1.0-18-amd64", "CONFIG_L2TP=m\nCONFIG_L2TP_V3=y\n");
	put(root, "/proc/sys/net/ipv4/ip_forward", "0\n");
	put(root, "/proc/net/udp",
	    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "  120: 00000000:01F4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 21345 2 "
	    "0000000000000000 0\n");
	put(root, "/proc/net/udp6", "  sl  local_address remote_address st tx_queue rx_queue tr tm->when inode\n");
	put(root, "/proc/812/comm", "charon\n");
	fs::create_directories(root.path + "/proc/812/fd");
	fs::create_symlink("socket:[21345]", root.path + "/proc/812/fd/14");
	fs::create_symlink("/dev/null", root.path + "/proc/812/fd/0");
	put(root, "/proc/self/comm", "l2tpctl\n"); // not a PID: left alone
	put(root, "/dev/ppp", "");
	put(root, "/usr/sbin/pppd", "");
	put(root, "/usr/lib/pppd/2.4.9/pppol2tp.so", "");
	put(root, "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so", "");
}

const char *kNft = R"({"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
{"table": {"family": "inet", "name": "filter", "handle": 1}},
{"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input",
 "prio": 0, "policy": "drop"}},
{"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 4, "expr": [{"match": {"op": "==",
 "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 1701}}, {"accept": null}]}}]})";

const char *kConfig = "[server]\nlisten = [\"192.0.2.10\", \"198.51.100.7\"]\n";

std::vector<Finding> fixtureFindings(const TempDir &root)
{
	ConfigFacts facts;
	std::vector<Finding> findings{checkConfig("/etc/l2tpsec/l2tpsec.conf", std::string(kConfig), false, facts)};
	std::vector<std::string> commands;
	HostInputs in = gatherHost(root.path, probedPaths(facts, kPlugin), [&](const std::vector<std::string> &argv) {
		commands.push_back(argv[0]);
		return argv[0] == "nft" ? std::optional<std::string>(kNft) : std::nullopt;
	});
	CHECK(commands == std::vector<std::string>{"nft", "iptables-save"});
	CHECK_FALSE(in.addresses); // getifaddrs is the host's, not the fixture's
	in.addresses = std::vector<IpAddress>{*IpAddress::parse("192.0.2.10")};
	for (Finding &f : checkHost(in, facts, kPlugin))
		findings.push_back(std::move(f));
	return findings;
}

} // namespace

TEST_CASE("doctor gathers a fixture host's files")
{
	TempDir root;
	makeHost(root);
	HostInputs in = gatherHost(root.path, {"/dev/ppp", "/usr/sbin/pppd", "/usr/sbin/nothing"},
	                           [](const std::vector<std::string> &) { return std::nullopt; });
	CHECK(in.kernelRelease == "6.1.0-18-amd64");
	REQUIRE(in.modprobeConfs.size() == 1);
	CHECK(in.modprobeConfs[0].path == "/etc/modprobe.d/no-l2tp.conf");
	CHECK(in.socketOwners == std::map<uint64_t, std::string>{{21345, "charon"}});
	CHECK(in.existingFiles == std::set<std::string>{"/dev/ppp", "/usr/sbin/pppd"});
	CHECK(in.kernelConfig);
	CHECK_FALSE(in.nftRuleset);
}

TEST_CASE("doctor's human output for a fixture host matches its snapshot")
{
	TempDir root;
	makeHost(root);
	const std::string text = formatHuman(fixtureFindings(root));
	const std::string expectedPath = std::string(L2TPSEC_SOURCE_DIR) + "/tests/unit/doctor/doctor_host.expected";
	if (const char *u = std::getenv("L2TPSEC_UPDATE_SNAPSHOTS"); u && std::string(u) == "1")
		std::ofstream(expectedPath, std::ios::binary | std::ios::trunc) << text;
	std::ifstream f(expectedPath, std::ios::binary);
	REQUIRE(f);
	const std::string expected((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	CHECK(text == expected);
}

TEST_CASE("doctor's JSON has every finding and the summary")
{
	TempDir root;
	makeHost(root);
	auto findings = fixtureFindings(root);
	nlohmann::json j = toJson(findings);
	REQUIRE(j["findings"].size() == findings.size());
	CHECK(j["findings"][0] == nlohmann::json{{"check", "config"},
	                                         {"status", "ok"},
	                                         {"why", "/etc/l2tpsec/l2tpsec.conf parses (IPsec required)"},
	                                         {"fix", nullptr}});
	CHECK(j["summary"]["fatal"] == countStatus(findings, Status::Fatal));
	CHECK(j["summary"]["fatal"].get<size_t>() == 2); // l2tp_ppp blacklisted, charon on 500
	CHECK(j["summary"].size() == 5);
}

TEST_CASE("doctor's config check: missing, given but missing, broken")
{
	ConfigFacts facts;
	CHECK(checkConfig("/x.conf", std::nullopt, false, facts).status == Status::Skipped);
	Finding given = checkConfig("/x.conf", std::nullopt, true, facts);
	CHECK(given.status == Status::Fatal);
	Finding broken = checkConfig("/x.conf", std::string("[server]\nlisten = 3\n"), true, facts);
	CHECK(broken.status == Status::Fatal);
	CHECK(broken.why.starts_with("1 error(s), the first: /x.conf:2: "));
	CHECK(broken.fix == "l2tpsecd --check -c /x.conf lists them all");
	Finding off = checkConfig("/x.conf", std::string("[l2tp]\nipsec = \"off\"\n"), true, facts);
	CHECK(off.why.starts_with("/x.conf parses (IPsec off)"));
	CHECK_FALSE(facts.ipsec);
}

TEST_CASE("doctor's listen check and pppd plugins follow the config")
{
	ConfigFacts facts;
	CHECK(checkListen(facts, std::nullopt).status == Status::Ok); // every address
	facts.listen = {*IpAddress::parse("192.0.2.10")};
	CHECK(checkListen(facts, std::nullopt).status == Status::Skipped);
	CHECK(checkListen(facts, std::vector<IpAddress>{*IpAddress::parse("192.0.2.10")}).why ==
	      "the host has 192.0.2.10");
	facts.radius = facts.lac = true;
	CHECK(pppdPlugins(facts, kPlugin) == std::vector<std::string>{"/usr/lib/pppd/2.4.9/pppol2tp.so", kPlugin,
	                                                              "/usr/lib/pppd/2.4.9/radius.so",
	                                                              "/usr/lib/pppd/2.4.9/passwordfd.so"});
}
