// RFC 2661 numbers and the names logs show for them.

#include "l2tp/codec/avp_types.h"
#include "l2tp/codec/decode_error.h"

#include <doctest.h>

using namespace l2tpsec::l2tp;

TEST_CASE("message types: the §3.2 values are known, the reserved ones are not")
{
	for (uint16_t t : {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16})
		CHECK(isKnownMessageType(t));
	for (uint16_t t : {0, 5, 13, 17, 0xffff})
		CHECK_FALSE(isKnownMessageType(t));
	CHECK(messageTypeName(MessageType::Sccrq) == "SCCRQ");
	CHECK(messageTypeName(MessageType::StopCcn) == "StopCCN");
	CHECK(messageTypeName(MessageType::Sli) == "SLI");
	CHECK(messageTypeName(MessageType::Zlb) == "ZLB");
	CHECK(messageTypeName(13) == "message type 13");
	CHECK(messageTypeName(99) == "message type 99");
}

TEST_CASE("attribute names and value lengths")
{
	CHECK(attributeName(AttributeType::HostName) == "Host Name");
	CHECK(attributeName(AttributeType::SequencingRequired) == "Sequencing Required");
	CHECK(attributeName(0, 20) == "attribute 20");
	CHECK(attributeName(0, 40) == "attribute 40");
	CHECK(attributeName(kMicrosoftVendorId, 7) == "vendor 311 attribute 7");
	CHECK(attributeInfo(20) == nullptr);
	CHECK(attributeInfo(40) == nullptr);
	const AttributeInfo *cr = attributeInfo(13);
	REQUIRE(cr);
	CHECK(cr->minValueLength == 16);
	CHECK(cr->maxValueLength == 16);
	CHECK(cr->mandatory);
	CHECK_FALSE(attributeInfo(0)->hideable);
	CHECK_FALSE(attributeInfo(36)->hideable);
	CHECK_FALSE(attributeInfo(8)->mandatory); // Vendor Name
	CHECK(attributeInfo(39)->maxValueLength == 0);
	// Every attribute 0..39 but the unassigned 20 is described.
	int described = 0;
	for (uint16_t t = 0; t < 40; ++t)
		described += attributeInfo(t) != nullptr;
	CHECK(described == 39);
}

TEST_CASE("result and error code names")
{
	CHECK(stopCcnResultName(1) == "general request to clear control connection");
	CHECK(stopCcnResultName(5) == "protocol version of the requester is not supported");
	CHECK(stopCcnResultName(0) == "result code 0");
	CHECK(cdnResultName(3) == "administrative reasons");
	CHECK(cdnResultName(11) == "no appropriate framing detected");
	CHECK(cdnResultName(12) == "result code 12");
	CHECK(generalErrorName(8) == "unknown mandatory AVP");
	CHECK(generalErrorName(9) == "error code 9");
}

TEST_CASE("decode errors map to §4.4.2 error codes and errnos")
{
	DecodeError e;
	e.kind = DecodeErrorKind::UnsupportedVersion;
	e.message = "version 3";
	CHECK(e.toError().code == EPROTONOSUPPORT);
	CHECK(e.toError().message == "L2TP unsupported version: version 3");
	e.kind = DecodeErrorKind::AvpOverrun;
	CHECK(e.toError().code == EBADMSG);
	CHECK(e.generalError() == GeneralError::WrongLength);
	e.kind = DecodeErrorKind::UnknownMandatoryAvp;
	CHECK(e.toError().code == ENOTSUP);
	CHECK(e.generalError() == GeneralError::UnknownMandatoryAvp);
	e.kind = DecodeErrorKind::AvpReservedBits;
	CHECK(e.generalError() == GeneralError::FieldOutOfRange);
}
