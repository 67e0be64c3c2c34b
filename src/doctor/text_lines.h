#pragma once
// Splitting the text of /proc files and command output: lines, words, trim.

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::doctor {

/// The lines of `text`, without their '\n' (a last line without one too).
std::vector<std::string_view> lines(std::string_view text);

/// The words of `line`, split at spaces and tabs.
std::vector<std::string_view> words(std::string_view line);

/// `s` without leading and trailing white space.
std::string_view trim(std::string_view s);

/// The items separated by ", ".
std::string joined(const std::vector<std::string> &items);

} // namespace l2tpsec::doctor
