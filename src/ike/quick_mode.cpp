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
#include "common/log.h"
#include "crypto/constant_time.h"
#include "ike/codec/message_builder.h"
#include "ike/codec/nat_oa_payload.h"
#include "ike/ike_log.h"
#include "ike/ike_sa.h"
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

Result<std::vector<uint8_t>> IkeSa::protectedMessage(ExchangeType exchange, uint32_t messageId,
                                                     std::vector<uint8_t> &iv, Bytes hash,
                                                     std::span<const OutPayload> rest)
{
	std::vector<OutPayload> payloads{OutPayload{PayloadType::Hash, bytesOf(hash)}};
	payloads.insert(payloads.end(), rest.begin(), rest.end());
	auto sealed = sealMessage(cipher_, header(exchange, messageId), payloads, iv);
	if (!sealed)
		return std::move(sealed).error();
	iv = sealed->lastBlock;
	return std::move(sealed->datagram);
}

// ---- initiator ---------------------------------------------------------------

Result<void> IkeSa::startQuickMode(const ChildRequest &child)
{
	if (!established())
		return Error{EAGAIN, "the ISAKMP SA is not established"};
	if (ctx_.config.proposals.esp.empty())
		return Error{EINVAL, "no ESP proposals configured"};
	auto mid = newMessageId();
	if (!mid)
		return std::move(mid).error();
	QuickMode qm;
	qm.messageId = *mid;
	qm.initiator = true;
	qm.flow = kernel::Selector{local_.address, peer_.address, 32, 32, kIpProtoUdp, child.localPort, child.peerPort};
	bool udpEncap = natLocal_ || natPeer_;
	qm.mode = encapsulationMode(child.mode, udpEncap, natMethod_);
	// RFC 2409 §5.5: one KE for the whole offer, so only the suites with
	// the first one's PFS group.
	for (const EspSuite &s : ctx_.config.proposals.esp)
		if (s.pfs == ctx_.config.proposals.esp.front().pfs)
			qm.offered.push_back(s);

	auto nonce = random(kNonceLen);
	if (!nonce)
		return std::move(nonce).error();
	qm.ni = std::move(*nonce);
	if (auto group = qm.offered.front().pfs) {
		auto dh = ctx_.random.keyPair(*group);
		if (!dh)
			return std::move(dh).error();
		qm.dh = std::move(*dh);
	}
	auto reqid = ctx_.flows.acquire(qm.flow, peer_, flowTemplate(ipsecMode(qm.mode), local_, peer_));
	if (!reqid)
		return std::move(reqid).error();
	qm.reqid = *reqid;
	qm.flowAcquired = true;
	auto spi = ctx_.dataplane.allocSpi(peer_.address, local_.address, qm.reqid);
	if (!spi) {
		endQuickMode(qm, "");
		return Error{spi.error().code, "allocating an SPI: " + spi.error().message};
	}
	qm.inboundSpi = *spi;

	IdPayload idci = quickModeId(local_.address, child.idPrefix, child.localPort);
	IdPayload idcr = quickModeId(child.peerId.value_or(peer_.address), child.idPrefix, child.peerPort);
	qm.idci = buildId(idci);
	qm.idcr = buildId(idcr);
	SaPayload offer = phase2Offer(qm.offered, ctx_.config.saLifetime, qm.mode, qm.inboundSpi);
	MessageBuilder rest(Header{});
	rest.add(offer).add(NoncePayload{qm.ni});
	if (qm.dh)
		rest.add(KeyExchangePayload{qm.dh->publicValue()});
	rest.add(PayloadType::Identification, qm.idci).add(PayloadType::Identification, qm.idcr);
	if (udpEncap && child.mode == kernel::IpsecMode::Transport) {
		// RFC 3947 §5.2: NAT-OAi and NAT-OAr, our addresses as we know them;
		// the drafts send the initiator's alone. Not in tunnel mode: the
		// inner packets carry their own addresses.
		PayloadType t = natMethod_ == NatTMethod::Rfc3947 ? PayloadType::NatOa : PayloadType::NatOaDraft;
		rest.add(NatOaPayload{local_.address}, t);
		if (natMethod_ == NatTMethod::Rfc3947)
			rest.add(NatOaPayload{child.peerId.value_or(peer_.address)}, t);
	}
	auto after = rest.buildBody();
	if (!after) {
		endQuickMode(qm, "");
		return std::move(after).error();
	}
	auto hash1 = quickModeHash1(prf(), keys_->skeyidA, qm.messageId, *after);
	if (!hash1) {
		endQuickMode(qm, "");
		return std::move(hash1).error();
	}
	qm.iv = phase2Iv(prf(), cipher_.cipher, lastPhase1Block_, qm.messageId);
	auto datagram = protectedMessage(ExchangeType::QuickMode, qm.messageId, qm.iv, *hash1, rest.payloads());
	if (!datagram) {
		endQuickMode(qm, "");
		return std::move(datagram).error();
	}
	logInfo(kLog, "peer {}: Quick Mode {} for {} <-> {} ({}), SPI in {}", peerText(), spiText(qm.messageId),
	        idText(idci), idText(idcr), describePhase2Offer(offer), spiText(qm.inboundSpi));
	qm.expires = ctx_.now + ctx_.config.setupTimeout;
	usedMessageIds_.insert(qm.messageId);
	auto [it, inserted] = quickModes_.emplace(qm.messageId, std::move(qm));
	(void)inserted;
	sendAwaiting(it->second.flight, std::move(*datagram), "Quick Mode 1", {});
	return {};
}

