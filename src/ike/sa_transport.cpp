// Sending for one ISAKMP SA: flights and retransmission (RFC 2408 §5), the
// NAT-T marker (RFC 3948 §2.2), headers, sealing, message ids.
#include "ike/sa_transport.h"

#include "common/log.h"
#include "ike/ike_log.h"
#include "ike/payload_find.h"

#include <algorithm>

namespace l2tpsec::ike {

void SaTransport::send(const std::vector<uint8_t> &datagram)
{
	Result<void> r;
	if (path_.socket == IkeSocket::NatT) {
		// RFC 3948 §2.2: IKE on port 4500 starts with four zero bytes.
		std::vector<uint8_t> marked(4, 0);
		marked.insert(marked.end(), datagram.begin(), datagram.end());
		r = ctx_.sockets.send(path_.socket, path_.local, path_.peer, marked);
	} else {
		r = ctx_.sockets.send(path_.socket, path_.local, path_.peer, datagram);
	}
	if (!r)
		logDebug(kLog, "peer {}: send: {}", path_.peer.str(), r.error().message);
}

void SaTransport::sendAwaiting(Flight &f, std::vector<uint8_t> datagram, std::string what,
                               const std::vector<uint8_t> &answered)
{
	f.sent = std::move(datagram);
	f.answered = answered;
	f.what = std::move(what);
	f.retransmits = 0;
	f.timeout = ctx_.config.retransmitTimeout;
	f.retransmitAt = ctx_.now + f.timeout;
	send(f.sent);
}

void SaTransport::sendAnswer(Flight &f, std::vector<uint8_t> datagram, const std::vector<uint8_t> &answered)
{
	f.sent = std::move(datagram);
	f.answered = answered;
	f.retransmitAt.reset();
	send(f.sent);
}

bool SaTransport::retransmit(Flight &f)
{
	if (!f.retransmitAt || ctx_.now < *f.retransmitAt)
		return true;
	if (f.retransmits >= ctx_.config.retransmitTries)
		return false;
	f.retransmits++;
	f.timeout = std::min(f.timeout * 2, ctx_.config.maxRetransmitTimeout);
	f.retransmitAt = ctx_.now + f.timeout;
	logDebug(kLog, "peer {}: retransmitting {} ({})", path_.peer.str(), f.what, f.retransmits);
	send(f.sent);
	return true;
}

Header SaTransport::header(ExchangeType exchange, uint32_t messageId) const
{
	Header h;
	h.initiatorCookie = who_.ckyI;
	h.responderCookie = who_.ckyR;
	h.exchange = exchange;
	h.messageId = messageId;
	return h;
}

Result<std::vector<uint8_t>> SaTransport::protectedMessage(ExchangeType exchange, uint32_t messageId,
                                                           std::vector<uint8_t> &iv, Bytes hash,
                                                           std::span<const OutPayload> rest)
{
	std::vector<OutPayload> payloads{OutPayload{PayloadType::Hash, bytesOf(hash)}};
	payloads.insert(payloads.end(), rest.begin(), rest.end());
	L2S_TRY_ASSIGN(auto sealed, sealMessage(cipher_, header(exchange, messageId), payloads, iv));
	iv = sealed.lastBlock;
	return std::move(sealed.datagram);
}

Result<std::vector<uint8_t>> SaTransport::random(size_t n)
{
	return ctx_.random.bytes(n);
}

Result<uint32_t> SaTransport::newMessageId()
{
	// Every Quick Mode the SA files is marked used first, so this covers
	// the ones under way too.
	for (int i = 0; i < 16; i++) {
		L2S_TRY_ASSIGN(auto b, random(4));
		uint32_t mid = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
		if (mid != 0 && !usedMessageIds_.contains(mid))
			return mid;
	}
	return Error{EAGAIN, "no free message id"};
}

} // namespace l2tpsec::ike
