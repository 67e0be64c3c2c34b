// Which IPsec SA pairs cover L2TP from a peer (child_flow_index.h).
#include "ike/child_flow_index.h"

#include "ike/ike_context.h"

#include <initializer_list>
#include <vector>

namespace l2tpsec::ike {

namespace {

/// The flow names no peer address: it covers every one.
bool anyPeerAddress(const ChildSaInfo &pair)
{
	return pair.flow.dstPrefix == 0 && pair.flow.dst.isUnspecified();
}

} // namespace

size_t ChildFlowIndex::KeyHash::operator()(const Key &k) const
{
	// FNV-1a over the address bytes, the family and the port.
	uint64_t h = 0xcbf29ce484222325;
	auto mix = [&h](uint8_t b) { h = (h ^ b) * 0x100000001b3; };
	const auto &[address, port, mark] = k;
	for (uint8_t b : address.bytes())
		mix(b);
	mix(static_cast<uint8_t>(address.family()));
	mix(static_cast<uint8_t>(port >> 8));
	mix(static_cast<uint8_t>(port));
	for (int shift = 0; shift < 32; shift += 8)
		mix(static_cast<uint8_t>(mark >> shift));
	return static_cast<size_t>(h);
}

void ChildFlowIndex::add(Buckets &m, const Key &k, Place at)
{
	m[k].insert(at);
}

void ChildFlowIndex::drop(Buckets &m, const Key &k, Place at)
{
	auto it = m.find(k);
	if (it == m.end())
		return;
	it->second.erase(at);
	if (it->second.empty())
		m.erase(it);
}

const ChildFlowIndex::Places *ChildFlowIndex::find(const Buckets &m, const Key &k)
{
	auto it = m.find(k);
	return it == m.end() ? nullptr : &it->second;
}

std::vector<std::pair<ChildFlowIndex::Buckets *, ChildFlowIndex::Key>>
ChildFlowIndex::bucketsOf(const ChildSaInfo &pair)
{
	const uint16_t port = pair.flow.dstPort;
	const uint32_t mark = pair.mark;
	std::vector<std::pair<Buckets *, Key>> out;
	// A set keeps one entry when the two addresses are the same.
	for (const IpAddress &a : {pair.flow.dst, pair.peer.address}) {
		out.emplace_back(&byEndpoint_, Key(a, port, mark));
		out.emplace_back(&byAddress_, Key(a, 0, mark));
	}
	if (anyPeerAddress(pair)) {
		out.emplace_back(&anyAddress_, Key(IpAddress{}, port, mark));
		out.emplace_back(&anyAddressAll_, Key(IpAddress{}, 0, mark));
	}
	return out;
}

void ChildFlowIndex::file(const ChildSaInfo &pair, Place at)
{
	for (auto &[buckets, key] : bucketsOf(pair))
		add(*buckets, key, at);
	filed_++;
}

void ChildFlowIndex::unfile(const ChildSaInfo &pair, Place at)
{
	for (auto &[buckets, key] : bucketsOf(pair))
		drop(*buckets, key, at);
	filed_--;
}

std::optional<ChildFlowIndex::Place> ChildFlowIndex::first(const IpAddress &peer, uint16_t port, uint32_t mark) const
{
	std::optional<Place> best;
	auto consider = [&best](const Places *places) {
		if (places && !places->empty() && (!best || *places->begin() < *best))
			best = *places->begin();
	};
	if (port == 0) {
		// Any port matches: every pair at the address, and the any-address ones.
		consider(find(byAddress_, Key(peer, 0, mark)));
		consider(find(anyAddressAll_, Key(IpAddress{}, 0, mark)));
		return best;
	}
	// The flow's port is this one or any (0).
	for (uint16_t flowPort : {port, uint16_t(0)}) {
		consider(find(byEndpoint_, Key(peer, flowPort, mark)));
		consider(find(anyAddress_, Key(IpAddress{}, flowPort, mark)));
	}
	return best;
}

} // namespace l2tpsec::ike
