// /dev/ppp, pppd and its plugins.

#include "doctor/ppp_checks.h"

#include <doctest.h>

using namespace l2tpsec::doctor;

TEST_CASE("doctor: /dev/ppp present, missing with ppp_generic loadable, missing without")
{
	CHECK(checkDevPpp({"/dev/ppp"}, false) == Finding{"/dev/ppp", Status::Ok, "present", ""});
	CHECK(checkDevPpp({}, true).status == Status::Warn);
	Finding none = checkDevPpp({}, false);
	CHECK(none.status == Status::Fatal);
	CHECK(none.why == "missing, and the kernel has no ppp_generic: pppd cannot run");
}

TEST_CASE("doctor: pppd and the plugins it loads")
{
	CHECK(checkPppd({"/usr/sbin/pppd"}, "/usr/sbin/pppd") == Finding{"pppd", Status::Ok, "/usr/sbin/pppd", ""});
	Finding pppd = checkPppd({}, "/opt/pppd");
	CHECK(pppd.status == Status::Fatal);
	CHECK(pppd.why == "/opt/pppd is missing: no session can start");
	CHECK(pppd.fix == "apt install ppp (RHEL: dnf install ppp), or set [ppp] pppd to where it is");

	const std::vector<std::string> plugins{"/usr/lib/pppd/2.4.9/pppol2tp.so",
	                                       "/usr/lib/pppd/2.4.9/l2tpsec-pppd.so"};
	CHECK(checkPppdPlugins({plugins[0], plugins[1]}, plugins) ==
	      Finding{"pppd plugins", Status::Ok, "present: pppol2tp.so, l2tpsec-pppd.so", ""});
	Finding missing = checkPppdPlugins({plugins[0]}, plugins);
	CHECK(missing.status == Status::Fatal);
	CHECK(missing.why == "missing /usr/lib/pppd/2.4.9/l2tpsec-pppd.so: pppd refuses to start without them");
	CHECK(missing.fix.starts_with("apt install ppp (RHEL: dnf install ppp), and install l2tpsec"));
}
