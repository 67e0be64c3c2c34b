#include "daemon/cert_binding.h"

#include "config/user_binding_table.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace l2tpsec {

namespace {

// Every identity a table line may name.
std::vector<std::string> identitiesOf(const ike::PeerCertificate &cert)
{
	std::vector<std::string> ids = cert.commonNames;
	ids.insert(ids.end(), cert.emails.begin(), cert.emails.end());
	ids.insert(ids.end(), cert.dnsNames.begin(), cert.dnsNames.end());
	return ids;
}

std::vector<std::string> labelled(std::string_view label, const std::vector<std::string> &names)
{
	std::vector<std::string> out;
	for (const std::string &n : names)
		out.push_back(fmt::format("{}{}", label, n));
	return out;
}

} // namespace

std::vector<std::string> boundUsers(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert)
{
	switch (binding.mode) {
	case PppUserBinding::Off: return {};
	case PppUserBinding::CommonName: return cert.commonNames;
	case PppUserBinding::Email: return cert.emails;
	case PppUserBinding::Dns: return cert.dnsNames;
	case PppUserBinding::Table: break;
	}
	std::vector<std::string> users;
	for (const std::string &id : identitiesOf(cert))
		for (const UserBindingEntry &e : binding.entries)
			if (sameIdentity(e.identity, id))
				for (const std::string &u : e.users)
					if (std::find(users.begin(), users.end(), u) == users.end())
						users.push_back(u);
	return users;
}

bool userBound(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert, std::string_view user)
{
	// A commonName or a table's user is a PPP name as the secrets spell it
	// (pppd compares those exactly); mail addresses and DNS names are not
	// case sensitive.
	bool exact = binding.mode == PppUserBinding::CommonName || binding.mode == PppUserBinding::Table;
	std::vector<std::string> users = boundUsers(binding, cert);
	return std::any_of(users.begin(), users.end(),
	                   [&](const std::string &u) { return exact ? u == user : sameIdentity(u, user); });
}

std::string boundIdentityText(const PppUserBindingConfig &binding, const ike::PeerCertificate &cert)
{
	std::vector<std::string> parts;
	bool table = binding.mode == PppUserBinding::Table;
	if (table || binding.mode == PppUserBinding::CommonName)
		for (std::string &s : labelled("CN=", cert.commonNames))
			parts.push_back(std::move(s));
	if (table || binding.mode == PppUserBinding::Email)
		for (std::string &s : labelled("email ", cert.emails))
			parts.push_back(std::move(s));
	if (table || binding.mode == PppUserBinding::Dns)
		for (std::string &s : labelled("DNS ", cert.dnsNames))
			parts.push_back(std::move(s));
	if (parts.empty())
		return fmt::format("'{}' (no {} in it)", cert.subject,
		                   binding.mode == PppUserBinding::CommonName ? "CN"
		                   : binding.mode == PppUserBinding::Email    ? "email subjectAltName"
		                   : binding.mode == PppUserBinding::Dns      ? "DNS subjectAltName"
		                                                              : "CN or subjectAltName");
	return fmt::format("{}", fmt::join(parts, ", "));
}

std::optional<std::string> bindingRefusal(const PppUserBindingConfig &binding,
                                          const std::optional<ike::PeerCertificate> &cert, std::string_view user,
                                          std::string_view peer)
{
	if (!binding.on())
		return std::nullopt;
	std::string key = fmt::format("[ike] bind_ppp_user = \"{}\"", pppUserBindingText(binding));
	if (!cert)
		return fmt::format("peer {}: PPP user {} came without a device certificate (IKE with a pre-shared key, "
		                   "or no IPsec), and {} needs one: refused",
		                   peer, user, key);
	if (userBound(binding, *cert, user))
		return std::nullopt;
	std::string line = fmt::format("peer {}: PPP user {} is not bound to certificate {} ({}", peer, user,
	                               boundIdentityText(binding, *cert), key);
	if (binding.mode == PppUserBinding::Table) {
		std::vector<std::string> users = boundUsers(binding, *cert);
		line += users.empty() ? ", which gives it no user"
		                      : fmt::format(", which gives it {}", fmt::join(users, ", "));
	}
	return line + "): refused";
}

} // namespace l2tpsec
