// Main Mode with X.509 certificates (RFC 2409 §5.1) between two engines of
// this code (ike_lab.h), RSA and ECDSA P-256, and the ways it must fail: a
// wrong signature, an untrusted CA, an expired certificate, an ID the
// certificate does not carry, an unexpected server, no certificate. The PKI
// is fixed (data/make_certs.sh made it with OpenSSL); the signature formats
// are pinned by OpenSSL's known answers.
#include "crypto/signature.h"
#include "crypto/x509_trust.h"
#include "hex.h"
#include "ike/cert_auth.h"
#include "ike/codec/opaque_payloads.h"
#include "ike_lab.h"

#include <doctest.h>

#include <fstream>
#include <sstream>

using namespace l2tpsec;
using namespace l2tpsec::ike;
using namespace l2tpsec::ike::test;

namespace {

std::string data(const std::string &name)
{
	return std::string(L2TPSEC_IKE_TEST_DATA) + "/" + name;
}

std::shared_ptr<const CertCredentials> creds(const std::string &name, const std::string &ca, std::string peerId = "",
                                             std::string localId = "")
{
	CertConfig c;
	c.certificate = {data(name + ".pem"), 0};
	c.privateKey = {data(name + ".key"), 0};
	c.ca = {{data(ca + ".pem"), 0}};
	c.peerId = std::move(peerId);
	c.localId = std::move(localId);
	auto r = loadCertCredentials(c, "test");
	REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
	return *r;
}

/// An engine that authenticates with these credentials only (no PSK).
IkeEngineConfig certConfig(std::shared_ptr<const CertCredentials> cc)
{
	IkeConfig ike;
	auto c = ikeEngineConfig(ike);
	REQUIRE(c);
	c->certs = [cc](const IpAddress &) { return cc; };
	return std::move(*c);
}

const std::string kClientDn = "C=CH, O=l2tpsec test, CN=client.example.test";
const std::string kServerDn = "C=CH, O=l2tpsec test, CN=vpn.example.test";

std::vector<uint8_t> hexFile(const std::string &name)
{
	std::ifstream in(data(name));
	std::stringstream s;
	s << in.rdbuf();
	return hex(s.str());
}

/// The payloads of a cleartext Main Mode datagram.
std::vector<RawPayload> payloadsOf(const FakeIkeNetwork::Datagram &d)
{
	auto m = parseMessage(d.bytes);
	REQUIRE(m);
	auto chain = parsePayloadChain(m->header.nextPayload, m->body);
	REQUIRE(chain);
	return *chain;
}

/// Both ends up with one SA pair each, no failure anywhere.
void checkUp(Pair &p)
{
	CHECK(p.lab.count("MM*") == 2);
	CHECK(p.lab.count("QM*") == 3);
	REQUIRE(p.server->observer.ikeUps.size() == 1);
	REQUIRE(p.client->observer.ikeUps.size() == 1);
	CHECK(p.server->observer.childUps.size() == 1);
	CHECK(p.client->observer.childUps.size() == 1);
	CHECK(p.server->kernel.sas().size() == 2);
	CHECK(p.client->kernel.sas().size() == 2);
}

/// The responder refused MM5: one log line there, the initiator told at
/// once, and nothing left in either kernel or engine.
void checkRefused(Pair &p, const LogCapture &logs, const std::string &reason, const std::string &notify)
{
	CHECK(logs.countOf("authentication failed") == 1);
	CHECK(logs.has("peer 192.0.2.2:500: authentication failed: " + reason));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-down 1: the peer refused our authentication: " + notify});
	CHECK(p.server->observer.events.empty());
	// What brute-force blocking counts: the responder's refusal, by the peer's address.
	CHECK(p.server->observer.authFailures == std::vector<std::string>{"192.0.2.2: " + reason});
	CHECK(p.client->observer.authFailures.empty());
	CHECK(p.lab.count("MM*") == 1); // MM5, not retransmitted
	CHECK(p.lab.count("INFO*") == 1);
	CHECK(p.server->kernel.calls().empty());
	CHECK(p.client->kernel.calls().empty());
	CHECK(p.server->engine.saCount() == 0);
	CHECK(p.client->engine.saCount() == 0);
}

} // namespace

