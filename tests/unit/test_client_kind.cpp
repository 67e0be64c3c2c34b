// What the peer runs, from its SCCRQ and IKE vendor IDs (daemon/client_kind.h).

#include "daemon/client_kind.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("client kind from the SCCRQ's Vendor Name and Host Name")
{
	CHECK(clientKind("DESKTOP-4F2K", "Microsoft", "") == "Windows 10/11");
	CHECK(clientKind("", "xelerance.com", "") == "strongSwan/xl2tpd");
	CHECK(clientKind("lns1", "l2tpsec", "") == "l2tpsec");
	CHECK(clientKind("MacBook", "Apple Inc.", "") == "macOS/iOS");
	CHECK(clientKind("anonymous", "", "") == "Android");
	CHECK(clientKind("", "", "") == "unknown");
	CHECK(clientKind("anonymous", "Some Router", "") == "unknown");
	CHECK(clientKind("host", "Katalix", "") == "unknown");
}

TEST_CASE("client kind from the ISAKMP SA's vendor IDs when the SCCRQ does not say")
{
	CHECK(clientKind("", "", "MS NT5 ISAKMPOAKLEY, RFC 3947") == "Windows 10/11");
	CHECK(clientKind("", "", "RFC 3947, DPD") == "unknown");
	// The L2TP vendor wins over IKE's: it names the L2TP stack.
	CHECK(clientKind("", "xelerance.com", "MS NT5 ISAKMPOAKLEY") == "strongSwan/xl2tpd");
}

TEST_CASE("the ISAKMP SA's vendor ID names as a list")
{
	CHECK(vendorIdList("none").empty());
	CHECK(vendorIdList("").empty());
	CHECK(vendorIdList("MS NT5 ISAKMPOAKLEY, RFC 3947, draft-ietf-ipsec-nat-t-ike-02\n") ==
	      std::vector<std::string>{"MS NT5 ISAKMPOAKLEY", "RFC 3947", "draft-ietf-ipsec-nat-t-ike-02\n"});
}

TEST_CASE("a session's fingerprint: the SCCRQ's AVPs, the vendor IDs and the offers")
{
	CHECK_FALSE(clientFingerprint(nullptr, nullptr));

	l2tp::TunnelInfo t;
	t.peerHostName = "DESKTOP-4F2K";
	t.peerVendorName = "Microsoft";
	t.peerFirmwareRevision = 0x0600;
	auto bare = clientFingerprint(&t, nullptr);
	REQUIRE(bare);
	CHECK(bare->hostName == "DESKTOP-4F2K");
	CHECK(bare->firmwareRevision == 0x0600);
	CHECK(bare->vendorIds.empty());
	CHECK_FALSE(bare->phase1);
	CHECK(clientKind(*bare) == "Windows 10/11");

	FlowSas sas;
	sas.child.peerOffer = "aes256-sha1 pfs none";
	sas.isakmp.emplace();
	sas.isakmp->peerVendorIds = "MS NT5 ISAKMPOAKLEY, RFC 3947";
	sas.isakmp->peerOffer = "aes256-sha1-modp2048, 3des-sha1-modp1024";
	auto ipsecOnly = clientFingerprint(nullptr, &sas);
	REQUIRE(ipsecOnly);
	CHECK(ipsecOnly->hostName.empty());
	CHECK(ipsecOnly->vendorIds == std::vector<std::string>{"MS NT5 ISAKMPOAKLEY", "RFC 3947"});
	CHECK(ipsecOnly->phase1 == "aes256-sha1-modp2048, 3des-sha1-modp1024");
	CHECK(ipsecOnly->phase2 == "aes256-sha1 pfs none");
	CHECK(clientKind(*ipsecOnly) == "Windows 10/11");

	t.peerVendorName = "xelerance.com";
	CHECK(clientKind(*clientFingerprint(&t, &sas)) == "strongSwan/xl2tpd");
}
