// Quick Mode, RFC 2409 §5.5, in both roles, for ESP over the L2TP flow
// (RFC 3193 §5: UDP 1701 on the server's side), in transport mode, or in
// tunnel mode around the same flow when a peer asks for it (and [ike]
// tunnel_mode lets it) or a LAC profile says so:
//
//   Initiator                                  Responder
//   HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OAi, NAT-OAr]  -->  QM1
//                          <--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, NAT-OA...]  QM2
//   HDR*, HASH(3)                                              -->  QM3
//
// The initiator installs its SA pair when QM2 checks out, then sends QM3;
// the responder installs on QM3. Our inbound SPI comes from the kernel
// (allocSpi) before we name it on the wire. The IVs start from the last
// phase-1 block and this exchange's message id (Appendix B).
#include "ike/quick_mode.h"

#include "common/log.h"
#include "crypto/constant_time.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/nat_oa_payload.h"
#include "ike/ike_log.h"
#include "ike/informational.h"
#include "ike/nat_detection.h"
#include "ike/payload_find.h"

#include <array>

namespace l2tpsec::ike {

namespace {

std::string spiText(uint32_t spi)
{
	return fmt::format("0x{:08x}", spi);
}

/// The prefix length of a netmask, nullopt when its ones are not contiguous.
std::optional<unsigned> maskPrefix(const IpAddress &mask)
{
	size_t bytes = mask.isV4() ? 4 : 16;
	unsigned prefix = 0;
	bool zeros = false;
	for (size_t i = 0; i < bytes; i++) {
		for (int bit = 7; bit >= 0; bit--) {
			bool one = (mask.bytes()[i] >> bit) & 1;
			if (one && zeros)
				return std::nullopt;
			zeros = zeros || !one;
			prefix += one ? 1 : 0;
		}
	}
	return prefix;
}

/// "192.0.2.2 proto 17 port 1701", "10.1.0.0/16 proto 17 port 1701" for the log.
std::string idText(const IdPayload &id)
{
	std::string s;
	if (auto a = idAddresses(id)) {
		s = a->first.str();
		bool subnet = id.type == IdType::Ipv4AddrSubnet || id.type == IdType::Ipv6AddrSubnet;
		if (auto prefix = subnet && a->second ? maskPrefix(*a->second) : std::nullopt)
			s += "/" + std::to_string(*prefix);
		else if (a->second)
			s += (subnet ? "/" : "-") + a->second->str();
	} else {
		s = "id-type-" + std::to_string(int(id.type));
	}
	s += " proto " + std::to_string(id.protocol) + " port " + std::to_string(id.port);
	return s;
}

/// The one host a Quick Mode ID names: an address, or a subnet of one
/// address (ID_IPV4_ADDR_SUBNET a/255.255.255.255, what some peers send for
/// a host in tunnel mode). nullopt for a wider subnet, a range or a name.
std::optional<IpAddress> idHost(const IdPayload &id)
{
	auto a = idAddresses(id);
	if (!a)
		return std::nullopt;
	switch (id.type) {
	case IdType::Ipv4Addr:
	case IdType::Ipv6Addr: return a->first;
	case IdType::Ipv4AddrSubnet:
	case IdType::Ipv6AddrSubnet:
		if (a->second && maskPrefix(*a->second) == (a->first.isV4() ? 32u : 128u))
			return a->first;
		return std::nullopt;
	case IdType::Reserved:
	case IdType::Fqdn:
	case IdType::UserFqdn:
	case IdType::Ipv4AddrRange:
	case IdType::Ipv6AddrRange:
	case IdType::DerAsn1Dn:
	case IdType::DerAsn1Gn:
	case IdType::KeyId: break;
	}
	return std::nullopt;
}

/// An initiator's ID for one end of the flow: the address, or its subnet
/// with `prefix` bits.
IdPayload quickModeId(const IpAddress &address, uint8_t prefix, uint16_t port)
{
	if (prefix == 0)
		return IdPayload::address(address, kIpProtoUdp, port);
	std::array<uint8_t, 16> net = address.bytes(), mask{};
	for (size_t i = 0; i < mask.size(); i++) {
		unsigned bits = prefix > i * 8 ? std::min(8u, unsigned(prefix - i * 8)) : 0u;
		mask[i] = uint8_t(0xff00u >> bits);
		net[i] &= mask[i];
	}
	size_t len = address.isV4() ? 4 : 16;
	return IdPayload::subnet(*ipFromBytes(std::span(net.data(), len)), *ipFromBytes(std::span(mask.data(), len)),
	                         kIpProtoUdp, port);
}

kernel::SaLifetime saLifetime(const Phase2Choice &c, bool quickModeInitiator)
{
	// Hard limits as negotiated; the soft ones start a rekey. The side that
	// asked for the pair rekeys it, at 90 %; the other side does only if it
	// has not by 95 % (at least 5 s, if the lifetime allows, before the end):
	// a peer that ignored our shorter RESPONDER-LIFETIME, or lost its state,
	// would otherwise see the pair expire under its traffic.
	kernel::SaLifetime l;
	l.hardAdd = c.lifetime;
	std::chrono::seconds margin = c.lifetime / 10;
	if (!quickModeInitiator)
		margin = std::max(c.lifetime / 20, std::min(margin, std::chrono::seconds(5)));
	l.softAdd = c.lifetime - margin;
	if (c.lifeKilobytes) {
		l.hardBytes = c.lifeKilobytes * 1024;
		l.softBytes = l.hardBytes - l.hardBytes / 10;
	}
	return l;
}

} // namespace

// ---- under the ISAKMP SA -------------------------------------------------------

Result<void> IkeSa::startQuickMode(const ChildRequest &child)
{
	if (!established())
		return Error{EAGAIN, "the ISAKMP SA is not established"};
	if (ctx_.config.proposals.esp.empty())
		return Error{EINVAL, "no ESP proposals configured"};
	L2S_TRY_ASSIGN(auto mid, tx_.newMessageId());
	L2S_TRY_ASSIGN(auto qm, QuickModeInitiator::start(*this, mid, child));
	tx_.markUsed(mid);
	quickModes_.emplace(mid, std::move(qm));
	return {};
}

void QuickMode::deliver(IkeSa &sa, Incoming &in)
{
	const Header &h = in.message.header;
	if (h.messageId == 0 || !h.encrypted()) {
		logWarn(kLog, "peer {}: Quick Mode without message id or encryption dropped", in.from.str());
		return;
	}
	auto it = sa.quickModes_.find(h.messageId);
	if (it == sa.quickModes_.end() && sa.tx_.used(h.messageId)) {
		logWarn(kLog, "peer {}: replayed Quick Mode {} dropped", in.from.str(), spiText(h.messageId));
	} else if (it == sa.quickModes_.end()) {
		if (auto qm = QuickModeResponder::respond(sa, in)) {
			sa.tx_.markUsed(h.messageId);
			sa.quickModes_.emplace(h.messageId, std::move(qm));
		}
	} else if (!it->second->receive(in)) {
		logDebug(kLog, "peer {}: Quick Mode {} message after its end dropped", in.from.str(),
		         spiText(h.messageId));
	}
}

// ---- both roles ----------------------------------------------------------------

QuickMode::QuickMode(IkeSa &sa, uint32_t messageId, bool initiator)
    : sa_(sa), messageId_(messageId), initiator_(initiator)
{
}

Result<void> QuickMode::acquireFlow()
{
	const Endpoint &local = sa_.path_.local, &peer = sa_.path_.peer;
	L2S_TRY_ASSIGN(auto grant, sa_.ctx_.flows.acquire(flow_, peer, flowTemplate(ipsecMode(mode_), local, peer)));
	reqid_ = grant.reqid;
	mark_ = grant.mark;
	flowAcquired_ = true;
	return {};
}

Result<std::vector<uint8_t>> QuickMode::seal(Bytes hash, std::span<const OutPayload> rest)
{
	return sa_.tx_.protectedMessage(ExchangeType::QuickMode, messageId_, iv_, hash, rest);
}

void QuickMode::finish()
{
	state_ = State::Done;
	expires_ = sa_.ctx_.now + sa_.ctx_.config.quickModeLinger;
}

bool QuickMode::installChild()
{
	IkeContext &ctx = sa_.ctx_;
	const Phase2Choice &c = *choice_;
	uint32_t initiatorSpi = initiator_ ? inboundSpi_ : c.peerSpi;
	uint32_t responderSpi = initiator_ ? c.peerSpi : inboundSpi_;
	auto keymat = quickModeKeymatPair(prfOf(*sa_.choice_), sa_.keys_->skeyidD, pfsSecret_, ProtocolId::IpsecEsp,
	                                  initiatorSpi, responderSpi, ni_, nr_, espKeymatLength(c.suite));
	if (!keymat) {
		logError(kLog, "peer {}: KEYMAT: {}", sa_.path_.text(), keymat.error().message);
		return false;
	}
	ChildSaSpec spec;
	spec.local = sa_.path_.local;
	spec.peer = sa_.path_.peer;
	spec.mode = ipsecMode(c.mode);
	spec.udpEncap = sa_.natLocal_ || sa_.natPeer_;
	spec.natOa = natOa_;
	spec.flow = flow_;
	spec.reqid = reqid_;
	spec.mark = mark_;
	spec.inboundSpi = inboundSpi_;
	spec.outboundSpi = c.peerSpi;
	// RFC 2409 §5.5: each direction's KEYMAT is keyed with the SPI its
	// receiver chose.
	spec.inboundKeys = espKeys(c.suite, initiator_ ? keymat->responderToInitiator : keymat->initiatorToResponder);
	spec.outboundKeys = espKeys(c.suite, initiator_ ? keymat->initiatorToResponder : keymat->responderToInitiator);
	spec.lifetime = saLifetime(c, initiator_);
	auto child = ChildSa::install(ctx.dataplane, ctx.flows, spec);
	if (!child) {
		// install() has deleted what it added, the reserved SPI included.
		inboundSpi_ = 0;
		logError(kLog, "peer {}: installing the IPsec SA (SPI in {} out {}) failed: {}; rolled back",
		         sa_.path_.text(), spiText(spec.inboundSpi), spiText(spec.outboundSpi), child.error().message);
		if (initiator_ && ctx.observer)
			ctx.observer->childSaFailed(sa_.who_.id,
			                            "installing the IPsec SA failed: " + child.error().message);
		return false;
	}
	installed_ = true;
	flowAcquired_ = false; // the pair holds the flow now
	ChildSaInfo info;
	info.ikeSaId = sa_.who_.id;
	info.local = sa_.path_.local;
	info.peer = sa_.path_.peer;
	info.inboundSpi = spec.inboundSpi;
	info.outboundSpi = spec.outboundSpi;
	info.reqid = spec.reqid;
	info.mark = spec.mark;
	info.suite = suiteName(c.suite);
	info.peerOffer = peerOffer_;
	info.mode = spec.mode;
	info.natT = spec.udpEncap;
	info.flow = spec.flow;
	info.natOa = spec.natOa;
	info.lifetime = c.lifetime;
	info.established = ctx.now;
	sa_.children_.add(std::move(*child), info);
	logInfo(kLog, "peer {}: IPsec SA up: SPI in {} out {}, {}, {} mode, {} s{}", sa_.path_.text(),
	        spiText(info.inboundSpi), spiText(info.outboundSpi), info.suite, kernel::modeName(info.mode),
	        info.lifetime.count(), info.natT ? ", ESP in UDP" : "");
	if (ctx.observer)
		ctx.observer->childSaUp(info);
	return true;
}

void QuickMode::end(const std::string &why)
{
	IkeContext &ctx = sa_.ctx_;
	if (!installed_) {
		releaseSpi(ctx.dataplane, sa_.path_.local, sa_.path_.peer, inboundSpi_);
		inboundSpi_ = 0;
	}
	if (flowAcquired_) {
		ctx.flows.release(ctx.dataplane, flow_, mark_);
		flowAcquired_ = false;
	}
	state_ = State::Done;
	flight_ = Flight{};
	expires_ = ctx.now;
	if (!why.empty()) {
		logWarn(kLog, "peer {}: Quick Mode {} failed: {}", sa_.path_.text(), spiText(messageId_), why);
		if (initiator_ && ctx.observer)
			ctx.observer->childSaFailed(sa_.who_.id, why);
	}
}

// ---- initiator ---------------------------------------------------------------

QuickModeInitiator::QuickModeInitiator(IkeSa &sa, uint32_t messageId) : QuickMode(sa, messageId, true)
{
}

Result<std::unique_ptr<QuickModeInitiator>> QuickModeInitiator::start(IkeSa &sa, uint32_t messageId,
                                                                      const ChildRequest &child)
{
	std::unique_ptr<QuickModeInitiator> qm(new QuickModeInitiator(sa, messageId));
	IkeContext &ctx = sa.ctx_;
	const Endpoint &local = sa.path_.local, &peer = sa.path_.peer;
	qm->flow_ = kernel::Selector{local.address, peer.address, 32, 32, kIpProtoUdp, child.localPort, child.peerPort};
	bool udpEncap = sa.natLocal_ || sa.natPeer_;
	qm->mode_ = encapsulationMode(child.mode, udpEncap, sa.natMethod_);
	// RFC 2409 §5.5: one KE for the whole offer, so only the suites with
	// the first one's PFS group.
	for (const EspSuite &s : ctx.config.proposals.esp)
		if (s.pfs == ctx.config.proposals.esp.front().pfs)
			qm->offered_.push_back(s);

	L2S_TRY_ASSIGN(auto nonce, sa.tx_.random(IkeSa::kNonceLen));
	qm->ni_ = std::move(nonce);
	if (auto group = qm->offered_.front().pfs) {
		L2S_TRY_ASSIGN(auto dh, ctx.random.keyPair(*group));
		qm->dh_ = std::move(dh);
	}
	L2S_TRY(qm->acquireFlow());
	auto spi = ctx.dataplane.allocSpi(peer.address, local.address, qm->reqid_);
	if (!spi) {
		qm->end("");
		return Error{spi.error().code, "allocating an SPI: " + spi.error().message};
	}
	qm->inboundSpi_ = *spi;
	if (auto r = qm->sendQm1(child); !r) {
		qm->end("");
		return std::move(r).error();
	}
	return qm;
}

Result<void> QuickModeInitiator::sendQm1(const ChildRequest &child)
{
	const Endpoint &local = sa_.path_.local, &peer = sa_.path_.peer;
	NatTMethod natMethod = sa_.natMethod_;
	IdPayload idci = quickModeId(local.address, child.idPrefix, child.localPort);
	IdPayload idcr = quickModeId(child.peerId.value_or(peer.address), child.idPrefix, child.peerPort);
	idci_ = buildId(idci);
	idcr_ = buildId(idcr);
	SaPayload offer = phase2Offer(offered_, sa_.ctx_.config.saLifetime, mode_, inboundSpi_);
	MessageBuilder rest(Header{});
	rest.add(offer).add(NoncePayload{ni_});
	if (dh_)
		rest.add(KeyExchangePayload{dh_->publicValue()});
	rest.add(PayloadType::Identification, idci_).add(PayloadType::Identification, idcr_);
	if ((sa_.natLocal_ || sa_.natPeer_) && child.mode == kernel::IpsecMode::Transport) {
		// RFC 3947 §5.2: NAT-OAi and NAT-OAr, our addresses as we know them;
		// the drafts send the initiator's alone. Not in tunnel mode: the
		// inner packets carry their own addresses.
		PayloadType t = natMethod == NatTMethod::Rfc3947 ? PayloadType::NatOa : PayloadType::NatOaDraft;
		rest.add(NatOaPayload{local.address}, t);
		if (natMethod == NatTMethod::Rfc3947)
			rest.add(NatOaPayload{child.peerId.value_or(peer.address)}, t);
	}
	L2S_TRY_ASSIGN(auto after, rest.buildBody());
	L2S_TRY_ASSIGN(auto hash1, quickModeHash1(prfOf(*sa_.choice_), sa_.keys_->skeyidA, messageId_, after));
	iv_ = phase2Iv(prfOf(*sa_.choice_), sa_.cipher_.cipher, sa_.lastPhase1Block_, messageId_);
	L2S_TRY_ASSIGN(auto datagram, seal(hash1, rest.payloads()));
	logInfo(kLog, "peer {}: Quick Mode {} for {} <-> {} ({}), SPI in {}", sa_.path_.text(), spiText(messageId_),
	        idText(idci), idText(idcr), describePhase2Offer(offer), spiText(inboundSpi_));
	expires_ = sa_.ctx_.now + sa_.ctx_.config.setupTimeout;
	sa_.tx_.sendAwaiting(flight_, std::move(datagram), "Quick Mode 1", {});
	return {};
}

bool QuickModeInitiator::receive(Incoming &in)
{
	if (state_ != State::InitSent)
		return false;
	onQm2(in);
	return true;
}

bool QuickModeInitiator::awaits(std::optional<uint32_t> spi) const
{
	return state_ == State::InitSent && (!spi || *spi == inboundSpi_);
}

void QuickModeInitiator::onQm2(Incoming &in)
{
	auto opened = openMessage(sa_.cipher_, in.message, iv_);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash) {
		logWarn(kLog, "peer {}: Quick Mode 2 dropped: {}", in.from.str(),
		        opened ? "no HASH(2) first" : opened.error().message);
		return;
	}
	const std::vector<RawPayload> &chain = opened->payloads;
	auto expect = quickModeHash2(prfOf(*sa_.choice_), sa_.keys_->skeyidA, messageId_, ni_, bytesAfterHash(chain));
	if (!expect || !crypto::constantTimeEqual(chain[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 2 with a wrong HASH(2) dropped", in.from.str());
		return;
	}
	sa_.informational_->heard(in);
	iv_ = opened->lastBlock;
	if (auto r = takeQm2(chain); !r) {
		end(r.error().message);
		return;
	}
	if (!installChild()) {
		// No QM3: the responder installs nothing and gives up on its own.
		end("");
		return;
	}
	auto hash3 = quickModeHash3(prfOf(*sa_.choice_), sa_.keys_->skeyidA, messageId_, ni_, nr_);
	auto datagram = hash3 ? seal(*hash3, {}) : Result<std::vector<uint8_t>>(hash3.error());
	if (!datagram) {
		logError(kLog, "peer {}: Quick Mode 3: {}", sa_.path_.text(), datagram.error().message);
		return;
	}
	finish();
	sa_.tx_.sendAnswer(flight_, std::move(*datagram), in.digest);
}

Result<void> QuickModeInitiator::takeQm2(const std::vector<RawPayload> &chain)
{
	const Endpoint &peer = sa_.path_.peer;
	const RawPayload *saP = findPayload(chain, PayloadType::SecurityAssociation);
	const RawPayload *nr = findPayload(chain, PayloadType::Nonce);
	auto sa = saP ? parseSa(saP->body) : Result<SaPayload>(Error{EBADMSG, "no SA payload"});
	if (!sa || !nr || nr->body.size() < 8 || nr->body.size() > 256)
		return Error{EBADMSG, "malformed Quick Mode 2: " + (sa ? std::string("no nonce") : sa.error().message)};
	L2S_TRY_ASSIGN(auto choice, acceptPhase2Reply(*sa, offered_, sa_.ctx_.config.saLifetime, mode_));
	for (const RawPayload *p : findAll(chain, PayloadType::Notification)) {
		auto n = parseNotify(p->body);
		if (!n || n->type != NotifyType::ResponderLifetime)
			continue;
		// RFC 2407 §4.6.3.1: the responder's shorter lifetime is the one.
		if (auto attrs = responderLifetimeAttributes(*n)) {
			if (auto secs = lifetimeSeconds(*attrs); secs && *secs < choice.lifetime) {
				logInfo(kLog, "peer {}: RESPONDER-LIFETIME {} s", sa_.path_.text(), secs->count());
				choice.lifetime = *secs;
			}
		}
	}
	nr_ = bytesOf(nr->body);
	if (dh_) {
		const RawPayload *ke = findPayload(chain, PayloadType::KeyExchange);
		auto secret = ke ? dh_->sharedSecret(ke->body) : Result<crypto::SecretBytes>(Error{EBADMSG, "no KE"});
		if (!secret)
			return Error{EBADMSG, "PFS: " + secret.error().message};
		pfsSecret_ = std::move(*secret);
	}
	auto ids = findAll(chain, PayloadType::Identification);
	bool natTransport = sa_.natLocal_ || sa_.natPeer_;
	if (!ids.empty() && (ids.size() != 2 || !quickModeIdAnswers(idci_, ids[0]->body, natTransport) ||
	                     !quickModeIdAnswers(idcr_, ids[1]->body, natTransport)))
		return Error{EBADMSG, "the responder changed the identities"};
	auto oas = findAll(chain, PayloadType::NatOa, PayloadType::NatOaDraft);
	if (oas.size() >= 2 && ipsecMode(mode_) == kernel::IpsecMode::Transport) {
		if (auto oa = parseNatOa(oas[1]->body); oa && oa->address.family() == peer.address.family())
			natOa_ = oa->address; // NAT-OAr: the responder's own address
	}
	choice_ = std::move(choice);
	return {};
}

// ---- responder ---------------------------------------------------------------

QuickModeResponder::QuickModeResponder(IkeSa &sa, uint32_t messageId) : QuickMode(sa, messageId, false)
{
}

std::unique_ptr<QuickModeResponder> QuickModeResponder::respond(IkeSa &sa, Incoming &in)
{
	uint32_t mid = in.message.header.messageId;
	std::vector<uint8_t> iv = phase2Iv(prfOf(*sa.choice_), sa.cipher_.cipher, sa.lastPhase1Block_, mid);
	auto opened = openMessage(sa.cipher_, in.message, iv);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash) {
		logWarn(kLog, "peer {}: Quick Mode 1 dropped: {}", in.from.str(),
		        opened ? "no HASH(1) first" : opened.error().message);
		return nullptr;
	}
	const std::vector<RawPayload> &chain = opened->payloads;
	auto expect = quickModeHash1(prfOf(*sa.choice_), sa.keys_->skeyidA, mid, bytesAfterHash(chain));
	if (!expect || !crypto::constantTimeEqual(chain[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 1 with a wrong HASH(1) dropped", in.from.str());
		return nullptr;
	}
	sa.informational_->heard(in);
	std::unique_ptr<QuickModeResponder> qm(new QuickModeResponder(sa, mid));
	qm->iv_ = opened->lastBlock;
	if (!qm->answer(in, chain))
		return nullptr;
	return qm;
}

bool QuickModeResponder::answer(Incoming &in, const std::vector<RawPayload> &chain)
{
	const RawPayload *saP = findPayload(chain, PayloadType::SecurityAssociation);
	const RawPayload *ni = findPayload(chain, PayloadType::Nonce);
	auto offer = saP ? parseSa(saP->body) : Result<SaPayload>(Error{EBADMSG, "no SA payload"});
	if (!offer || !ni || ni->body.size() < 8 || ni->body.size() > 256 ||
	    countPayloads(chain, PayloadType::SecurityAssociation) != 1) {
		logWarn(kLog, "peer {}: malformed Quick Mode 1 dropped", in.from.str());
		return false;
	}
	ni_ = bytesOf(ni->body);
	bool udpEncap = sa_.natLocal_ || sa_.natPeer_;
	logInfo(kLog, "peer {}: Quick Mode offer: {}", sa_.path_.text(), describePhase2Offer(*offer));
	peerOffer_ = compactPhase2Offer(*offer);
	auto choice = choose(*offer, udpEncap);
	if (!choice)
		return false;
	choice_ = *choice;
	mode_ = choice->mode;
	const bool tunnel = ipsecMode(choice->mode) == kernel::IpsecMode::Tunnel;
	if (!takeIdentities(chain, tunnel)) {
		refuse(*offer, NotifyType::InvalidIdInformation);
		return false;
	}
	if (choice->suite.pfs && !takePfs(chain, *choice->suite.pfs)) {
		refuse(*offer, NotifyType::InvalidKeyInformation);
		return false;
	}
	auto oas = findAll(chain, PayloadType::NatOa, PayloadType::NatOaDraft);
	if (!oas.empty() && !tunnel) {
		if (auto oa = parseNatOa(oas[0]->body); oa && oa->address.family() == sa_.path_.peer.address.family())
			natOa_ = oa->address; // NAT-OAi: the client's own (private) address
	}
	auto nr = sa_.tx_.random(IkeSa::kNonceLen);
	if (!nr)
		return false;
	nr_ = std::move(*nr);
	if (!reserve(*offer))
		return false;
	auto datagram = buildQm2(*offer, udpEncap, tunnel);
	if (!datagram) {
		logError(kLog, "peer {}: Quick Mode 2: {}", sa_.path_.text(), datagram.error().message);
		end("");
		return false;
	}
	logInfo(kLog, "peer {}: Quick Mode {} chose {} ({}, {} s) for {}, SPI in {} out {}", sa_.path_.text(),
	        spiText(messageId_), suiteName(choice->suite), encapsulationModeName(choice->mode),
	        choice->lifetime.count(), flowText_, spiText(inboundSpi_), spiText(choice->peerSpi));
	state_ = State::RespSent;
	expires_ = sa_.ctx_.now + sa_.ctx_.config.setupTimeout;
	// The responder waits for QM3 and retransmits QM2 meanwhile: a lost QM3
	// is only ever recovered by the initiator answering QM2 again.
	sa_.tx_.sendAwaiting(flight_, std::move(*datagram), "Quick Mode 2", in.digest);
	return true;
}

void QuickModeResponder::refuse(const SaPayload &offer, NotifyType type)
{
	NotifyPayload n{Doi::Ipsec, ProtocolId::IpsecEsp, type, {}, {}};
	if (!offer.proposals.empty())
		n.spi = offer.proposals.front().spi;
	if (auto body = buildNotify(n))
		sa_.informational_->send({OutPayload{PayloadType::Notification, *body}});
}

std::optional<Phase2Choice> QuickModeResponder::choose(const SaPayload &offer, bool udpEncap)
{
	const IkeEngineConfig &config = sa_.ctx_.config;
	const bool acceptTunnel = config.acceptTunnelMode;
	auto choice = choosePhase2(offer, config.proposals.esp, config.saLifetime, udpEncap, acceptTunnel);
	if (choice)
		return std::move(*choice);
	if (!acceptTunnel && choosePhase2(offer, config.proposals.esp, config.saLifetime, udpEncap, true))
		logWarn(kLog,
		        "peer {}: no proposal chosen (Quick Mode): tunnel mode offered, [ike] tunnel_mode is "
		        "refuse",
		        sa_.path_.text());
	else
		logWarn(kLog, "peer {}: no proposal chosen (Quick Mode{}); we accept {}{}", sa_.path_.text(),
		        udpEncap ? ", UDP-encapsulated" : "",
		        describePhase2Offer(phase2Offer(config.proposals.esp, config.saLifetime,
		                                        transportMode(udpEncap, sa_.natMethod_), 0)),
		        acceptTunnel ? " (or tunnel mode)" : "");
	refuse(offer, NotifyType::NoProposalChosen);
	if (sa_.ctx_.observer)
		sa_.ctx_.observer->negotiationRefused(IkeRefusal{IkeRefusal::Step::QuickModeProposal,
		                                                 sa_.path_.peer.address, "no proposal chosen",
		                                                 peerOffer_, sa_.peerVendorIds_});
	return std::nullopt;
}

bool QuickModeResponder::takeIdentities(const std::vector<RawPayload> &chain, bool tunnel)
{
	const Endpoint &local = sa_.path_.local, &peer = sa_.path_.peer;
	const uint16_t l2tpPort = sa_.ctx_.config.l2tpPort;
	// The identities must be an L2TP flow: the client's address, UDP, any
	// port (Windows 1701, macOS/iOS 0 or their own) to our address, UDP 1701.
	// Behind a NAT the address on its side is a private one (NAT-OA). The
	// addresses are hosts: ID_IPV4_ADDR, or a subnet of one address; we
	// protect L2TP, not the networks behind a peer.
	auto idPayloads = findAll(chain, PayloadType::Identification);
	auto idci = idPayloads.size() == 2 ? parseId(idPayloads[0]->body) : Result<IdPayload>(Error{EBADMSG, "none"});
	auto idcr = idPayloads.size() == 2 ? parseId(idPayloads[1]->body) : Result<IdPayload>(Error{EBADMSG, "none"});
	auto ci = idci ? idHost(*idci) : std::nullopt;
	auto cr = idcr ? idHost(*idcr) : std::nullopt;
	if (idci && idcr && (!ci || !cr) && idAddresses(*idci) && idAddresses(*idcr)) {
		logWarn(kLog,
		        "peer {}: Quick Mode for {} <-> {} names more than one host; only the L2TP flow between "
		        "two hosts is protected; refused",
		        sa_.path_.text(), idText(*idci), idText(*idcr));
		return false;
	}
	// In tunnel mode the inner packets carry the peer's own address: behind
	// a NAT its private one, which the flow then names; ours must be ours.
	bool l2tp = ci && cr && ci->family() == peer.address.family() && cr->family() == ci->family() &&
	            idci->protocol == kIpProtoUdp && idcr->protocol == kIpProtoUdp &&
	            (idcr->port == l2tpPort || idcr->port == 0) && (sa_.natPeer_ || *ci == peer.address) &&
	            ((sa_.natLocal_ && !tunnel) || *cr == local.address);
	if (!l2tp) {
		logWarn(kLog, "peer {}: Quick Mode for {} is not an L2TP flow to us (udp/{}); refused",
		        sa_.path_.text(), idci && idcr ? idText(*idci) + " <-> " + idText(*idcr) : "no identities",
		        l2tpPort);
		return false;
	}
	idci_ = bytesOf(idPayloads[0]->body);
	idcr_ = bytesOf(idPayloads[1]->body);
	flow_ = kernel::Selector{local.address, tunnel ? *ci : peer.address, 32, 32, kIpProtoUdp, l2tpPort, idci->port};
	flowText_ = idText(*idci) + " <-> " + idText(*idcr);
	return true;
}

bool QuickModeResponder::takePfs(const std::vector<RawPayload> &chain, crypto::DhGroup group)
{
	const RawPayload *ke = findPayload(chain, PayloadType::KeyExchange);
	auto dh = sa_.ctx_.random.keyPair(group);
	auto secret = ke && dh ? dh->sharedSecret(ke->body)
	                       : Result<crypto::SecretBytes>(Error{EBADMSG, ke ? "key generation" : "no KE"});
	if (!secret) {
		logWarn(kLog, "peer {}: Quick Mode PFS: {}", sa_.path_.text(), secret.error().message);
		return false;
	}
	pfsSecret_ = std::move(*secret);
	dh_ = std::move(*dh);
	return true;
}

bool QuickModeResponder::reserve(const SaPayload &offer)
{
	if (auto r = acquireFlow(); !r) {
		logWarn(kLog, "peer {}: Quick Mode refused: {}", sa_.path_.text(), r.error().message);
		refuse(offer, NotifyType::InvalidIdInformation);
		return false;
	}
	auto spi = sa_.ctx_.dataplane.allocSpi(sa_.path_.peer.address, sa_.path_.local.address, reqid_);
	if (!spi) {
		logError(kLog, "peer {}: allocating an SPI failed: {}", sa_.path_.text(), spi.error().message);
		end("");
		refuse(offer, NotifyType::NoProposalChosen);
		return false;
	}
	inboundSpi_ = *spi;
	return true;
}

Result<std::vector<uint8_t>> QuickModeResponder::buildQm2(const SaPayload &offer, bool udpEncap, bool tunnel)
{
	const Phase2Choice &choice = *choice_;
	MessageBuilder rest(Header{});
	rest.add(phase2Reply(offer, choice, inboundSpi_)).add(NoncePayload{nr_});
	if (dh_)
		rest.add(KeyExchangePayload{dh_->publicValue()});
	rest.add(PayloadType::Identification, idci_).add(PayloadType::Identification, idcr_);
	if (udpEncap && sa_.natMethod_ == NatTMethod::Rfc3947 && !tunnel) {
		// RFC 3947 §5.2, as strongSwan answers: the initiator's address as
		// we see it, then ours.
		rest.add(NatOaPayload{sa_.path_.peer.address}, PayloadType::NatOa)
		        .add(NatOaPayload{sa_.path_.local.address}, PayloadType::NatOa);
	}
	if (choice.lifetimeReduced) {
		auto n = NotifyPayload::responderLifetime(ProtocolId::IpsecEsp, spiBytes(inboundSpi_),
		                                          lifetimeAttributes(choice.lifetime));
		if (n)
			rest.add(*n);
	}
	auto after = rest.buildBody();
	auto hash2 = after ? quickModeHash2(prfOf(*sa_.choice_), sa_.keys_->skeyidA, messageId_, ni_, *after)
	                   : Result<std::vector<uint8_t>>(after.error());
	return hash2 ? seal(*hash2, rest.payloads()) : Result<std::vector<uint8_t>>(hash2.error());
}

bool QuickModeResponder::receive(Incoming &in)
{
	if (state_ != State::RespSent)
		return false;
	onQm3(in);
	return true;
}

void QuickModeResponder::onQm3(Incoming &in)
{
	auto opened = openMessage(sa_.cipher_, in.message, iv_);
	auto expect = quickModeHash3(prfOf(*sa_.choice_), sa_.keys_->skeyidA, messageId_, ni_, nr_);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash || !expect ||
	    !crypto::constantTimeEqual(opened->payloads[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 3 dropped: {}", in.from.str(),
		        opened ? "wrong HASH(3)" : opened.error().message);
		return;
	}
	sa_.informational_->heard(in);
	iv_ = opened->lastBlock;
	finish();
	flight_ = Flight{};
	uint32_t spi = inboundSpi_;
	if (!installChild()) {
		// Tell the initiator, which installed its pair after QM2.
		DeletePayload d{Doi::Ipsec, ProtocolId::IpsecEsp, {spiBytes(spi)}};
		if (auto body = buildDelete(d))
			sa_.informational_->send({OutPayload{PayloadType::Delete, *body}});
		end("");
	}
}

} // namespace l2tpsec::ike
