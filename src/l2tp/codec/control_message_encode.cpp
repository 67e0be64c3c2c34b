// encodeControlMessage(): typed fields to AVPs (RFC 2661 §4.1, §4.3, §4.4).
#include "common/byte_io.h"
#include "l2tp/codec/avp.h"
#include "l2tp/codec/control_message.h"
#include "l2tp/codec/hidden_avp.h"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <utility>

namespace l2tpsec::l2tp {

namespace {

using wire::put16;
using wire::put32;

struct Value {
	AttributeType type;
	std::vector<uint8_t> bytes;
};

class ValueList {
public:
	std::vector<Value> values;

	std::vector<uint8_t> &add(AttributeType t)
	{
		values.push_back(Value{t, {}});
		return values.back().bytes;
	}
	void u16(AttributeType t, const std::optional<uint16_t> &v)
	{
		if (v)
			put16(add(t), *v);
	}
	void u32(AttributeType t, const std::optional<uint32_t> &v)
	{
		if (v)
			put32(add(t), *v);
	}
	void str(AttributeType t, const std::optional<std::string> &v)
	{
		if (v)
			add(t).assign(v->begin(), v->end());
	}
	void raw(AttributeType t, const std::optional<std::vector<uint8_t>> &v)
	{
		if (v)
			add(t) = *v;
	}
};

// Every typed field that is set, as (attribute, value octets), in ascending
// attribute type.
std::vector<Value> typedValues(const ControlMessage &m)
{
	ValueList l;
	if (m.resultCode) {
		std::vector<uint8_t> &v = l.add(AttributeType::ResultCode);
		put16(v, m.resultCode->result);
		if (m.resultCode->error || !m.resultCode->message.empty()) {
			put16(v, m.resultCode->error.value_or(0));
			v.insert(v.end(), m.resultCode->message.begin(), m.resultCode->message.end());
		}
	}
	if (m.protocolVersion)
		l.add(AttributeType::ProtocolVersion) = {m.protocolVersion->version, m.protocolVersion->revision};
	l.u32(AttributeType::FramingCapabilities, m.framingCapabilities);
	l.u32(AttributeType::BearerCapabilities, m.bearerCapabilities);
	if (m.tieBreaker)
		wire::put64(l.add(AttributeType::TieBreaker), *m.tieBreaker);
	l.u16(AttributeType::FirmwareRevision, m.firmwareRevision);
	l.str(AttributeType::HostName, m.hostName);
	l.str(AttributeType::VendorName, m.vendorName);
	l.u16(AttributeType::AssignedTunnelId, m.assignedTunnelId);
	l.u16(AttributeType::ReceiveWindowSize, m.receiveWindowSize);
	l.raw(AttributeType::Challenge, m.challenge);
	if (m.q931Cause) {
		std::vector<uint8_t> &v = l.add(AttributeType::Q931CauseCode);
		put16(v, m.q931Cause->causeCode);
		v.push_back(m.q931Cause->causeMessage);
		v.insert(v.end(), m.q931Cause->advisory.begin(), m.q931Cause->advisory.end());
	}
	if (m.challengeResponse)
		l.add(AttributeType::ChallengeResponse)
		        .assign(m.challengeResponse->begin(), m.challengeResponse->end());
	l.u16(AttributeType::AssignedSessionId, m.assignedSessionId);
	l.u32(AttributeType::CallSerialNumber, m.callSerialNumber);
	l.u32(AttributeType::MinimumBps, m.minimumBps);
	l.u32(AttributeType::MaximumBps, m.maximumBps);
	l.u32(AttributeType::BearerType, m.bearerType);
	l.u32(AttributeType::FramingType, m.framingType);
	l.str(AttributeType::CalledNumber, m.calledNumber);
	l.str(AttributeType::CallingNumber, m.callingNumber);
	l.str(AttributeType::SubAddress, m.subAddress);
	l.u32(AttributeType::TxConnectSpeed, m.txConnectSpeed);
	l.u32(AttributeType::PhysicalChannelId, m.physicalChannelId);
	l.raw(AttributeType::InitialReceivedLcpConfreq, m.initialReceivedLcpConfreq);
	l.raw(AttributeType::LastSentLcpConfreq, m.lastSentLcpConfreq);
	l.raw(AttributeType::LastReceivedLcpConfreq, m.lastReceivedLcpConfreq);
	l.u16(AttributeType::ProxyAuthenType, m.proxyAuthenType);
	l.str(AttributeType::ProxyAuthenName, m.proxyAuthenName);
	l.raw(AttributeType::ProxyAuthenChallenge, m.proxyAuthenChallenge);
	if (m.proxyAuthenId)
		l.add(AttributeType::ProxyAuthenId) = {0, *m.proxyAuthenId};
	l.raw(AttributeType::ProxyAuthenResponse, m.proxyAuthenResponse);
	if (m.callErrors) {
		std::vector<uint8_t> &v = l.add(AttributeType::CallErrors);
		put16(v, 0);
		for (uint32_t n :
		     {m.callErrors->crcErrors, m.callErrors->framingErrors, m.callErrors->hardwareOverruns,
		      m.callErrors->bufferOverruns, m.callErrors->timeoutErrors, m.callErrors->alignmentErrors})
			put32(v, n);
	}
	if (m.accm) {
		std::vector<uint8_t> &v = l.add(AttributeType::Accm);
		put16(v, 0);
		put32(v, m.accm->send);
		put32(v, m.accm->receive);
	}
	l.raw(AttributeType::PrivateGroupId, m.privateGroupId);
	l.u32(AttributeType::RxConnectSpeed, m.rxConnectSpeed);
	if (m.sequencingRequired)
		l.add(AttributeType::SequencingRequired);
	return std::move(l.values);
}

Error invalid(std::string what)
{
	return Error{EINVAL, "cannot encode L2TP control message: " + std::move(what)};
}

Error tooLarge(std::string what)
{
	return Error{EMSGSIZE, "cannot encode L2TP control message: " + std::move(what)};
}

bool hides(const HidingOptions &hiding, AttributeType t)
{
	return std::find(hiding.hide.begin(), hiding.hide.end(), t) != hiding.hide.end();
}

} // namespace

Result<std::vector<uint8_t>> encodeControlMessage(const ControlMessage &msg, const ControlEnvelope &envelope,
                                                  const HidingOptions &hiding)
{
	std::vector<uint8_t> out =
	        buildHeader(controlHeader(envelope.tunnelId, envelope.sessionId, envelope.ns, envelope.nr, 0));
	auto finish = [&]() -> Result<std::vector<uint8_t>> {
		if (out.size() > std::numeric_limits<uint16_t>::max())
			return tooLarge(std::to_string(out.size()) + " bytes exceed the 16-bit Length");
		wire::store16(out, 2, static_cast<uint16_t>(out.size()));
		return std::move(out);
	};

	if (msg.isZlb()) {
		if (msg != ControlMessage{})
			return invalid("a ZLB carries no AVPs");
		return finish();
	}
	auto typeValue = static_cast<uint16_t>(msg.type);
	if (!isKnownMessageType(typeValue))
		return invalid("unknown message type " + std::to_string(typeValue));

	std::vector<Value> values = typedValues(msg);
	bool anyHidden = false;
	for (const Value &v : values) {
		const AttributeInfo *info = attributeInfo(static_cast<uint16_t>(v.type));
		if (v.bytes.size() > kMaxAvpValueLength)
			return tooLarge(attributeName(v.type) + " value of " + std::to_string(v.bytes.size()) +
			                " bytes");
		if (v.bytes.size() < info->minValueLength || v.bytes.size() > info->maxValueLength)
			return invalid(attributeName(v.type) + " value of " + std::to_string(v.bytes.size()) +
			               " bytes");
		anyHidden = anyHidden || hides(hiding, v.type);
	}
	for (AttributeType t : hiding.hide) {
		const AttributeInfo *info = attributeInfo(static_cast<uint16_t>(t));
		if (!info || !info->hideable)
			return invalid(attributeName(t) + " cannot be hidden");
	}
	if (anyHidden && (hiding.secret.empty() || hiding.randomVector.empty()))
		return invalid("hiding AVPs needs a shared secret and a Random Vector");

	std::vector<uint8_t> type;
	put16(type, typeValue);
	appendAvp(out, true, false, kIetfVendorId, static_cast<uint16_t>(AttributeType::MessageType), type);
	if (anyHidden) {
		// §4.3: the Random Vector precedes the first hidden AVP.
		if (hiding.randomVector.size() > kMaxAvpValueLength)
			return tooLarge("Random Vector of " + std::to_string(hiding.randomVector.size()) + " bytes");
		appendAvp(out, true, false, kIetfVendorId, static_cast<uint16_t>(AttributeType::RandomVector),
		          hiding.randomVector);
	}
	for (const Value &v : values) {
		auto attr = static_cast<uint16_t>(v.type);
		bool mandatory = attributeInfo(attr)->mandatory;
		if (!hides(hiding, v.type)) {
			appendAvp(out, mandatory, false, kIetfVendorId, attr, v.bytes);
			continue;
		}
		// The subformat is the 2-octet length, the value and the padding.
		size_t subformat = 2 + v.bytes.size();
		if (subformat > kMaxAvpValueLength)
			return tooLarge(attributeName(v.type) + " value of " + std::to_string(v.bytes.size()) +
			                " bytes does not fit hidden");
		// Whole 16-octet blocks, so that the length of the value shows only
		// to that granularity.
		size_t pad = std::min((16 - subformat % 16) % 16, kMaxAvpValueLength - subformat);
		std::vector<uint8_t> padding(pad, 0);
		appendAvp(out, mandatory, true, kIetfVendorId, attr,
		          hideAvpValue(attr, v.bytes, hiding.secret, hiding.randomVector, padding));
	}
	for (const UnknownAvp &u : msg.unknownAvps) {
		if (u.vendorId == kIetfVendorId && attributeInfo(u.attributeType))
			return invalid(attributeName(u.vendorId, u.attributeType) +
			               " is a known attribute, not an unknown AVP");
		if (u.value.size() > kMaxAvpValueLength)
			return tooLarge(attributeName(u.vendorId, u.attributeType) + " value of " +
			                std::to_string(u.value.size()) + " bytes");
		appendAvp(out, u.mandatory, u.hidden, u.vendorId, u.attributeType, u.value);
	}
	return finish();
}

} // namespace l2tpsec::l2tp