void IkeSa::initiatorQm2(Incoming &in, QuickMode &qm)
{
	auto opened = openMessage(cipher_, in.message, qm.iv);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash) {
		logWarn(kLog, "peer {}: Quick Mode 2 dropped: {}", in.from.str(),
		        opened ? "no HASH(2) first" : opened.error().message);
		return;
	}
	const std::vector<RawPayload> &chain = opened->payloads;
	auto expect = quickModeHash2(prf(), keys_->skeyidA, qm.messageId, qm.ni, bytesAfterHash(chain));
	if (!expect || !crypto::constantTimeEqual(chain[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 2 with a wrong HASH(2) dropped", in.from.str());
		return;
	}
	followPeer(in);
	qm.iv = opened->lastBlock;

	const RawPayload *saP = findPayload(chain, PayloadType::SecurityAssociation);
	const RawPayload *nr = findPayload(chain, PayloadType::Nonce);
	auto sa = saP ? parseSa(saP->body) : Result<SaPayload>(Error{EBADMSG, "no SA payload"});
	if (!sa || !nr || nr->body.size() < 8 || nr->body.size() > 256) {
		endQuickMode(qm, "malformed Quick Mode 2: " + (sa ? std::string("no nonce") : sa.error().message));
		return;
	}
	auto choice = acceptPhase2Reply(*sa, qm.offered, ctx_.config.saLifetime, qm.mode);
	if (!choice) {
		endQuickMode(qm, choice.error().message);
		return;
	}
	for (const RawPayload *p : findAll(chain, PayloadType::Notification)) {
		auto n = parseNotify(p->body);
		if (!n || n->type != NotifyType::ResponderLifetime)
			continue;
		// RFC 2407 §4.6.3.1: the responder's shorter lifetime is the one.
		if (auto attrs = responderLifetimeAttributes(*n)) {
			if (auto secs = lifetimeSeconds(*attrs); secs && *secs < choice->lifetime) {
				logInfo(kLog, "peer {}: RESPONDER-LIFETIME {} s", peerText(), secs->count());
				choice->lifetime = *secs;
			}
		}
	}
	qm.nr = bytesOf(nr->body);
	if (qm.dh) {
		const RawPayload *ke = findPayload(chain, PayloadType::KeyExchange);
		auto secret = ke ? qm.dh->sharedSecret(ke->body) : Result<crypto::SecretBytes>(Error{EBADMSG, "no KE"});
		if (!secret) {
			endQuickMode(qm, "PFS: " + secret.error().message);
			return;
		}
		qm.pfsSecret = std::move(*secret);
	}
	auto ids = findAll(chain, PayloadType::Identification);
	bool natTransport = natLocal_ || natPeer_;
	if (!ids.empty() && (ids.size() != 2 || !quickModeIdAnswers(qm.idci, ids[0]->body, natTransport) ||
	                     !quickModeIdAnswers(qm.idcr, ids[1]->body, natTransport))) {
		endQuickMode(qm, "the responder changed the identities");
		return;
	}
	auto oas = findAll(chain, PayloadType::NatOa, PayloadType::NatOaDraft);
	if (oas.size() >= 2 && ipsecMode(qm.mode) == kernel::IpsecMode::Transport) {
		if (auto oa = parseNatOa(oas[1]->body); oa && oa->address.family() == peer_.address.family())
			qm.natOa = oa->address; // NAT-OAr: the responder's own address
	}
	qm.choice = std::move(*choice);
	if (!installChildOk(qm)) {
		// No QM3: the responder installs nothing and gives up on its own.
		endQuickMode(qm, "");
		return;
	}
	auto hash3 = quickModeHash3(prf(), keys_->skeyidA, qm.messageId, qm.ni, qm.nr);
	auto datagram = hash3 ? protectedMessage(ExchangeType::QuickMode, qm.messageId, qm.iv, *hash3, {})
	                      : Result<std::vector<uint8_t>>(hash3.error());
	if (!datagram) {
		logError(kLog, "peer {}: Quick Mode 3: {}", peerText(), datagram.error().message);
		return;
	}
	qm.state = QuickMode::State::Done;
	qm.expires = ctx_.now + ctx_.config.quickModeLinger;
	sendAnswer(qm.flight, std::move(*datagram), in.digest);
}

// ---- responder ---------------------------------------------------------------

void IkeSa::respondQm1(Incoming &in)
{
	uint32_t mid = in.message.header.messageId;
	std::vector<uint8_t> iv = phase2Iv(prf(), cipher_.cipher, lastPhase1Block_, mid);
	auto opened = openMessage(cipher_, in.message, iv);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash) {
		logWarn(kLog, "peer {}: Quick Mode 1 dropped: {}", in.from.str(),
		        opened ? "no HASH(1) first" : opened.error().message);
		return;
	}
	const std::vector<RawPayload> &chain = opened->payloads;
	auto expect = quickModeHash1(prf(), keys_->skeyidA, mid, bytesAfterHash(chain));
	if (!expect || !crypto::constantTimeEqual(chain[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 1 with a wrong HASH(1) dropped", in.from.str());
		return;
	}
	followPeer(in);

	QuickMode qm;
	qm.messageId = mid;
	qm.initiator = false;
	qm.iv = opened->lastBlock;
	const RawPayload *saP = findPayload(chain, PayloadType::SecurityAssociation);
	const RawPayload *ni = findPayload(chain, PayloadType::Nonce);
	auto sa = saP ? parseSa(saP->body) : Result<SaPayload>(Error{EBADMSG, "no SA payload"});
	if (!sa || !ni || ni->body.size() < 8 || ni->body.size() > 256 ||
	    countPayloads(chain, PayloadType::SecurityAssociation) != 1) {
		logWarn(kLog, "peer {}: malformed Quick Mode 1 dropped", in.from.str());
		return;
	}
	qm.ni = bytesOf(ni->body);
	bool udpEncap = natLocal_ || natPeer_;
	logInfo(kLog, "peer {}: Quick Mode offer: {}", peerText(), describePhase2Offer(*sa));
	auto notify = [&](NotifyType type) {
		NotifyPayload n{Doi::Ipsec, ProtocolId::IpsecEsp, type, {}, {}};
		if (!sa->proposals.empty())
			n.spi = sa->proposals.front().spi;
		if (auto body = buildNotify(n))
			sendInformational({OutPayload{PayloadType::Notification, *body}});
	};
	const bool acceptTunnel = ctx_.config.acceptTunnelMode;
	auto choice = choosePhase2(*sa, ctx_.config.proposals.esp, ctx_.config.saLifetime, udpEncap, acceptTunnel);
	if (!choice) {
		if (!acceptTunnel &&
		    choosePhase2(*sa, ctx_.config.proposals.esp, ctx_.config.saLifetime, udpEncap, true))
			logWarn(kLog,
			        "peer {}: no proposal chosen (Quick Mode): tunnel mode offered, [ike] tunnel_mode is "
			        "refuse",
			        peerText());
		else
			logWarn(kLog, "peer {}: no proposal chosen (Quick Mode{}); we accept {}{}", peerText(),
			        udpEncap ? ", UDP-encapsulated" : "",
			        describePhase2Offer(phase2Offer(ctx_.config.proposals.esp, ctx_.config.saLifetime,
			                                        transportMode(udpEncap, natMethod_), 0)),
			        acceptTunnel ? " (or tunnel mode)" : "");
		notify(NotifyType::NoProposalChosen);
		return;
	}
	qm.choice = *choice;
	qm.mode = choice->mode;
	const bool tunnel = ipsecMode(choice->mode) == kernel::IpsecMode::Tunnel;

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
		        peerText(), idText(*idci), idText(*idcr));
		notify(NotifyType::InvalidIdInformation);
		return;
	}
	// In tunnel mode the inner packets carry the peer's own address: behind
	// a NAT its private one, which the flow then names; ours must be ours.
	bool l2tp = ci && cr && ci->family() == peer_.address.family() && cr->family() == ci->family() &&
	            idci->protocol == kIpProtoUdp && idcr->protocol == kIpProtoUdp &&
	            (idcr->port == ctx_.config.l2tpPort || idcr->port == 0) && (natPeer_ || *ci == peer_.address) &&
	            ((natLocal_ && !tunnel) || *cr == local_.address);
	if (!l2tp) {
		logWarn(kLog, "peer {}: Quick Mode for {} is not an L2TP flow to us (udp/{}); refused", peerText(),
		        idci && idcr ? idText(*idci) + " <-> " + idText(*idcr) : "no identities", ctx_.config.l2tpPort);
		notify(NotifyType::InvalidIdInformation);
		return;
	}
	qm.idci = bytesOf(idPayloads[0]->body);
	qm.idcr = bytesOf(idPayloads[1]->body);
	qm.flow = kernel::Selector{local_.address, tunnel ? *ci : peer_.address, 32,        32,
	                           kIpProtoUdp,    ctx_.config.l2tpPort,         idci->port};

	if (choice->suite.pfs) {
		const RawPayload *ke = findPayload(chain, PayloadType::KeyExchange);
		auto dh = ctx_.random.keyPair(*choice->suite.pfs);
		auto secret = ke && dh ? dh->sharedSecret(ke->body)
		                       : Result<crypto::SecretBytes>(Error{EBADMSG, ke ? "key generation" : "no KE"});
		if (!secret) {
			logWarn(kLog, "peer {}: Quick Mode PFS: {}", peerText(), secret.error().message);
			notify(NotifyType::InvalidKeyInformation);
			return;
		}
		qm.pfsSecret = std::move(*secret);
		qm.dh = std::move(*dh);
	}
	auto oas = findAll(chain, PayloadType::NatOa, PayloadType::NatOaDraft);
	if (!oas.empty() && !tunnel) {
		if (auto oa = parseNatOa(oas[0]->body); oa && oa->address.family() == peer_.address.family())
			qm.natOa = oa->address; // NAT-OAi: the client's own (private) address
	}
	auto nr = random(kNonceLen);
	if (!nr)
		return;
	qm.nr = std::move(*nr);

	auto reqid = ctx_.flows.acquire(qm.flow, peer_, flowTemplate(ipsecMode(qm.mode), local_, peer_));
	if (!reqid) {
		logWarn(kLog,
		        "peer {}: Quick Mode refused: {} (several clients behind one NAT using the same L2TP "
		        "port?)",
		        peerText(), reqid.error().message);
		notify(NotifyType::InvalidIdInformation);
		return;
	}
	qm.reqid = *reqid;
	qm.flowAcquired = true;
	auto spi = ctx_.dataplane.allocSpi(peer_.address, local_.address, qm.reqid);
	if (!spi) {
		logError(kLog, "peer {}: allocating an SPI failed: {}", peerText(), spi.error().message);
		endQuickMode(qm, "");
		notify(NotifyType::NoProposalChosen);
		return;
	}
	qm.inboundSpi = *spi;

	MessageBuilder rest(Header{});
	rest.add(phase2Reply(*sa, *choice, qm.inboundSpi)).add(NoncePayload{qm.nr});
	if (qm.dh)
		rest.add(KeyExchangePayload{qm.dh->publicValue()});
	rest.add(PayloadType::Identification, qm.idci).add(PayloadType::Identification, qm.idcr);
	if (udpEncap && natMethod_ == NatTMethod::Rfc3947 && !tunnel) {
		// RFC 3947 §5.2, as strongSwan answers: the initiator's address as
		// we see it, then ours.
		rest.add(NatOaPayload{peer_.address}, PayloadType::NatOa)
		        .add(NatOaPayload{local_.address}, PayloadType::NatOa);
	}
	if (choice->lifetimeReduced) {
		auto n = NotifyPayload::responderLifetime(ProtocolId::IpsecEsp, spiBytes(qm.inboundSpi),
		                                          lifetimeAttributes(choice->lifetime));
		if (n)
			rest.add(*n);
	}
	auto after = rest.buildBody();
	auto hash2 = after ? quickModeHash2(prf(), keys_->skeyidA, mid, qm.ni, *after)
	                   : Result<std::vector<uint8_t>>(after.error());
	auto datagram = hash2 ? protectedMessage(ExchangeType::QuickMode, mid, qm.iv, *hash2, rest.payloads())
	                      : Result<std::vector<uint8_t>>(hash2.error());
	if (!datagram) {
		logError(kLog, "peer {}: Quick Mode 2: {}", peerText(), datagram.error().message);
		endQuickMode(qm, "");
		return;
	}
	logInfo(kLog, "peer {}: Quick Mode {} chose {} ({}, {} s) for {} <-> {}, SPI in {} out {}", peerText(),
	        spiText(mid), suiteName(choice->suite), encapsulationModeName(choice->mode), choice->lifetime.count(),
	        idText(*idci), idText(*idcr), spiText(qm.inboundSpi), spiText(choice->peerSpi));
	qm.state = QuickMode::State::RespSent;
	qm.expires = ctx_.now + ctx_.config.setupTimeout;
	usedMessageIds_.insert(mid);
	auto [it, inserted] = quickModes_.emplace(mid, std::move(qm));
	(void)inserted;
	// The responder waits for QM3 and retransmits QM2 meanwhile: a lost QM3
	// is only ever recovered by the initiator answering QM2 again.
	sendAwaiting(it->second.flight, std::move(*datagram), "Quick Mode 2", in.digest);
}

