#include "daemon/ppp_fingerprint.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

namespace l2tpsec {

namespace {

std::string named(std::string_view name, uint8_t type)
{
	return name.empty() ? std::to_string(type) : std::string(name);
}

std::vector<std::string> names(const std::vector<uint8_t> &types, std::string (*name)(uint8_t))
{
	std::vector<std::string> out;
	out.reserve(types.size());
	std::transform(types.begin(), types.end(), std::back_inserter(out), name);
	return out;
}

bool asked(const std::vector<uint8_t> &types, uint8_t a, uint8_t b)
{
	return std::find(types.begin(), types.end(), a) != types.end() ||
	       std::find(types.begin(), types.end(), b) != types.end();
}

} // namespace

std::string lcpOptionName(uint8_t type)
{
	std::string_view n;
	switch (type) {
	case 0: n = "vendor"; break;
	case 1: n = "mru"; break;
	case 2: n = "accm"; break;
	case 3: n = "auth"; break;
	case 4: n = "quality"; break;
	case 5: n = "magic-number"; break;
	case 7: n = "pfc"; break;
	case 8: n = "acfc"; break;
	case 9: n = "fcs-alternatives"; break;
	case 10: n = "self-describing-pad"; break;
	case 11: n = "numbered-mode"; break;
	case 13: n = "callback"; break;
	case 17: n = "mrru"; break;
	case 18: n = "short-sequence"; break;
	case 19: n = "endpoint-discriminator"; break;
	case 23: n = "link-discriminator"; break;
	default: break;
	}
	return named(n, type);
}

std::string ipcpOptionName(uint8_t type)
{
	std::string_view n;
	switch (type) {
	case 1: n = "addresses"; break;
	case 2: n = "vj"; break;
	case 3: n = "address"; break;
	case 4: n = "mobile-ipv4"; break;
	case 129: n = "dns1"; break;
	case 130: n = "wins1"; break;
	case 131: n = "dns2"; break;
	case 132: n = "wins2"; break;
	default: break;
	}
	return named(n, type);
}

std::string ccpOptionName(uint8_t type)
{
	std::string_view n;
	switch (type) {
	case 0: n = "oui"; break;
	case 1: n = "predictor-1"; break;
	case 2: n = "predictor-2"; break;
	case 17: n = "stac-lzs"; break;
	case 18: n = "mppe"; break;
	case 21: n = "bsd-compress"; break;
	case 24: n = "deflate-draft"; break; // pppd's number for an early draft
	case 26: n = "deflate"; break;
	default: break;
	}
	return named(n, type);
}

control::PppFingerprintView pppFingerprint(const ppp::PluginPeerOptions &o)
{
	control::PppFingerprintView v;
	v.mru = o.mru;
	if (o.accm)
		v.accm = fmt::format("0x{:08x}", *o.accm);
	v.magicNumber = o.magicNumber;
	v.protocolFieldCompression = o.protocolCompression;
	v.addressControlFieldCompression = o.addressCompression;
	v.auth = std::string(ppp::peerAuthName(o.auth));
	v.vjCompression = o.vjCompression;
	// RFC 1877: 129 and 131 the DNS servers, 130 and 132 the NBNS (WINS).
	v.dnsRequested = asked(o.ipcpRequest, 129, 131);
	v.winsRequested = asked(o.ipcpRequest, 130, 132);
	v.lcpRequest = names(o.lcpRequest, lcpOptionName);
	v.ipcpRequest = names(o.ipcpRequest, ipcpOptionName);
	if (o.ccpRequest)
		v.ccpRequest = names(*o.ccpRequest, ccpOptionName);
	return v;
}

} // namespace l2tpsec
