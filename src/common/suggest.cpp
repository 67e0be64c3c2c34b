#include "common/suggest.h"

#include <algorithm>

namespace l2tpsec {

size_t editDistance(std::string_view a, std::string_view b)
{
	std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
	for (size_t j = 0; j <= b.size(); j++)
		prev[j] = j;
	for (size_t i = 1; i <= a.size(); i++) {
		cur[0] = i;
		for (size_t j = 1; j <= b.size(); j++)
			cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
		std::swap(prev, cur);
	}
	return prev[b.size()];
}

std::string suggestion(std::string_view word, const std::vector<std::string_view> &known)
{
	std::string_view best;
	size_t bestDistance = 3; // more than two edits away is a different word
	for (auto k : known) {
		size_t d = editDistance(word, k);
		if (d < bestDistance) {
			bestDistance = d;
			best = k;
		}
	}
	return std::string(best);
}

} // namespace l2tpsec
