#include "ike/fake_ike_ports.h"

#include <algorithm>
#include <cerrno>

namespace l2tpsec::ike {

Result<void> FakeIkeSockets::send(IkeSocket socket, const Endpoint &local, const Endpoint &peer,
                                  std::span<const uint8_t> datagram)
{
	(void)socket;
	if (fail_) {
		Error e = std::move(*fail_);
		fail_.reset();
		return e;
	}
	sent_++;
	net_.post(FakeIkeNetwork::Datagram{local, peer, {datagram.begin(), datagram.end()}});
	return {};
}

uint64_t FakeIkeRandom::next()
{
	// splitmix64 (Steele, Lea, Flood 2014).
	uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

Result<std::vector<uint8_t>> FakeIkeRandom::bytes(size_t n)
{
	std::vector<uint8_t> out(n);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = next();
		for (size_t j = 0; j < 8 && i + j < n; j++)
			out[i + j] = uint8_t(v >> (8 * j));
	}
	return out;
}

Result<crypto::DhKeyPair> FakeIkeRandom::keyPair(crypto::DhGroup group)
{
	// 256 bits, below every group order this build supports (RFC 5903 P-256's
	// order starts 0xffffffff00000000...), never zero.
	L2S_TRY_ASSIGN(auto b, bytes(32));
	b[0] = uint8_t((b[0] & 0x7f) | 0x01);
	return crypto::DhKeyPair::fromPrivateValue(group, b);
}

void FakeIkeNetwork::attach(const IpAddress &host, IkeEngine &engine)
{
	hosts_[host] = &engine;
}

void FakeIkeNetwork::detach(const IpAddress &host)
{
	hosts_.erase(host);
}

void FakeIkeNetwork::addNat(const IpAddress &inside, const IpAddress &outside, uint16_t firstPort)
{
	nats_.push_back(Nat{inside, outside, firstPort, {}});
}

void FakeIkeNetwork::addOneToOneNat(const IpAddress &inside, const IpAddress &outside)
{
	nats_.push_back(Nat{inside, outside, 0, {}, true});
}

void FakeIkeNetwork::resetNat(const IpAddress &inside)
{
	for (Nat &n : nats_)
		if (n.inside == inside)
			n.out.clear();
}

void FakeIkeNetwork::post(Datagram d)
{
	for (Nat &n : nats_) {
		if (d.from.address != n.inside)
			continue;
		if (n.oneToOne) {
			d.from.address = n.outside;
			continue;
		}
		auto it = n.out.find(d.from.port);
		if (it == n.out.end())
			it = n.out.emplace(d.from.port, n.nextPort++).first;
		d.from = Endpoint{n.outside, it->second};
	}
	queue_.push_back(std::move(d));
}

size_t FakeIkeNetwork::deliver(TimePoint now, size_t maxDatagrams)
{
	size_t n = 0;
	while (!queue_.empty() && n < maxDatagrams) {
		Datagram d = std::move(queue_.front());
		queue_.pop_front();
		n++;
		if (onWire && onWire(d))
			continue;
		Endpoint to = d.to;
		bool blocked = false;
		for (const Nat &nat : nats_) {
			if (to.address != nat.outside)
				continue;
			if (nat.oneToOne) {
				to.address = nat.inside;
				break;
			}
			blocked = true;
			auto mapped = std::find_if(nat.out.begin(), nat.out.end(),
			                           [&](const auto &m) { return m.second == to.port; });
			if (mapped != nat.out.end()) {
				to = Endpoint{nat.inside, mapped->first};
				blocked = false;
				break;
			}
		}
		auto host = hosts_.find(to.address);
		if (blocked || host == hosts_.end())
			continue;
		IkeSocket socket = to.port == natTPort ? IkeSocket::NatT : IkeSocket::Ike;
		host->second->onDatagram(socket, to, d.from, d.bytes, now);
	}
	return n;
}

bool QueuedDhOffload::submit(DhWork work)
{
	if (full_)
		return false;
	queue_.push_back(std::move(work));
	return true;
}

size_t QueuedDhOffload::runAll(IkeEngine &engine, TimePoint now)
{
	size_t n = 0;
	while (!queue_.empty()) {
		DhWork w = std::move(queue_.front());
		queue_.pop_front();
		engine.onDhDone(w.sa, computeDh(random_.keyPair(w.group), w.peerPublic), now);
		n++;
	}
	return n;
}

} // namespace l2tpsec::ike
