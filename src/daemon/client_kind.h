#pragma once
// What software an L2TP peer runs, as one word for `l2tpctl sessions`: read
// from the Host Name and Vendor Name AVPs of its SCCRQ (RFC 2661 §4.4.1)
// and the vendor IDs its ISAKMP SA sent (ike/codec/vendor_ids.h names
// them). It is a hint for the operator, never used to decide anything.

#include <string>
#include <string_view>

namespace l2tpsec {

/// "windows", "apple", "android", "linux-xl2tpd", "l2tpsec" or "unknown".
/// `ikeVendorIds` is the ISAKMP SA's list of names ("" without IPsec).
std::string clientKind(std::string_view hostName, std::string_view vendorName, std::string_view ikeVendorIds);

} // namespace l2tpsec
