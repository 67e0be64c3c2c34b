// The kernel checks of l2tpctl doctor over fixture text: modules loaded,
// built in, loadable, blacklisted or missing; CONFIG_L2TP_V3; ip_forward.

#include "doctor/kernel_checks.h"

#include <doctest.h>

using namespace l2tpsec::doctor;

namespace {

const char *kProcModules = "l2tp_ppp 36864 0 - Live 0x0000000000000000\n"
                           "l2tp_netlink 28672 1 l2tp_ppp, Live 0x0000000000000000\n"
                           "l2tp_core 45056 2 l2tp_ppp,l2tp_netlink, Live 0x0000000000000000\n"
                           "ppp_generic 53248 3 pppox,l2tp_ppp, Live 0x0000000000000000\n";

const char *kModulesDep = "kernel/net/l2tp/l2tp_core.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\n"
                          "kernel/net/l2tp/l2tp_ppp.ko.xz: kernel/net/l2tp/l2tp_netlink.ko.xz "
                          "kernel/drivers/net/ppp/pppox.ko.xz\n"
                          "kernel/net/l2tp/l2tp_netlink.ko.xz: kernel/net/l2tp/l2tp_core.ko.xz\n"
                          "kernel/net/l2tp/l2tp_ip.ko.xz: kernel/net/l2tp/l2tp_core.ko.xz\n"
                          "kernel/net/ipv4/esp4.ko.zst: kernel/net/ipv4/xfrm4_tunnel.ko\n"
                          "kernel/net/ipv6/esp6.ko:\n"
                          "kernel/drivers/net/ppp/ppp_generic.ko.xz: kernel/lib/crc-ccitt.ko.xz\n";

const char *kBuiltin = "kernel/net/xfrm/xfrm_user.ko\nkernel/net/ipv4/udp_tunnel.ko\n";

HostInputs stockHost()
{
	HostInputs in;
	in.kernelRelease = "6.1.0-18-amd64";
	in.procModules = kProcModules;
	in.modulesDep = kModulesDep;
	in.modulesBuiltin = kBuiltin;
	return in;
}

} // namespace

TEST_CASE("doctor parses /proc/modules, modules.dep and modules.builtin")
{
	CHECK(parseProcModules(kProcModules) ==
	      std::set<std::string>{"l2tp_ppp", "l2tp_netlink", "l2tp_core", "ppp_generic"});
	CHECK(parseModulePaths(kModulesDep) ==
	      std::set<std::string>{"l2tp_core", "l2tp_ppp", "l2tp_netlink", "l2tp_ip", "esp4", "esp6", "ppp_generic"});
	CHECK(parseModulePaths(kBuiltin) == std::set<std::string>{"xfrm_user", "udp_tunnel"});
	CHECK(parseModulePaths("kernel/drivers/net/ppp/ppp-generic.ko\n\n.ko\n") ==
	      std::set<std::string>{"ppp_generic"});
	CHECK(parseProcModules("") == std::set<std::string>{});
}

TEST_CASE("doctor reads blacklist and install-as-false lines of modprobe.d")
{
	std::map<std::string, std::string> disabled;
	parseModprobeConf({"/etc/modprobe.d/x.conf", "# blacklist esp4\nblacklist l2tp-ppp\n"
	                                             "install xfrm_user /bin/false\ninstall esp6 /sbin/modprobe "
	                                             "--ignore-install esp6\noptions ppp_generic x=1\n"},
	                  disabled);
	CHECK(disabled == std::map<std::string, std::string>{
	                          {"l2tp_ppp", "/etc/modprobe.d/x.conf: blacklist l2tp-ppp"},
	                          {"xfrm_user", "/etc/modprobe.d/x.conf: install xfrm_user /bin/false"}});
}

TEST_CASE("doctor: a loaded, a built-in and a loadable module are ok")
{
	ModuleFacts f = moduleFacts(stockHost());
	Finding loaded = checkModule(f, "l2tp_ppp", Status::Fatal, "PPP over L2TP");
	CHECK(loaded == Finding{"module l2tp_ppp", Status::Ok, "loaded (PPP over L2TP)", ""});
	Finding builtin = checkModule(f, "xfrm_user", Status::Fatal, "IPsec SAs");
	CHECK(builtin.status == Status::Ok);
	CHECK(builtin.why == "built into kernel 6.1.0-18-amd64 (IPsec SAs)");
	Finding loadable = checkModule(f, "esp4", Status::Fatal, "ESP");
	CHECK(loadable.status == Status::Ok);
	CHECK(loadable.why == "not loaded; the kernel loads it on first use (ESP)");
}

TEST_CASE("doctor: a blacklisted module that is not loaded is the given status, with the line to delete")
{
	HostInputs in = stockHost();
	in.procModules = "ppp_generic 53248 0 - Live 0x0\n";
	in.modprobeConfs.push_back({"/etc/modprobe.d/no-l2tp.conf", "blacklist l2tp_ppp\n"});
	Finding f = checkModule(moduleFacts(in), "l2tp_ppp", Status::Fatal, "PPP over L2TP");
	CHECK(f.status == Status::Fatal);
	CHECK(f.why == "not loaded, and /etc/modprobe.d/no-l2tp.conf: blacklist l2tp_ppp keeps the kernel from loading "
	               "it (PPP over L2TP)");
	CHECK(f.fix == "delete that line from /etc/modprobe.d/no-l2tp.conf, then: modprobe l2tp_ppp");
}

