// The PPP part of a client's fingerprint (daemon/ppp_fingerprint.h): the
// plugin's report of the peer's LCP and IPCP, named for `sessions --json`.

#include "daemon/ppp_fingerprint.h"

#include <doctest.h>

using namespace l2tpsec;

TEST_CASE("ppp fingerprint: a Windows-like client asks for DNS and WINS and offers MPPE")
{
	ppp::PluginPeerOptions o;
	o.mru = 1400;
	o.magicNumber = o.protocolCompression = o.addressCompression = true;
	o.auth = ppp::PeerAuth::MsChapV2;
	o.lcpRequest = {1, 5, 7, 8, 13};
	o.ipcpRequest = {3, 129, 130, 131, 132};
	o.ccpRequest = std::vector<uint8_t>{18};
	control::PppFingerprintView v = pppFingerprint(o);
	CHECK(v.mru == 1400);
	CHECK_FALSE(v.accm);
	CHECK(v.magicNumber);
	CHECK(v.protocolFieldCompression);
	CHECK(v.addressControlFieldCompression);
	CHECK(v.auth == "ms-chap-v2");
	CHECK_FALSE(v.vjCompression);
	CHECK(v.dnsRequested);
	CHECK(v.winsRequested);
	CHECK(v.lcpRequest == std::vector<std::string>{"mru", "magic-number", "pfc", "acfc", "callback"});
	CHECK(v.ipcpRequest == std::vector<std::string>{"address", "dns1", "wins1", "dns2", "wins2"});
	CHECK(v.ccpRequest == std::vector<std::string>{"mppe"});
}

TEST_CASE("ppp fingerprint: pppd's defaults, only a secondary DNS, unknown options by number")
{
	ppp::PluginPeerOptions o;
	o.accm = 0x000a0000;
	o.vjCompression = true;
	o.auth = ppp::PeerAuth::Pap;
	o.lcpRequest = {2, 3, 42, 0};
	o.ipcpRequest = {2, 3, 131, 200};
	control::PppFingerprintView v = pppFingerprint(o);
	CHECK_FALSE(v.mru);
	CHECK(v.accm == "0x000a0000");
	CHECK(v.auth == "pap");
	CHECK(v.vjCompression);
	CHECK(v.dnsRequested);
	CHECK_FALSE(v.winsRequested);
	CHECK(v.lcpRequest == std::vector<std::string>{"accm", "auth", "42", "vendor"});
	CHECK(v.ipcpRequest == std::vector<std::string>{"vj", "address", "dns2", "200"});
	CHECK_FALSE(v.ccpRequest);

	o.ipcpRequest = {3, 132};
	v = pppFingerprint(o);
	CHECK_FALSE(v.dnsRequested);
	CHECK(v.winsRequested);

	// A CCP request with no options is a CCP request.
	o.ccpRequest = std::vector<uint8_t>{};
	CHECK(pppFingerprint(o).ccpRequest == std::vector<std::string>{});
	o.ccpRequest = std::vector<uint8_t>{26, 24, 21, 99};
	CHECK(pppFingerprint(o).ccpRequest ==
	      std::vector<std::string>{"deflate", "deflate-draft", "bsd-compress", "99"});
}

TEST_CASE("ppp fingerprint: each authentication by its name")
{
	using ppp::PeerAuth;
	CHECK(ppp::peerAuthName(PeerAuth::None) == "none");
	CHECK(ppp::peerAuthName(PeerAuth::ChapMd5) == "chap-md5");
	CHECK(ppp::peerAuthName(PeerAuth::MsChap) == "ms-chap");
	CHECK(ppp::peerAuthName(PeerAuth::Eap) == "eap");
	CHECK(lcpOptionName(19) == "endpoint-discriminator");
	CHECK(ipcpOptionName(1) == "addresses");
	CHECK(ccpOptionName(17) == "stac-lzs");
}
