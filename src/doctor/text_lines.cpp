#include "doctor/text_lines.h"

namespace l2tpsec::doctor {

namespace {
constexpr std::string_view kSpace = " \t\r\n";
}

std::vector<std::string_view> lines(std::string_view text)
{
	std::vector<std::string_view> out;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		out.push_back(text.substr(0, nl));
		text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
	}
	return out;
}

std::vector<std::string_view> words(std::string_view line)
{
	std::vector<std::string_view> out;
	for (;;) {
		size_t b = line.find_first_not_of(kSpace);
		if (b == std::string_view::npos)
			return out;
		line = line.substr(b);
		size_t e = line.find_first_of(kSpace);
		out.push_back(line.substr(0, e));
		if (e == std::string_view::npos)
			return out;
		line = line.substr(e);
	}
}

std::string_view trim(std::string_view s)
{
	size_t b = s.find_first_not_of(kSpace);
	if (b == std::string_view::npos)
		return {};
	return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::string joined(const std::vector<std::string> &items)
{
	std::string s;
	for (const std::string &i : items)
		s += (s.empty() ? "" : ", ") + i;
	return s;
}

} // namespace l2tpsec::doctor
