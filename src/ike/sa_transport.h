#pragma once
// SaTransport: how one ISAKMP SA's messages go out. Its flights (a message
// that waits for an answer, retransmitted, RFC 2408 §5; or an answer kept
// for retransmissions of what it answers), the header with the SA's
// cookies, the sealing of HDR*, HASH, ... under the phase-1 cipher, and
// fresh message ids and nonces. The exchange objects (phase1_exchange.h,
// quick_mode.h, informational.h) send through it rather than through IkeSa,
// which owns it along with the identity, path and cipher it reads.
// Internal to src/ike/.

#include "common/result.h"
#include "ike/codec/header.h"
#include "ike/codec/payload_chain.h"
#include "ike/ike_context.h"
#include "ike/message_protection.h"
#include "ike/sa_identity.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::ike {

/// A message this SA sent and the datagram that provoked it: what a
/// retransmission of that datagram is answered with (RFC 2408 §5), and for
/// the side that waits, the retransmission schedule.
struct Flight {
	std::vector<uint8_t> sent;
	std::vector<uint8_t> answered; ///< digest of the datagram `sent` answers
	std::optional<TimePoint> retransmitAt;
	std::chrono::milliseconds timeout{0};
	uint32_t retransmits = 0;
	std::string what; ///< "Main Mode 1", for the give-up line
};

class SaTransport {
public:
	SaTransport(IkeContext &ctx, const SaIdentity &who, const PeerPath &path, const IsakmpCipher &cipher)
	    : ctx_(ctx), who_(who), path_(path), cipher_(cipher)
	{
	}
	SaTransport(const SaTransport &) = delete;
	SaTransport &operator=(const SaTransport &) = delete;

	/// One datagram to the peer on the path's socket (with the non-ESP
	/// marker on the NAT-T one); a failure is logged at debug level.
	void send(const std::vector<uint8_t> &datagram);
	/// Sends a message that waits for an answer, and arms its retransmission.
	void sendAwaiting(Flight &f, std::vector<uint8_t> datagram, std::string what,
	                  const std::vector<uint8_t> &answered);
	/// Sends an answer, kept for retransmissions of the datagram it answers.
	void sendAnswer(Flight &f, std::vector<uint8_t> datagram, const std::vector<uint8_t> &answered);
	/// Sends `f` again if it is due; returns false when the flight gave up.
	bool retransmit(Flight &f);

	Header header(ExchangeType exchange, uint32_t messageId) const;
	/// HDR*, HASH, rest: sealed under the phase-1 cipher with `iv`, which
	/// goes on to the last cipher block.
	Result<std::vector<uint8_t>> protectedMessage(ExchangeType exchange, uint32_t messageId,
	                                              std::vector<uint8_t> &iv, Bytes hash,
	                                              std::span<const OutPayload> rest);
	Result<std::vector<uint8_t>> random(size_t n);
	/// A random message id no Quick Mode of this SA has used.
	Result<uint32_t> newMessageId();
	/// Quick Mode message ids are used once: a replayed QM1 is dropped
	/// even after its exchange was forgotten.
	void markUsed(uint32_t messageId) { usedMessageIds_.insert(messageId); }
	bool used(uint32_t messageId) const { return usedMessageIds_.contains(messageId); }

private:
	IkeContext &ctx_;
	const SaIdentity &who_;
	const PeerPath &path_;
	const IsakmpCipher &cipher_;
	std::set<uint32_t> usedMessageIds_;
};

} // namespace l2tpsec::ike
