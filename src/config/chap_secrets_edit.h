#pragma once
// Changing one user of a chap-secrets file ([ppp] secrets) for `l2tpctl
// user`: pure functions from the file's text to the new text. Everything
// that is not the user's entry stays byte for byte (comments, blank lines,
// other users, lines pppd would misread, the last line's missing newline),
// so an admin's hand-kept file survives the tool.

#include "common/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// A user name the tool can write and pppd reads back the same: 1 to 255
/// bytes, no control character (a newline would start a new entry), not
/// "*" (any client, to pppd).
Result<void> checkUserName(std::string_view name);
/// A password likewise: 1 to 255 bytes, no control character, no leading
/// `@` (pppd takes `@/PATH` as a file holding the secret).
Result<void> checkPassword(std::string_view password);

/// One word in pppd's syntax: as it is when it holds only letters, digits
/// and `._@:/+*-=,%`; otherwise double-quoted with `\` and `"` escaped, so
/// blanks, `#` and quotes inside it are taken literally.
std::string quoteSecretsWord(std::string_view word);

/// The text with NAME's password set. The first entry of NAME keeps its
/// server and addresses and gets the new secret; later entries of NAME are
/// removed (pppd would use the first anyway). Without one, a line
/// `"NAME" * "PASSWORD" *` is appended. `added` says which happened.
struct SecretsChange {
	std::string text;
	bool added = false;
};
Result<SecretsChange> setChapSecret(std::string_view text, std::string_view name, std::string_view password);

/// The text without any entry of NAME; an error naming NAME if it has none.
Result<std::string> removeChapSecret(std::string_view text, std::string_view name);

/// The clients the file names, in order, each once.
std::vector<std::string> chapSecretsUsers(std::string_view text);

} // namespace l2tpsec
