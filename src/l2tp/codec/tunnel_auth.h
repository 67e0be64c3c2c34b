#pragma once
// Tunnel authentication (RFC 2661 §4.2, §5.1.1): a CHAP-like exchange over
// the control connection set-up. A peer that sends a Challenge AVP in its
// SCCRQ (or SCCRP) expects a Challenge Response AVP in the SCCRP (or SCCCN):
//   response = MD5(CHAP ID + shared secret + challenge)
// where the CHAP ID is the Message Type of the message carrying the response,
// as one octet: 2 in an SCCRP, 3 in an SCCCN.

#include "l2tp/codec/avp_types.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace l2tpsec::l2tp {

using ChallengeResponse = std::array<uint8_t, 16>;

/// The response to `challenge` carried in a message of type responseType
/// (MessageType::Sccrp or MessageType::Scccn).
ChallengeResponse computeChallengeResponse(MessageType responseType, std::string_view secret, Bytes challenge);

/// Whether `response` answers `challenge`. The comparison takes the same time
/// wherever the bytes differ; a response that is not 16 octets is false.
bool verifyChallengeResponse(MessageType responseType, std::string_view secret, Bytes challenge, Bytes response);

} // namespace l2tpsec::l2tp
