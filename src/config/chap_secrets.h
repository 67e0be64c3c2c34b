#pragma once
// pppd's chap-secrets format, which [ppp] secrets names. l2tpsecd does not
// authenticate with it (each pppd reads it); it parses the file only to
// refuse one that would silently let nobody in. The syntax is pppd's
// getword() (pppd/options.c, read by scan_authfile in pppd/auth.c): words
// separated by blanks, '#' at the start of a word comments out the rest of
// the line, "..." or '...' quote, a backslash escapes the next character and
// continues the line before a newline. An entry is one line of
//   client server secret address...
// and pppd skips a line with fewer than three words without a word of
// warning; with three it gives the client no address at all.

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

struct ChapSecretsEntry {
	int line = 0;     ///< where the entry starts (1-based)
	int lastLine = 0; ///< where it ends: later than line after a continuation
	std::string client;
	std::string server;
	size_t fields = 0;                  ///< words on the line, the addresses included
	std::vector<std::string> addresses; ///< the words after the secret
};

/// A line pppd would misread, and why, e.g. "2 fields where pppd needs 4: ...".
struct ChapSecretsProblem {
	int line = 0;
	std::string message;
};

struct ChapSecrets {
	std::vector<ChapSecretsEntry> entries; ///< the well-formed lines, in order
	std::vector<ChapSecretsProblem> problems;
};

/// Pure; any bytes give an answer. The secrets themselves are not kept.
ChapSecrets parseChapSecrets(std::string_view text);

} // namespace l2tpsec
