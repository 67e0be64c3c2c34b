// decodeControlMessage(): AVPs to typed fields (RFC 2661 §4.1, §4.3, §4.4).
#include "common/byte_io.h"
#include "l2tp/codec/avp.h"
#include "l2tp/codec/control_message.h"
#include "l2tp/codec/hidden_avp.h"

#include <algorithm>

namespace l2tpsec::l2tp {

namespace {

using wire::load16;
using wire::load32;

std::string text(Bytes v)
{
	return std::string(v.begin(), v.end());
}

std::vector<uint8_t> octets(Bytes v)
{
	return std::vector<uint8_t>(v.begin(), v.end());
}

// The Message Type of a body whose AVPs do not split, if its first AVP is
// a well-formed one, so that even a framing error can name the message.
std::optional<uint16_t> peekMessageType(Bytes body)
{
	if (body.size() < kAvpHeaderSize + 2)
		return std::nullopt;
	if ((load16(body, 0) & 0x03ff) != kAvpHeaderSize + 2 || load16(body, 2) != kIetfVendorId ||
	    load16(body, 4) != static_cast<uint16_t>(AttributeType::MessageType))
		return std::nullopt;
	return load16(body, 6);
}

// Stores the value of a known IETF attribute whose length has been checked
// against attributeInfo(); only Result Code has a shape the table cannot say.
// Returns false for a value that does not fit its attribute.
bool storeValue(ControlMessage &m, AttributeType type, Bytes v)
{
	switch (type) {
	case AttributeType::ResultCode: {
		// §4.4.2: Result Code (2), then optionally Error Code (2) and an
		// error message (the rest). 3 octets is neither.
		if (v.size() == 3)
			return false;
		ResultCode rc;
		rc.result = load16(v, 0);
		if (v.size() >= 4) {
			rc.error = load16(v, 2);
			rc.message = text(v.subspan(4));
		}
		m.resultCode = std::move(rc);
		return true;
	}
	case AttributeType::ProtocolVersion: m.protocolVersion = ProtocolVersion{v[0], v[1]}; return true;
	case AttributeType::FramingCapabilities: m.framingCapabilities = load32(v, 0); return true;
	case AttributeType::BearerCapabilities: m.bearerCapabilities = load32(v, 0); return true;
	case AttributeType::TieBreaker: m.tieBreaker = wire::load64(v, 0); return true;
	case AttributeType::FirmwareRevision: m.firmwareRevision = load16(v, 0); return true;
	case AttributeType::HostName: m.hostName = text(v); return true;
	case AttributeType::VendorName: m.vendorName = text(v); return true;
	case AttributeType::AssignedTunnelId: m.assignedTunnelId = load16(v, 0); return true;
	case AttributeType::ReceiveWindowSize: m.receiveWindowSize = load16(v, 0); return true;
	case AttributeType::Challenge: m.challenge = octets(v); return true;
	case AttributeType::Q931CauseCode:
		// §4.4.5: Cause Code (2), Cause Msg (1), then an optional advisory text.
		m.q931Cause = Q931Cause{load16(v, 0), v[2], text(v.subspan(3))};
		return true;
	case AttributeType::ChallengeResponse: {
		ChallengeResponse r{};
		std::copy(v.begin(), v.end(), r.begin());
		m.challengeResponse = r;
		return true;
	}
	case AttributeType::AssignedSessionId: m.assignedSessionId = load16(v, 0); return true;
	case AttributeType::CallSerialNumber: m.callSerialNumber = load32(v, 0); return true;
	case AttributeType::MinimumBps: m.minimumBps = load32(v, 0); return true;
	case AttributeType::MaximumBps: m.maximumBps = load32(v, 0); return true;
	case AttributeType::BearerType: m.bearerType = load32(v, 0); return true;
	case AttributeType::FramingType: m.framingType = load32(v, 0); return true;
	case AttributeType::CalledNumber: m.calledNumber = text(v); return true;
	case AttributeType::CallingNumber: m.callingNumber = text(v); return true;
	case AttributeType::SubAddress: m.subAddress = text(v); return true;
	case AttributeType::TxConnectSpeed: m.txConnectSpeed = load32(v, 0); return true;
	case AttributeType::PhysicalChannelId: m.physicalChannelId = load32(v, 0); return true;
	case AttributeType::InitialReceivedLcpConfreq: m.initialReceivedLcpConfreq = octets(v); return true;
	case AttributeType::LastSentLcpConfreq: m.lastSentLcpConfreq = octets(v); return true;
	case AttributeType::LastReceivedLcpConfreq: m.lastReceivedLcpConfreq = octets(v); return true;
	case AttributeType::ProxyAuthenType: m.proxyAuthenType = load16(v, 0); return true;
	case AttributeType::ProxyAuthenName: m.proxyAuthenName = text(v); return true;
	case AttributeType::ProxyAuthenChallenge: m.proxyAuthenChallenge = octets(v); return true;
	// §4.4.5: a reserved octet, then the ID.
	case AttributeType::ProxyAuthenId: m.proxyAuthenId = v[1]; return true;
	case AttributeType::ProxyAuthenResponse: m.proxyAuthenResponse = octets(v); return true;
	case AttributeType::CallErrors:
		// §4.4.6: 2 reserved octets, then six 32-bit counters.
		m.callErrors = CallErrors{load32(v, 2),  load32(v, 6),  load32(v, 10),
		                          load32(v, 14), load32(v, 18), load32(v, 22)};
		return true;
	case AttributeType::Accm: m.accm = Accm{load32(v, 2), load32(v, 6)}; return true; // 2 reserved octets first
	case AttributeType::PrivateGroupId: m.privateGroupId = octets(v); return true;
	case AttributeType::RxConnectSpeed: m.rxConnectSpeed = load32(v, 0); return true;
	case AttributeType::SequencingRequired: m.sequencingRequired = true; return true;
	// Handled by the caller before any value is stored.
	case AttributeType::MessageType:
	case AttributeType::RandomVector: return true;
	}
	return true;
}

} // namespace

DecodeResult<ControlMessage> decodeControlMessage(const Packet &packet, const DecodeOptions &options)
{
	if (!packet.header.control) {
		DecodeError e;
		e.kind = DecodeErrorKind::NotControl;
		e.message = "data message (T=0)";
		return e;
	}
	return decodeControlBody(packet.payload, options);
}

DecodeResult<ControlMessage> decodeControlBody(Bytes body, const DecodeOptions &options)
{
	std::optional<uint16_t> messageType;
	auto fail = [&](DecodeErrorKind kind, const Avp *avp, std::string message) {
		DecodeError e;
		e.kind = kind;
		e.messageType = messageType;
		if (avp) {
			e.vendorId = avp->vendorId;
			e.attributeType = avp->attributeType;
			e.mandatory = avp->mandatory;
			message = attributeName(avp->vendorId, avp->attributeType) + ": " + message;
		}
		if (messageType)
			message = messageTypeName(*messageType) + " " + message;
		e.message = std::move(message);
		return e;
	};

	ControlMessage m;
	// §5.8: a message with no AVPs is a ZLB acknowledgement.
	if (body.empty())
		return m;

	auto split = splitAvps(body);
	if (!split) {
		DecodeError e = std::move(split).error();
		e.messageType = peekMessageType(body);
		return e;
	}
	const std::vector<Avp> &avps = *split;

	// §4.1: "The first AVP in a control message MUST be a Message Type AVP".
	const Avp &first = avps.front();
	if (first.vendorId != kIetfVendorId || first.attributeType != static_cast<uint16_t>(AttributeType::MessageType))
		return fail(DecodeErrorKind::FirstAvpNotMessageType, &first, "is the first AVP");
	// §4.3: the hiding of a value depends on the message having been read
	// this far, so Message Type itself is never hidden.
	if (first.hidden)
		return fail(DecodeErrorKind::BadAvpValue, &first, "is hidden");
	if (first.value.size() != 2)
		return fail(DecodeErrorKind::BadAvpValue, &first, std::to_string(first.value.size()) + "-byte value");
	messageType = load16(first.value, 0);
	// §4.4.1: the M bit of Message Type says whether an unknown type must
	// clear the tunnel (M=1) or may be ignored (M=0); the caller decides.
	if (!isKnownMessageType(*messageType)) {
		uint16_t unknown = *messageType;
		messageType.reset(); // its name would be "ZLB" for 0
		DecodeError e = fail(DecodeErrorKind::UnknownMessageType, &first,
		                     "unknown message type " + std::to_string(unknown) +
		                             (first.mandatory ? " (M=1)" : " (M=0)"));
		e.messageType = unknown;
		return e;
	}
	m.type = static_cast<MessageType>(*messageType);

	std::optional<Bytes> randomVector;
	for (size_t i = 1; i < avps.size(); ++i) {
		const Avp &a = avps[i];
		const AttributeInfo *info = a.vendorId == kIetfVendorId ? attributeInfo(a.attributeType) : nullptr;
		if (!info) {
			// §4.1: an unrecognized AVP with M=1 fails the message (and
			// with it the session or tunnel); with M=0 it is ignored.
			if (a.mandatory)
				return fail(DecodeErrorKind::UnknownMandatoryAvp, &a, "unknown AVP with the M bit set");
			m.unknownAvps.push_back(
			        UnknownAvp{a.vendorId, a.attributeType, a.mandatory, a.hidden, octets(a.value)});
			continue;
		}
		auto type = static_cast<AttributeType>(a.attributeType);
		if (type == AttributeType::MessageType)
			return fail(DecodeErrorKind::BadAvpValue, &a, "appears again after the first AVP");

		Bytes value = a.value;
		std::vector<uint8_t> unhidden;
		if (a.hidden) {
			if (!info->hideable)
				return fail(DecodeErrorKind::BadAvpValue, &a, "is hidden");
			// §4.3: "a Random Vector AVP must also be present ... and MUST
			// precede the first AVP having an H bit of 1".
			if (!randomVector)
				return fail(DecodeErrorKind::HiddenAvpWithoutRandomVector, &a,
				            "hidden, and no Random Vector AVP precedes it");
			if (options.secret.empty())
				return fail(DecodeErrorKind::HiddenAvpWithoutSecret, &a,
				            "hidden, and no shared secret is configured");
			auto plain = unhideAvpValue(a.attributeType, value, options.secret, *randomVector);
			if (!plain) {
				DecodeError e = std::move(plain).error();
				e.messageType = messageType;
				e.mandatory = a.mandatory;
				e.message = messageTypeName(*messageType) + " " + e.message;
				return e;
			}
			unhidden = std::move(*plain);
			value = unhidden;
		}
		if (value.size() < info->minValueLength || value.size() > info->maxValueLength)
			return fail(DecodeErrorKind::BadAvpValue, &a,
			            std::to_string(value.size()) + "-byte value, expected " +
			                    (info->minValueLength == info->maxValueLength
			                             ? std::to_string(info->minValueLength)
			                             : "at least " + std::to_string(info->minValueLength)));
		// §4.3: each Random Vector applies to the hidden AVPs after it, up to
		// the next one.
		if (type == AttributeType::RandomVector) {
			randomVector = value;
			continue;
		}
		if (!storeValue(m, type, value))
			return fail(DecodeErrorKind::BadAvpValue, &a, std::to_string(value.size()) + "-byte value");
	}
	return m;
}

} // namespace l2tpsec::l2tp
