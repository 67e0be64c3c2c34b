#pragma once
// ChildFlowIndex: which IPsec SA pairs cover L2TP from a peer address:port.
// The L2TP side asks this for every new tunnel ([l2tp] ipsec = "required"),
// for brute-force blocking and for every `sessions` line; walking every
// ISAKMP SA's pairs made that cost grow with the number of clients. Each
// pair is filed under the addresses a flow from its peer can come from
// (the flow's own, and the IKE peer's: behind a NAT the L2TP packets come
// from the NAT's address, while the flow names the client's own) and its
// flow's port, so a lookup is a few ordered-set reads whatever the count.
// ChildSaSet keeps it exact, as it does ChildSpiIndex.
//
// The rule is the one the daemon states in childProtects()
// (src/daemon/ike_views.h): the address matches the flow's, the IKE
// peer's, or any when the flow names no address (prefix 0); the port
// matches the flow's, or any when either side's port is 0.
// Internal to src/ike/.

#include "common/ip_address.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace l2tpsec::ike {

struct ChildSaInfo;

class ChildFlowIndex {
public:
	/// A pair's place: its ISAKMP SA and the order it was filed in, which
	/// is the order the engine lists the pairs in (ISAKMP SA id, then the
	/// order each set got its pairs), so the first match is the one a
	/// walk over them would find.
	struct Place {
		uint64_t owner = 0;
		uint64_t seq = 0;
		// clang-tidy 14 mistakes the defaulted <=> for a literal 0 compared to a pointer.
		friend auto operator<=>(const Place &, const Place &) = default; // NOLINT(modernize-use-nullptr)
	};

	/// A new place for a pair, after every one handed out before.
	uint64_t nextSeq() { return ++seq_; }
	void file(const ChildSaInfo &pair, Place at);
	/// `pair` as it was filed (same flow and peer address).
	void unfile(const ChildSaInfo &pair, Place at);
	/// The first pair that covers L2TP from peer:port (port 0: not known
	/// yet) through the SA pairs with this mark (ChildSaInfo::mark: clients
	/// behind one NAT are told apart by it, all others have 0).
	std::optional<Place> first(const IpAddress &peer, uint16_t port, uint32_t mark = 0) const;
	/// Pairs filed, for tests.
	size_t size() const { return filed_; }

private:
	/// Usually one pair; more behind a shared NAT, or while a rekeyed
	/// pair and its successor overlap. Ordered: the first is the answer.
	using Places = std::set<Place>;
	/// An address, a flow port (0 for a lookup by address alone) and the
	/// pair's mark.
	using Key = std::tuple<IpAddress, uint16_t, uint32_t>;
	struct KeyHash {
		size_t operator()(const Key &k) const;
	};
	using Buckets = std::unordered_map<Key, Places, KeyHash>;
	static void add(Buckets &m, const Key &k, Place at);
	static void drop(Buckets &m, const Key &k, Place at);
	static const Places *find(const Buckets &m, const Key &k);
	/// Where a pair is filed: each bucket map with its key.
	std::vector<std::pair<Buckets *, Key>> bucketsOf(const ChildSaInfo &pair);

	/// Hashes, not trees: a lookup costs the same at any count (scale_bench).
	/// By (address, flow port); port 0 is the flow's "any port".
	Buckets byEndpoint_;
	/// By address alone (port 0), for a lookup whose port is not known.
	Buckets byAddress_;
	/// Flows that name no peer address, by flow port (address unset), and
	/// all of them (one key: no address, port 0).
	Buckets anyAddress_;
	Buckets anyAddressAll_;
	uint64_t seq_ = 0;
	size_t filed_ = 0;
};

} // namespace l2tpsec::ike