void IkeSa::respondQm3(Incoming &in, QuickMode &qm)
{
	auto opened = openMessage(cipher_, in.message, qm.iv);
	auto expect = quickModeHash3(prf(), keys_->skeyidA, qm.messageId, qm.ni, qm.nr);
	if (!opened || opened->payloads.empty() || opened->payloads[0].type != PayloadType::Hash || !expect ||
	    !crypto::constantTimeEqual(opened->payloads[0].body, *expect)) {
		logWarn(kLog, "peer {}: Quick Mode 3 dropped: {}", in.from.str(),
		        opened ? "wrong HASH(3)" : opened.error().message);
		return;
	}
	followPeer(in);
	qm.iv = opened->lastBlock;
	qm.state = QuickMode::State::Done;
	qm.expires = ctx_.now + ctx_.config.quickModeLinger;
	qm.flight = Flight{};
	uint32_t spi = qm.inboundSpi;
	if (!installChildOk(qm)) {
		// Tell the initiator, which installed its pair after QM2.
		DeletePayload d{Doi::Ipsec, ProtocolId::IpsecEsp, {spiBytes(spi)}};
		if (auto body = buildDelete(d))
			sendInformational({OutPayload{PayloadType::Delete, *body}});
		endQuickMode(qm, "");
	}
}

