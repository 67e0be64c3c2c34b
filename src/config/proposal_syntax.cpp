#include "config/proposal_syntax.h"

#include <array>
#include <vector>

namespace l2tpsec {

namespace {
constexpr std::array kCbcCiphers{"aes128", "aes192", "aes256", "3des"};
constexpr std::array kAeadCiphers{"aes128gcm16", "aes256gcm16"};
constexpr std::array kIkeIntegrity{"sha1", "sha256", "sha384", "sha512", "md5"};
// sha256_96: Android 6/7 truncate HMAC-SHA-256 to 96 bits (legacy profile).
constexpr std::array kEspIntegrity{"sha1", "sha256", "sha384", "sha512", "md5", "sha256_96"};
constexpr std::array kGroups{"modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "ecp256", "ecp384"};

template <size_t N>
bool oneOf(const std::array<const char *, N> &names, std::string_view s)
{
	for (const char *n : names)
		if (s == n)
			return true;
	return false;
}

std::vector<std::string_view> splitDash(std::string_view text)
{
	std::vector<std::string_view> parts;
	size_t start = 0;
	while (true) {
		size_t dash = text.find('-', start);
		parts.push_back(text.substr(start, dash == std::string_view::npos ? dash : dash - start));
		if (dash == std::string_view::npos)
			return parts;
		start = dash + 1;
	}
}
} // namespace

std::optional<ProposalSpelling> parseIkeProposal(std::string_view text)
{
	auto p = splitDash(text);
	if (p.size() != 3 || !oneOf(kCbcCiphers, p[0]) || !oneOf(kIkeIntegrity, p[1]) || !oneOf(kGroups, p[2]))
		return std::nullopt;
	return ProposalSpelling{std::string(p[0]), std::string(p[1]), std::string(p[2])};
}

std::optional<ProposalSpelling> parseEspProposal(std::string_view text)
{
	auto p = splitDash(text);
	if (!p.empty() && oneOf(kAeadCiphers, p[0])) {
		if (p.size() == 1)
			return ProposalSpelling{std::string(p[0]), "", ""};
		if (p.size() == 2 && oneOf(kGroups, p[1]))
			return ProposalSpelling{std::string(p[0]), "", std::string(p[1])};
		return std::nullopt;
	}
	if (p.size() < 2 || p.size() > 3 || !oneOf(kCbcCiphers, p[0]) || !oneOf(kEspIntegrity, p[1]))
		return std::nullopt;
	if (p.size() == 3 && !oneOf(kGroups, p[2]))
		return std::nullopt;
	return ProposalSpelling{std::string(p[0]), std::string(p[1]), p.size() == 3 ? std::string(p[2]) : ""};
}

} // namespace l2tpsec