// ---- crypto: the formats, against OpenSSL ----------------------------------------

TEST_CASE("IKEv1 RSA signature: PKCS#1 v1.5 type 1 over the raw hash, as OpenSSL pkeyutl makes it")
{
	auto key = crypto::PrivateKey::loadFile(data("client-rsa.key")); // "RSA PRIVATE KEY" (PKCS#1)
	REQUIRE(key);
	CHECK(key->kind() == crypto::SignatureKind::Rsa);
	std::vector<uint8_t> hash = hex("0102030405060708090a0b0c0d0e0f1011121314");
	auto sig = key->signIke(hash);
	REQUIRE(sig);
	CHECK(*sig == hexFile("client-rsa.rawsig.hex"));
	auto cert = crypto::Certificate::loadFile(data("client-rsa.pem"));
	REQUIRE(cert);
	crypto::PublicKey pub = cert->front().publicKey();
	CHECK(key->matches(pub));
	CHECK(pub.verifyIke(hash, *sig));
	hash[0] ^= 1;
	CHECK_FALSE(pub.verifyIke(hash, *sig));
}

TEST_CASE("IKEv1 ECDSA P-256 signature: r | s over the raw hash; OpenSSL's verifies, ours round-trips")
{
	auto key = crypto::PrivateKey::loadFile(data("client-ec.key")); // PKCS#8
	REQUIRE(key);
	CHECK(key->kind() == crypto::SignatureKind::EcdsaP256);
	CHECK(signatureMethod(key->kind()) == IkeAuthMethod::EcdsaSha256P256);
	auto cert = crypto::Certificate::loadFile(data("client-ec.pem"));
	REQUIRE(cert);
	crypto::PublicKey pub = cert->front().publicKey();
	std::vector<uint8_t> hash = hex("0102030405060708090a0b0c0d0e0f1011121314");
	std::vector<uint8_t> openssl = hexFile("client-ec.rawsig.hex");
	REQUIRE(openssl.size() == 64);
	CHECK(pub.verifyIke(hash, openssl));
	auto sig = key->signIke(hash);
	REQUIRE(sig);
	CHECK(sig->size() == 64);
	CHECK(pub.verifyIke(hash, *sig));
	// A DER-encoded signature (IKEv2's RFC 7427 form) is not IKEv1's.
	CHECK_FALSE(pub.verifyIke(hash, hex("3006020101020101")));
	auto sec1 = crypto::PrivateKey::loadFile(data("server-ec.key")); // "EC PRIVATE KEY" (SEC 1)
	REQUIRE(sec1);
	CHECK(sec1->kind() == crypto::SignatureKind::EcdsaP256);
	CHECK_FALSE(sec1->matches(pub));
}

