#pragma once
// X.509 certificates for IKEv1 authentication, behind a Botan-free
// interface: loading (PEM or DER), what an identity check needs (subject DN
// as DER and as text, subjectAltNames), and path validation against the
// configured trust anchors (validity period, signatures, basic constraints
// and key usage of the issuers, RFC 5280 §6 as Botan implements it).

#include "common/ip_address.h"
#include "common/result.h"
#include "crypto/signature.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::crypto {

/// subjectAltName entries an IKEv1 ID can name (RFC 4945 §3.1).
struct AltNames {
	std::vector<IpAddress> ipv4;
	std::vector<std::string> dns;
	std::vector<std::string> email;
};

class Certificate {
public:
	/// One DER certificate.
	static Result<Certificate> fromDer(std::span<const uint8_t> der);
	/// Every certificate of a PEM file (in order: the first is the one the
	/// file is for, the rest its chain), or the one certificate of a DER
	/// file. The error says what is wrong without the file's name.
	static Result<std::vector<Certificate>> loadFile(const std::string &path);
	static Result<std::vector<Certificate>> fromBytes(std::span<const uint8_t> data);

	~Certificate();
	Certificate(Certificate &&) noexcept;
	Certificate &operator=(Certificate &&) noexcept;
	Certificate(const Certificate &);
	Certificate &operator=(const Certificate &);

	const std::vector<uint8_t> &der() const;
	/// The subject Name as it is encoded in the certificate (an ID_DER_ASN1_DN body).
	std::vector<uint8_t> subjectDer() const;
	/// "C=CH, O=Example, CN=vpn.example.com" for logs.
	std::string subjectText() const;
	std::string issuerText() const;
	/// The subject's commonName values (usually one): what [ike]
	/// bind_ppp_user = "cn" binds a PPP user name to.
	std::vector<std::string> commonNames() const;
	AltNames altNames() const;
	PublicKey publicKey() const;
	/// Whether a DER Name is this certificate's subject, compared as RFC 5280
	/// §7.1 says (attribute by attribute, case and spaces folded), not byte
	/// for byte (peers re-encode strings).
	bool subjectIs(std::span<const uint8_t> dnDer) const;

private:
	friend class TrustStore;
	struct State;
	explicit Certificate(std::unique_ptr<State> state);
	std::unique_ptr<State> state_;
};

/// A DER Name from its text form "C=CH, O=Example, CN=vpn.example.com"
/// (short names C, ST, L, O, OU, CN, E/emailAddress, serialNumber, DC, UID;
/// a comma inside a value written "\,"); nullopt if it does not parse.
std::optional<std::vector<uint8_t>> dnFromText(std::string_view text);
/// The text form of a DER Name, nullopt if it does not parse.
std::optional<std::string> dnText(std::span<const uint8_t> dnDer);
/// Whether two DER Names are the same Name (RFC 5280 §7.1 comparison).
bool dnEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);

/// The CA certificates a peer's certificate must chain to.
class TrustStore {
public:
	TrustStore();
	~TrustStore();
	TrustStore(TrustStore &&) noexcept;
	TrustStore &operator=(TrustStore &&) noexcept;
	TrustStore(const TrustStore &) = delete;
	TrustStore &operator=(const TrustStore &) = delete;

	void add(Certificate ca);
	size_t size() const;
	/// The anchors' subject DNs (DER), for our CERTREQ payloads.
	std::vector<std::vector<uint8_t>> subjects() const;

	/// Validates leaf (with intermediates the peer sent) up to one of the
	/// anchors at time `at`. The error is one short phrase: "certificate
	/// has expired", "certificate issuer not found", "signature error", ...
	Result<void> verify(const Certificate &leaf, std::span<const Certificate> intermediates,
	                    std::chrono::system_clock::time_point at) const;

private:
	struct State;
	std::unique_ptr<State> state_;
};

} // namespace l2tpsec::crypto
