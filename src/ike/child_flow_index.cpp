// Which IPsec SA pairs cover L2TP from a peer (child_flow_index.h).
#include "ike/child_flow_index.h"

#include "ike/ike_context.h"

#include <initializer_list>

namespace l2tpsec::ike {

namespace {

/// The flow names no peer address: it covers every one.
bool anyPeerAddress(const ChildSaInfo &pair)
{
	return pair.flow.dstPrefix == 0 && pair.flow.dst.isUnspecified();
}

} // namespace

template <typename Key>
void ChildFlowIndex::add(std::map<Key, Places> &m, const Key &k, Place at)
{
	m[k].insert(at);
}

template <typename Key>
void ChildFlowIndex::drop(std::map<Key, Places> &m, const Key &k, Place at)
{
	auto it = m.find(k);
	if (it == m.end())
		return;
	it->second.erase(at);
	if (it->second.empty())
		m.erase(it);
}

template <typename Key>
const ChildFlowIndex::Places *ChildFlowIndex::find(const std::map<Key, Places> &m, const Key &k)
{
	auto it = m.find(k);
	return it == m.end() ? nullptr : &it->second;
}

void ChildFlowIndex::file(const ChildSaInfo &pair, Place at)
{
	const uint16_t port = pair.flow.dstPort;
	// A set keeps one entry when the two addresses are the same.
	for (const IpAddress &a : {pair.flow.dst, pair.peer.address}) {
		add(byEndpoint_, std::pair(a, port), at);
		add(byAddress_, a, at);
	}
	if (anyPeerAddress(pair)) {
		add(anyAddress_, port, at);
		anyAddressAll_.insert(at);
	}
	filed_++;
}

void ChildFlowIndex::unfile(const ChildSaInfo &pair, Place at)
{
	const uint16_t port = pair.flow.dstPort;
	for (const IpAddress &a : {pair.flow.dst, pair.peer.address}) {
		drop(byEndpoint_, std::pair(a, port), at);
		drop(byAddress_, a, at);
	}
	if (anyPeerAddress(pair)) {
		drop(anyAddress_, port, at);
		anyAddressAll_.erase(at);
	}
	filed_--;
}

std::optional<ChildFlowIndex::Place> ChildFlowIndex::first(const IpAddress &peer, uint16_t port) const
{
	std::optional<Place> best;
	auto consider = [&best](const Places *places) {
		if (places && !places->empty() && (!best || *places->begin() < *best))
			best = *places->begin();
	};
	if (port == 0) {
		// Any port matches: every pair at the address, and the any-address ones.
		consider(find(byAddress_, peer));
		consider(&anyAddressAll_);
		return best;
	}
	// The flow's port is this one or any (0).
	for (uint16_t flowPort : {port, uint16_t(0)}) {
		consider(find(byEndpoint_, std::pair(peer, flowPort)));
		consider(find(anyAddress_, flowPort));
	}
	return best;
}

} // namespace l2tpsec::ike
