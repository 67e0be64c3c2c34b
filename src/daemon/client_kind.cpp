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

std::string clientKind(std::string_view hostName, std::string_view vendorName, std::string_view ikeVendorIds,
                       const SccrqShape &shape)
{
	// The Vendor Name each stack sends: Windows "Microsoft", xl2tpd
	// "xelerance.com", l2tpsec its own name (tunnel.cpp).
	if (containsNoCase(vendorName, "microsoft"))
		return std::string(kClientWindows);
	if (containsNoCase(vendorName, "xelerance"))
		return std::string(kClientXl2tpd);
	if (containsNoCase(vendorName, "l2tpsec"))
		return "l2tpsec";
	// Android's mtpd sends no Vendor Name and the Host Name "anonymous".
	if (vendorName.empty() && hostName == "anonymous")
		return std::string(kClientAndroid);
	// Apple's L2TP (macOS and iOS) sends neither a Vendor Name nor a
	// Firmware Revision, just the AVPs RFC 2661 requires, the Host Name the
	// device's name, and it sends from an ephemeral port where the others
	// use 1701 (the ppp project's L2TP plugin in apple-open-source).
	if (vendorName.empty() && !shape.firmwareRevision && shape.l2tpPort && *shape.l2tpPort != 1701)
		return std::string(kClientApple);
	// Windows' IKE sends the "MS NT5 ISAKMPOAKLEY" vendor ID.
	if (containsNoCase(ikeVendorIds, "MS NT5"))
		return std::string(kClientWindows);
	return std::string(kClientUnknown);
}

std::vector<std::string> vendorIdList(std::string_view names)
{
	std::vector<std::string> list;
	if (names == "none")
		return list;
	while (!names.empty()) {
		size_t comma = names.find(", ");
		list.emplace_back(names.substr(0, comma));
		names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 2);
	}
	return list;
}

std::optional<control::ClientFingerprintView> clientFingerprint(const l2tp::TunnelInfo *tunnel, const FlowSas *sas)
{
	if (!tunnel && !sas)
		return std::nullopt;
	control::ClientFingerprintView f;
	if (tunnel) {
		f.hostName = tunnel->peerHostName;
		f.vendorName = tunnel->peerVendorName;
		f.firmwareRevision = tunnel->peerFirmwareRevision;
		f.l2tpPort = tunnel->peer.port;
	}
	if (sas && sas->isakmp) {
		f.vendorIds = vendorIdList(sas->isakmp->peerVendorIds);
		if (!sas->isakmp->peerOffer.empty())
			f.phase1 = sas->isakmp->peerOffer;
	}
	if (sas && !sas->child.peerOffer.empty())
		f.phase2 = sas->child.peerOffer;
	return f;
}

std::string clientKind(const control::ClientFingerprintView &fingerprint)
{
	std::string ids;
	for (const std::string &id : fingerprint.vendorIds)
		ids += (ids.empty() ? "" : ", ") + id;
	return clientKind(fingerprint.hostName, fingerprint.vendorName, ids,
	                  {fingerprint.firmwareRevision.has_value(), fingerprint.l2tpPort});
}

} // namespace l2tpsec
