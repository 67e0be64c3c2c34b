#include "ike/codec/vendor_ids.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace l2tpsec::ike {

namespace {

// MD5 digests, computed offline with
//   python3 -c 'import hashlib; print(hashlib.md5(b"RFC 3947").hexdigest())'
// for the text given with each. The five strongSwan 5.9.8 sends (RFC 3947,
// draft-02\n, DPD, FRAGMENTATION, XAuth) are checked against its packets in
// tests/unit/ike/test_strongswan_capture.cpp.

// MD5("RFC 3947"), RFC 3947 §3.1.
constexpr std::array<uint8_t, 16> kRfc3947 = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                              0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
// MD5("draft-ietf-ipsec-nat-t-ike-00").
constexpr std::array<uint8_t, 16> kDraft00 = {0x44, 0x85, 0x15, 0x2d, 0x18, 0xb6, 0xbb, 0xcd,
                                              0x0b, 0xe8, 0xa8, 0x46, 0x95, 0x79, 0xdd, 0xcc};
// MD5("draft-ietf-ipsec-nat-t-ike-01").
constexpr std::array<uint8_t, 16> kDraft01 = {0x16, 0xf6, 0xca, 0x16, 0xe4, 0xa4, 0x06, 0x6d,
                                              0x83, 0x82, 0x1a, 0x0f, 0x0a, 0xea, 0xa8, 0x62};
// MD5("draft-ietf-ipsec-nat-t-ike-02").
constexpr std::array<uint8_t, 16> kDraft02 = {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
                                              0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48};
// MD5("draft-ietf-ipsec-nat-t-ike-02\n").
constexpr std::array<uint8_t, 16> kDraft02N = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
                                               0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
// MD5("draft-ietf-ipsec-nat-t-ike-03").
constexpr std::array<uint8_t, 16> kDraft03 = {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
                                              0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56};
// RFC 3706 §5 gives these bytes directly (not a digest): the last two are
// the major and minor version, 1.0.
constexpr std::array<uint8_t, 16> kDpd = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
                                          0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
// MD5("MS NT5 ISAKMPOAKLEY"); Windows appends a 4-byte version.
constexpr std::array<uint8_t, 16> kMsNt5 = {0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d,
                                            0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61};
// MD5("Vid-Initial-Contact").
constexpr std::array<uint8_t, 16> kMsInitialContact = {0x26, 0x24, 0x4d, 0x38, 0xed, 0xdb, 0x61, 0xb3,
                                                       0x17, 0x2a, 0x36, 0xe3, 0xd0, 0xcf, 0xb8, 0x19};
// MD5("FRAGMENTATION"); 4 capability bytes follow (0x80000000 or 0xc0000000).
constexpr std::array<uint8_t, 16> kFragmentation = {0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
                                                    0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3};
// The first 8 bytes of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt").
constexpr std::array<uint8_t, 8> kXauth = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};
// MD5("CISCO-UNITY") with its last two bytes replaced by the version 1.0.
constexpr std::array<uint8_t, 16> kCiscoUnity = {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
                                                 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00};

// Ordered by KnownVendorId.
const std::array<VendorIdInfo, 12> kTable = {{
        {KnownVendorId::NatTRfc3947, "NAT-T (RFC 3947)", kRfc3947, false},
        {KnownVendorId::NatTDraft00, "draft-ietf-ipsec-nat-t-ike-00", kDraft00, false},
        {KnownVendorId::NatTDraft01, "draft-ietf-ipsec-nat-t-ike-01", kDraft01, false},
        {KnownVendorId::NatTDraft02, "draft-ietf-ipsec-nat-t-ike-02", kDraft02, false},
        {KnownVendorId::NatTDraft02N, "draft-ietf-ipsec-nat-t-ike-02\\n", kDraft02N, false},
        {KnownVendorId::NatTDraft03, "draft-ietf-ipsec-nat-t-ike-03", kDraft03, false},
        {KnownVendorId::Dpd, "DPD (RFC 3706)", kDpd, false},
        {KnownVendorId::MsNt5IsakmpOakley, "MS NT5 ISAKMPOAKLEY", kMsNt5, true},
        {KnownVendorId::MsVidInitialContact, "MS Vid-Initial-Contact", kMsInitialContact, false},
        {KnownVendorId::Fragmentation, "FRAGMENTATION", kFragmentation, true},
        {KnownVendorId::Xauth, "XAuth", kXauth, false},
        {KnownVendorId::CiscoUnity, "Cisco Unity", kCiscoUnity, false},
}};

} // namespace

std::span<const VendorIdInfo> knownVendorIds()
{
	return kTable;
}

std::optional<KnownVendorId> recogniseVendorId(Bytes data)
{
	for (const VendorIdInfo &v : kTable) {
		bool match = v.prefix ? data.size() >= v.bytes.size() &&
		                                std::ranges::equal(data.first(v.bytes.size()), v.bytes)
		                      : std::ranges::equal(data, v.bytes);
		if (match)
			return v.id;
	}
	return std::nullopt;
}

const VendorIdInfo &vendorIdInfo(KnownVendorId id)
{
	return kTable[static_cast<size_t>(id)];
}

std::vector<uint8_t> vendorIdBytes(KnownVendorId id)
{
	const VendorIdInfo &v = vendorIdInfo(id);
	std::vector<uint8_t> out(v.bytes.begin(), v.bytes.end());
	switch (id) {
	case KnownVendorId::Fragmentation: out.insert(out.end(), {0x80, 0x00, 0x00, 0x00}); break;
	case KnownVendorId::MsNt5IsakmpOakley: out.insert(out.end(), {0x00, 0x00, 0x00, 0x09}); break;
	case KnownVendorId::NatTRfc3947:
	case KnownVendorId::NatTDraft00:
	case KnownVendorId::NatTDraft01:
	case KnownVendorId::NatTDraft02:
	case KnownVendorId::NatTDraft02N:
	case KnownVendorId::NatTDraft03:
	case KnownVendorId::Dpd:
	case KnownVendorId::MsVidInitialContact:
	case KnownVendorId::Xauth:
	case KnownVendorId::CiscoUnity: break;
	}
	return out;
}

} // namespace l2tpsec::ike
