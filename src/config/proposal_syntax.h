#pragma once
// The spelling of IKE and ESP proposals in the config ("aes256-sha256-modp2048",
// "aes128gcm16"), strongSwan's style. This only checks names, against the
// algorithm table (algorithms/algorithm_table.h, which maps them to IKE, XFRM
// and Botan); which proposals a profile expands to lives in ike/.

#include <optional>
#include <string>
#include <string_view>

namespace l2tpsec {

struct ProposalSpelling {
	std::string encryption; ///< aes128, aes192, aes256, 3des, aes128gcm16, aes256gcm16
	std::string integrity;  ///< sha1, sha256, sha384, sha512, md5, sha256_96; empty for AEAD ESP
	std::string group;      ///< modp1024 ... ecp384; for ESP only with PFS
};

/// IKE (phase 1): encryption-integrity-group, all three required.
std::optional<ProposalSpelling> parseIkeProposal(std::string_view text);
/// ESP (phase 2): encryption-integrity[-group] or aesNNNgcm16[-group].
std::optional<ProposalSpelling> parseEspProposal(std::string_view text);

} // namespace l2tpsec