TEST_CASE("certificates: subject, subjectAltNames, DN text, chain validation")
{
	auto cert = crypto::Certificate::loadFile(data("client-rsa.pem"));
	REQUIRE(cert);
	const crypto::Certificate &c = cert->front();
	CHECK(c.subjectText() == kClientDn);
	CHECK(c.issuerText() == "C=CH, O=l2tpsec test, CN=l2tpsec test CA RSA");
	crypto::AltNames alt = c.altNames();
	CHECK(alt.dns == std::vector<std::string>{"client.example.test"});
	CHECK(alt.email == std::vector<std::string>{"alice@example.test"});
	REQUIRE(alt.ipv4.size() == 1);
	CHECK(alt.ipv4[0].str() == "192.0.2.2");
	CHECK(c.commonNames() == std::vector<std::string>{"client.example.test"});
	CHECK(peerCertificateOf(c) ==
	      PeerCertificate{kClientDn, {"client.example.test"}, {"alice@example.test"}, {"client.example.test"}});
	auto dn = crypto::dnFromText("c=CH,  O=l2tpsec test, CN=CLIENT.example.test");
	REQUIRE(dn);
	CHECK(c.subjectIs(*dn)); // RFC 5280 §7.1: case folded
	CHECK(crypto::dnText(c.subjectDer()) == kClientDn);
	CHECK_FALSE(crypto::dnFromText("CN=x, nonsense"));
	CHECK_FALSE(crypto::dnFromText("XX=y"));

	crypto::TrustStore rsa, other;
	rsa.add(crypto::Certificate::loadFile(data("ca-rsa.pem"))->front());
	other.add(crypto::Certificate::loadFile(data("ca-other.pem"))->front());
	auto now = std::chrono::system_clock::now();
	CHECK(rsa.verify(c, {}, now));
	auto untrusted = other.verify(c, {}, now);
	REQUIRE_FALSE(untrusted);
	CHECK(untrusted.error().message == "certificate issuer not found");
	auto expired = rsa.verify(c, {}, now + std::chrono::hours(24 * 365 * 200));
	REQUIRE_FALSE(expired);
	CHECK(expired.error().message == "certificate has expired");
	// A leaf is no CA: a certificate it "issued" does not chain (basic constraints).
	crypto::TrustStore leafAsCa;
	leafAsCa.add(c);
	CHECK_FALSE(leafAsCa.verify(crypto::Certificate::loadFile(data("server-rsa.pem"))->front(), {}, now));
}

TEST_CASE("IDs from their config spelling, and which a certificate carries")
{
	auto cert = crypto::Certificate::loadFile(data("client-ec.pem"));
	REQUIRE(cert);
	const crypto::Certificate &c = cert->front();
	for (const char *ok : {"192.0.2.2", "client.example.test", "Client.Example.Test", "alice@example.test",
	                       "C=CH, O=l2tpsec test, CN=client.example.test"}) {
		auto id = idFromText(ok);
		REQUIRE_MESSAGE(id, ok);
		CHECK_MESSAGE(idMatchesCertificate(*id, c), ok);
	}
	CHECK(idFromText("192.0.2.2")->type == IdType::Ipv4Addr);
	CHECK(idFromText("vpn.example.test")->type == IdType::Fqdn);
	CHECK(idFromText("alice@example.test")->type == IdType::UserFqdn);
	CHECK(idFromText("CN=x")->type == IdType::DerAsn1Dn);
	auto wrong = idMatchesCertificate(*idFromText("bob@example.test"), c);
	REQUIRE_FALSE(wrong);
	CHECK(wrong.error().message == "ID 'bob@example.test' is not in the certificate (subject '" + kClientDn +
	                                       "', subjectAltNames 192.0.2.2, client.example.test, "
	                                       "alice@example.test)");
	CHECK_FALSE(idMatchesCertificate(*idFromText("192.0.2.1"), c));
	CHECK_FALSE(idMatchesCertificate(*idFromText("C=CH, O=l2tpsec test, CN=vpn.example.test"), c));
}

