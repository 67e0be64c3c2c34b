#include "config/chap_secrets_edit.h"

#include "config/chap_secrets.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace l2tpsec {

namespace {

constexpr size_t kMaxWord = 255; // pppd's MAXWORDLEN is 1024; keep well inside

Result<void> checkWord(std::string_view word, const char *what)
{
	if (word.empty())
		return Error{EINVAL, fmt::format("the {} is empty", what)};
	if (word.size() > kMaxWord)
		return Error{EINVAL, fmt::format("the {} is {} bytes long; at most {}", what, word.size(), kMaxWord)};
	for (unsigned char c : word)
		if (c < 0x20 || c == 0x7f)
			return Error{EINVAL, fmt::format("the {} contains a control character", what)};
	return {};
}

// The file as lines, each with its newline (the last may have none).
std::vector<std::string_view> splitLines(std::string_view text)
{
	std::vector<std::string_view> lines;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
		lines.push_back(text.substr(0, len));
		text.remove_prefix(len);
	}
	return lines;
}

// The text with the lines of the given entries replaced: the first by
// `replacement` (when not empty), the others dropped.
std::string rewrite(std::string_view text, const std::vector<ChapSecretsEntry> &entries, const std::string &replacement)
{
	std::vector<std::string_view> lines = splitLines(text);
	std::string out;
	size_t next = 0;
	for (size_t i = 0; i < lines.size(); i++) {
		int lineNo = static_cast<int>(i) + 1;
		while (next < entries.size() && entries[next].lastLine < lineNo)
			next++;
		bool inEntry = next < entries.size() && lineNo >= entries[next].line;
		if (!inEntry) {
			out += lines[i];
			continue;
		}
		if (lineNo == entries[next].line && next == 0 && !replacement.empty())
			out += replacement;
	}
	return out;
}

std::vector<ChapSecretsEntry> entriesOf(std::string_view text, std::string_view name)
{
	std::vector<ChapSecretsEntry> found;
	for (auto &e : parseChapSecrets(text).entries)
		if (e.client == name)
			found.push_back(e);
	return found;
}

} // namespace

Result<void> checkUserName(std::string_view name)
{
	L2S_TRY(checkWord(name, "user name"));
	if (name == "*") // pppd reads it as "any client"
		return Error{EINVAL, "\"*\" is no user name: pppd reads it as any client"};
	return {};
}

Result<void> checkPassword(std::string_view password)
{
	L2S_TRY(checkWord(password, "password"));
	if (password.starts_with('@')) // pppd reads "@/path" as a file holding the secret
		return Error{EINVAL, "a password must not start with @: pppd reads @/PATH as a file to take it from"};
	return {};
}

std::string quoteSecretsWord(std::string_view word)
{
	auto plain = [](unsigned char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       std::string_view("._@:/+*-=,%").find(static_cast<char>(c)) != std::string_view::npos;
	};
	if (!word.empty() && std::all_of(word.begin(), word.end(), plain))
		return std::string(word);
	std::string out = "\"";
	for (char c : word) {
		if (c == '"' || c == '\\')
			out += '\\';
		out += c;
	}
	return out + "\"";
}

Result<SecretsChange> setChapSecret(std::string_view text, std::string_view name, std::string_view password)
{
	L2S_TRY(checkUserName(name));
	L2S_TRY(checkPassword(password));
	std::vector<ChapSecretsEntry> mine = entriesOf(text, name);
	SecretsChange change;
	if (mine.empty()) {
		change.added = true;
		change.text = text;
		if (!change.text.empty() && change.text.back() != '\n')
			change.text += '\n';
		change.text += fmt::format("{} * {} *\n", quoteSecretsWord(name), quoteSecretsWord(password));
	} else {
		const ChapSecretsEntry &first = mine.front();
		std::string line = fmt::format("{} {} {}", quoteSecretsWord(name), quoteSecretsWord(first.server),
		                               quoteSecretsWord(password));
		for (const std::string &a : first.addresses)
			line += " " + quoteSecretsWord(a);
		change.text = rewrite(text, mine, line + '\n');
	}
	// A file that ends inside a word (a trailing backslash continues the
	// last line into ours) would swallow the new line: say so, change nothing.
	if (entriesOf(change.text, name).size() != 1)
		return Error{EINVAL, fmt::format("cannot set the password of {}: the file's last line is unfinished "
		                                 "(a trailing backslash); end it first",
		                                 quoteSecretsWord(name))};
	return change;
}

Result<std::string> removeChapSecret(std::string_view text, std::string_view name)
{
	std::vector<ChapSecretsEntry> mine = entriesOf(text, name);
	if (mine.empty())
		return Error{ENOENT, fmt::format("no user {}", quoteSecretsWord(name))};
	std::string out = rewrite(text, mine, "");
	if (!entriesOf(out, name).empty())
		return Error{EINVAL, fmt::format("cannot remove {}: the file's lines around it are unfinished "
		                                 "(a trailing backslash); fix them first",
		                                 quoteSecretsWord(name))};
	return out;
}

std::vector<std::string> chapSecretsUsers(std::string_view text)
{
	std::vector<std::string> users;
	for (auto &e : parseChapSecrets(text).entries)
		if (std::find(users.begin(), users.end(), e.client) == users.end())
			users.push_back(e.client);
	return users;
}

} // namespace l2tpsec
