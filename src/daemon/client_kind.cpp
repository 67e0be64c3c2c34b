#include "daemon/client_kind.h"

#include <algorithm>
#include <cctype>

namespace l2tpsec {

namespace {

bool containsNoCase(std::string_view text, std::string_view word)
{
	auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
		return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
	});
	return it != text.end();
}

} // namespace

std::string clientKind(std::string_view hostName, std::string_view vendorName, std::string_view ikeVendorIds)
{
	// The Vendor Name each stack sends: Windows "Microsoft", xl2tpd
	// "xelerance.com", l2tpsec its own name (tunnel.cpp).
	if (containsNoCase(vendorName, "microsoft"))
		return "windows";
	if (containsNoCase(vendorName, "xelerance"))
		return "linux-xl2tpd";
	if (containsNoCase(vendorName, "l2tpsec"))
		return "l2tpsec";
	if (containsNoCase(vendorName, "apple"))
		return "apple";
	// Android's mtpd sends no Vendor Name and the Host Name "anonymous".
	if (vendorName.empty() && hostName == "anonymous")
		return "android";
	// Windows' IKE sends the "MS NT5 ISAKMPOAKLEY" vendor ID.
	if (containsNoCase(ikeVendorIds, "MS NT5"))
		return "windows";
	return "unknown";
}

} // namespace l2tpsec
