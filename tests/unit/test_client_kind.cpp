// What the peer runs, from its SCCRQ and IKE vendor IDs (daemon/client_kind.h).

#include "daemon/client_kind.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("client kind from the SCCRQ's Vendor Name and Host Name")
{
	CHECK(clientKind("DESKTOP-4F2K", "Microsoft", "") == "windows");
	CHECK(clientKind("", "xelerance.com", "") == "linux-xl2tpd");
	CHECK(clientKind("lns1", "l2tpsec", "") == "l2tpsec");
	CHECK(clientKind("MacBook", "Apple Inc.", "") == "apple");
	CHECK(clientKind("anonymous", "", "") == "android");
	CHECK(clientKind("", "", "") == "unknown");
	CHECK(clientKind("anonymous", "Some Router", "") == "unknown");
	CHECK(clientKind("host", "Katalix", "") == "unknown");
}

TEST_CASE("client kind from the ISAKMP SA's vendor IDs when the SCCRQ does not say")
{
	CHECK(clientKind("", "", "MS NT5 ISAKMPOAKLEY, RFC 3947") == "windows");
	CHECK(clientKind("", "", "RFC 3947, DPD") == "unknown");
	// The L2TP vendor wins over IKE's: it names the L2TP stack.
	CHECK(clientKind("", "xelerance.com", "MS NT5 ISAKMPOAKLEY") == "linux-xl2tpd");
}
