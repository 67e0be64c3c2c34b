#pragma once
// The doctor's I/O: reads the files its checks look at under a root
// directory ("/" for the host; a fixture tree in the tests) and runs the
// firewall tools through an injectable runner.

#include "doctor/host_inputs.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::doctor {

/// Runs argv[0] (found on PATH, with /usr/sbin and /sbin added) and returns
/// its standard output, or nullopt when it is missing or fails.
using CommandRunner = std::function<std::optional<std::string>(const std::vector<std::string> &argv)>;

std::optional<std::string> runCommand(const std::vector<std::string> &argv);

/// The whole file, or nullopt when it cannot be read.
std::optional<std::string> readTextFile(const std::string &path);

/// Everything in HostInputs, read under `root`; `probed`: paths whose
/// existence goes in existingFiles. Addresses come from getifaddrs only
/// when root is "/".
HostInputs gatherHost(const std::string &root, const std::vector<std::string> &probed, const CommandRunner &run);

} // namespace l2tpsec::doctor
