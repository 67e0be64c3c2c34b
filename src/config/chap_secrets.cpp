#include "config/chap_secrets.h"

#include <fmt/format.h>

namespace l2tpsec {

namespace {

// client, server, secret and the addresses ("*" for any): with fewer pppd
// either skips the line or gives the client no address.
constexpr size_t kFields = 4;

class Scanner {
public:
	ChapSecrets run(std::string_view text);

private:
	void startWord()
	{
		if (inWord_)
			return;
		inWord_ = true;
		if (fields_ == 0)
			entryLine_ = line_;
	}
	void endWord()
	{
		if (!inWord_)
			return;
		if (fields_ == 0)
			client_ = word_;
		else if (fields_ == 1)
			server_ = word_;
		else if (fields_ >= 3)
			addresses_.push_back(word_);
		fields_++;
		word_.clear();
		inWord_ = false;
	}
	void endLine()
	{
		endWord();
		if (fields_ >= kFields)
			out_.entries.push_back({entryLine_, line_, client_, server_, fields_, addresses_});
		else if (fields_ > 0)
			problem(entryLine_,
			        fmt::format("{} field{} where pppd needs {}: client, server, secret and the "
			                    "addresses the client may have (\"*\" for any)",
			                    fields_, fields_ == 1 ? "" : "s", kFields));
		dropEntry();
	}
	void dropEntry()
	{
		fields_ = 0;
		addresses_.clear();
		word_.clear();
		inWord_ = false;
	}
	void problem(int line, std::string message) { out_.problems.push_back({line, std::move(message)}); }

	ChapSecrets out_;
	int line_ = 1;
	int entryLine_ = 1;
	size_t fields_ = 0;
	bool inWord_ = false;
	std::string word_, client_, server_;
	std::vector<std::string> addresses_;
};

ChapSecrets Scanner::run(std::string_view text)
{
	// A BOM is no blank to pppd: it would be part of the first client's name.
	if (text.starts_with("\xef\xbb\xbf"))
		problem(1, "the file starts with a UTF-8 byte-order mark, which pppd reads as part of the first "
		           "client's name; save it without one");
	char quote = 0;
	int quoteLine = 0;
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c == '\\') {
			if (i + 1 == text.size())
				break;
			c = text[++i];
			if (c == '\n') { // a continued line, in quotes or not
				line_++;
				continue;
			}
			startWord();
			word_ += c;
			continue;
		}
		if (quote) {
			if (c == quote) {
				quote = 0;
			} else if (c == '\n') {
				// pppd would read on into the next lines; no one means that.
				problem(quoteLine,
				        fmt::format("the quote {} opened on this line is not closed on it", quote));
				quote = 0;
				dropEntry();
				line_++;
			} else {
				word_ += c;
			}
			continue;
		}
		switch (c) {
		case '\n':
			endLine();
			line_++;
			break;
		case ' ':
		case '\t':
		case '\r':
		case '\f':
		case '\v': endWord(); break;
		case '#':
			if (!inWord_) {
				while (i + 1 < text.size() && text[i + 1] != '\n')
					i++;
				break;
			}
			word_ += c;
			break;
		case '"':
		case '\'':
			startWord();
			quote = c;
			quoteLine = line_;
			break;
		default: startWord(); word_ += c;
		}
	}
	if (quote)
		problem(quoteLine, fmt::format("the quote {} opened on this line is not closed on it", quote));
	else
		endLine();
	return std::move(out_);
}

} // namespace

ChapSecrets parseChapSecrets(std::string_view text)
{
	return Scanner().run(text);
}

} // namespace l2tpsec
