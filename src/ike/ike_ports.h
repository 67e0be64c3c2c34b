#pragma once
// What the IKE engine needs from the world outside the protocol, as narrow
// interfaces: the UDP 500/4500 sockets and a source of randomness (cookies,
// nonces, message ids, DH private values). The kernel is the third port, the
// existing kernel::IpsecDataplane. The daemon implements IkeSockets over its
// two listening sockets and uses SystemRandom; tests use the in-memory fakes
// of fake_ike_ports.h, with a seeded IkeRandom so that runs repeat.

#include "common/endpoint.h"
#include "common/ip_address.h"
#include "common/result.h"
#include "crypto/dh.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace l2tpsec::ike {

using IkeClock = std::chrono::steady_clock;
using TimePoint = IkeClock::time_point;

using l2tpsec::Endpoint;

/// Which of the two IKE sockets: UDP 500, or UDP 4500 after NAT-T floating
/// (RFC 3947 §4), where IKE carries a 4-byte zero non-ESP marker (RFC 3948
/// §2.2). The engine adds and strips the marker itself.
enum class IkeSocket : uint8_t { Ike, NatT };

class IkeSockets {
public:
	virtual ~IkeSockets() = default;
	/// Sends one datagram from `local` (address and the socket's port) to
	/// `peer`. A failure is for the log only: the exchange retransmits.
	virtual Result<void> send(IkeSocket socket, const Endpoint &local, const Endpoint &peer,
	                          std::span<const uint8_t> datagram) = 0;
};

class IkeRandom {
public:
	virtual ~IkeRandom() = default;
	/// n bytes for public values: cookies, nonces, message ids, DPD sequence numbers.
	virtual Result<std::vector<uint8_t>> bytes(size_t n) = 0;
	/// A fresh ephemeral DH key pair.
	virtual Result<crypto::DhKeyPair> keyPair(crypto::DhGroup group) = 0;
};

/// The kernel's RNG (crypto/random.h) and DhKeyPair::generate().
class SystemRandom final : public IkeRandom {
public:
	Result<std::vector<uint8_t>> bytes(size_t n) override;
	Result<crypto::DhKeyPair> keyPair(crypto::DhGroup group) override;
};

/// The responder's share of the phase-1 Diffie-Hellman (RFC 2409 §5): a
/// fresh key pair and g^xy with the initiator's public value from Main
/// Mode 3 or Aggressive Mode 1. It is nearly all of a responder's CPU per SA
/// (tools/bench/ike_setup_bench), so a daemon computes it on other threads
/// (DhWorkers) while its own thread goes on with other peers.
struct DhWork {
	uint64_t sa = 0; ///< IkeSa::id(): where the answer goes
	crypto::DhGroup group{};
	std::vector<uint8_t> peerPublic;
};
struct DhWorkDone {
	std::vector<uint8_t> ourPublic;
	crypto::SecretBytes sharedSecret;
};

/// One DhWork with a freshly made key pair (or the error that making it
/// gave): what every DhOffload runs, and the engine itself when it has none.
Result<DhWorkDone> computeDh(Result<crypto::DhKeyPair> pair, std::span<const uint8_t> peerPublic);

/// Takes DhWork off the engine's thread. The owner hands each answer back to
/// IkeEngine::onDhDone() on the engine's thread.
class DhOffload {
public:
	virtual ~DhOffload() = default;
	/// False when the work is not taken (a full queue): the engine drops the
	/// Main Mode 3 or Aggressive Mode 1, whose retransmission tries again.
	virtual bool submit(DhWork work) = 0;
};

} // namespace l2tpsec::ike
