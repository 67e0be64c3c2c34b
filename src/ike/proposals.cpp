// Proposal lists, matching and SA payloads (RFC 2408 §4.2, RFC 2409 §5 and
// Appendix A, RFC 2407 §4.5), the attribute tables as data.
#include "ike/proposals.h"

#include "algorithms/algorithm_table.h"
#include "config/proposal_syntax.h"

#include <algorithm>
#include <array>
#include <map>

namespace l2tpsec::ike {

namespace {

using std::chrono::seconds;

// ---- names <-> values: algorithms/algorithm_table.h ----------------------

using algorithms::CipherRow;
using algorithms::findRow;
using algorithms::GroupRow;
using algorithms::IntegrityRow;

std::string_view groupName(crypto::DhGroup g)
{
	const GroupRow *r = findRow(algorithms::kGroups, [&](const GroupRow &row) { return row.group == g; });
	return r ? r->config : "?";
}

/// GCM's salt, which KEYMAT holds after the key (RFC 4106 §8.1).
size_t saltBytes(kernel::EspCipher c)
{
	const CipherRow *r = algorithms::cipherByEsp(c);
	return r ? r->saltBytes : 0;
}

uint16_t u16(IkeAttribute a)
{
	return static_cast<uint16_t>(a);
}
uint16_t u16(IpsecAttribute a)
{
	return static_cast<uint16_t>(a);
}

// ---- profiles --------------------------------------------------------------

// modern: AES-CBC 128/256 x SHA1/SHA2-256 x MODP2048/ECP256/ECP384
// (doc/clients.md, "What the profiles make of it"). The group leads the
// order, as in strongSwan's default proposal: ECP256 is 128-bit strong
// where MODP2048 is 112, and its DH costs both ends a fraction (a sixth in
// OpenSSL; Windows offers it). ECP384 is stronger still but dearer than
// MODP2048, so it comes second.
constexpr std::array<std::string_view, 12> kModernIke{
        "aes128-sha256-ecp256",   "aes256-sha256-ecp256",   "aes128-sha1-ecp256",   "aes256-sha1-ecp256",
        "aes256-sha256-ecp384",   "aes128-sha256-ecp384",   "aes256-sha1-ecp384",   "aes128-sha1-ecp384",
        "aes256-sha256-modp2048", "aes128-sha256-modp2048", "aes256-sha1-modp2048", "aes128-sha1-modp2048",
};
// compat adds what the built-in clients need (doc/clients.md: the 11
// Windows 10 + macOS/iOS proposals, Android's MODP1024, 3DES).
constexpr std::array<std::string_view, 8> kCompatIke{
        "aes256-sha256-modp1536", "aes256-sha1-modp1536", "aes256-sha256-modp1024", "aes256-sha1-modp1024",
        "aes128-sha1-modp1024",   "3des-sha1-modp2048",   "3des-sha1-modp1536",     "3des-sha1-modp1024",
};
// legacy: MD5 and the remaining MODP1024/1536 combinations.
constexpr std::array<std::string_view, 6> kLegacyIke{
        "aes128-sha256-modp1024", "aes128-sha1-modp1536", "aes256-md5-modp1024",
        "aes128-md5-modp1024",    "3des-md5-modp1024",    "3des-md5-modp2048",
};
constexpr std::array<std::string_view, 6> kModernEsp{
        "aes256gcm16", "aes128gcm16", "aes256-sha256", "aes128-sha256", "aes256-sha1", "aes128-sha1",
};
constexpr std::array<std::string_view, 1> kCompatEsp{"3des-sha1"};
// Android 6/7 truncate HMAC-SHA-256 to 96 bits; since both truncations are
// one value on the wire, legacy takes the 96-bit one in place of the RFC 4868
// one. Apple's MD5 transforms close the list.
constexpr std::array<std::string_view, 9> kLegacyEsp{
        "aes256gcm16",      "aes128gcm16",      "aes256-sha1", "aes128-sha1", "3des-sha1",
        "aes256-sha256_96", "aes128-sha256_96", "aes256-md5",  "aes128-md5",
};

template <size_t N>
void append(std::vector<std::string_view> &out, const std::array<std::string_view, N> &names)
{
	out.insert(out.end(), names.begin(), names.end());
}

// ---- phase-1 transforms ----------------------------------------------------

/// A phase-1 transform's attributes (RFC 2409 Appendix A), as far as known.
/// Life Type / Life Duration pairs (RFC 2409 Appendix A, RFC 2407 §4.5):
/// a duration counts in the unit of the type before it.
struct Lifetime {
	std::optional<uint64_t> seconds, kilobytes;
	bool bad = false;
	void add(std::optional<uint16_t> type, std::optional<uint64_t> value)
	{
		if (value && type == static_cast<uint16_t>(LifeType::Seconds))
			seconds = value;
		else if (value && type == static_cast<uint16_t>(LifeType::Kilobytes))
			kilobytes = value;
		else
			bad = true;
	}
};

/// An attribute value that must fit the 16 bits of the enumerations it names
/// (algorithms, groups, modes); nullopt when it does not.
std::optional<uint16_t> sixteenBits(std::optional<uint64_t> value)
{
	if (!value || *value > 0xffff)
		return std::nullopt;
	return static_cast<uint16_t>(*value);
}

struct Phase1Attrs {
	std::optional<uint16_t> encryption, keyBits, hash, auth, group, prf;
	Lifetime life;
	std::vector<uint16_t> unknown;
	bool customGroup = false;
};

Phase1Attrs decodePhase1(const Transform &t)
{
	Phase1Attrs a;
	std::optional<uint16_t> lifeType;
	for (const DataAttribute &attr : t.attributes) {
		auto value = attr.asInteger();
		auto basic = [&] { return sixteenBits(value); };
		switch (static_cast<IkeAttribute>(attr.type)) {
		case IkeAttribute::EncryptionAlgorithm: a.encryption = basic(); break;
		case IkeAttribute::HashAlgorithm: a.hash = basic(); break;
		case IkeAttribute::AuthenticationMethod: a.auth = basic(); break;
		case IkeAttribute::GroupDescription: a.group = basic(); break;
		case IkeAttribute::KeyLength: a.keyBits = basic(); break;
		case IkeAttribute::Prf: a.prf = basic(); break;
		case IkeAttribute::LifeType: lifeType = basic(); break;
		case IkeAttribute::LifeDuration: a.life.add(lifeType, value); break;
		case IkeAttribute::GroupType:
		case IkeAttribute::GroupPrime:
		case IkeAttribute::GroupGeneratorOne:
		case IkeAttribute::GroupGeneratorTwo:
		case IkeAttribute::GroupCurveA:
		case IkeAttribute::GroupCurveB:
		case IkeAttribute::GroupOrder:
		case IkeAttribute::FieldSize: a.customGroup = true; break;
		default: a.unknown.push_back(attr.type); break;
		}
	}
	return a;
}

std::string cipherText(std::optional<uint16_t> enc, std::optional<uint16_t> keyBits)
{
	if (!enc)
		return "no-cipher";
	if (*enc == static_cast<uint16_t>(IkeEncryption::AesCbc))
		return "aes" + std::to_string(keyBits.value_or(128));
	if (*enc == static_cast<uint16_t>(IkeEncryption::TripleDesCbc))
		return "3des";
	if (*enc == static_cast<uint16_t>(IkeEncryption::DesCbc))
		return "des";
	return "cipher" + std::to_string(*enc);
}

std::string hashText(std::optional<uint16_t> h)
{
	if (!h)
		return "no-hash";
	const IntegrityRow *r = algorithms::hashByIkeId(*h);
	return r ? std::string(r->config) : "hash" + std::to_string(*h);
}

std::string groupText(std::optional<uint16_t> g)
{
	if (!g)
		return "no-group";
	auto known = crypto::dhGroupFromId(*g);
	return known ? std::string(groupName(*known)) : "group" + std::to_string(*g);
}

struct AuthRow {
	IkeAuthMethod method;
	std::string_view name;
};
constexpr std::array kAuthNames{
        AuthRow{IkeAuthMethod::PreSharedKey, "psk"},          AuthRow{IkeAuthMethod::RsaSignatures, "rsasig"},
        AuthRow{IkeAuthMethod::EcdsaSha256P256, "ecdsa256"},  AuthRow{IkeAuthMethod::EcdsaSha384P384, "ecdsa384"},
        AuthRow{IkeAuthMethod::EcdsaSha512P521, "ecdsa521"},  AuthRow{IkeAuthMethod::XauthInitPreShared, "xauth-psk"},
        AuthRow{IkeAuthMethod::XauthInitRsa, "xauth-rsasig"},
};

std::string authText(std::optional<uint16_t> auth)
{
	if (!auth)
		return "no-auth";
	const AuthRow *r = findRow(kAuthNames, [&](const AuthRow &row) { return uint16_t(row.method) == *auth; });
	return r ? std::string(r->name) : "auth" + std::to_string(*auth);
}

// "aes256-sha1-modp2048": a transform's suite alone.
std::string phase1SuiteText(const Phase1Attrs &a)
{
	return cipherText(a.encryption, a.keyBits) + "-" + hashText(a.hash) + "-" + groupText(a.group);
}

std::string phase1Text(const Phase1Attrs &a)
{
	std::string s = phase1SuiteText(a) + "/" + authText(a.auth);
	if (a.life.seconds)
		s += "/" + std::to_string(*a.life.seconds) + "s";
	if (a.life.kilobytes)
		s += "/" + std::to_string(*a.life.kilobytes) + "kB";
	if (a.prf)
		s += "/prf" + std::to_string(*a.prf);
	if (a.customGroup)
		s += "/custom-group";
	for (uint16_t u : a.unknown)
		s += "/attr" + std::to_string(u);
	return s;
}

/// The suite of a transform we could run with one of `auths`, if any.
std::optional<IkeSuite> usableSuite(const Transform &t, const Phase1Attrs &a, std::span<const IkeAuthMethod> auths)
{
	if (t.id != kTransformKeyIke || !a.encryption || !a.hash || !a.group || !a.auth)
		return std::nullopt;
	bool authOk = std::any_of(auths.begin(), auths.end(), [&](IkeAuthMethod m) { return uint16_t(m) == *a.auth; });
	if (!authOk || a.prf || a.customGroup || !a.unknown.empty() || a.life.bad)
		return std::nullopt;
	// RFC 3602-style AES without Key Length is taken as 128 bits (racoon, strongSwan).
	uint16_t bits = a.keyBits.value_or(0);
	const CipherRow *c = findRow(algorithms::kCiphers, [&](const CipherRow &r) {
		return r.cbc && r.ikeId == *a.encryption &&
		       (r.ikeKeyBits == bits || (r.ikeKeyBits == 128 && bits == 0) ||
		        (r.ikeKeyBits == 0 && bits == 192));
	});
	const IntegrityRow *h = algorithms::hashByIkeId(*a.hash);
	auto g = crypto::dhGroupFromId(*a.group);
	if (!c || !h || !g)
		return std::nullopt;
	return IkeSuite{*c->cbc, *h->hash, *g};
}

/// The initiator's lifetime in seconds; without one, the default of
/// RFC 2409 Appendix A and RFC 2407 §4.5: 28800 s.
uint64_t offeredSeconds(std::optional<uint64_t> theirs)
{
	return theirs && *theirs ? *theirs : 28800;
}

seconds inForce(std::optional<uint64_t> theirs, seconds ours)
{
	uint64_t t = offeredSeconds(theirs);
	return t >= uint64_t(ours.count()) ? ours : seconds(static_cast<int64_t>(t));
}

// ---- phase-2 transforms ----------------------------------------------------

struct Phase2Attrs {
	std::optional<uint16_t> keyBits, auth, group, mode, esn;
	Lifetime life;
	std::vector<uint16_t> unknown;
};

Phase2Attrs decodePhase2(const Transform &t)
{
	Phase2Attrs a;
	std::optional<uint16_t> lifeType;
	for (const DataAttribute &attr : t.attributes) {
		auto value = attr.asInteger();
		auto basic = [&] { return sixteenBits(value); };
		switch (static_cast<IpsecAttribute>(attr.type)) {
		case IpsecAttribute::SaLifeType: lifeType = basic(); break;
		case IpsecAttribute::SaLifeDuration: a.life.add(lifeType, value); break;
		case IpsecAttribute::GroupDescription: a.group = basic(); break;
		case IpsecAttribute::EncapsulationMode: a.mode = basic(); break;
		case IpsecAttribute::AuthenticationAlgorithm: a.auth = basic(); break;
		case IpsecAttribute::KeyLength: a.keyBits = basic(); break;
		case IpsecAttribute::ExtendedSequenceNumber: a.esn = basic(); break;
		case IpsecAttribute::KeyRounds:
		case IpsecAttribute::CompressDictionarySize:
		case IpsecAttribute::CompressPrivateAlgorithm:
		case IpsecAttribute::EcnTunnel:
		default: a.unknown.push_back(attr.type); break;
		}
	}
	return a;
}

std::string modeText(std::optional<uint16_t> mode)
{
	return mode ? encapsulationModeName(static_cast<EncapsulationMode>(*mode)) : "no-mode";
}

// "aes256-sha1": a transform's cipher and integrity alone.
std::string phase2SuiteText(const Transform &t, const Phase2Attrs &a)
{
	std::string s;
	const CipherRow *c = findRow(algorithms::kCiphers, [&](const CipherRow &r) {
		return r.espId != 0 && r.espId == t.id &&
		       (!r.espKeyLength || r.keyBytes * 8 == a.keyBits.value_or(128));
	});
	s = c ? std::string(c->config)
	      : "esp" + std::to_string(t.id) + (a.keyBits ? "/" + std::to_string(*a.keyBits) : "");
	if (a.auth && *a.auth != 0) {
		const IntegrityRow *i = findRow(algorithms::kIntegrities,
		                                [&](const IntegrityRow &r) { return r.espAuthId == *a.auth; });
		s += "-" + (i ? std::string(i->config) : "auth" + std::to_string(*a.auth));
	}
	return s;
}

std::string phase2Text(const Transform &t, const Phase2Attrs &a)
{
	std::string s = phase2SuiteText(t, a);
	if (a.group)
		s += "-" + groupText(a.group);
	s += "/" + modeText(a.mode);
	if (a.life.seconds)
		s += "/" + std::to_string(*a.life.seconds) + "s";
	if (a.life.kilobytes)
		s += "/" + std::to_string(*a.life.kilobytes) + "kB";
	if (a.esn && *a.esn != 0)
		s += "/esn";
	for (uint16_t u : a.unknown)
		s += "/attr" + std::to_string(u);
	return s;
}

bool modeAllowed(std::optional<uint16_t> mode, bool udpEncap, bool acceptTunnel)
{
	if (!mode)
		return false;
	auto m = static_cast<EncapsulationMode>(*mode);
	bool transport = udpEncap ? m == EncapsulationMode::UdpTransport || m == EncapsulationMode::UdpTransportDraft
	                          : m == EncapsulationMode::Transport;
	bool tunnel = udpEncap ? m == EncapsulationMode::UdpTunnel || m == EncapsulationMode::UdpTunnelDraft
	                       : m == EncapsulationMode::Tunnel;
	return transport || (acceptTunnel && tunnel);
}

/// Does transform t (ESP) with attributes a carry suite s?
bool matches(const EspSuite &s, const Transform &t, const Phase2Attrs &a)
{
	const CipherRow *c = algorithms::cipherByEsp(s.cipher, s.keyBytes);
	if (!c || t.id != c->espId || !a.unknown.empty() || a.life.bad)
		return false;
	if (a.esn && *a.esn != 0)
		return false;
	// RFC 3602 §5.3 asks for Key Length with AES; a missing one is taken as 128.
	if (c->espKeyLength && a.keyBits.value_or(128) != s.keyBytes * 8)
		return false;
	if (!c->espKeyLength && a.keyBits && *a.keyBits != s.keyBytes * 8)
		return false;
	if (s.integrity == kernel::EspIntegrity::None) {
		if (a.auth && *a.auth != 0)
			return false;
	} else {
		const IntegrityRow *i = algorithms::integrityByEsp(s.integrity);
		if (!i || !a.auth || *a.auth != i->espAuthId)
			return false;
	}
	uint16_t group = a.group.value_or(0);
	return s.pfs ? group == static_cast<uint16_t>(*s.pfs) : group == 0;
}

// The compact offers: each suite once, in the offer's order.
void appendOnce(std::vector<std::string> &seen, std::string text)
{
	if (std::find(seen.begin(), seen.end(), text) == seen.end())
		seen.push_back(std::move(text));
}

std::string joinOffer(const std::vector<std::string> &seen)
{
	std::string s;
	for (const std::string &t : seen)
		s += (s.empty() ? "" : ", ") + t;
	return s.empty() ? "nothing" : s;
}

} // namespace

// ---- names and config ------------------------------------------------------

std::string suiteName(const IkeSuite &s)
{
	return std::string(algorithms::cipherRow(s.cipher).config) + "-" +
	       std::string(algorithms::integrityRow(s.hash).config) + "-" + std::string(groupName(s.group));
}

std::string suiteName(const EspSuite &s)
{
	const CipherRow *c = algorithms::cipherByEsp(s.cipher, s.keyBytes);
	std::string out = c ? std::string(c->config) : "?";
	if (s.integrity != kernel::EspIntegrity::None) {
		const IntegrityRow *i = algorithms::integrityByEsp(s.integrity);
		out += "-" + (i ? std::string(i->config) : "?");
	}
	if (s.pfs)
		out += "-" + std::string(groupName(*s.pfs));
	return out;
}

std::optional<IkeSuite> ikeSuiteFromSpelling(std::string_view text)
{
	auto p = parseIkeProposal(text);
	if (!p)
		return std::nullopt;
	const CipherRow *c = algorithms::cipherByConfig(p->encryption);
	const IntegrityRow *h = algorithms::integrityByConfig(p->integrity);
	const GroupRow *g = algorithms::groupByConfig(p->group);
	if (!c || !c->cbc || !h || !h->hash || !g)
		return std::nullopt;
	return IkeSuite{*c->cbc, *h->hash, g->group};
}

std::optional<EspSuite> espSuiteFromSpelling(std::string_view text)
{
	auto p = parseEspProposal(text);
	if (!p)
		return std::nullopt;
	const CipherRow *c = algorithms::cipherByConfig(p->encryption);
	if (!c || c->espId == 0)
		return std::nullopt;
	EspSuite s{c->esp, c->keyBytes, kernel::EspIntegrity::None, std::nullopt};
	if (!p->integrity.empty()) {
		const IntegrityRow *i = algorithms::integrityByConfig(p->integrity);
		if (!i)
			return std::nullopt;
		s.integrity = i->esp;
	}
	if (!p->group.empty()) {
		const GroupRow *g = algorithms::groupByConfig(p->group);
		if (!g)
			return std::nullopt;
		s.pfs = g->group;
	}
	return s;
}

std::vector<std::string_view> profileIkeProposals(ProposalProfile p)
{
	std::vector<std::string_view> out;
	append(out, kModernIke);
	if (p == ProposalProfile::Compat || p == ProposalProfile::Legacy)
		append(out, kCompatIke);
	if (p == ProposalProfile::Legacy)
		append(out, kLegacyIke);
	return out;
}

std::vector<std::string_view> profileEspProposals(ProposalProfile p)
{
	std::vector<std::string_view> out;
	if (p == ProposalProfile::Legacy) {
		append(out, kLegacyEsp);
		return out;
	}
	append(out, kModernEsp);
	if (p == ProposalProfile::Compat)
		append(out, kCompatEsp);
	return out;
}

Result<ProposalSet> proposalsFromConfig(const IkeConfig &config)
{
	ProposalSet set;
	std::vector<std::string_view> ike, esp;
	if (config.ikeProposals.empty())
		ike = profileIkeProposals(config.profile);
	else
		ike.assign(config.ikeProposals.begin(), config.ikeProposals.end());
	if (config.espProposals.empty())
		esp = profileEspProposals(config.profile);
	else
		esp.assign(config.espProposals.begin(), config.espProposals.end());
	for (std::string_view name : ike) {
		auto s = ikeSuiteFromSpelling(name);
		if (!s)
			return Error{EINVAL, "IKE proposal \"" + std::string(name) + "\" is not supported"};
		set.ike.push_back(*s);
	}
	for (std::string_view name : esp) {
		auto s = espSuiteFromSpelling(name);
		if (!s)
			return Error{EINVAL, "ESP proposal \"" + std::string(name) + "\" is not supported"};
		set.esp.push_back(*s);
	}
	return set;
}

// ---- phase 1 ---------------------------------------------------------------

std::string authMethodName(IkeAuthMethod m)
{
	return authText(uint16_t(m));
}

std::optional<Phase1Choice> choosePhase1(const SaPayload &offer, std::span<const IkeSuite> ours,
                                         std::chrono::seconds ourLifetime, std::span<const IkeAuthMethod> auths)
{
	for (const IkeSuite &want : ours) {
		for (const Proposal &p : offer.proposals) {
			if (p.protocol != ProtocolId::Isakmp)
				continue;
			for (const Transform &t : p.transforms) {
				Phase1Attrs a = decodePhase1(t);
				auto suite = usableSuite(t, a, auths);
				if (!suite || *suite != want)
					continue;
				Phase1Choice c;
				c.suite = want;
				c.auth = static_cast<IkeAuthMethod>(*a.auth);
				c.lifetime = inForce(a.life.seconds, ourLifetime);
				c.reply = SaPayload{
				        offer.doi, offer.situation, {Proposal{p.number, p.protocol, p.spi, {t}}}};
				return c;
			}
		}
	}
	return std::nullopt;
}

SaPayload phase1Offer(std::span<const IkeSuite> ours, std::chrono::seconds lifetime,
                      std::span<const IkeAuthMethod> auths)
{
	Proposal p{1, ProtocolId::Isakmp, {}, {}};
	uint8_t number = 1;
	for (const IkeSuite &s : ours) {
		for (IkeAuthMethod auth : auths) {
			const CipherRow &c = algorithms::cipherRow(s.cipher);
			Transform t{number++, kTransformKeyIke, {}};
			t.attributes.push_back(DataAttribute::basic(u16(IkeAttribute::EncryptionAlgorithm), c.ikeId));
			if (c.ikeKeyBits)
				t.attributes.push_back(
				        DataAttribute::basic(u16(IkeAttribute::KeyLength), c.ikeKeyBits));
			t.attributes.push_back(DataAttribute::basic(u16(IkeAttribute::HashAlgorithm),
			                                            algorithms::integrityRow(s.hash).ikeId));
			t.attributes.push_back(DataAttribute::basic(u16(IkeAttribute::GroupDescription),
			                                            algorithms::groupRow(s.group).id));
			t.attributes.push_back(
			        DataAttribute::basic(u16(IkeAttribute::AuthenticationMethod), uint16_t(auth)));
			t.attributes.push_back(
			        DataAttribute::basic(u16(IkeAttribute::LifeType), uint16_t(LifeType::Seconds)));
			t.attributes.push_back(
			        DataAttribute::integer(u16(IkeAttribute::LifeDuration), uint64_t(lifetime.count())));
			p.transforms.push_back(std::move(t));
		}
	}
	return SaPayload{Doi::Ipsec, kSituationIdentityOnly, {std::move(p)}};
}

Result<Phase1Choice> acceptPhase1Reply(const SaPayload &reply, std::span<const IkeSuite> offered,
                                       std::chrono::seconds ourLifetime, std::span<const IkeAuthMethod> auths)
{
	if (reply.proposals.size() != 1 || reply.proposals[0].transforms.size() != 1 ||
	    reply.proposals[0].protocol != ProtocolId::Isakmp)
		return Error{EBADMSG, "the responder's SA must hold one ISAKMP proposal with one transform"};
	const Transform &t = reply.proposals[0].transforms[0];
	Phase1Attrs a = decodePhase1(t);
	auto suite = usableSuite(t, a, auths);
	if (!suite || std::find(offered.begin(), offered.end(), *suite) == offered.end())
		return Error{EBADMSG, "the responder chose " + phase1Text(a) + ", which we did not offer"};
	Phase1Choice c;
	c.suite = *suite;
	c.auth = static_cast<IkeAuthMethod>(*a.auth);
	c.lifetime = inForce(a.life.seconds, ourLifetime);
	c.reply = reply;
	return c;
}

std::string describePhase1Offer(const SaPayload &offer)
{
	std::string s;
	for (const Proposal &p : offer.proposals) {
		for (const Transform &t : p.transforms) {
			if (!s.empty())
				s += ", ";
			if (p.protocol != ProtocolId::Isakmp || t.id != kTransformKeyIke)
				s += "protocol" + std::to_string(int(p.protocol)) + "/transform" + std::to_string(t.id);
			else
				s += phase1Text(decodePhase1(t));
		}
	}
	return s.empty() ? "nothing" : s;
}

std::string compactPhase1Offer(const SaPayload &offer)
{
	std::vector<std::string> seen;
	for (const Proposal &p : offer.proposals)
		for (const Transform &t : p.transforms)
			if (p.protocol == ProtocolId::Isakmp && t.id == kTransformKeyIke)
				appendOnce(seen, phase1SuiteText(decodePhase1(t)));
	return joinOffer(seen);
}

// ---- phase 2 ---------------------------------------------------------------

std::optional<Phase2Choice> choosePhase2(const SaPayload &offer, std::span<const EspSuite> ours,
                                         std::chrono::seconds ourLifetime, bool udpEncap, bool acceptTunnel)
{
	// RFC 2408 §4.2: proposals with one number are one offer (AND). Only a
	// lone ESP proposal is an offer we can take.
	std::map<uint8_t, size_t> perNumber;
	for (const Proposal &p : offer.proposals)
		perNumber[p.number]++;
	for (const EspSuite &want : ours) {
		for (const Proposal &p : offer.proposals) {
			auto spi = spiValue(p.spi);
			if (p.protocol != ProtocolId::IpsecEsp || perNumber[p.number] != 1 || !spi)
				continue;
			for (const Transform &t : p.transforms) {
				Phase2Attrs a = decodePhase2(t);
				if (!matches(want, t, a) || !modeAllowed(a.mode, udpEncap, acceptTunnel))
					continue;
				Phase2Choice c;
				c.suite = want;
				c.mode = static_cast<EncapsulationMode>(*a.mode);
				c.lifetime = inForce(a.life.seconds, ourLifetime);
				c.lifetimeReduced = offeredSeconds(a.life.seconds) > uint64_t(ourLifetime.count());
				c.lifeKilobytes = a.life.kilobytes.value_or(0);
				c.peerSpi = *spi;
				c.proposal = Proposal{p.number, p.protocol, p.spi, {t}};
				return c;
			}
		}
	}
	return std::nullopt;
}

SaPayload phase2Reply(const SaPayload &offer, const Phase2Choice &choice, uint32_t ourSpi)
{
	Proposal p = choice.proposal;
	p.spi = spiBytes(ourSpi);
	return SaPayload{offer.doi, offer.situation, {std::move(p)}};
}

SaPayload phase2Offer(std::span<const EspSuite> suites, std::chrono::seconds lifetime, EncapsulationMode mode,
                      uint32_t ourSpi)
{
	Proposal p{1, ProtocolId::IpsecEsp, spiBytes(ourSpi), {}};
	uint8_t number = 1;
	for (const EspSuite &s : suites) {
		const CipherRow *c = algorithms::cipherByEsp(s.cipher, s.keyBytes);
		if (!c)
			continue;
		// strongSwan's order: Key Length, Authentication, Encapsulation, lifetime.
		Transform t{number++, c->espId, {}};
		if (c->espKeyLength)
			t.attributes.push_back(
			        DataAttribute::basic(u16(IpsecAttribute::KeyLength), uint16_t(s.keyBytes * 8)));
		if (const IntegrityRow *i = algorithms::integrityByEsp(s.integrity))
			t.attributes.push_back(
			        DataAttribute::basic(u16(IpsecAttribute::AuthenticationAlgorithm), i->espAuthId));
		t.attributes.push_back(DataAttribute::basic(u16(IpsecAttribute::EncapsulationMode), uint16_t(mode)));
		if (s.pfs)
			t.attributes.push_back(DataAttribute::basic(u16(IpsecAttribute::GroupDescription),
			                                            algorithms::groupRow(*s.pfs).id));
		for (const DataAttribute &a : lifetimeAttributes(lifetime))
			t.attributes.push_back(a);
		p.transforms.push_back(std::move(t));
	}
	return SaPayload{Doi::Ipsec, kSituationIdentityOnly, {std::move(p)}};
}

Result<Phase2Choice> acceptPhase2Reply(const SaPayload &reply, std::span<const EspSuite> offered,
                                       std::chrono::seconds ourLifetime, EncapsulationMode mode)
{
	if (reply.proposals.size() != 1 || reply.proposals[0].transforms.size() != 1 ||
	    reply.proposals[0].protocol != ProtocolId::IpsecEsp)
		return Error{EBADMSG, "the responder's SA must hold one ESP proposal with one transform"};
	const Proposal &p = reply.proposals[0];
	auto spi = spiValue(p.spi);
	if (!spi)
		return Error{EBADMSG, "the responder's ESP proposal has no 4-byte SPI"};
	const Transform &t = p.transforms[0];
	Phase2Attrs a = decodePhase2(t);
	if (!a.mode || *a.mode != static_cast<uint16_t>(mode))
		return Error{EBADMSG, "the responder chose mode " + modeText(a.mode) + ", we asked for " +
		                              modeText(static_cast<uint16_t>(mode))};
	for (const EspSuite &s : offered) {
		if (!matches(s, t, a))
			continue;
		Phase2Choice c;
		c.suite = s;
		c.mode = mode;
		c.lifetime = inForce(a.life.seconds, ourLifetime);
		c.lifeKilobytes = a.life.kilobytes.value_or(0);
		c.peerSpi = *spi;
		c.proposal = p;
		return c;
	}
	return Error{EBADMSG, "the responder chose " + phase2Text(t, a) + ", which we did not offer"};
}

std::string describePhase2Offer(const SaPayload &offer)
{
	std::string s;
	for (const Proposal &p : offer.proposals) {
		for (const Transform &t : p.transforms) {
			if (!s.empty())
				s += ", ";
			if (p.protocol != ProtocolId::IpsecEsp)
				s += "protocol" + std::to_string(int(p.protocol)) + "/transform" + std::to_string(t.id);
			else
				s += phase2Text(t, decodePhase2(t));
		}
	}
	return s.empty() ? "nothing" : s;
}

std::string compactPhase2Offer(const SaPayload &offer)
{
	std::vector<std::string> seen;
	for (const Proposal &p : offer.proposals) {
		for (const Transform &t : p.transforms) {
			if (p.protocol != ProtocolId::IpsecEsp)
				continue;
			Phase2Attrs a = decodePhase2(t);
			appendOnce(seen, phase2SuiteText(t, a) + " pfs " + (a.group ? groupText(a.group) : "none"));
		}
	}
	return joinOffer(seen);
}

size_t espKeymatLength(const EspSuite &s)
{
	size_t n = s.keyBytes + saltBytes(s.cipher);
	if (const IntegrityRow *i = algorithms::integrityByEsp(s.integrity))
		n += i->espKeyBytes;
	return n;
}

kernel::EspKeys espKeys(const EspSuite &s, std::span<const uint8_t> keymat)
{
	kernel::EspKeys k;
	k.cipher = s.cipher;
	k.integrity = s.integrity;
	size_t cipherLen = s.keyBytes + saltBytes(s.cipher);
	cipherLen = std::min(cipherLen, keymat.size());
	k.encryptionKey.assign(keymat.begin(), keymat.begin() + static_cast<ptrdiff_t>(cipherLen));
	k.integrityKey.assign(keymat.begin() + static_cast<ptrdiff_t>(cipherLen), keymat.end());
	return k;
}
} // namespace l2tpsec::ike
