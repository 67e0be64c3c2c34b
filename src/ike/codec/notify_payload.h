#pragma once
// The Notification payload (RFC 2408 §3.14):
//   DOI (4) | Protocol-ID (1) | SPI Size (1) | Notify Message Type (2) |
//   SPI | Notification Data
// with constructors and readers for the notifies an L2TP/IPsec responder
// exchanges: INITIAL-CONTACT (RFC 2407 §4.6.3.3), RESPONDER-LIFETIME
// (§4.6.3.1) and DPD R-U-THERE / R-U-THERE-ACK (RFC 3706 §5).

#include "common/result.h"
#include "ike/codec/data_attribute.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

struct NotifyPayload {
	/// Any DOI is accepted: some senders put 0 (ISAKMP) in phase-1 notifies.
	Doi doi = Doi::Ipsec;
	ProtocolId protocol = ProtocolId::Isakmp;
	NotifyType type = NotifyType::InvalidPayloadType;
	std::vector<uint8_t> spi;
	std::vector<uint8_t> data;

	/// RFC 3706 §5: protocol ISAKMP, SPI = CKY-I | CKY-R, data = the
	/// 32-bit sequence number. type is RUThere or RUThereAck.
	static NotifyPayload dpd(NotifyType type, const Cookie &initiator, const Cookie &responder, uint32_t sequence);
	/// RFC 2407 §4.6.3.3: protocol ISAKMP, SPI = CKY-I | CKY-R, no data.
	static NotifyPayload initialContact(const Cookie &initiator, const Cookie &responder);
	/// RFC 2407 §4.6.3.1: the SPI of the phase-2 SA and the lifetime
	/// attributes the responder chose.
	static Result<NotifyPayload> responderLifetime(ProtocolId protocol, std::vector<uint8_t> spi,
	                                               std::span<const DataAttribute> lifetime);

	friend bool operator==(const NotifyPayload &, const NotifyPayload &) = default;
};

/// kErrMalformed when shorter than its 8 fixed bytes or when the SPI size
/// overruns the payload. Any type is accepted.
Result<NotifyPayload> parseNotify(Bytes body);

/// kErrTooLarge for an SPI longer than 255 bytes.
Result<std::vector<uint8_t>> buildNotify(const NotifyPayload &n);

/// The sequence number of an R-U-THERE(-ACK): kErrMalformed for another type
/// or data that is not exactly 4 bytes. (The SPI is the engine's to match
/// against the cookies.)
Result<uint32_t> dpdSequence(const NotifyPayload &n);

/// The lifetime attributes of a RESPONDER-LIFETIME notify.
Result<std::vector<DataAttribute>> responderLifetimeAttributes(const NotifyPayload &n);

/// CKY-I | CKY-R, the 16-byte SPI that stands for an ISAKMP SA (RFC 2408 §2.5.3).
std::vector<uint8_t> cookiePairSpi(const Cookie &initiator, const Cookie &responder);

} // namespace l2tpsec::ike