Phase1State IkeSa::onQuickMode(Incoming &in)
{
	const Header &h = in.message.header;
	if (h.messageId == 0 || !h.encrypted()) {
		logWarn(kLog, "peer {}: Quick Mode without message id or encryption dropped", in.from.str());
		return state_;
	}
	auto it = quickModes_.find(h.messageId);
	if (it == quickModes_.end() && usedMessageIds_.contains(h.messageId))
		logWarn(kLog, "peer {}: replayed Quick Mode {} dropped", in.from.str(), spiText(h.messageId));
	else if (it == quickModes_.end())
		respondQm1(in);
	else if (it->second.initiator && it->second.state == QuickMode::State::InitSent)
		initiatorQm2(in, it->second);
	else if (!it->second.initiator && it->second.state == QuickMode::State::RespSent)
		respondQm3(in, it->second);
	else
		logDebug(kLog, "peer {}: Quick Mode {} message after its end dropped", in.from.str(),
		         spiText(h.messageId));
	return state_;
}

// ---- the SA pair -------------------------------------------------------------

bool IkeSa::installChildOk(QuickMode &qm)
{
	const Phase2Choice &c = *qm.choice;
	uint32_t initiatorSpi = qm.initiator ? qm.inboundSpi : c.peerSpi;
	uint32_t responderSpi = qm.initiator ? c.peerSpi : qm.inboundSpi;
	auto keymat = quickModeKeymatPair(prf(), keys_->skeyidD, qm.pfsSecret, ProtocolId::IpsecEsp, initiatorSpi,
	                                  responderSpi, qm.ni, qm.nr, espKeymatLength(c.suite));
	if (!keymat) {
		logError(kLog, "peer {}: KEYMAT: {}", peerText(), keymat.error().message);
		return false;
	}
	ChildSaSpec spec;
	spec.local = local_;
	spec.peer = peer_;
	spec.mode = ipsecMode(c.mode);
	spec.udpEncap = natLocal_ || natPeer_;
	spec.natOa = qm.natOa;
	spec.flow = qm.flow;
	spec.reqid = qm.reqid;
	spec.inboundSpi = qm.inboundSpi;
	spec.outboundSpi = c.peerSpi;
	// RFC 2409 §5.5: each direction's KEYMAT is keyed with the SPI its
	// receiver chose.
	spec.inboundKeys = espKeys(c.suite, qm.initiator ? keymat->responderToInitiator : keymat->initiatorToResponder);
	spec.outboundKeys =
	        espKeys(c.suite, qm.initiator ? keymat->initiatorToResponder : keymat->responderToInitiator);
	spec.lifetime = saLifetime(c, qm.initiator);
	auto child = ChildSa::install(ctx_.dataplane, ctx_.flows, spec);
	if (!child) {
		// install() has deleted what it added, the reserved SPI included.
		qm.inboundSpi = 0;
		logError(kLog, "peer {}: installing the IPsec SA (SPI in {} out {}) failed: {}; rolled back",
		         peerText(), spiText(spec.inboundSpi), spiText(spec.outboundSpi), child.error().message);
		if (qm.initiator && ctx_.observer)
			ctx_.observer->childSaFailed(id_, "installing the IPsec SA failed: " + child.error().message);
		return false;
	}
	qm.installed = true;
	qm.flowAcquired = false; // the pair holds the flow now
	ChildSaInfo info;
	info.ikeSaId = id_;
	info.local = local_;
	info.peer = peer_;
	info.inboundSpi = spec.inboundSpi;
	info.outboundSpi = spec.outboundSpi;
	info.reqid = spec.reqid;
	info.suite = suiteName(c.suite);
	info.mode = spec.mode;
	info.natT = spec.udpEncap;
	info.flow = spec.flow;
	info.natOa = spec.natOa;
	info.lifetime = c.lifetime;
	info.established = ctx_.now;
	children_.push_back(std::move(*child));
	childInfo_.push_back(info);
	logInfo(kLog, "peer {}: IPsec SA up: SPI in {} out {}, {}, {} mode, {} s{}", peerText(),
	        spiText(info.inboundSpi), spiText(info.outboundSpi), info.suite, kernel::modeName(info.mode),
	        info.lifetime.count(), info.natT ? ", ESP in UDP" : "");
	if (ctx_.observer)
		ctx_.observer->childSaUp(info);
	return true;
}

void IkeSa::endQuickMode(QuickMode &qm, const std::string &why)
{
	if (!qm.installed) {
		releaseSpi(ctx_.dataplane, local_, peer_, qm.inboundSpi);
		qm.inboundSpi = 0;
	}
	if (qm.flowAcquired) {
		ctx_.flows.release(ctx_.dataplane, qm.flow);
		qm.flowAcquired = false;
	}
	qm.state = QuickMode::State::Done;
	qm.flight = Flight{};
	qm.expires = ctx_.now;
	if (!why.empty()) {
		logWarn(kLog, "peer {}: Quick Mode {} failed: {}", peerText(), spiText(qm.messageId), why);
		if (qm.initiator && ctx_.observer)
			ctx_.observer->childSaFailed(id_, why);
	}
}

} // namespace l2tpsec::ike
