#include "l2tp/codec/tunnel_auth.h"

#include "crypto/constant_time.h"
#include "crypto/md5.h"

namespace l2tpsec::l2tp {

ChallengeResponse computeChallengeResponse(MessageType responseType, std::string_view secret, Bytes challenge)
{
	crypto::Md5 md5;
	// §4.2: the Message Type value, a 16-bit number on the wire, enters the
	// hash as one octet (like the Identifier of CHAP, RFC 1994 §4.1).
	md5.update(static_cast<uint8_t>(responseType));
	md5.update(secret);
	md5.update(challenge);
	return md5.finish();
}

bool verifyChallengeResponse(MessageType responseType, std::string_view secret, Bytes challenge, Bytes response)
{
	ChallengeResponse expected = computeChallengeResponse(responseType, secret, challenge);
	return crypto::constantTimeEqual(expected, response);
}

} // namespace l2tpsec::l2tp
