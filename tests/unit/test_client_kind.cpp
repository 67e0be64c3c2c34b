// What the peer runs, from its SCCRQ and IKE vendor IDs (daemon/client_kind.h).

#include "daemon/client_kind.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("client kind from the SCCRQ's Vendor Name and Host Name")
{
	CHECK(clientKind("DESKTOP-4F2K", "Microsoft", "") == "Windows 10/11");
	CHECK(clientKind("", "xelerance.com", "") == "strongSwan/xl2tpd");
	CHECK(clientKind("lns1", "l2tpsec", "") == "l2tpsec");
	CHECK(clientKind("anonymous", "", "") == "Android");
	CHECK(clientKind("", "", "") == "unknown");
	CHECK(clientKind("anonymous", "Some Router", "") == "unknown");
	CHECK(clientKind("host", "Katalix", "") == "unknown");
}

TEST_CASE("Apple's SCCRQ: no Vendor Name, no Firmware Revision, from an ephemeral port")
{
	CHECK(clientKind("Alices-MacBook", "", "", {false, 54201}) == "macOS/iOS");
	CHECK(clientKind("", "", "", {false, 61002}) == "macOS/iOS"); // older releases sent an empty name
	// From 1701, or with a Firmware Revision, or a Vendor Name: not Apple's.
	CHECK(clientKind("Alices-MacBook", "", "", {false, 1701}) == "unknown");
	CHECK(clientKind("Alices-MacBook", "", "", {true, 54201}) == "unknown");
	CHECK(clientKind("host", "Katalix", "", {false, 54201}) == "unknown");
	CHECK(clientKind("DESKTOP-4F2K", "Microsoft", "", {true, 1701}) == "Windows 10/11");
	// Android's mtpd is known by its Host Name whatever its port.
	CHECK(clientKind("anonymous", "", "", {false, 40000}) == "Android");
	// Without a tunnel (an IKE failure) nothing says Apple.
	CHECK(clientKind("", "", "RFC 3947, DPD") == "unknown");
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
	t.peer.port = 1701;
	auto bare = clientFingerprint(&t, nullptr);
	REQUIRE(bare);
	CHECK(bare->hostName == "DESKTOP-4F2K");
	CHECK(bare->firmwareRevision == 0x0600);
	CHECK(bare->l2tpPort == 1701);
	CHECK(bare->vendorIds.empty());
	CHECK_FALSE(bare->phase1);
	CHECK(clientKind(*bare) == "Windows 10/11");
	l2tp::TunnelInfo mac;
	mac.peerHostName = "Alices-iPhone";
	mac.peer.port = 50123;
	CHECK(clientKind(*clientFingerprint(&mac, nullptr)) == "macOS/iOS");

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