TEST_CASE("credentials: the key must be the certificate's; each error names the key and the file")
{
	CertConfig c;
	c.certificate = {data("client-rsa.pem"), 0};
	c.privateKey = {data("server-rsa.key"), 0};
	c.ca = {{data("ca-rsa.pem"), 0}};
	auto r = loadCertCredentials(c, "[[lac]] 'office'");
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "[[lac]] 'office' private_key '" + data("server-rsa.key") +
	                                   "': not the key of certificate '" + data("client-rsa.pem") + "' (subject '" +
	                                   kClientDn + "')");
	c.privateKey = {data("client-rsa.pem"), 0};
	r = loadCertCredentials(c, "");
	REQUIRE_FALSE(r);
	CHECK(r.error().message.starts_with("private_key '" + data("client-rsa.pem") + "': not a private key"));
	c.privateKey = {data("client-rsa.key"), 0};
	c.ca = {{data("client-rsa.key"), 0}};
	r = loadCertCredentials(c, "");
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "ca '" + data("client-rsa.key") + "': no BEGIN CERTIFICATE block in this PEM file");
	c.ca = {{data("no-such-ca.pem"), 0}};
	r = loadCertCredentials(c, "");
	REQUIRE_FALSE(r);
	CHECK(r.error().message == "ca '" + data("no-such-ca.pem") + "': cannot read it: No such file or directory");
	c.ca = {{data("ca-rsa.pem"), 0}};
	c.localId = "vpn.example.test";
	r = loadCertCredentials(c, "");
	REQUIRE_FALSE(r);
	CHECK(r.error().message.starts_with("local_id: ID 'vpn.example.test' is not in the certificate"));
	c.localId = "alice@example.test";
	r = loadCertCredentials(c, "");
	REQUIRE(r);
	CHECK((*r)->localId == IdPayload::text(IdType::UserFqdn, "alice@example.test"));
}

// ---- Main Mode with signatures, both roles ---------------------------------------

TEST_CASE("RSA signatures: Main Mode with CERTREQ, CERT and SIG, Quick Mode, both ends up")
{
	Pair p(certConfig(creds("server-rsa", "ca-rsa")),
	       certConfig(creds("client-rsa", "ca-rsa", "vpn.example.test")));
	LogCapture logs;
	p.connect();
	CHECK(p.lab.wire == kDirectSetupWire);
	checkUp(p);
	CHECK(logs.has("192.0.2.2:500: chose aes128-sha256-ecp256/rsasig"));
	CHECK(p.server->observer.ikeUps[0].peerId == kClientDn);
	CHECK(p.client->observer.ikeUps[0].peerId == kServerDn);
	// The certificate's names stay with the SA ([ike] bind_ppp_user binds PPP users to them).
	REQUIRE(p.server->observer.ikeUps[0].peerCert);
	CHECK(p.server->observer.ikeUps[0].peerCert->commonNames == std::vector<std::string>{"client.example.test"});
	CHECK(p.server->observer.ikeUps[0].peerCert->emails == std::vector<std::string>{"alice@example.test"});
	REQUIRE(p.server->engine.ikeSas().size() == 1);
	CHECK(p.server->engine.ikeSas()[0].peerCert == p.server->observer.ikeUps[0].peerCert);
	// MM3 and MM4 ask for a certificate from our CA by its DN (RFC 2408 §3.10).
	auto caDn = crypto::Certificate::loadFile(data("ca-rsa.pem"))->front().subjectDer();
	for (size_t i : {2, 3}) {
		auto payloads = payloadsOf(p.lab.datagrams[i]);
		const RawPayload *cr = nullptr;
		for (const RawPayload &x : payloads)
			if (x.type == PayloadType::CertificateRequest)
				cr = &x;
		REQUIRE(cr);
		auto req = parseCertificateRequest(cr->body);
		REQUIRE(req);
		CHECK(req->type == CertEncoding::X509Signature);
		CHECK(req->authority == caDn);
	}
	// ESP keys agree: the same Quick Mode as with a PSK under SKEYID for signatures.
	for (const auto &s : p.server->kernel.sas()) {
		const auto *c = findSa(p.client->kernel, s.id.spi);
		REQUIRE(c);
		CHECK(c->params.keys.encryptionKey == s.params.keys.encryptionKey);
	}
}

TEST_CASE("ECDSA P-256 signatures (auth method 9): both ends up; a USER_FQDN ID the certificate carries")
{
	Pair p(certConfig(creds("server-ec", "ca-ec")),
	       certConfig(creds("client-ec", "ca-ec", kServerDn, "alice@example.test")));
	LogCapture logs;
	p.connect();
	checkUp(p);
	CHECK(logs.has("chose aes128-sha256-ecp256/ecdsa256"));
	CHECK(p.server->observer.ikeUps[0].peerId == "alice@example.test");
	CHECK(p.client->observer.ikeUps[0].peerId == kServerDn);
}

