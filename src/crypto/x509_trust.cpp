#include "crypto/x509_trust.h"

#include "crypto/signature_detail.h"

#include <botan/asn1_obj.h>
#include <botan/ber_dec.h>
#include <botan/certstor.h>
#include <botan/data_src.h>
#include <botan/der_enc.h>
#include <botan/exceptn.h>
#include <botan/pkix_types.h>
#include <botan/x509cert.h>
#include <botan/x509path.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace l2tpsec::crypto {

namespace {

struct DnName {
	std::string_view shortName;
	const char *botanName;
};
// The attribute types of RFC 4514 §3 and the ones strongSwan prints, by
// Botan's names for their OIDs.
constexpr std::array kDnNames{
        DnName{"C", "X520.Country"},
        DnName{"ST", "X520.State"},
        DnName{"L", "X520.Locality"},
        DnName{"O", "X520.Organization"},
        DnName{"OU", "X520.OrganizationalUnit"},
        DnName{"CN", "X520.CommonName"},
        DnName{"E", "PKCS9.EmailAddress"},
        DnName{"emailAddress", "PKCS9.EmailAddress"},
        DnName{"serialNumber", "X520.SerialNumber"},
};

bool sameWord(std::string_view a, std::string_view b)
{
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::tolower(static_cast<unsigned char>(x)) ==
		              std::tolower(static_cast<unsigned char>(y));
	       });
}

std::string_view trim(std::string_view s)
{
	while (!s.empty() && s.front() == ' ')
		s.remove_prefix(1);
	while (!s.empty() && s.back() == ' ')
		s.remove_suffix(1);
	return s;
}

std::string textOf(const Botan::X509_DN &dn)
{
	std::string out;
	for (const auto &[oid, value] : dn.dn_info()) {
		std::string name = oid.to_formatted_string();
		for (const DnName &n : kDnNames) {
			if (name == n.botanName) {
				name = n.shortName;
				break;
			}
		}
		if (!out.empty())
			out += ", ";
		out += name + "=" + value.value();
	}
	return out;
}

