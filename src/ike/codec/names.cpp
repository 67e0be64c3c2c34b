#include "ike/codec/names.h"

namespace l2tpsec::ike {

namespace {

const char *knownPayloadName(PayloadType t)
{
	switch (t) {
	case PayloadType::None: return "NONE";
	case PayloadType::SecurityAssociation: return "SA";
	case PayloadType::Proposal: return "P";
	case PayloadType::Transform: return "T";
	case PayloadType::KeyExchange: return "KE";
	case PayloadType::Identification: return "ID";
	case PayloadType::Certificate: return "CERT";
	case PayloadType::CertificateRequest: return "CR";
	case PayloadType::Hash: return "HASH";
	case PayloadType::Signature: return "SIG";
	case PayloadType::Nonce: return "NONCE";
	case PayloadType::Notification: return "N";
	case PayloadType::Delete: return "D";
	case PayloadType::VendorId: return "VID";
	case PayloadType::Attribute: return "ATTR";
	case PayloadType::NatD: return "NAT-D";
	case PayloadType::NatOa: return "NAT-OA";
	case PayloadType::NatDDraft: return "NAT-D(draft)";
	case PayloadType::NatOaDraft: return "NAT-OA(draft)";
	case PayloadType::Fragment: return "FRAG";
	}
	return nullptr;
}

const char *knownExchangeName(ExchangeType t)
{
	switch (t) {
	case ExchangeType::None: return "NONE";
	case ExchangeType::Base: return "BASE";
	case ExchangeType::IdentityProtection: return "MAIN_MODE";
	case ExchangeType::AuthenticationOnly: return "AUTH_ONLY";
	case ExchangeType::Aggressive: return "AGGRESSIVE";
	case ExchangeType::Informational: return "INFORMATIONAL";
	case ExchangeType::Transaction: return "TRANSACTION";
	case ExchangeType::QuickMode: return "QUICK_MODE";
	case ExchangeType::NewGroupMode: return "NEW_GROUP_MODE";
	}
	return nullptr;
}

const char *knownNotifyName(NotifyType t)
{
	switch (t) {
	case NotifyType::InvalidPayloadType: return "INVALID-PAYLOAD-TYPE";
	case NotifyType::DoiNotSupported: return "DOI-NOT-SUPPORTED";
	case NotifyType::SituationNotSupported: return "SITUATION-NOT-SUPPORTED";
	case NotifyType::InvalidCookie: return "INVALID-COOKIE";
	case NotifyType::InvalidMajorVersion: return "INVALID-MAJOR-VERSION";
	case NotifyType::InvalidMinorVersion: return "INVALID-MINOR-VERSION";
	case NotifyType::InvalidExchangeType: return "INVALID-EXCHANGE-TYPE";
	case NotifyType::InvalidFlags: return "INVALID-FLAGS";
	case NotifyType::InvalidMessageId: return "INVALID-MESSAGE-ID";
	case NotifyType::InvalidProtocolId: return "INVALID-PROTOCOL-ID";
	case NotifyType::InvalidSpi: return "INVALID-SPI";
	case NotifyType::InvalidTransformId: return "INVALID-TRANSFORM-ID";
	case NotifyType::AttributesNotSupported: return "ATTRIBUTES-NOT-SUPPORTED";
	case NotifyType::NoProposalChosen: return "NO-PROPOSAL-CHOSEN";
	case NotifyType::BadProposalSyntax: return "BAD-PROPOSAL-SYNTAX";
	case NotifyType::PayloadMalformed: return "PAYLOAD-MALFORMED";
	case NotifyType::InvalidKeyInformation: return "INVALID-KEY-INFORMATION";
	case NotifyType::InvalidIdInformation: return "INVALID-ID-INFORMATION";
	case NotifyType::InvalidCertEncoding: return "INVALID-CERT-ENCODING";
	case NotifyType::InvalidCertificate: return "INVALID-CERTIFICATE";
	case NotifyType::CertTypeUnsupported: return "CERT-TYPE-UNSUPPORTED";
	case NotifyType::InvalidCertAuthority: return "INVALID-CERT-AUTHORITY";
	case NotifyType::InvalidHashInformation: return "INVALID-HASH-INFORMATION";
	case NotifyType::AuthenticationFailed: return "AUTHENTICATION-FAILED";
	case NotifyType::InvalidSignature: return "INVALID-SIGNATURE";
	case NotifyType::AddressNotification: return "ADDRESS-NOTIFICATION";
	case NotifyType::NotifySaLifetime: return "NOTIFY-SA-LIFETIME";
	case NotifyType::CertificateUnavailable: return "CERTIFICATE-UNAVAILABLE";
	case NotifyType::UnsupportedExchangeType: return "UNSUPPORTED-EXCHANGE-TYPE";
	case NotifyType::UnequalPayloadLengths: return "UNEQUAL-PAYLOAD-LENGTHS";
	case NotifyType::Connected: return "CONNECTED";
	case NotifyType::ResponderLifetime: return "RESPONDER-LIFETIME";
	case NotifyType::ReplayStatus: return "REPLAY-STATUS";
	case NotifyType::InitialContact: return "INITIAL-CONTACT";
	case NotifyType::RUThere: return "R-U-THERE";
	case NotifyType::RUThereAck: return "R-U-THERE-ACK";
	}
	return nullptr;
}

template <typename T>
std::string nameOr(const char *known, const char *kind, T value)
{
	if (known)
		return known;
	return std::string(kind) + "(" + std::to_string(static_cast<unsigned>(value)) + ")";
}

} // namespace

std::string payloadTypeName(PayloadType t)
{
	return nameOr(knownPayloadName(t), "PAYLOAD", t);
}

std::string exchangeTypeName(ExchangeType t)
{
	return nameOr(knownExchangeName(t), "EXCHANGE", t);
}

std::string notifyTypeName(NotifyType t)
{
	return nameOr(knownNotifyName(t), "NOTIFY", t);
}

} // namespace l2tpsec::ike