TEST_CASE("a responder with a key and a certificate answers either kind of client")
{
	IkeEngineConfig server = labConfig();
	auto serverCreds = creds("server-rsa", "ca-rsa");
	server.certs = [serverCreds](const IpAddress &) { return serverCreds; };
	Pair p(std::move(server), labConfig());
	LogCapture logs;
	p.connect();
	CHECK(logs.has("192.0.2.2:500: chose aes128-sha256-ecp256 (28800 s)"));
	CHECK(p.server->observer.ikeUps.size() == 1);
	CHECK_FALSE(p.server->observer.ikeUps[0].peerCert); // a pre-shared key shows no certificate

	auto client = p.lab.host("192.0.2.3", certConfig(creds("client-rsa", "ca-rsa")), 3);
	auto id = client->engine.connect(ConnectRequest{client->address, p.server->address, ChildRequest{}}, p.lab.now);
	REQUIRE(id);
	p.lab.settle();
	CHECK(logs.has("192.0.2.3:500: chose aes128-sha256-ecp256/rsasig"));
	REQUIRE(p.server->observer.ikeUps.size() == 2);
	CHECK(p.server->observer.ikeUps[1].peerId == kClientDn);
	CHECK(p.server->observer.ikeUps[1].peerCert);
	CHECK(client->observer.childUps.size() == 1);
}

TEST_CASE("an RSA client and an ECDSA-only responder have no method in common: NO-PROPOSAL-CHOSEN")
{
	Pair p(certConfig(creds("server-ec", "ca-ec")), certConfig(creds("client-rsa", "ca-rsa")));
	LogCapture logs;
	p.connect();
	CHECK(logs.has("192.0.2.2:500: no proposal chosen (Main Mode); we accept aes128-sha256-ecp256/ecdsa256/"));
	CHECK(p.client->observer.events ==
	      std::vector<std::string>{"ike-down 1: the peer refused Main Mode: NO-PROPOSAL-CHOSEN"});
}

// ---- failures ----------------------------------------------------------------------

TEST_CASE("a signature by another key: INVALID-SIGNATURE, one log line, nothing installed")
{
	auto good = creds("client-rsa", "ca-rsa");
	auto forged = std::make_shared<CertCredentials>(*good);
	forged->key = creds("client-other", "ca-other")->key; // RSA as well, not the certificate's
	Pair p(certConfig(creds("server-rsa", "ca-rsa")), certConfig(forged));
	LogCapture logs;
	p.connect();
	checkRefused(p, logs, "invalid signature (rsasig by '" + kClientDn + "')", "INVALID-SIGNATURE");
}

TEST_CASE("a certificate from a CA we do not trust: AUTHENTICATION-FAILED")
{
	Pair p(certConfig(creds("server-rsa", "ca-rsa")), certConfig(creds("client-other", "ca-rsa")));
	LogCapture logs;
	p.connect();
	checkRefused(p, logs,
	             "certificate '" + kClientDn +
	                     "' (issuer 'C=CH, O=l2tpsec test, CN=l2tpsec other CA') not trusted: certificate "
	                     "issuer not found",
	             "AUTHENTICATION-FAILED");
}

TEST_CASE("an expired client certificate: the responder refuses it")
{
	IkeEngineConfig server = certConfig(creds("server-rsa", "ca-rsa"));
	server.wallClock = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 200); };
	Pair p(std::move(server), certConfig(creds("client-rsa", "ca-rsa")));
	LogCapture logs;
	p.connect();
	checkRefused(p, logs,
	             "certificate '" + kClientDn +
	                     "' (issuer 'C=CH, O=l2tpsec test, CN=l2tpsec test CA RSA') not trusted: certificate "
	                     "has expired",
	             "AUTHENTICATION-FAILED");
}

