#pragma once
// What software an L2TP peer runs, as one word for `l2tpctl sessions`: read
// from the Host Name and Vendor Name AVPs of its SCCRQ (RFC 2661 §4.4.1)
// and the vendor IDs its ISAKMP SA sent (ike/codec/vendor_ids.h names
// them). It is a hint for the operator, never used to decide anything.

#include "daemon/ike_views.h"
#include "l2tp/engine.h"
#include "l2tpsec/control_views.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec {

inline constexpr std::string_view kClientWindows = "Windows 10/11";
inline constexpr std::string_view kClientApple = "macOS/iOS";
inline constexpr std::string_view kClientAndroid = "Android";
/// xl2tpd's Vendor Name: the usual Linux client, with strongSwan (or
/// Libreswan) for its IPsec.
inline constexpr std::string_view kClientXl2tpd = "strongSwan/xl2tpd";
inline constexpr std::string_view kClientUnknown = "unknown";

/// The rest of what tells an SCCRQ apart.
struct SccrqShape {
	bool firmwareRevision = false; ///< it had a Firmware Revision AVP
	/// The UDP port it came from; unset: no tunnel (an IKE failure).
	std::optional<uint16_t> l2tpPort;
};

/// One of the names above, or "l2tpsec" (our own LAC).
/// `ikeVendorIds` is the ISAKMP SA's list of names ("" without IPsec).
std::string clientKind(std::string_view hostName, std::string_view vendorName, std::string_view ikeVendorIds,
                       const SccrqShape &shape = {});

/// The ISAKMP SA's list of vendor ID names ("none", "A, B") as a list.
std::vector<std::string> vendorIdList(std::string_view names);

/// What a session's client sent: its tunnel's SCCRQ (none: the tunnel is
/// gone) and the SAs that protect its flow (none without IPsec); nothing
/// without either.
std::optional<control::ClientFingerprintView> clientFingerprint(const l2tp::TunnelInfo *tunnel, const FlowSas *sas);
/// clientKind() of a fingerprint.
std::string clientKind(const control::ClientFingerprintView &fingerprint);

} // namespace l2tpsec
