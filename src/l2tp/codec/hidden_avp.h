#pragma once
// Hidden AVP values (RFC 2661 §4.3).
//
// A hidden value is the Hidden AVP Subformat (2-octet original length, the
// value, padding) XORed with an MD5 keystream:
//   b1 = MD5(Attribute Type (2 octets) + shared secret + Random Vector)
//   bi = MD5(shared secret + c(i-1))
//   c(i) = p(i) xor b(i), 16 octets at a time, the last block possibly short.
// The Random Vector is the value of the last Random Vector AVP before the
// hidden AVP in the same message.

#include "l2tp/codec/decode_error.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace l2tpsec::l2tp {

/// The hidden form of value. padding (random octets, to hide the value's
/// length; may be empty) is appended to the subformat before encryption.
std::vector<uint8_t> hideAvpValue(uint16_t attributeType, Bytes value, std::string_view secret, Bytes randomVector,
                                  Bytes padding = {});

/// The original value of a hidden one. BadHiddenAvp when the hidden value is
/// shorter than the 2-octet length or the decrypted length exceeds what is
/// there, which is what a wrong secret usually produces (MD5 gives no
/// integrity: a wrong secret can also yield a plausible length and garbage).
DecodeResult<std::vector<uint8_t>> unhideAvpValue(uint16_t attributeType, Bytes hidden, std::string_view secret,
                                                  Bytes randomVector);

} // namespace l2tpsec::l2tp
