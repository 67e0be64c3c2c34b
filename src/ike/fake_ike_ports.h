#pragma once
// In-memory stand-ins for the IKE engine's ports, for exchange tests and the
// control-plane benchmark: a UDP "network" joining hosts (with NATs on
// demand), each host's IkeSockets, and a seeded IkeRandom so runs repeat.
// Together with kernel::FakeIpsecDataplane they let an initiator and a
// responder of this code negotiate in one process.

#include "ike/ike_engine.h"
#include "ike/ike_ports.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace l2tpsec::ike {

class FakeIkeNetwork;

class FakeIkeSockets final : public IkeSockets {
public:
	explicit FakeIkeSockets(FakeIkeNetwork &net) : net_(net) {}
	Result<void> send(IkeSocket socket, const Endpoint &local, const Endpoint &peer,
	                  std::span<const uint8_t> datagram) override;
	void failNext(Error e) { fail_ = std::move(e); }
	uint64_t sent() const { return sent_; }

private:
	FakeIkeNetwork &net_;
	std::optional<Error> fail_;
	uint64_t sent_ = 0;
};

/// Deterministic bytes (splitmix64 from a seed) and DH key pairs from them.
class FakeIkeRandom final : public IkeRandom {
public:
	explicit FakeIkeRandom(uint64_t seed) : state_(seed) {}
	Result<std::vector<uint8_t>> bytes(size_t n) override;
	Result<crypto::DhKeyPair> keyPair(crypto::DhGroup group) override;

private:
	uint64_t next();
	uint64_t state_;
};

/// A DhOffload that keeps the work until the test runs it: what the
/// engine does between Main Mode 3 and its answer can be looked at. Key
/// pairs come from the given IkeRandom, so runs repeat.
class QueuedDhOffload final : public DhOffload {
public:
	explicit QueuedDhOffload(IkeRandom &random) : random_(random) {}
	bool submit(DhWork work) override;
	/// Computes every waiting work and hands it to `engine`; returns how many.
	size_t runAll(IkeEngine &engine, TimePoint now);
	/// With full = true, submit() refuses (a busy pool).
	void setFull(bool full) { full_ = full; }
	size_t waiting() const { return queue_.size(); }

private:
	IkeRandom &random_;
	std::deque<DhWork> queue_;
	bool full_ = false;
};

/// The wire. Datagrams queue until deliver() hands them to the engines; a
/// test can drop, duplicate, rewrite or reorder them on the way. A NAT in
/// front of a host rewrites its source address and port on the way out
/// (one outside port per inside port, as a port-restricted NAT does) and
/// back on the way in; what is not mapped does not get in.
class FakeIkeNetwork {
public:
	struct Datagram {
		Endpoint from, to;
		std::vector<uint8_t> bytes;
	};
	/// Called for every datagram about to be delivered (after the sender's
	/// NAT): true drops it. Tests log, lose and corrupt here.
	std::function<bool(Datagram &)> onWire;
	/// The port the engines' NAT-T sockets use.
	uint16_t natTPort = 4500;

	void attach(const IpAddress &host, IkeEngine &engine);
	void detach(const IpAddress &host);
	void addNat(const IpAddress &inside, const IpAddress &outside, uint16_t firstPort = 30000);
	/// A 1:1 NAT (a cloud's public address): `outside` is the host's on the
	/// wire, both ways, every port kept; anyone may reach it.
	void addOneToOneNat(const IpAddress &inside, const IpAddress &outside);
	/// Forgets the NAT's mappings (its state timed out): the next datagram
	/// out gets a new port.
	void resetNat(const IpAddress &inside);

	void post(Datagram d);
	/// Delivers until the wire is quiet or maxDatagrams went by; returns how many.
	size_t deliver(TimePoint now, size_t maxDatagrams = 100000);
	std::deque<Datagram> &queue() { return queue_; }

private:
	struct Nat {
		IpAddress inside, outside;
		uint16_t nextPort;
		std::map<uint16_t, uint16_t> out; ///< inside port -> outside port
		bool oneToOne = false;            ///< ports kept, nothing blocked
	};
	std::map<IpAddress, IkeEngine *> hosts_;
	std::vector<Nat> nats_;
	std::deque<Datagram> queue_;
};

} // namespace l2tpsec::ike
