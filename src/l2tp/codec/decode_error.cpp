#include "l2tp/codec/decode_error.h"

#include <cerrno>

namespace l2tpsec::l2tp {

std::string decodeErrorKindName(DecodeErrorKind kind)
{
	switch (kind) {
	case DecodeErrorKind::Truncated: return "truncated header";
	case DecodeErrorKind::UnsupportedVersion: return "unsupported version";
	case DecodeErrorKind::BadLength: return "bad length";
	case DecodeErrorKind::BadControlFlags: return "bad control message flags";
	case DecodeErrorKind::NotControl: return "not a control message";
	case DecodeErrorKind::AvpTooShort: return "AVP too short";
	case DecodeErrorKind::AvpOverrun: return "AVP overruns the message";
	case DecodeErrorKind::AvpReservedBits: return "AVP reserved bits set";
	case DecodeErrorKind::FirstAvpNotMessageType: return "first AVP is not Message Type";
	case DecodeErrorKind::UnknownMessageType: return "unknown message type";
	case DecodeErrorKind::UnknownMandatoryAvp: return "unknown mandatory AVP";
	case DecodeErrorKind::BadAvpValue: return "bad AVP value";
	case DecodeErrorKind::HiddenAvpWithoutRandomVector: return "hidden AVP without Random Vector";
	case DecodeErrorKind::HiddenAvpWithoutSecret: return "hidden AVP without a shared secret";
	case DecodeErrorKind::BadHiddenAvp: return "hidden AVP does not unhide";
	}
	return "decode error " + std::to_string(static_cast<int>(kind));
}

GeneralError DecodeError::generalError() const
{
	switch (kind) {
	case DecodeErrorKind::UnknownMandatoryAvp: return GeneralError::UnknownMandatoryAvp;
	case DecodeErrorKind::Truncated:
	case DecodeErrorKind::BadLength:
	case DecodeErrorKind::AvpTooShort:
	case DecodeErrorKind::AvpOverrun:
	case DecodeErrorKind::BadAvpValue:
	case DecodeErrorKind::BadHiddenAvp: return GeneralError::WrongLength;
	case DecodeErrorKind::UnsupportedVersion:
	case DecodeErrorKind::BadControlFlags:
	case DecodeErrorKind::NotControl:
	case DecodeErrorKind::AvpReservedBits:
	case DecodeErrorKind::FirstAvpNotMessageType:
	case DecodeErrorKind::UnknownMessageType:
	case DecodeErrorKind::HiddenAvpWithoutRandomVector:
	case DecodeErrorKind::HiddenAvpWithoutSecret: return GeneralError::FieldOutOfRange;
	}
	return GeneralError::FieldOutOfRange;
}

Error DecodeError::toError() const
{
	int code = EBADMSG;
	if (kind == DecodeErrorKind::UnsupportedVersion)
		code = EPROTONOSUPPORT;
	else if (kind == DecodeErrorKind::UnknownMandatoryAvp || kind == DecodeErrorKind::UnknownMessageType)
		code = ENOTSUP;
	return Error{code, "L2TP " + decodeErrorKindName(kind) + ": " + message};
}

} // namespace l2tpsec::l2tp
