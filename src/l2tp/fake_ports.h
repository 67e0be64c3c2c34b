#pragma once
// In-memory stand-ins for the L2TP engine's ports, for the exchange tests and
// the control-plane benchmark: a UDP "network" joining any number of hosts,
// each with its TunnelSockets, and a PppLauncher that records instead of
// running pppd. Together with kernel::FakeL2tpDataplane they let a LAC and an
// LNS of this code talk in one process, with loss and reordering on demand.

#include "l2tp/engine.h"
#include "l2tp/engine_ports.h"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace l2tpsec::l2tp {

class FakeNetwork;

/// One host's sockets. Socket id 0 stands for the host's listener on port
/// 1701 (what the daemon's listener would be).
class FakeTunnelSockets final : public TunnelSockets {
public:
	FakeTunnelSockets(FakeNetwork &net, IpAddress address);
	~FakeTunnelSockets() override;

	Result<TunnelSocket> open(const Endpoint &local, const Endpoint &peer) override;
	Result<void> send(uint64_t socketId, std::span<const uint8_t> datagram) override;
	void close(uint64_t socketId) override;
	/// Recorded only: the fake routes by (local, peer) from open() on, to the
	/// newest socket of the pair; open() refuses a pair an attached socket holds.
	Result<void> attach(uint64_t socketId) override;
	void detach(uint64_t socketId) override;
	/// The sockets attach()ed and not detach()ed or closed since.
	const std::set<uint64_t> &attached() const { return attached_; }

	/// The next open() fails with this error.
	void failNextOpen(Error e) { failOpen_ = std::move(e); }

	const IpAddress &address() const { return address_; }
	size_t openSockets() const { return sockets_.size(); }
	/// Which socket a datagram from `from` to `to` arrives on: the connected
	/// socket for that pair, else the listener (0) if `to` is port 1701.
	std::optional<uint64_t> route(const Endpoint &to, const Endpoint &from) const;
	uint64_t sentDatagrams() const { return sent_; }

private:
	struct Sock {
		Endpoint local, peer;
	};
	FakeNetwork &net_;
	IpAddress address_;
	std::map<uint64_t, Sock> sockets_;
	/// (local, peer) -> socket id: how a datagram finds its connected socket.
	std::map<std::pair<Endpoint, Endpoint>, uint64_t> connected_;
	std::set<uint64_t> attached_;
	uint64_t nextId_ = 1;
	uint16_t nextPort_ = 40000;
	uint64_t sent_ = 0;
	std::optional<Error> failOpen_;
	/// One real descriptor stands for every socket: the fake kernel checks
	/// that a managed tunnel's fd is open, and thousands of tunnels must not
	/// need thousands of descriptors.
	int fd_ = -1;
};

/// The wire between hosts. Datagrams queue up until deliver() hands them to
/// the engines; a test can drop, duplicate or reorder them on the way.
class FakeNetwork {
public:
	struct Datagram {
		Endpoint from, to;
		std::vector<uint8_t> bytes;
	};
	/// Returns true to drop a datagram (tests: loss, a dead peer).
	std::function<bool(const Datagram &)> dropIf;

	void attach(FakeTunnelSockets &host, L2tpEngine &engine);
	void detach(const IpAddress &host);
	void post(Datagram d) { queue_.push_back(std::move(d)); }

	/// Delivers everything queued (and what that provokes) until the wire is
	/// quiet or `maxRounds` datagrams went by; returns how many were delivered.
	size_t deliver(TimePoint now, size_t maxRounds = 100000);
	/// Reverses the queue: the next deliver() hands datagrams over in the
	/// opposite order.
	void reorder();
	std::deque<Datagram> &queue() { return queue_; }
	uint64_t dropped() const { return dropped_; }

private:
	struct Host {
		FakeTunnelSockets *sockets;
		L2tpEngine *engine;
	};
	std::map<IpAddress, Host> hosts_;
	std::deque<Datagram> queue_;
	uint64_t dropped_ = 0;
};

/// Records pppd starts and stops; holds each session's PPPoL2TP descriptor as
/// pppd would (closing it would delete the fake kernel session).
class FakePppLauncher final : public PppLauncher {
public:
	struct Started {
		uint16_t tunnelId, sessionId, peerTunnelId, peerSessionId;
		bool lns;
		std::optional<IpAddress> remoteAddress;
		std::string lacProfile;
	};
	Result<void> start(PppStart start) override;
	void stop(uint16_t tunnelId, uint16_t sessionId) override;

	void failNext(Error e) { fail_ = std::move(e); }
	bool running(uint16_t tunnelId, uint16_t sessionId) const;
	size_t runningCount() const { return running_.size(); }
	const std::vector<Started> &starts() const { return starts_; }
	uint64_t stops() const { return stops_; }

private:
	std::map<std::pair<uint16_t, uint16_t>, UniqueFd> running_;
	std::vector<Started> starts_;
	uint64_t stops_ = 0;
	std::optional<Error> fail_;
};

} // namespace l2tpsec::l2tp
