#include "doctor_command.h"

#include "doctor/doctor.h"
#include "doctor/host_gather.h"
#include "doctor/report.h"
#include "doctor/text_lines.h"
#include "l2tpsec/control.h"
#include "l2tpsec/control_views.h"
#include "l2tpsec_build_config.h"

#include <fmt/format.h>

#include <cstdio>

namespace l2tpsec {

namespace {

using doctor::Finding;
using doctor::Status;

// The daemon's own view, when one answers; info either way, never a failure.
std::vector<Finding> daemonFindings(const DoctorRequest &r, const std::optional<control::StatusView> &status)
{
	if (!status)
		return {Finding{"daemon", Status::Info,
		                fmt::format("l2tpsecd is not running (no answer on {})", r.globals.socket), ""}};
	const std::string listen = doctor::joined(status->listen);
	std::vector<Finding> out{
	        Finding{"daemon", Status::Info,
	                fmt::format("l2tpsecd {}, pid {}, config {}, listening on {}", status->version, status->pid,
	                            status->configFile, listen.empty() ? "all IPv4 addresses" : listen),
	                ""}};
	if (auto sas = ctl::askFor<control::SasView>(r.globals, {{"cmd", control::cmd::kSas}}))
		out.push_back(Finding{"daemon IPsec", Status::Info,
		                      sas->ike ? "IKE is off: " + *sas->ike
		                               : fmt::format("IKE is on: {} ISAKMP SA(s), {} IPsec SA pair(s)",
		                                             sas->isakmp.size(), sas->ipsec.size()),
		                      ""});
	return out;
}

} // namespace

int runDoctor(const DoctorRequest &r)
{
	auto status = ctl::askFor<control::StatusView>(r.globals, {{"cmd", control::cmd::kStatus}});
	std::string path = ctl::configPathFor(r.config.value_or(""), status);

	doctor::ConfigFacts facts;
	std::vector<Finding> findings{
	        doctor::checkConfig(path, doctor::readTextFile(path), r.config.has_value(), facts)};
	const std::string plugin = L2TPSEC_PPPD_PLUGIN;
	doctor::HostInputs in = doctor::gatherHost("/", doctor::probedPaths(facts, plugin), doctor::runCommand);
	for (Finding &f : doctor::checkHost(in, facts, plugin))
		findings.push_back(std::move(f));
	for (Finding &f : daemonFindings(r, status))
		findings.push_back(std::move(f));

	if (r.globals.json)
		std::printf("%s\n", doctor::toJson(findings).dump(2).c_str());
	else
		std::fputs(doctor::formatHuman(findings).c_str(), stdout);
	return doctor::countStatus(findings, Status::Fatal) > 0 ? 1 : 0;
}

} // namespace l2tpsec
