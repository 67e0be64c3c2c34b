#pragma once
// "Did you mean": the known word closest to a misspelt one, for the config
// loader's unknown keys and sections and l2tpctl's unknown subcommands.

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// Levenshtein distance: the fewest one-character insertions, deletions or
/// substitutions that turn `a` into `b`.
size_t editDistance(std::string_view a, std::string_view b);

/// The word of `known` closest to `word` when it is at most two edits away
/// (the first one of the closest), else "".
std::string suggestion(std::string_view word, const std::vector<std::string_view> &known);

} // namespace l2tpsec
