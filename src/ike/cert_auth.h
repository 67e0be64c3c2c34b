#pragma once
// Certificate authentication for Main Mode (RFC 2409 §5.1): the credentials
// an engine signs and verifies with, the IDs they stand for, and the checks
// a peer's ID, certificate and signature must pass (RFC 4945 §3: the ID must
// be the certificate's subject DN or one of its subjectAltNames).

#include "common/result.h"
#include "config/config.h"
#include "crypto/signature.h"
#include "crypto/x509_trust.h"
#include "ike/codec/id_payload.h"
#include "ike/codec/transform_attributes.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::ike {

struct CertCredentials {
	/// Our certificate first, then any chain the peer may need; all are sent.
	std::vector<crypto::Certificate> chain;
	std::shared_ptr<const crypto::PrivateKey> key;
	/// The CAs a peer's certificate must chain to.
	std::shared_ptr<const crypto::TrustStore> trust;
	/// Our phase-1 ID; by default ID_DER_ASN1_DN with our certificate's subject.
	IdPayload localId;
	/// The identity the peer's certificate must carry (subject DN or a
	/// subjectAltName); nullopt accepts any certificate the CAs vouch for.
	std::optional<IdPayload> peerId;
};

/// What a peer's certificate says about who holds it, kept with the ISAKMP
/// SA once its signature checked out: the daemon binds the PPP user of the
/// tunnels under it to these ([ike] bind_ppp_user).
struct PeerCertificate {
	std::string subject; ///< "C=CH, O=Example, CN=alice"
	std::vector<std::string> commonNames;
	std::vector<std::string> emails;   ///< rfc822Name subjectAltNames
	std::vector<std::string> dnsNames; ///< dNSName subjectAltNames
	bool operator==(const PeerCertificate &) const = default;
};
PeerCertificate peerCertificateOf(const crypto::Certificate &cert);

/// Reads and cross-checks the files of a [ike] or [[lac]] section: the
/// certificate and key must parse and belong together, every CA must
/// parse, the IDs must parse. `where` prefixes errors ("[[lac]] 'office'",
/// or empty); each error names the key and the file.
Result<std::shared_ptr<const CertCredentials>> loadCertCredentials(const CertConfig &config, std::string_view where);

/// An ID from its config spelling: an IPv4 address (ID_IPV4_ADDR), a DN
/// with '=' ("C=CH, O=Example, CN=vpn", ID_DER_ASN1_DN), "user@domain"
/// (ID_USER_FQDN), else a host name (ID_FQDN).
std::optional<IdPayload> idFromText(std::string_view text);
/// The ID for logs: an address, a name, or a DN in its text form.
std::string identityText(const IdPayload &id);

/// The signature method a key signs with: RSA 3, ECDSA 9/10/11 (RFC 4754).
IkeAuthMethod signatureMethod(crypto::SignatureKind kind);
bool isSignatureMethod(IkeAuthMethod m);

/// Whether the certificate vouches for the ID: a DN equal to its subject; an
/// FQDN, USER_FQDN or IPv4 address among its subjectAltNames (DNS, email,
/// IP). The error says what the certificate holds instead.
Result<void> idMatchesCertificate(const IdPayload &id, const crypto::Certificate &cert);

} // namespace l2tpsec::ike
