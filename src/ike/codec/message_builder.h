#pragma once
// Builds an ISAKMP message: header, then the payload chain with every Next
// Payload and length filled in.
//
// Payload builders that can fail (an SPI or count too large for its field)
// do not make add() fail: the first error is kept and returned by build(),
// so a message is put together in one expression and checked once.
//
// Encrypted messages (RFC 2409 §5, the E flag): buildBody() gives the
// plaintext chain; pad and encrypt it, then buildMessage() with the
// header's nextPayload set to firstPayload().

#include "common/result.h"
#include "ike/codec/delete_payload.h"
#include "ike/codec/header.h"
#include "ike/codec/id_payload.h"
#include "ike/codec/isakmp_types.h"
#include "ike/codec/nat_oa_payload.h"
#include "ike/codec/notify_payload.h"
#include "ike/codec/opaque_payloads.h"
#include "ike/codec/parsed_payload.h"
#include "ike/codec/payload_chain.h"
#include "ike/codec/sa_payload.h"

#include <optional>
#include <vector>

namespace l2tpsec::ike {

class MessageBuilder {
public:
	/// nextPayload and length of the header are filled in by build().
	explicit MessageBuilder(const Header &header) : header_(header) {}

	/// A payload body as it is (unknown types, pre-built bodies).
	MessageBuilder &add(PayloadType type, std::vector<uint8_t> body);
	MessageBuilder &add(const SaPayload &sa);
	MessageBuilder &add(const IdPayload &id);
	MessageBuilder &add(const CertificatePayload &cert);
	MessageBuilder &add(const CertificateRequestPayload &cr);
	MessageBuilder &add(const NotifyPayload &n);
	MessageBuilder &add(const DeletePayload &d);
	/// KE, Hash, Signature, Nonce, Vendor ID.
	template <PayloadType T>
	MessageBuilder &add(const OpaquePayload<T> &p)
	{
		return add(T, buildOpaque(p));
	}
	/// NAT-D: type NatD (RFC 3947) or NatDDraft (130), as negotiated (the
	/// one-argument add() above sends NatD).
	MessageBuilder &add(const NatDPayload &p, PayloadType type);
	/// NAT-OA: type NatOa (RFC 3947) or NatOaDraft (131), as negotiated.
	MessageBuilder &add(const NatOaPayload &p, PayloadType type);
	/// A payload as parsePayload() returned it (relaying, tests).
	MessageBuilder &add(const ParsedPayload &p);

	/// The type of the first payload (None for an empty message).
	PayloadType firstPayload() const;
	const std::vector<OutPayload> &payloads() const { return payloads_; }

	/// The payload chain alone: what an encrypted message encrypts.
	Result<std::vector<uint8_t>> buildBody() const;
	/// Header + chain, header.nextPayload and header.length filled in.
	Result<std::vector<uint8_t>> build() const;

private:
	MessageBuilder &addResult(PayloadType type, Result<std::vector<uint8_t>> body);

	Header header_;
	std::vector<OutPayload> payloads_;
	std::optional<Error> error_;
};

/// Header + an already-encoded body (ciphertext or chain) with
/// header.length = 28 + body size. header.nextPayload is taken as given.
/// kErrTooLarge when the length does not fit 32 bits.
Result<std::vector<uint8_t>> buildMessage(const Header &header, Bytes body);

} // namespace l2tpsec::ike
