// libFuzzer: the [ppp] secrets (chap-secrets) scanner must answer any bytes
// with entries and problems, never a crash, hang or sanitizer report, and
// every line it names must be a line of the input. `l2tpctl user`'s edits of
// any file must leave a file whose first entry of the user carries the new
// password's line, and a removal must leave no entry of the user.
#include "config/chap_secrets.h"
#include "config/chap_secrets_edit.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view text(reinterpret_cast<const char *>(data), size);
	l2tpsec::ChapSecrets r = l2tpsec::parseChapSecrets(text);
	int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
	for (auto &e : r.entries)
		if (e.line < 1 || e.lastLine < e.line || e.lastLine > lines || e.fields < 4)
			__builtin_trap();
	for (auto &p : r.problems)
		if (p.line < 1 || p.line > lines || p.message.empty())
			__builtin_trap();
	// The first entry's name (or a fixed one) is the user edited.
	std::string user = r.entries.empty() ? "fuzz-user" : r.entries.front().client;
	if (l2tpsec::checkUserName(user)) {
		// An edit may be refused (a file ending in a backslash), but what it
		// returns must hold exactly one entry of the user, and a removal none.
		if (auto set = l2tpsec::setChapSecret(text, user, "new pass#word")) {
			size_t mine = 0;
			for (auto &e : l2tpsec::parseChapSecrets(set->text).entries)
				mine += e.client == user;
			if (mine != 1)
				__builtin_trap();
			if (auto removed = l2tpsec::removeChapSecret(set->text, user))
				for (auto &e : l2tpsec::parseChapSecrets(*removed).entries)
					if (e.client == user)
						__builtin_trap();
		}
	}
	return 0;
}
