#pragma once
// Vendor IDs (RFC 2408 §3.16) an L2TP/IPsec responder recognises, and the
// ones it sends to advertise NAT-T, DPD and fragmentation.
//
// Most are MD5 digests of a text; this library has no MD5, so the digests
// are constants (vendor_ids.cpp says how each was computed).

#include "ike/codec/isakmp_types.h"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace l2tpsec::ike {

enum class KnownVendorId {
	NatTRfc3947,         ///< RFC 3947 §3.1
	NatTDraft00,         ///< draft-ietf-ipsec-nat-t-ike-00
	NatTDraft01,         ///< draft-ietf-ipsec-nat-t-ike-01
	NatTDraft02,         ///< draft-ietf-ipsec-nat-t-ike-02
	NatTDraft02N,        ///< draft-ietf-ipsec-nat-t-ike-02 with a newline (a typo that shipped)
	NatTDraft03,         ///< draft-ietf-ipsec-nat-t-ike-03
	Dpd,                 ///< RFC 3706 §5 (version 1.0)
	MsNt5IsakmpOakley,   ///< Windows; 4 version bytes follow the digest
	MsVidInitialContact, ///< Windows
	Fragmentation,       ///< IKEv1 fragmentation; 4 capability bytes may follow (not from Windows)
	Xauth,               ///< draft-ietf-ipsra-isakmp-xauth-06
	CiscoUnity,          ///< Cisco Unity 1.0 (Apple and racoon clients send it with XAuth)
};

struct VendorIdInfo {
	KnownVendorId id;
	std::string_view name;
	std::span<const uint8_t> bytes;
	/// True when the bytes are a prefix and the sender appends its own
	/// (version or capability) bytes.
	bool prefix;
};

/// Every known vendor ID.
std::span<const VendorIdInfo> knownVendorIds();

/// The known vendor ID these payload bytes are, if any: an exact match, or
/// a prefix match for the entries marked prefix.
std::optional<KnownVendorId> recogniseVendorId(Bytes data);

/// The table entry for an id (for its name, or its bytes to send).
const VendorIdInfo &vendorIdInfo(KnownVendorId id);

/// The bytes to send for an id. Prefix entries get a default suffix:
/// Fragmentation 0x80000000 (what strongSwan sends; Windows sends the bare
/// digest and accepts both), MS NT5 ISAKMPOAKLEY version 0x00000009.
std::vector<uint8_t> vendorIdBytes(KnownVendorId id);

} // namespace l2tpsec::ike
