// libFuzzer: any datagram is either refused with a DecodeError or parsed; a
// control message that decodes (with or without a shared secret) re-encodes,
// plainly and with every hideable AVP hidden, to a message that decodes to
// the same ControlMessage; decoding its body alone (as the reliable transport
// delivers it) gives the same; restamping Ns/Nr changes those two fields and
// nothing else. abort() marks a broken round trip.
#include "l2tp/codec/control_message.h"
#include "l2tp/codec/l2tp_header.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace l2tpsec::l2tp;

namespace {

constexpr std::string_view kSecret = "fuzz-secret";
constexpr std::array<uint8_t, 16> kRandomVector = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

HidingOptions hideEverything()
{
	HidingOptions h{kSecret, kRandomVector, {}};
	for (uint16_t t = 0; t < 64; ++t)
		if (const AttributeInfo *info = attributeInfo(t); info && info->hideable)
			h.hide.push_back(static_cast<AttributeType>(t));
	return h;
}

void check(bool ok)
{
	if (!ok)
		std::abort();
}

// The header, built again in front of the same payload, parses the same.
void checkHeaderRoundTrip(const Packet &p)
{
	std::vector<uint8_t> again = buildHeader(p.header);
	again.insert(again.end(), p.payload.begin(), p.payload.end());
	auto q = parsePacket(again);
	check(q.ok());
	check(q->header == p.header);
	check(std::equal(q->payload.begin(), q->payload.end(), p.payload.begin(), p.payload.end()));
	check(q->trailingBytes == 0);
}

void checkMessageRoundTrip(const Packet &p, const ControlMessage &m, std::string_view secret)
{
	static const HidingOptions kHideEverything = hideEverything();
	const Header &h = p.header;
	ControlEnvelope env{h.tunnelId, h.sessionId, h.ns, h.nr};

	// Whatever decoded fits a message again: hidden padding and Random
	// Vectors are dropped, nothing grows.
	auto plain = encodeControlMessage(m, env);
	check(plain.ok());
	auto q = parsePacket(*plain);
	check(q.ok());
	check(q->header ==
	      controlHeader(env.tunnelId, env.sessionId, env.ns, env.nr, static_cast<uint16_t>(plain->size())));
	auto again = decodeControlMessage(*q, DecodeOptions{secret});
	check(again.ok());
	check(*again == m);
	auto body = decodeControlBody(q->payload, DecodeOptions{secret});
	check(body.ok());
	check(*body == m);

	// A retransmission's new Ns/Nr: the header says them, the rest is as it was.
	std::vector<uint8_t> restamped = *plain;
	check(stampSequence(restamped, static_cast<uint16_t>(env.ns + 1), static_cast<uint16_t>(env.nr + 7)));
	auto rq = parsePacket(restamped);
	check(rq.ok());
	check(rq->header == controlHeader(env.tunnelId, env.sessionId, static_cast<uint16_t>(env.ns + 1),
	                                  static_cast<uint16_t>(env.nr + 7), static_cast<uint16_t>(plain->size())));
	check(std::equal(rq->payload.begin(), rq->payload.end(), q->payload.begin(), q->payload.end()));

	// Hidden values are longer and may no longer fit: only a success must
	// round-trip.
	auto hidden = encodeControlMessage(m, env, kHideEverything);
	if (!hidden)
		return;
	auto hq = parsePacket(*hidden);
	check(hq.ok());
	auto unhidden = decodeControlMessage(*hq, DecodeOptions{kSecret});
	check(unhidden.ok());
	check(*unhidden == m);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	auto packet = parsePacket(Bytes(data, size));
	if (!packet) {
		(void)packet.error().toError();
		return 0;
	}
	checkHeaderRoundTrip(*packet);
	for (std::string_view secret : {std::string_view{}, kSecret}) {
		auto m = decodeControlMessage(*packet, DecodeOptions{secret});
		if (!m) {
			(void)m.error().toError();
			(void)m.error().generalError();
			continue;
		}
		check(packet->header.control);
		if (m->challenge)
			(void)computeChallengeResponse(MessageType::Sccrp, secret, *m->challenge);
		checkMessageRoundTrip(*packet, *m, secret);
	}
	return 0;
}
