#include "l2tp/codec/avp_types.h"

#include <array>

namespace l2tpsec::l2tp {

namespace {

constexpr uint16_t kAny = kMaxAvpValueLength;

// §4.4.1-§4.4.6: value lengths and M bits, indexed by attribute type. The
// minimum/maximum are the value field alone (the AVP Length minus 6). Result
// Code (2, 4 or more) and Q.931 Cause Code (3 or more) get a further check in
// the decoder.
constexpr std::array<AttributeInfo, 40> kAttributes{{
        {"Message Type", 2, 2, true, false},
        {"Result Code", 2, kAny, true, true},
        {"Protocol Version", 2, 2, true, true},
        {"Framing Capabilities", 4, 4, true, true},
        {"Bearer Capabilities", 4, 4, true, true},
        {"Tie Breaker", 8, 8, false, true},
        {"Firmware Revision", 2, 2, false, true},
        {"Host Name", 1, kAny, true, true},
        {"Vendor Name", 0, kAny, false, true},
        {"Assigned Tunnel ID", 2, 2, true, true},
        {"Receive Window Size", 2, 2, true, true},
        {"Challenge", 1, kAny, true, true},
        {"Q.931 Cause Code", 3, kAny, true, true},
        {"Challenge Response", 16, 16, true, true},
        {"Assigned Session ID", 2, 2, true, true},
        {"Call Serial Number", 4, 4, true, true},
        {"Minimum BPS", 4, 4, true, true},
        {"Maximum BPS", 4, 4, true, true},
        {"Bearer Type", 4, 4, true, true},
        {"Framing Type", 4, 4, true, true},
        {nullptr, 0, 0, false, false}, // 20: unassigned
        {"Called Number", 0, kAny, true, true},
        {"Calling Number", 0, kAny, true, true},
        {"Sub-Address", 0, kAny, true, true},
        {"Tx Connect Speed", 4, 4, true, true},
        {"Physical Channel ID", 4, 4, false, true},
        {"Initial Received LCP CONFREQ", 0, kAny, false, true},
        {"Last Sent LCP CONFREQ", 0, kAny, false, true},
        {"Last Received LCP CONFREQ", 0, kAny, false, true},
        {"Proxy Authen Type", 2, 2, false, true},
        {"Proxy Authen Name", 0, kAny, false, true},
        {"Proxy Authen Challenge", 1, kAny, false, true},
        {"Proxy Authen ID", 2, 2, false, true},
        {"Proxy Authen Response", 0, kAny, false, true},
        {"Call Errors", 26, 26, true, true},
        {"ACCM", 10, 10, true, true},
        {"Random Vector", 1, kAny, true, false},
        {"Private Group ID", 0, kAny, false, true},
        {"Rx Connect Speed", 4, 4, false, true},
        {"Sequencing Required", 0, 0, true, true},
}};

const char *const kMessageTypeNames[] = {
        "ZLB",  "SCCRQ", "SCCRP", "SCCCN", "StopCCN", nullptr, "HELLO", "OCRQ", "OCRP",
        "OCCN", "ICRQ",  "ICRP",  "ICCN",  nullptr,   "CDN",   "WEN",   "SLI",
};

const char *const kStopCcnResultNames[] = {
        nullptr,
        "general request to clear control connection",
        "general error",
        "control channel already exists",
        "requester is not authorized to establish a control channel",
        "protocol version of the requester is not supported",
        "requester is being shut down",
        "finite state machine error",
};

const char *const kCdnResultNames[] = {
        nullptr,
        "loss of carrier",
        "general error",
        "administrative reasons",
        "no appropriate facilities (temporary)",
        "no appropriate facilities (permanent)",
        "invalid destination",
        "no carrier detected",
        "busy signal",
        "no dial tone",
        "not established within time allotted by LAC",
        "no appropriate framing detected",
};

const char *const kGeneralErrorNames[] = {
        "no general error",       "no control connection exists yet for this LAC-LNS pair",
        "length is wrong",        "field value out of range or reserved field non-zero",
        "insufficient resources", "invalid session ID",
        "vendor-specific error",  "try another",
        "unknown mandatory AVP",
};

template <size_t N>
std::string lookup(const char *const (&names)[N], uint16_t value, const char *what)
{
	if (value < N && names[value])
		return names[value];
	return std::string(what) + " " + std::to_string(value);
}

} // namespace

bool isKnownMessageType(uint16_t value)
{
	return value != 0 && value < std::size(kMessageTypeNames) && kMessageTypeNames[value] != nullptr;
}

const AttributeInfo *attributeInfo(uint16_t attributeType)
{
	if (attributeType >= kAttributes.size() || !kAttributes[attributeType].name)
		return nullptr;
	return &kAttributes[attributeType];
}

std::string messageTypeName(uint16_t value)
{
	return lookup(kMessageTypeNames, value, "message type");
}

std::string attributeName(uint16_t vendorId, uint16_t attributeType)
{
	if (vendorId != kIetfVendorId)
		return "vendor " + std::to_string(vendorId) + " attribute " + std::to_string(attributeType);
	if (const AttributeInfo *info = attributeInfo(attributeType))
		return info->name;
	return "attribute " + std::to_string(attributeType);
}

std::string stopCcnResultName(uint16_t result)
{
	return lookup(kStopCcnResultNames, result, "result code");
}

std::string cdnResultName(uint16_t result)
{
	return lookup(kCdnResultNames, result, "result code");
}

std::string generalErrorName(uint16_t error)
{
	return lookup(kGeneralErrorNames, error, "error code");
}

} // namespace l2tpsec::l2tp
