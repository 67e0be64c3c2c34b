#pragma once
// What names one ISAKMP SA and where its peer is: the plain values IkeSa
// keeps and its exchanges (and the engine) read, grouped so that IkeSa
// need not have a getter for each. Internal to src/ike/.

#include "common/endpoint.h"
#include "ike/codec/header.h"
#include "ike/ike_ports.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace l2tpsec::ike {

/// Who the SA is: the engine's id, our role, the cookie pair (RFC 2408
/// §2.5.3), the phase-1 mode and the peer's phase-1 ID.
struct SaIdentity {
	uint64_t id = 0;
	bool initiator = false;
	Cookie ckyI, ckyR;       ///< ckyR is zero until the initiator has MM2 or AM2
	bool aggressive = false; ///< Aggressive Mode, not Main Mode
	/// The peer's phase-1 ID body (empty before MM5/MM6; an Aggressive Mode
	/// responder has AM1's IDii, proven only once AM3 verifies).
	std::vector<uint8_t> peerIdBody;

	/// "Main Mode" or "Aggressive Mode", for log lines and errors.
	std::string_view phase1Name() const { return aggressive ? "Aggressive Mode" : "Main Mode"; }
};

/// Where the SA's IKE goes: the socket, our endpoint and the peer's, which
/// NAT-T (RFC 3947) moves; `original` stays where the peer first was.
struct PeerPath {
	IkeSocket socket = IkeSocket::Ike;
	Endpoint local, peer;
	/// The peer's first address and port (before any NAT-T float), the key
	/// the engine filed the SA under.
	Endpoint original;

	std::string text() const { return peer.str(); }
};

/// What the engine and an SA share about a peer's ISAKMP SAs following one
/// another: INITIAL-CONTACT (RFC 2407 §4.6.3.3) each way, and whether the
/// SA's re-authentication has started.
struct Succession {
	/// Initiator: whether MM5 carries INITIAL-CONTACT (no other SA with the peer).
	bool sendInitialContact = true;
	/// The peer's MM5 carried INITIAL-CONTACT: the engine removes the peer's
	/// older SAs once (and clears it).
	bool initialContactReceived = false;
	bool reauthStarted = false;
	/// A newer ISAKMP SA with the peer took over this one's IPsec SAs
	/// (re-authentication): this one is deleted at retireAt, with a Delete
	/// that names it, after the successor's id.
	std::optional<TimePoint> retireAt;
	uint64_t successor = 0;
};

} // namespace l2tpsec::ike
