#pragma once
// The two RADIUS integrity checks, for Dynamic Authorization (RFC 5176):
// - the Request Authenticator of a Disconnect-Request or CoA-Request
//   (§3.5, as RFC 2866 §3 defines it for Accounting-Request):
//   MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret);
// - the Message-Authenticator attribute (RFC 3579 §3.2, RFC 5176 §3.5):
//   HMAC-MD5 keyed with the secret over the packet with the attribute's
//   value zeroed, the authenticator field holding 16 zero octets in a
//   request and the request's authenticator in a response.
// A response's authenticator is MD5(Code + Identifier + Length + Request
// Authenticator + Attributes + Secret) (RFC 2865 §3).

#include "radius/radius_packet.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::radius {

/// `bytes`: the request's Length octets as received.
bool requestAuthenticatorValid(std::span<const uint8_t> bytes, std::string_view secret);

/// True when the packet holds no Message-Authenticator, or exactly one
/// whose value is 16 octets and right for `secret`. `bytes` as above;
/// `request`: the authenticator field counts as zeros (a request) or as it
/// is (a response, whose field then holds the request's authenticator).
bool messageAuthenticatorValid(std::span<const uint8_t> bytes, std::string_view secret, bool request);

/// True when `bytes` (a response as received) carries the Response
/// Authenticator of RFC 2865 §3 for the request whose authenticator is
/// `requestAuthenticator`.
bool responseAuthenticatorValid(std::span<const uint8_t> bytes, const Authenticator &requestAuthenticator,
                                std::string_view secret);
/// A Disconnect-Request or CoA-Request as a client signs it: a
/// Message-Authenticator appended when `withMessageAuthenticator`, then the
/// Request Authenticator (p.authenticator is ignored).
std::vector<uint8_t> signRequest(Packet p, std::string_view secret, bool withMessageAuthenticator);

/// A response to the request whose authenticator is `requestAuthenticator`:
/// a Message-Authenticator appended when `withMessageAuthenticator`, then
/// the Response Authenticator (p.authenticator is ignored).
std::vector<uint8_t> signResponse(Packet p, const Authenticator &requestAuthenticator, std::string_view secret,
                                  bool withMessageAuthenticator);

} // namespace l2tpsec::radius
