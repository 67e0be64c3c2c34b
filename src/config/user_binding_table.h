#pragma once
// The table file of [ike] bind_ppp_user: which PPP user names each device
// certificate may sign in as. One entry a line,
//   IDENTITY USER [USER...]
// IDENTITY is a certificate's subject commonName or one of its email or DNS
// subjectAltNames (compared without case); a word holding blanks is written
// in double quotes ("Alice Smith"); '#' at the start of a word comments out
// the rest of the line.

#include "common/result.h"
#include "config/config.h"

#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

/// Whether two identities are the same: ASCII case folded (DNS names and
/// mail domains, RFC 4343; the table treats commonNames the same way).
bool sameIdentity(std::string_view a, std::string_view b);

/// Pure. The error is "line N: why" for the first line that is wrong.
Result<std::vector<UserBindingEntry>> parseUserBindingTable(std::string_view text);

} // namespace l2tpsec