std::optional<Botan::X509_DN> decodeDn(std::span<const uint8_t> der)
{
	try {
		Botan::X509_DN dn;
		Botan::BER_Decoder(der.data(), der.size()).decode(dn).verify_end();
		return dn;
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

std::string lowerFirst(std::string s)
{
	if (!s.empty())
		s[0] = char(std::tolower(static_cast<unsigned char>(s[0])));
	return s;
}

} // namespace

// ---- Certificate ---------------------------------------------------------------

struct Certificate::State {
	Botan::X509_Certificate cert;
	std::vector<uint8_t> der;
};

Certificate::Certificate(std::unique_ptr<State> state) : state_(std::move(state))
{
}
Certificate::~Certificate() = default;
Certificate::Certificate(Certificate &&) noexcept = default;
Certificate &Certificate::operator=(Certificate &&) noexcept = default;
Certificate::Certificate(const Certificate &o) : state_(std::make_unique<State>(*o.state_))
{
}
Certificate &Certificate::operator=(const Certificate &o)
{
	if (this != &o)
		state_ = std::make_unique<State>(*o.state_);
	return *this;
}

Result<Certificate> Certificate::fromDer(std::span<const uint8_t> der)
{
	try {
		Botan::DataSource_Memory src(der.data(), der.size());
		auto state = std::make_unique<State>(State{Botan::X509_Certificate(src), {}});
		state->der = state->cert.BER_encode();
		return Certificate(std::move(state));
	} catch (const std::exception &e) {
		return Error{EINVAL, std::string("not an X.509 certificate: ") + e.what()};
	}
}

Result<std::vector<Certificate>> Certificate::fromBytes(std::span<const uint8_t> data)
{
	std::string_view text(reinterpret_cast<const char *>(data.data()), data.size());
	constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----", kEnd = "-----END CERTIFICATE-----";
	std::vector<Certificate> out;
	if (text.find("-----BEGIN") == std::string_view::npos) {
		L2S_TRY_ASSIGN(auto c, fromDer(data));
		out.push_back(std::move(c));
		return out;
	}
	for (size_t at = text.find(kBegin); at != std::string_view::npos; at = text.find(kBegin, at)) {
		size_t end = text.find(kEnd, at);
		if (end == std::string_view::npos)
			return Error{EINVAL, "a PEM certificate without its END line"};
		end += kEnd.size();
		try {
			Botan::DataSource_Memory src(std::string(text.substr(at, end - at)));
			auto state = std::make_unique<State>(State{Botan::X509_Certificate(src), {}});
			state->der = state->cert.BER_encode();
			out.push_back(Certificate(std::move(state)));
		} catch (const std::exception &e) {
			return Error{EINVAL, "certificate " + std::to_string(out.size() + 1) + ": " + e.what()};
		}
		at = end;
	}
	if (out.empty())
		return Error{EINVAL, "no BEGIN CERTIFICATE block in this PEM file"};
	return out;
}

Result<std::vector<Certificate>> Certificate::loadFile(const std::string &path)
{
	L2S_TRY_ASSIGN(auto bytes, detail::readFile(path));
	return fromBytes(bytes);
}

const std::vector<uint8_t> &Certificate::der() const
{
	return state_->der;
}

std::vector<uint8_t> Certificate::subjectDer() const
{
	return state_->cert.raw_subject_dn();
}

std::string Certificate::subjectText() const
{
	return textOf(state_->cert.subject_dn());
}

std::string Certificate::issuerText() const
{
	return textOf(state_->cert.issuer_dn());
}

std::vector<std::string> Certificate::commonNames() const
{
	return state_->cert.subject_dn().get_attribute("X520.CommonName");
}

AltNames Certificate::altNames() const
{
	AltNames out;
	const Botan::AlternativeName &alt = state_->cert.subject_alt_name();
	for (const std::string &ip : alt.get_attribute("IP"))
		if (auto a = IpAddress::parse(ip); a && a->isV4())
			out.ipv4.push_back(*a);
	out.dns = alt.get_attribute("DNS");
	out.email = alt.get_attribute("RFC822");
	return out;
}

PublicKey Certificate::publicKey() const
{
	return detail::KeyAccess::makePublicKey(state_->cert.load_subject_public_key());
}

bool Certificate::subjectIs(std::span<const uint8_t> dnDer) const
{
	auto dn = decodeDn(dnDer);
	return dn && *dn == state_->cert.subject_dn();
}

// ---- DN text -------------------------------------------------------------------

std::optional<std::vector<uint8_t>> dnFromText(std::string_view text)
{
	Botan::X509_DN dn;
	std::vector<std::pair<std::string, std::string>> parts;
	std::string cur;
	for (size_t i = 0; i <= text.size(); i++) {
		if (i < text.size() && text[i] == '\\' && i + 1 < text.size()) {
			cur += text[++i];
			continue;
		}
		if (i == text.size() || text[i] == ',') {
			auto eq = cur.find('=');
			if (eq == std::string::npos)
				return std::nullopt;
			std::string key(trim(std::string_view(cur).substr(0, eq)));
			std::string value(trim(std::string_view(cur).substr(eq + 1)));
			if (key.empty() || value.empty())
				return std::nullopt;
			parts.emplace_back(std::move(key), std::move(value));
			cur.clear();
			continue;
		}
		cur += text[i];
	}
	try {
		for (const auto &[key, value] : parts) {
			const DnName *n = nullptr;
			for (const DnName &d : kDnNames)
				if (sameWord(d.shortName, key))
					n = &d;
			if (!n)
				return std::nullopt;
			dn.add_attribute(n->botanName, value);
		}
		std::vector<uint8_t> der;
		Botan::DER_Encoder enc(der);
		dn.encode_into(enc);
		return der;
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

std::optional<std::string> dnText(std::span<const uint8_t> dnDer)
{
	auto dn = decodeDn(dnDer);
	if (!dn)
		return std::nullopt;
	return textOf(*dn);
}

bool dnEqual(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
	auto x = decodeDn(a), y = decodeDn(b);
	return x && y && *x == *y;
}

// ---- TrustStore ----------------------------------------------------------------

struct TrustStore::State {
	Botan::Certificate_Store_In_Memory store;
	std::vector<Certificate> anchors;
};

TrustStore::TrustStore() : state_(std::make_unique<State>())
{
}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore &&) noexcept = default;
TrustStore &TrustStore::operator=(TrustStore &&) noexcept = default;

void TrustStore::add(Certificate ca)
{
	state_->store.add_certificate(ca.state_->cert);
	state_->anchors.push_back(std::move(ca));
}

size_t TrustStore::size() const
{
	return state_->anchors.size();
}

std::vector<std::vector<uint8_t>> TrustStore::subjects() const
{
	std::vector<std::vector<uint8_t>> out;
	for (const Certificate &c : state_->anchors)
		out.push_back(c.subjectDer());
	return out;
}

Result<void> TrustStore::verify(const Certificate &leaf, std::span<const Certificate> intermediates,
                                std::chrono::system_clock::time_point at) const
{
	if (state_->anchors.empty())
		return Error{ENOENT, "no CA certificate configured"};
	try {
		std::vector<Botan::X509_Certificate> chain{leaf.state_->cert};
		for (const Certificate &c : intermediates)
			chain.push_back(c.state_->cert);
		// No revocation data is required (none is configured); 110 bits of
		// strength admits RSA 2048 and P-256 and SHA-256 signatures.
		Botan::Path_Validation_Restrictions restrictions(false, 110);
		Botan::Path_Validation_Result r = Botan::x509_path_validate(chain, restrictions, state_->store, "",
		                                                            Botan::Usage_Type::UNSPECIFIED, at);
		if (!r.successful_validation())
			return Error{EACCES, lowerFirst(r.result_string())};
	} catch (const std::exception &e) {
		return Error{EACCES, std::string("certificate path validation: ") + e.what()};
	}
	return {};
}

} // namespace l2tpsec::crypto
