#include "l2tp/fake_ports.h"

#include <sys/eventfd.h>

#include <algorithm>

namespace l2tpsec::l2tp {

FakeTunnelSockets::FakeTunnelSockets(FakeNetwork &net, IpAddress address)
    : net_(net), address_(address), fd_(::eventfd(0, EFD_CLOEXEC))
{
}

FakeTunnelSockets::~FakeTunnelSockets()
{
	if (fd_ >= 0)
		::close(fd_);
}

Result<TunnelSocket> FakeTunnelSockets::open(const Endpoint &local, const Endpoint &peer)
{
	if (failOpen_) {
		Error e = std::move(*failOpen_);
		failOpen_.reset();
		return e;
	}
	Sock s{local, peer};
	if (s.local.address.isUnspecified() || s.local.address == IpAddress{})
		s.local.address = address_;
	if (s.local.port == 0)
		s.local.port = nextPort_++;
	// Only an attached (connected) socket holds its pair: one that never was
	// or no longer is (a closing tunnel's) gives the pair to the new one, as
	// the kernel's lookup prefers the connected socket.
	if (auto held = connected_.find({s.local, s.peer});
	    held != connected_.end() && attached_.contains(held->second))
		return Error{EADDRINUSE,
		             "bind " + s.local.str() + " connected to " + s.peer.str() + ": Address already in use"};
	if (fd_ < 0)
		return Error{EMFILE, "no eventfd for the fake tunnel sockets"};
	uint64_t id = nextId_++;
	sockets_.emplace(id, s);
	connected_[{s.local, s.peer}] = id;
	return TunnelSocket{id, fd_};
}

Result<void> FakeTunnelSockets::send(uint64_t socketId, std::span<const uint8_t> datagram)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return Error{EBADF, "send on closed fake socket " + std::to_string(socketId)};
	++sent_;
	net_.post(FakeNetwork::Datagram{it->second.local, it->second.peer, {datagram.begin(), datagram.end()}});
	return {};
}

void FakeTunnelSockets::close(uint64_t socketId)
{
	auto it = sockets_.find(socketId);
	if (it == sockets_.end())
		return;
	// (Unless a newer socket took the pair over.)
	if (auto held = connected_.find({it->second.local, it->second.peer});
	    held != connected_.end() && held->second == socketId)
		connected_.erase(held);
	attached_.erase(socketId);
	sockets_.erase(it);
}

Result<void> FakeTunnelSockets::attach(uint64_t socketId)
{
	if (!sockets_.contains(socketId))
		return Error{EBADF, "attach of closed fake socket " + std::to_string(socketId)};
	attached_.insert(socketId);
	return {};
}

void FakeTunnelSockets::detach(uint64_t socketId)
{
	attached_.erase(socketId);
}

std::optional<uint64_t> FakeTunnelSockets::route(const Endpoint &to, const Endpoint &from) const
{
	if (auto it = connected_.find({to, from}); it != connected_.end())
		return it->second;
	if (to.port == 1701)
		return 0;
	return std::nullopt;
}

void FakeNetwork::attach(FakeTunnelSockets &host, L2tpEngine &engine)
{
	hosts_[host.address()] = Host{&host, &engine};
}

void FakeNetwork::detach(const IpAddress &host)
{
	hosts_.erase(host);
}

void FakeNetwork::reorder()
{
	std::reverse(queue_.begin(), queue_.end());
}

size_t FakeNetwork::deliver(TimePoint now, size_t maxRounds)
{
	size_t delivered = 0;
	while (!queue_.empty() && delivered < maxRounds) {
		Datagram d = std::move(queue_.front());
		queue_.pop_front();
		if (dropIf && dropIf(d)) {
			++dropped_;
			continue;
		}
		auto host = hosts_.find(d.to.address);
		if (host == hosts_.end()) {
			++dropped_; // nobody there: a dead or detached peer
			continue;
		}
		auto socket = host->second.sockets->route(d.to, d.from);
		if (!socket) {
			++dropped_; // port unreachable
			continue;
		}
		host->second.engine->onDatagram(*socket, d.to, d.from, d.bytes, now);
		++delivered;
	}
	return delivered;
}

Result<void> FakePppLauncher::start(PppStart start)
{
	if (fail_) {
		Error e = std::move(*fail_);
		fail_.reset();
		return e;
	}
	starts_.push_back(Started{start.tunnelId, start.sessionId, start.peerTunnelId, start.peerSessionId, start.lns,
	                          start.remoteAddress, start.lacProfile});
	running_[{start.tunnelId, start.sessionId}] = std::move(start.pppSocket);
	return {};
}

void FakePppLauncher::stop(uint16_t tunnelId, uint16_t sessionId)
{
	if (running_.erase({tunnelId, sessionId}) > 0)
		++stops_;
}

bool FakePppLauncher::running(uint16_t tunnelId, uint16_t sessionId) const
{
	return running_.contains({tunnelId, sessionId});
}

} // namespace l2tpsec::l2tp
