#include "common/duration.h"

#include <cstdint>
#include <utility>

namespace l2tpsec {

namespace {
constexpr int64_t kMaxSeconds = int64_t{10} * 366 * 86400;

int64_t unitSeconds(char unit)
{
	switch (unit) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return 86400;
	}
	return 0;
}
} // namespace

std::optional<std::chrono::seconds> parseDuration(std::string_view text)
{
	if (text.empty())
		return std::nullopt;
	int64_t total = 0;
	size_t i = 0;
	while (i < text.size()) {
		int64_t n = 0;
		size_t digits = 0;
		while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
			n = n * 10 + (text[i] - '0');
			if (n > kMaxSeconds)
				return std::nullopt;
			i++;
			digits++;
		}
		if (digits == 0 || i == text.size())
			return std::nullopt;
		int64_t unit = unitSeconds(text[i++]);
		if (unit == 0)
			return std::nullopt;
		total += n * unit;
		if (total > kMaxSeconds)
			return std::nullopt;
	}
	return std::chrono::seconds(total);
}

std::string formatDuration(std::chrono::seconds d)
{
	int64_t s = d.count();
	if (s <= 0)
		return "0s";
	constexpr std::pair<char, int64_t> kUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	std::string out;
	for (auto [unit, size] : kUnits) {
		if (s >= size) {
			out += std::to_string(s / size);
			out += unit;
			s %= size;
		}
	}
	return out;
}

} // namespace l2tpsec
