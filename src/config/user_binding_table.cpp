#include "config/user_binding_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace l2tpsec {

bool sameIdentity(std::string_view a, std::string_view b)
{
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::tolower(static_cast<unsigned char>(x)) ==
		              std::tolower(static_cast<unsigned char>(y));
	       });
}

namespace {

// The words of one line; an error names what is wrong with it.
Result<std::vector<std::string>> wordsOf(std::string_view line)
{
	std::vector<std::string> words;
	size_t i = 0;
	auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
	while (i < line.size()) {
		if (blank(line[i])) {
			++i;
			continue;
		}
		if (line[i] == '#')
			break;
		if (line[i] == '"') {
			size_t end = line.find('"', i + 1);
			if (end == std::string_view::npos)
				return Error{EINVAL, "the quote is not closed on the line"};
			if (end == i + 1)
				return Error{EINVAL, "an empty word (\"\")"};
			words.emplace_back(line.substr(i + 1, end - i - 1));
			i = end + 1;
			continue;
		}
		size_t end = i;
		while (end < line.size() && !blank(line[end]) && line[end] != '"')
			++end;
		words.emplace_back(line.substr(i, end - i));
		i = end;
	}
	return words;
}

} // namespace

Result<std::vector<UserBindingEntry>> parseUserBindingTable(std::string_view text)
{
	std::vector<UserBindingEntry> entries;
	int number = 0;
	size_t start = 0;
	while (start < text.size()) {
		size_t nl = text.find('\n', start);
		std::string_view line =
		        text.substr(start, nl == std::string_view::npos ? text.size() - start : nl - start);
		start = nl == std::string_view::npos ? text.size() : nl + 1;
		++number;
		auto words = wordsOf(line);
		if (!words)
			return Error{EINVAL, fmt::format("line {}: {}", number, words.error().message)};
		if (words->empty())
			continue;
		if (words->size() == 1)
			return Error{EINVAL, fmt::format("line {}: '{}' names no PPP user (IDENTITY USER...)", number,
			                                 words->front())};
		for (const UserBindingEntry &e : entries)
			if (sameIdentity(e.identity, words->front()))
				return Error{EINVAL, fmt::format("line {}: '{}' is listed on line {} already (one line "
				                                 "per identity, with all its users)",
				                                 number, words->front(), e.line)};
		UserBindingEntry e;
		e.identity = words->front();
		e.users.assign(words->begin() + 1, words->end());
		e.line = number;
		entries.push_back(std::move(e));
	}
	return entries;
}

} // namespace l2tpsec
