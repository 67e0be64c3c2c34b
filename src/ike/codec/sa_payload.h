#pragma once
// The Security Association payload (RFC 2408 §3.4) with its Proposal (§3.5)
// and Transform (§3.6) sub-payloads, for the IPsec DOI (RFC 2407 §4.6.1).
//
//   SA:        DOI (4) | Situation (4) | Proposal...
//   Proposal:  generic hdr (next = 2 or 0) | Proposal # | Protocol-Id |
//              SPI Size | # of Transforms | SPI | Transform...
//   Transform: generic hdr (next = 3 or 0) | Transform # | Transform-Id |
//              RESERVED2 (2) | SA Attributes
//
// Proposals are kept flat in wire order; proposals sharing a number form one
// logical AND offer (RFC 2408 §4.2), which is for the engine to interpret.

#include "common/result.h"
#include "ike/codec/data_attribute.h"
#include "ike/codec/isakmp_types.h"

#include <cstdint>
#include <vector>

namespace l2tpsec::ike {

struct Transform {
	uint8_t number = 1;
	/// kTransformKeyIke for phase 1, an EspTransformId/AhTransformId value for
	/// phase 2.
	uint8_t id = 0;
	std::vector<DataAttribute> attributes;

	friend bool operator==(const Transform &, const Transform &) = default;
};

struct Proposal {
	uint8_t number = 1;
	ProtocolId protocol = ProtocolId::Isakmp;
	/// Empty in phase 1 (RFC 2409 §5: the cookies are the SPI), 4 bytes for
	/// ESP/AH in Quick Mode.
	std::vector<uint8_t> spi;
	std::vector<Transform> transforms;

	friend bool operator==(const Proposal &, const Proposal &) = default;
};

struct SaPayload {
	Doi doi = Doi::Ipsec;
	uint32_t situation = kSituationIdentityOnly;
	std::vector<Proposal> proposals;

	friend bool operator==(const SaPayload &, const SaPayload &) = default;
};

/// Parses an SA payload body. kErrUnsupported for a DOI other than IPsec
/// (only its situation layout is known) or a situation with the SECRECY or
/// INTEGRITY bits, which would add labelled-domain fields (RFC 2407 §4.6.1).
/// kErrMalformed for an SA without proposals, a proposal without transforms,
/// a # of Transforms that disagrees with the transforms present, a
/// sub-payload chained with a type other than Proposal/Transform, non-zero
/// reserved fields, lengths that do not tile the payload exactly, and
/// malformed attributes.
Result<SaPayload> parseSa(Bytes body);

/// Encodes an SA body. kErrTooLarge when an SPI, count or length does not
/// fit its field; kErrMalformed for an SA without proposals or a proposal
/// without transforms (the parser would refuse them).
Result<std::vector<uint8_t>> buildSa(const SaPayload &sa);

} // namespace l2tpsec::ike