TEST_CASE("an ID the certificate does not carry: AUTHENTICATION-FAILED naming what it does carry")
{
	auto liar = std::make_shared<CertCredentials>(*creds("client-ec", "ca-ec"));
	liar->localId = IdPayload::text(IdType::Fqdn, "intruder.example.test");
	Pair p(certConfig(creds("server-ec", "ca-ec")), certConfig(liar));
	LogCapture logs;
	p.connect();
	checkRefused(p, logs,
	             "ID 'intruder.example.test' is not in the certificate (subject '" + kClientDn +
	                     "', subjectAltNames 192.0.2.2, client.example.test, alice@example.test)",
	             "AUTHENTICATION-FAILED");
}

TEST_CASE("no certificate in MM5: AUTHENTICATION-FAILED")
{
	auto bare = std::make_shared<CertCredentials>(*creds("client-rsa", "ca-rsa"));
	bare->chain.clear();
	Pair p(certConfig(creds("server-rsa", "ca-rsa")), certConfig(bare));
	LogCapture logs;
	p.connect();
	checkRefused(p, logs, "no certificate sent (ID '" + kClientDn + "'; we have none of it)",
	             "AUTHENTICATION-FAILED");
}

TEST_CASE("the initiator refuses a server that is not its peer_id, or whose certificate expired; "
          "its Delete ends the responder's SA")
{
	SUBCASE("peer_id mismatch")
	{
		Pair p(certConfig(creds("server-rsa", "ca-rsa")),
		       certConfig(creds("client-rsa", "ca-rsa", "other.example.test")));
		LogCapture logs;
		p.connect();
		std::string why =
		        "authentication of the responder failed: not the expected peer (peer_id "
		        "'other.example.test'): ID 'other.example.test' is not in the certificate (subject '" +
		        kServerDn + "', subjectAltNames 192.0.2.1, vpn.example.test)";
		CHECK(logs.has("peer 192.0.2.1:500: " + why));
		CHECK(p.client->observer.events == std::vector<std::string>{"ike-down 1: " + why});
		CHECK(p.lab.count("QM*") == 0);
		CHECK(p.server->engine.saCount() == 0); // the Delete reached it
		CHECK(p.client->engine.saCount() == 0);
		CHECK(p.server->kernel.calls().empty());
	}
	SUBCASE("expired server certificate")
	{
		IkeEngineConfig client = certConfig(creds("client-ec", "ca-ec"));
		client.wallClock = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 200); };
		Pair p(certConfig(creds("server-ec", "ca-ec")), std::move(client));
		LogCapture logs;
		p.connect();
		CHECK(logs.countOf("authentication of the responder failed") == 1);
		CHECK(logs.has("peer 192.0.2.1:500: authentication of the responder failed: certificate '" + kServerDn +
		               "' (issuer 'C=CH, O=l2tpsec test, CN=l2tpsec test CA ECDSA') not trusted: certificate "
		               "has expired"));
		CHECK(p.server->engine.saCount() == 0);
		CHECK(p.client->engine.saCount() == 0);
	}
}

TEST_CASE("a key or certificate path that is a directory or missing is an error, not a throw")
{
	// An ifstream opens a directory and then threw while reading it, out of
	// the daemon's start-up.
	std::string dir = data("");
	auto key = crypto::PrivateKey::loadFile(dir);
	REQUIRE_FALSE(key);
	CHECK(key.error().message.find("cannot read it") != std::string::npos);
	auto cert = crypto::Certificate::loadFile(dir);
	REQUIRE_FALSE(cert);
	CHECK(cert.error().message.find("cannot read it") != std::string::npos);
	CHECK_FALSE(crypto::Certificate::loadFile(data("no-such-file.pem")));
}
