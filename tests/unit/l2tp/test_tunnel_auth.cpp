// Tunnel authentication (RFC 2661 §4.2, §5.1.1) against xl2tpd.
//
// The challenges and responses are from the xl2tpd capture (run 1 in
// xl2tpd_captures.h, secret "h3secret"); each response was also recomputed
// with Python: hashlib.md5(bytes([2]) + b'h3secret' + challenge).hexdigest()
// (3 for the SCCCN) gives the same value.

#include "codec_test_bytes.h"
#include "l2tp/codec/tunnel_auth.h"
#include "xl2tpd_captures.h"

#include <doctest.h>

using namespace l2tpsec::l2tp;
using test::fromHex;
using test::toHex;

namespace {

// The LAC's challenge (SCCRQ) and the LNS's response in its SCCRP.
constexpr std::string_view kLacChallenge = "b2576bda261b3472729e8663ee82f66a";
constexpr std::string_view kSccrpResponse = "0f3921c0cd4e042d9535dc182d99dd91";
// The LNS's challenge (SCCRP) and the LAC's response in its SCCCN.
constexpr std::string_view kLnsChallenge = "d8c72f427bc93fd38bb95bedaadbaa52";
constexpr std::string_view kScccnResponse = "300c2657be7702bd95272757e0eacbb4";

} // namespace

TEST_CASE("the challenge response is xl2tpd's, for SCCRP and for SCCCN")
{
	CHECK(toHex(computeChallengeResponse(MessageType::Sccrp, xl2tpd::kSecret, fromHex(kLacChallenge))) ==
	      kSccrpResponse);
	CHECK(toHex(computeChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, fromHex(kLnsChallenge))) ==
	      kScccnResponse);
}

TEST_CASE("the response is keyed by message type, secret and challenge")
{
	auto challenge = fromHex(kLacChallenge);
	auto good = computeChallengeResponse(MessageType::Sccrp, xl2tpd::kSecret, challenge);
	CHECK(computeChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, challenge) != good);
	CHECK(computeChallengeResponse(MessageType::Sccrp, "h3secreT", challenge) != good);
	challenge[0] ^= 0x80;
	CHECK(computeChallengeResponse(MessageType::Sccrp, xl2tpd::kSecret, challenge) != good);
}

TEST_CASE("verifyChallengeResponse accepts exactly the right response")
{
	auto challenge = fromHex(kLnsChallenge);
	auto response = fromHex(kScccnResponse);
	CHECK(verifyChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, challenge, response));
	CHECK_FALSE(verifyChallengeResponse(MessageType::Sccrp, xl2tpd::kSecret, challenge, response));
	CHECK_FALSE(verifyChallengeResponse(MessageType::Scccn, "other", challenge, response));
	for (size_t i : {0, 7, 15}) {
		auto flipped = response;
		flipped[i] ^= 1;
		CHECK_FALSE(verifyChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, challenge, flipped));
	}
	auto shortResponse = response;
	shortResponse.pop_back();
	CHECK_FALSE(verifyChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, challenge, shortResponse));
	auto longResponse = response;
	longResponse.push_back(0);
	CHECK_FALSE(verifyChallengeResponse(MessageType::Scccn, xl2tpd::kSecret, challenge, longResponse));
}