TEST_CASE("doctor: a blacklisted module that is loaded warns about the next boot")
{
	HostInputs in = stockHost();
	in.modprobeConfs.push_back({"/etc/modprobe.d/no-l2tp.conf", "blacklist l2tp_ppp\n"});
	Finding f = checkModule(moduleFacts(in), "l2tp_ppp", Status::Fatal, "PPP over L2TP");
	CHECK(f.status == Status::Warn);
	CHECK(f.fix == "delete that line from /etc/modprobe.d/no-l2tp.conf");
}

TEST_CASE("doctor: a module the kernel cannot have says where each distribution keeps it")
{
	Finding f = checkModule(moduleFacts(stockHost()), "xfrm_ipcomp", Status::Warn, "IPComp");
	CHECK(f.status == Status::Warn);
	CHECK(f.why ==
	      "kernel 6.1.0-18-amd64 has no xfrm_ipcomp (not loaded, not built in, no xfrm_ipcomp.ko): IPComp");
	CHECK(f.fix.find("linux-modules-extra-$(uname -r)") != std::string::npos);
	CHECK(f.fix.find("RHEL: dnf install kernel-modules-extra") != std::string::npos);
}

TEST_CASE("doctor: without /proc/modules a module is skipped, unless it is built in")
{
	HostInputs in = stockHost();
	in.procModules.reset();
	ModuleFacts f = moduleFacts(in);
	CHECK(checkModule(f, "esp4", Status::Fatal, "ESP").status == Status::Skipped);
	CHECK(checkModule(f, "xfrm_user", Status::Fatal, "IPsec SAs").status == Status::Ok);
}

TEST_CASE("doctor reads CONFIG_L2TP_V3 from the kernel config, or infers it from l2tp_ip")
{
	CHECK(kernelConfigValue("CONFIG_L2TP=m\nCONFIG_L2TP_V3=y\n", "CONFIG_L2TP_V3") == "y");
	CHECK(kernelConfigValue("CONFIG_L2TP=m\n# CONFIG_L2TP_V3 is not set\n", "CONFIG_L2TP_V3") == "n");
	CHECK_FALSE(kernelConfigValue("CONFIG_L2TP=m\n", "CONFIG_L2TP_V3"));
	CHECK_FALSE(kernelConfigValue("CONFIG_L2TP_V3_X=y\n", "CONFIG_L2TP_V3"));

	HostInputs in = stockHost();
	ModuleFacts f = moduleFacts(in);
	CHECK(checkL2tpV3(f, std::string("CONFIG_L2TP_V3=y\n")).status == Status::Ok);
	Finding off = checkL2tpV3(f, std::string("# CONFIG_L2TP_V3 is not set\n"));
	CHECK(off.status == Status::Fatal);
	CHECK(off.why == "kernel 6.1.0-18-amd64 is built without CONFIG_L2TP_V3: no PPP sessions over netlink");
	Finding inferred = checkL2tpV3(f, std::nullopt);
	CHECK(inferred.status == Status::Ok);
	CHECK(inferred.why == "l2tp_ip is present, which only a kernel with CONFIG_L2TP_V3 has");
	in.modulesDep = "kernel/net/l2tp/l2tp_ppp.ko\n";
	CHECK(checkL2tpV3(moduleFacts(in), std::nullopt).status == Status::Warn);
}

TEST_CASE("doctor: several clients behind one NAT from Linux 6.10; before, information; unknown, skipped")
{
	Finding now = checkNatSharing("6.12.57+deb13-amd64");
	CHECK(now.status == Status::Ok);
	CHECK(now.why == "Linux 6.12.57+deb13-amd64: several clients behind one NAT, all sending L2TP from port 1701 "
	                 "(Windows), are served at once");
	Finding old = checkNatSharing("6.1.0-27-amd64");
	CHECK(old.status == Status::Info);
	CHECK(old.why.find("several need Linux 6.10 or later") != std::string::npos);
	CHECK(old.fix == "a kernel of 6.10 or later (Debian 12: apt install linux-image-6.12-amd64), then reboot");
	CHECK(checkNatSharing("").status == Status::Skipped);
}

TEST_CASE("doctor: ip_forward 1 is ok, 0 warns with the sysctl, unreadable is skipped")
{
	CHECK(checkIpForward(std::string("1\n")).status == Status::Ok);
	Finding off = checkIpForward(std::string("0\n"));
	CHECK(off.status == Status::Warn);
	CHECK(off.why == "net.ipv4.ip_forward = 0: VPN clients reach this host only, not the networks behind it");
	CHECK(off.fix ==
	      "sysctl -w net.ipv4.ip_forward=1 && echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-l2tpsec.conf");
	CHECK(checkIpForward(std::nullopt).status == Status::Skipped);
}
