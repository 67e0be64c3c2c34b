#include "ike/cert_auth.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace l2tpsec::ike {

namespace {

bool sameName(std::string_view a, std::string_view b)
{
	// DNS names and the host part of mail addresses compare without case (RFC 4343).
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::tolower(static_cast<unsigned char>(x)) ==
		              std::tolower(static_cast<unsigned char>(y));
	       });
}

std::string textOf(const std::vector<uint8_t> &data)
{
	return std::string(data.begin(), data.end());
}

std::string certHolds(const crypto::Certificate &cert)
{
	crypto::AltNames alt = cert.altNames();
	std::string s = "subject '" + cert.subjectText() + "'";
	std::vector<std::string> names;
	for (const IpAddress &a : alt.ipv4)
		names.push_back(a.str());
	names.insert(names.end(), alt.dns.begin(), alt.dns.end());
	names.insert(names.end(), alt.email.begin(), alt.email.end());
	if (!names.empty())
		s += fmt::format(", subjectAltNames {}", fmt::join(names, ", "));
	return s;
}

} // namespace

std::optional<IdPayload> idFromText(std::string_view text)
{
	if (text.empty())
		return std::nullopt;
	if (auto a = IpAddress::parse(text); a && a->isV4())
		return IdPayload::address(*a);
	if (text.find('=') != std::string_view::npos) {
		auto der = crypto::dnFromText(text);
		if (!der)
			return std::nullopt;
		return IdPayload{IdType::DerAsn1Dn, 0, 0, std::move(*der)};
	}
	if (text.find_first_of(" ,") != std::string_view::npos)
		return std::nullopt;
	return IdPayload::text(text.find('@') != std::string_view::npos ? IdType::UserFqdn : IdType::Fqdn, text);
}

std::string identityText(const IdPayload &id)
{
	if (id.type == IdType::Ipv4Addr || id.type == IdType::Ipv6Addr) {
		if (auto a = ipFromBytes(id.data))
			return a->str();
	} else if (id.type == IdType::Fqdn || id.type == IdType::UserFqdn) {
		return textOf(id.data);
	} else if (id.type == IdType::DerAsn1Dn) {
		if (auto t = crypto::dnText(id.data))
			return *t;
		return "(a DN that does not parse)";
	}
	return fmt::format("(ID type {}, {} bytes)", int(id.type), id.data.size());
}

IkeAuthMethod signatureMethod(crypto::SignatureKind kind)
{
	switch (kind) {
	case crypto::SignatureKind::Rsa: return IkeAuthMethod::RsaSignatures;
	case crypto::SignatureKind::EcdsaP256: return IkeAuthMethod::EcdsaSha256P256;
	case crypto::SignatureKind::EcdsaP384: return IkeAuthMethod::EcdsaSha384P384;
	case crypto::SignatureKind::EcdsaP521: return IkeAuthMethod::EcdsaSha512P521;
	}
	return IkeAuthMethod::RsaSignatures;
}

bool isSignatureMethod(IkeAuthMethod m)
{
	return m == IkeAuthMethod::RsaSignatures || m == IkeAuthMethod::EcdsaSha256P256 ||
	       m == IkeAuthMethod::EcdsaSha384P384 || m == IkeAuthMethod::EcdsaSha512P521;
}

PeerCertificate peerCertificateOf(const crypto::Certificate &cert)
{
	crypto::AltNames alt = cert.altNames();
	return PeerCertificate{cert.subjectText(), cert.commonNames(), std::move(alt.email), std::move(alt.dns)};
}

Result<void> idMatchesCertificate(const IdPayload &id, const crypto::Certificate &cert)
{
	crypto::AltNames alt = cert.altNames();
	bool ok = false;
	if (id.type == IdType::DerAsn1Dn) {
		ok = cert.subjectIs(id.data);
	} else if (id.type == IdType::Fqdn) {
		ok = std::any_of(alt.dns.begin(), alt.dns.end(),
		                 [&](const std::string &n) { return sameName(n, textOf(id.data)); });
	} else if (id.type == IdType::UserFqdn) {
		ok = std::any_of(alt.email.begin(), alt.email.end(),
		                 [&](const std::string &n) { return sameName(n, textOf(id.data)); });
	} else if (id.type == IdType::Ipv4Addr) {
		auto a = ipFromBytes(id.data);
		ok = a && std::find(alt.ipv4.begin(), alt.ipv4.end(), *a) != alt.ipv4.end();
	} else {
		return Error{EPERM, fmt::format("ID type {} cannot name a certificate's holder", int(id.type))};
	}
	if (!ok)
		return Error{EPERM,
		             fmt::format("ID '{}' is not in the certificate ({})", identityText(id), certHolds(cert))};
	return {};
}

Result<std::shared_ptr<const CertCredentials>> loadCertCredentials(const CertConfig &config, std::string_view where)
{
	auto fail = [&](std::string_view key, const std::string &path, const std::string &what) {
		return Error{EINVAL, fmt::format("{}{}{} '{}': {}", where, where.empty() ? "" : " ", key, path, what)};
	};
	std::string prefix = where.empty() ? "" : std::string(where) + " ";
	auto creds = std::make_shared<CertCredentials>();
	auto chain = crypto::Certificate::loadFile(config.certificate.path);
	if (!chain)
		return fail("certificate", config.certificate.path, chain.error().message);
	creds->chain = std::move(*chain);
	auto key = crypto::PrivateKey::loadFile(config.privateKey.path);
	if (!key)
		return fail("private_key", config.privateKey.path, key.error().message);
	if (!key->matches(creds->chain.front().publicKey()))
		return fail("private_key", config.privateKey.path,
		            fmt::format("not the key of certificate '{}' (subject '{}')", config.certificate.path,
		                        creds->chain.front().subjectText()));
	creds->key = std::make_shared<const crypto::PrivateKey>(std::move(*key));
	auto trust = std::make_shared<crypto::TrustStore>();
	for (const ConfigPath &ca : config.ca) {
		auto certs = crypto::Certificate::loadFile(ca.path);
		if (!certs)
			return fail("ca", ca.path, certs.error().message);
		for (crypto::Certificate &c : *certs)
			trust->add(std::move(c));
	}
	creds->trust = std::move(trust);
	if (config.localId.empty()) {
		creds->localId = IdPayload{IdType::DerAsn1Dn, 0, 0, creds->chain.front().subjectDer()};
	} else {
		auto id = idFromText(config.localId);
		if (!id)
			return Error{EINVAL, fmt::format("{}local_id '{}': not an address, DN, name or user@name",
			                                 prefix, config.localId)};
		if (auto r = idMatchesCertificate(*id, creds->chain.front()); !r)
			return Error{EINVAL, fmt::format("{}local_id: {}", prefix, r.error().message)};
		creds->localId = std::move(*id);
	}
	if (!config.peerId.empty()) {
		auto id = idFromText(config.peerId);
		if (!id)
			return Error{EINVAL, fmt::format("{}peer_id '{}': not an address, DN, name or user@name",
			                                 prefix, config.peerId)};
		creds->peerId = std::move(*id);
	}
	return std::shared_ptr<const CertCredentials>(std::move(creds));
}

} // namespace l2tpsec::ike
