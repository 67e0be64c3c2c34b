#include "config/proposal_syntax.h"

#include "algorithms/algorithm_table.h"

#include <vector>

namespace l2tpsec {

namespace {

// Which names are which comes from the algorithm table: a cipher IKE may
// use has a phase-1 cipher, an AEAD one takes no integrity, a hash IKE may
// use has a phase-1 hash.
bool isIkeCipher(std::string_view s)
{
	const algorithms::CipherRow *r = algorithms::cipherByConfig(s);
	return r && r->cbc;
}
bool isEspCbcCipher(std::string_view s)
{
	const algorithms::CipherRow *r = algorithms::cipherByConfig(s);
	return r && r->espId != 0 && !r->aead;
}
bool isAeadCipher(std::string_view s)
{
	const algorithms::CipherRow *r = algorithms::cipherByConfig(s);
	return r && r->espId != 0 && r->aead;
}
bool isIkeIntegrity(std::string_view s)
{
	const algorithms::IntegrityRow *r = algorithms::integrityByConfig(s);
	return r && r->hash;
}
bool isEspIntegrity(std::string_view s)
{
	return algorithms::integrityByConfig(s) != nullptr;
}
bool isGroupName(std::string_view s)
{
	return algorithms::groupByConfig(s) != nullptr;
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
	if (p.size() != 3 || !isIkeCipher(p[0]) || !isIkeIntegrity(p[1]) || !isGroupName(p[2]))
		return std::nullopt;
	return ProposalSpelling{std::string(p[0]), std::string(p[1]), std::string(p[2])};
}

std::optional<ProposalSpelling> parseEspProposal(std::string_view text)
{
	auto p = splitDash(text);
	if (!p.empty() && isAeadCipher(p[0])) {
		if (p.size() == 1)
			return ProposalSpelling{std::string(p[0]), "", ""};
		if (p.size() == 2 && isGroupName(p[1]))
			return ProposalSpelling{std::string(p[0]), "", std::string(p[1])};
		return std::nullopt;
	}
	if (p.size() < 2 || p.size() > 3 || !isEspCbcCipher(p[0]) || !isEspIntegrity(p[1]))
		return std::nullopt;
	if (p.size() == 3 && !isGroupName(p[2]))
		return std::nullopt;
	return ProposalSpelling{std::string(p[0]), std::string(p[1]), p.size() == 3 ? std::string(p[2]) : ""};
}

} // namespace l2tpsec
