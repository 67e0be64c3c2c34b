#pragma once
// ChildSaSet: the SA pairs one ISAKMP SA installed (child_sa.h), each with
// the view the engine reports (ChildSaInfo), in the order they came. What
// only the pairs need lives here (removal with its log line and observer
// call, lookups by SPI, hand-over between ISAKMP SAs, following the peer's
// NAT port); what needs the ISAKMP SA too (a Delete to the peer, a rekey)
// stays in IkeSa, which owns the set and lets the engine see it through
// IkeSa::children(). Each pair is filed in the context's indexes by SPI
// (ChildSpiIndex) and by the L2TP flow it covers (ChildFlowIndex) while it
// is here. Internal to src/ike/.

#include "ike/child_sa.h"
#include "ike/ike_context.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace l2tpsec::ike {

class ChildSaSet {
public:
	/// The pairs of ISAKMP SA `owner`, filed in ctx.spis and ctx.l2tpFlows under it.
	ChildSaSet(IkeContext &ctx, uint64_t owner) : ctx_(ctx), owner_(owner) {}
	/// Unfiles the pairs still here (the ISAKMP SA goes; the kernel's
	/// SAs are the daemon's business then).
	~ChildSaSet();
	ChildSaSet(const ChildSaSet &) = delete;
	ChildSaSet &operator=(const ChildSaSet &) = delete;

	/// A pair the kernel took, with its view (a Quick Mode that finished).
	void add(ChildSa child, const ChildSaInfo &info);
	/// Removes pair `index` from the kernel and the set; logged, and the
	/// observer told.
	void remove(size_t index, const std::string &reason);
	/// Removes the pair with this inbound or outbound SPI; false if none.
	bool removeBySpi(uint32_t spi, const std::string &reason);
	/// The pair with this inbound or outbound SPI, if any.
	std::optional<size_t> indexOf(uint32_t spi) const;
	/// Whether one of the pairs has this inbound SPI.
	bool hasInboundSpi(uint32_t spi) const;
	/// Whether the kernel still holds pair `index`'s SA with `spi` (its
	/// inbound SA if `spi` is the inbound SPI, else its outbound one).
	bool inKernel(size_t index, uint32_t spi) const;
	/// Whether a pair installed after pair `index` protects the same flow.
	bool hasNewerPair(size_t index) const;
	/// Takes over the pairs of `from` (another ISAKMP SA of the same peer),
	/// which are filed under this set's ISAKMP SA from now on.
	void adopt(ChildSaSet &from);
	/// The pairs at the address of `to` follow the peer to its new port;
	/// how many of them the kernel took completely.
	size_t follow(const Endpoint &to);

	const ChildSaSpec &spec(size_t index) const { return children_[index].spec(); }
	const std::vector<ChildSaInfo> &infos() const { return infos_; }
	/// The pair filed in ctx.l2tpFlows at place `seq`, if it is here.
	const ChildSaInfo *atPlace(uint64_t seq) const;
	size_t size() const { return children_.size(); }
	bool empty() const { return children_.empty(); }

private:
	void file(size_t index);
	void unfile(size_t index);

	IkeContext &ctx_;
	uint64_t owner_;
	std::vector<ChildSa> children_;
	std::vector<ChildSaInfo> infos_; ///< one per pair, same order
	std::vector<uint64_t> places_;   ///< each pair's ChildFlowIndex::Place::seq, same order
};

} // namespace l2tpsec::ike
